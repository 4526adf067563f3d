use crate::{error::IoComputeError, instructions::staking::stake::*, state::StakeKind};
use anchor_lang::prelude::*;

/// A third party stakes behind a provider. The stake counts toward the
/// provider's minimum stake, is slashed with it, and earns the provider's
/// advertised co-stake share of its rewards.
pub struct CoStake;

impl CoStake {
    pub fn validate(accounts: &Stake) -> Result<()> {
        require_keys_neq!(
            accounts.owner.key(),
            accounts.provider.authority,
            IoComputeError::CoStakeBySelf
        );
        Ok(())
    }

    pub fn handle(ctx: Context<Stake>, args: StakeArgs) -> Result<()> {
        Self::validate(ctx.accounts)?;
        let bump = ctx.bumps.position;
        ctx.accounts.open_position(args, StakeKind::CoStake, bump)
    }
}
