//! `io-worker register` against a localnet: the device is added with the
//! detected specs and this machine's worker key, and registering again
//! updates that device instead of adding another.

use io_compute::state::{Device, DeviceStatus, ProviderProfile};
use io_compute::StakeArgs;
use io_compute_migrations::{migrate, Settings};
use io_compute_sdk::{client::Client, gpu, ix, pda};
use io_worker::{
    backend::{cpu::CpuBackend, Backend, BackendKind, DeviceInfo},
    register::{model_code, register},
};
use localnet::{Localnet, LocalnetConfig};
use solana_sdk::signer::{keypair::Keypair, Signer};

use io_compute::constants::ONE_IO;

#[tokio::test(flavor = "multi_thread")]
async fn register_adds_then_updates_this_machines_device() {
    let net = Localnet::start(LocalnetConfig {
        rpc_port: 0,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = format!("http://{}", net.rpc_addr);
    let admin = Client::new(&url, Keypair::new());
    admin
        .request_airdrop(&admin.payer.pubkey(), 100_000_000_000)
        .await
        .unwrap();
    let owner = Keypair::new();
    let mut settings = Settings::launch(86_400);
    settings.faucet = Some((owner.pubkey(), 100_000 * ONE_IO));
    migrate(&admin, &settings).await.unwrap();
    let provider = Client::new(&url, owner.insecure_clone());
    admin
        .request_airdrop(&owner.pubkey(), 10_000_000_000)
        .await
        .unwrap();

    let cpu = CpuBackend::new();
    let worker = Keypair::new();
    let refused = register(&provider, cpu.info(), worker.pubkey(), 450_000, None, None)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("not a registered provider"),
        "{refused}"
    );

    let profile = ProviderProfile {
        name: "worker test".into(),
        region: "eu-west".into(),
        endpoint: "https://gpu.example.org".into(),
        co_stake_share_bps: 2_000,
    };
    let io = pda::associated_token(&owner.pubkey(), &pda::io_mint());
    let stake = StakeArgs {
        nonce: 0,
        amount: 50_000 * ONE_IO,
        lockup_secs: 0,
    };
    provider
        .send(
            &[
                ix::register_provider(owner.pubkey(), profile),
                ix::stake(owner.pubkey(), io, stake),
            ],
            &[],
        )
        .await
        .unwrap();

    let added = register(&provider, cpu.info(), worker.pubkey(), 450_000, None, None)
        .await
        .unwrap();
    assert!(added.added);
    let key = pda::device(&pda::provider(&owner.pubkey()), 0);
    let device: Device = provider.expect_account(&key).await.unwrap();
    assert_eq!(
        (
            gpu::model_name(&device.model),
            device.gpu_count,
            device.worker,
            device.price_per_gpu_hour,
            device.status
        ),
        (
            "CPU".to_string(),
            1,
            worker.pubkey(),
            450_000,
            DeviceStatus::Idle
        )
    );
    assert_eq!(
        u64::from(device.vram_gb),
        (cpu.info().memory_bytes + (1 << 29)) >> 30
    );

    // Again with a new price: the same device, updated.
    let again = register(&provider, cpu.info(), worker.pubkey(), 500_000, None, None)
        .await
        .unwrap();
    assert_eq!((again.added, again.index), (false, 0));
    let device: Device = provider.expect_account(&key).await.unwrap();
    assert_eq!(device.price_per_gpu_hour, 500_000);
    assert!(provider
        .raw_account(&pda::device(&pda::provider(&owner.pubkey()), 1))
        .await
        .unwrap()
        .is_none());

    // A rotated worker key takes over device 0.
    let rotated = Keypair::new();
    let moved = register(
        &provider,
        cpu.info(),
        rotated.pubkey(),
        500_000,
        None,
        Some(0),
    )
    .await
    .unwrap();
    assert_eq!(
        (moved.added, moved.worker),
        (false, rotated.pubkey().to_string())
    );
    let missing = register(
        &provider,
        cpu.info(),
        rotated.pubkey(),
        500_000,
        None,
        Some(7),
    )
    .await
    .unwrap_err();
    assert!(missing.to_string().contains("no device 7"), "{missing}");

    // An unknown GPU needs --model.
    let unknown = DeviceInfo {
        backend: BackendKind::Cuda,
        model: "Imaginary GPU 9000".into(),
        count: 1,
        memory_bytes: 1 << 34,
        compute_units: 1,
        compute_capability: Some((9, 0)),
        driver: None,
        isa: Vec::new(),
    };
    let err = register(&provider, &unknown, Keypair::new().pubkey(), 1, None, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("pass --model"), "{err}");
}

#[test]
fn driver_names_map_to_the_gpu_table() {
    let gpu = |name: &str| DeviceInfo {
        backend: BackendKind::Cuda,
        model: name.into(),
        count: 1,
        memory_bytes: 0,
        compute_units: 0,
        compute_capability: None,
        driver: None,
        isa: Vec::new(),
    };
    for (name, code) in [
        ("NVIDIA H200", "H200"),
        ("NVIDIA H100 80GB HBM3", "H100-SXM"),
        ("NVIDIA H100 PCIe", "H100-PCIE"),
        ("NVIDIA A100-SXM4-80GB", "A100-80G"),
        ("NVIDIA GeForce RTX 4090", "RTX4090"),
        ("NVIDIA GeForce RTX 5090", "RTX5090"),
        ("NVIDIA L4", "L4"),
        ("NVIDIA L40S", "L40S"),
        ("NVIDIA A10", "A10"),
        ("NVIDIA B200", "B200"),
    ] {
        assert_eq!(model_code(&gpu(name)), Some(code), "{name}");
        assert!(gpu::model_code(code).is_some());
    }
    assert_eq!(model_code(&gpu("NVIDIA A40")), None);
}
