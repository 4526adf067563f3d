use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, GpuModelSet},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetGpuModelsArgs {
    /// Models to insert or replace, matched by code.
    pub models: Vec<GpuModel>,
}

#[derive(Accounts)]
pub struct SetGpuModels<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ IoComputeError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [GPU_MODELS_SEED], bump = gpu_models.bump)]
    pub gpu_models: Box<Account<'info, GpuModels>>,
}

impl SetGpuModels<'_> {
    pub fn handle(ctx: Context<Self>, args: SetGpuModelsArgs) -> Result<()> {
        ctx.accounts.gpu_models.upsert(&args.models)?;
        for model in &args.models {
            emit_event(GpuModelSet {
                code: model.code,
                reward_multiplier: model.reward_multiplier,
                ref_fp32_tflops_x100: model.ref_fp32_tflops_x100,
                ref_bf16_tflops_x100: model.ref_bf16_tflops_x100,
            });
        }
        Ok(())
    }
}
