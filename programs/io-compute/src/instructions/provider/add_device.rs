use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DeviceAdded},
    math::SafeMath,
    pda_create,
    state::*,
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct AddDevice<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(seeds = [GPU_MODELS_SEED], bump = gpu_models.bump)]
    pub gpu_models: Box<Account<'info, GpuModels>>,
    #[account(
        mut, seeds = [PROVIDER_SEED, authority.key().as_ref()], bump = provider.bump,
        has_one = authority @ IoComputeError::NotProviderAuthority,
    )]
    pub provider: Box<Account<'info, Provider>>,
    /// CHECK: created as `Device` by the handler (pre-funding tolerant).
    #[account(
        mut,
        seeds = [DEVICE_SEED, provider.key().as_ref(), &provider.next_device_index.to_le_bytes()],
        bump,
    )]
    pub device: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl AddDevice<'_> {
    #[access_control(spec.validate())]
    pub fn handle(ctx: Context<Self>, spec: DeviceSpec) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let model = accounts.gpu_models.find(&spec.model)?;
        let stake_requirement = Provider::device_stake_requirement(
            accounts.config.staking.min_stake_per_gpu,
            model.reward_multiplier,
            spec.gpu_count,
        )?;

        let provider = &mut accounts.provider;
        let index = provider.next_device_index;
        provider.next_device_index = index.safe_add(1)?;
        provider.device_count = provider.device_count.safe_add(1)?;
        if spec.status.needs_stake() {
            provider.activate_device(stake_requirement)?;
        }

        let bump = ctx.bumps.device;
        let provider_key = provider.key();
        let device = Device {
            provider: provider_key,
            index,
            model: spec.model,
            gpu_count: spec.gpu_count,
            vram_gb: spec.vram_gb,
            price_per_gpu_hour: spec.price_per_gpu_hour,
            status: spec.status,
            current_lease: Pubkey::default(),
            stake_requirement,
            reliability_bps: INITIAL_RELIABILITY_BPS,
            worker: spec.worker,
            open_proofs: 0,
            last_check_epoch: None,
            failed_checks: 0,
            created_at: Clock::get()?.unix_timestamp,
            bump,
        };
        pda_create::create_program_account(
            &accounts.authority,
            &accounts.device,
            8 + Device::INIT_SPACE,
            &[
                DEVICE_SEED,
                provider_key.as_ref(),
                &index.to_le_bytes(),
                &[bump],
            ],
            &device,
        )?;
        emit_event(DeviceAdded {
            device: accounts.device.key(),
            provider: provider_key,
            index,
            model: spec.model,
            gpu_count: spec.gpu_count,
            vram_gb: spec.vram_gb,
            price_per_gpu_hour: spec.price_per_gpu_hour,
            status: spec.status,
            stake_requirement,
            worker: spec.worker,
        });
        Ok(())
    }
}
