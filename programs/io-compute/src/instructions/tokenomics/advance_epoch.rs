use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, EpochAdvanced},
    init,
    math::SafeMath,
    state::*,
};
use anchor_lang::prelude::*;

/// Permissionless crank: once the current epoch has run its length, opens the
/// next one. Epochs stay on the schedule (the next starts when the current
/// ends, not when the crank runs), so a late crank catches up one epoch per
/// call, and each epoch opens exactly once.
#[derive(Accounts)]
pub struct AdvanceEpoch<'info> {
    /// Pays the rent of the new `Epoch` record.
    #[account(mut)]
    pub cranker: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(seeds = [EPOCH_SEED, &tokenomics.current_epoch.to_le_bytes()], bump = current.bump)]
    pub current: Box<Account<'info, Epoch>>,
    /// CHECK: created as the next `Epoch` by the handler.
    #[account(mut, seeds = [EPOCH_SEED, &(tokenomics.current_epoch + 1).to_le_bytes()], bump)]
    pub next: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl AdvanceEpoch<'_> {
    pub fn validate(&self) -> Result<()> {
        let end = self.current.end(self.config.tokenomics.epoch_length_secs)?;
        require!(
            Clock::get()?.unix_timestamp >= end,
            IoComputeError::EpochNotEnded
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let number = accounts.tokenomics.current_epoch.safe_add(1)?;
        let start = accounts
            .current
            .end(accounts.config.tokenomics.epoch_length_secs)?;
        let bump = ctx.bumps.next;
        init::create_program_account(
            &accounts.cranker,
            &accounts.next,
            8 + Epoch::INIT_SPACE,
            &[EPOCH_SEED, &number.to_le_bytes(), &[bump]],
            &Epoch {
                number,
                start,
                io_burned: 0,
                iosd_minted: 0,
                bump,
            },
        )?;
        accounts.tokenomics.current_epoch = number;
        emit_event(EpochAdvanced {
            epoch: number,
            start,
            previous_io_burned: accounts.current.io_burned,
            previous_iosd_minted: accounts.current.iosd_minted,
        });
        Ok(())
    }
}
