use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, TokenomicsInitialized},
    init,
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
        init::create_program_account(
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
                total_io_burned: 0,
                total_iosd_minted: 0,
                bump: tokenomics_bump,
            },
        )?;
        init::create_program_account(
            &accounts.authority,
            &accounts.epoch,
            8 + Epoch::INIT_SPACE,
            &[EPOCH_SEED, &0u64.to_le_bytes(), &[epoch_bump]],
            &Epoch {
                number: 0,
                start: now,
                io_burned: 0,
                iosd_minted: 0,
                bump: epoch_bump,
            },
        )?;
        accounts.config.tokenomics = args;
        emit_event(TokenomicsInitialized {
            epoch_length_secs: args.epoch_length_secs,
            iosd_mint_cap: args.iosd_mint_cap,
            iosd_mint_window_secs: args.iosd_mint_window_secs,
            epoch_start: now,
        });
        Ok(())
    }
}
