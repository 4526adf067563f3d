use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, KeeperUpdated},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateKeeperArgs {
    /// Where the keeper's API is (http(s) URL).
    pub endpoint: String,
}

/// A keeper moves its API: clients and workers find it at the new endpoint.
#[derive(Accounts)]
pub struct UpdateKeeper<'info> {
    pub keeper_authority: Signer<'info>,
    #[account(
        mut, seeds = [KEEPER_SEED, keeper_authority.key().as_ref()], bump = keeper.bump,
        constraint = keeper.authority == keeper_authority.key() @ IoComputeError::NotAdmittedKeeper,
    )]
    pub keeper: Box<Account<'info, Keeper>>,
}

impl UpdateKeeper<'_> {
    #[access_control(validate_endpoint(&args.endpoint))]
    pub fn handle(ctx: Context<Self>, args: UpdateKeeperArgs) -> Result<()> {
        let keeper = &mut ctx.accounts.keeper;
        keeper.endpoint = args.endpoint;
        emit_event(KeeperUpdated {
            keeper: keeper.key(),
            endpoint: keeper.endpoint.clone(),
        });
        Ok(())
    }
}
