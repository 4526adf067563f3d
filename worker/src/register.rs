//! `io-worker register`: puts this machine on-chain as a device of its
//! provider, with the specs `detect` found and this machine's worker key.
//! The provider's key signs (it is needed for this one command only); run
//! again, it updates the device that already carries this worker key
//! instead of adding another.

use crate::backend::{BackendKind, DeviceInfo};
use anyhow::{bail, Context, Result};
use io_compute::state::{Device, DeviceSpec, DeviceStatus, Provider};
use io_compute::UpdateDeviceArgs;
use io_compute_sdk::{client::Client, filters, gpu, ix, pda};
use solana_sdk::{pubkey::Pubkey, signer::Signer};

/// The GPU table's code for a model name as the driver reports it: the
/// first rule whose words all appear in the name wins (more specific rules
/// first).
pub fn model_code(info: &DeviceInfo) -> Option<&'static str> {
    if info.backend == BackendKind::Cpu {
        return Some("CPU");
    }
    let name = info.model.to_ascii_uppercase().replace(['-', '_'], " ");
    const RULES: &[(&[&str], &str)] = &[
        (&["B200"], "B200"),
        (&["H200"], "H200"),
        (&["H100", "PCIE"], "H100-PCIE"),
        (&["H100"], "H100-SXM"),
        (&["A100"], "A100-80G"),
        (&["L40S"], "L40S"),
        (&["5090"], "RTX5090"),
        (&["4090"], "RTX4090"),
        (&["4070"], "RTX4070"),
        (&["3090"], "RTX3090"),
        (&["L4"], "L4"),
        (&["A10"], "A10"),
    ];
    RULES
        .iter()
        .find(|(words, _)| {
            words.iter().all(|w| {
                name.split_whitespace()
                    .any(|part| part == *w || part.starts_with(w))
            })
        })
        .map(|(_, code)| *code)
}

/// What `register` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Registered {
    pub device: String,
    pub index: u32,
    pub model: String,
    pub gpu_count: u8,
    pub vram_gb: u16,
    pub worker: String,
    /// False when an existing device was updated.
    pub added: bool,
}

/// Registers (or updates) the device of `worker` for the provider whose
/// authority is the client's payer, at `price_per_gpu_hour` IOSD base
/// units, with the model code `model` or the one `model_code` finds. With
/// `index`, that device takes this worker key (a machine's key rotated, or
/// a device first registered elsewhere).
pub async fn register(
    client: &Client,
    info: &DeviceInfo,
    worker: Pubkey,
    price_per_gpu_hour: u64,
    model: Option<&str>,
    index: Option<u32>,
) -> Result<Registered> {
    let authority = client.payer.pubkey();
    let provider_key = pda::provider(&authority);
    let provider: Provider = client.account(&provider_key).await?.with_context(|| {
        format!(
            "{authority} is not a registered provider: register and stake first \
             (`ioc provider register`, `ioc stake add`)"
        )
    })?;
    let code = match model.or_else(|| model_code(info)) {
        Some(code) => code,
        None => bail!(
            "the GPU {:?} is not in the model table; pass --model with one of its codes",
            info.model
        ),
    };
    let model_bytes =
        gpu::model_code(code).with_context(|| format!("model code {code:?} is too long"))?;
    let gpu_count = u8::try_from(info.count).context("more than 255 GPUs in one device")?;
    let vram_gb = u16::try_from((info.memory_bytes + (1 << 29)) >> 30).unwrap_or(u16::MAX);
    let existing = client
        .program_accounts::<Device>(&[filters::devices_by_provider(&provider_key)])
        .await?
        .into_iter()
        .find(|(_, d)| match index {
            Some(index) => d.index == index,
            None => d.worker == worker,
        });
    if let (Some(index), None) = (index, &existing) {
        bail!("provider {provider_key} has no device {index}");
    }
    let (index, added) = match &existing {
        Some((_, device)) => {
            let update = UpdateDeviceArgs {
                price_per_gpu_hour: (device.price_per_gpu_hour != price_per_gpu_hour
                    && device.status != DeviceStatus::Leased)
                    .then_some(price_per_gpu_hour),
                status: None,
                worker: (device.worker != worker).then_some(worker),
            };
            if update.price_per_gpu_hour.is_some() || update.worker.is_some() {
                client
                    .send(&[ix::update_device(authority, device.index, update)], &[])
                    .await?;
            }
            (device.index, false)
        }
        None => {
            let index = provider.next_device_index;
            let spec = DeviceSpec {
                model: model_bytes,
                gpu_count,
                vram_gb,
                price_per_gpu_hour,
                status: DeviceStatus::Idle,
                worker,
            };
            client
                .send(&[ix::add_device(authority, index, spec)], &[])
                .await?;
            (index, true)
        }
    };
    let device = pda::device(&provider_key, index);
    let on_chain: Device = client.expect_account(&device).await?;
    Ok(Registered {
        device: device.to_string(),
        index,
        model: gpu::model_name(&on_chain.model),
        gpu_count: on_chain.gpu_count,
        vram_gb: on_chain.vram_gb,
        worker: on_chain.worker.to_string(),
        added,
    })
}
