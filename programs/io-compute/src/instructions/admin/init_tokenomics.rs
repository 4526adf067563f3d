use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, TokenomicsInitialized},
    pda_create,
    state::*,
};
use anchor_lang::prelude::*;

/// Sets the tokenomics parameters and opens epoch 0. Runs once.
#[derive(Accounts)]
pub struct InitTokenomics<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        mut, seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ IoComputeError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, Config>>,
    /// CHECK: created as `Tokenomics` by the handler.
    #[account(mut, seeds = [TOKENOMICS_SEED], bump)]
    pub tokenomics: UncheckedAccount<'info>,
    /// CHECK: created as `Epoch` 0 by the handler.
    #[account(mut, seeds = [EPOCH_SEED, &0u64.to_le_bytes()], bump)]
    pub epoch: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl InitTokenomics<'_> {
    #[access_control(args.validate())]
    pub fn handle(ctx: Context<Self>, args: TokenomicsParams) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let (tokenomics_bump, epoch_bump) = (ctx.bumps.tokenomics, ctx.bumps.epoch);
        pda_create::create_program_account(
            &accounts.authority,
            &accounts.tokenomics,
            8 + Tokenomics::INIT_SPACE,
            &[TOKENOMICS_SEED, &[tokenomics_bump]],
            &Tokenomics {
                current_epoch: 0,
                iosd_breaker: CircuitBreaker {
                    level: 0,
                    last_update: now,
                },
                io_breaker: CircuitBreaker {
                    level: 0,
                    last_update: now,
                },
                total_io_burned: 0,
                total_iosd_minted: 0,
                total_io_emitted: 0,
                schedule_start: now,
                emission_month: 0,
                monthly_emission: args.emission.initial_monthly_emission,
                recent_burns: [0; NET_EMISSION_WINDOW_EPOCHS],
                stakers: StakerRewardPool::default(),
                devices: DeviceRewardPool::default(),
                total_fees_burned: 0,
                bump: tokenomics_bump,
            },
        )?;
        pda_create::create_program_account(
            &accounts.authority,
            &accounts.epoch,
            8 + Epoch::INIT_SPACE,
            &[EPOCH_SEED, &0u64.to_le_bytes(), &[epoch_bump]],
            &Epoch::open(0, now, epoch_bump),
        )?;
        accounts.config.tokenomics_params = args;
        emit_event(TokenomicsInitialized {
            params: args,
            epoch_start: now,
        });
        Ok(())
    }
}
