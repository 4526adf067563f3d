use crate::{
    constants::*,
    error::IoComputeError,
    instructions::{lease::create_lease::*, tokenomics::burn_io_for_iosd::*},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateLeaseWithIoArgs {
    pub spec: LeaseSpec,
    /// Most IO the client accepts to burn for the deposit.
    pub max_io: u64,
}

/// A client rents a GPU cluster paying IO: IO is burned at the oracle price
/// for exactly the deposit in IOSD (at the lower IO client fee), minted
/// straight into escrow. The burn is the same as `burn_io_for_iosd`'s,
/// breaker and epoch records included.
#[derive(Accounts)]
pub struct CreateLeaseWithIo<'info> {
    /// The client: must be the burn's owner.
    #[account(mut)]
    pub client: Signer<'info>,
    #[account(mut, seeds = [MARKET_SEED], bump = market.bump)]
    pub market: Box<Account<'info, Market>>,
    /// CHECK: created as `Lease` by the handler.
    #[account(mut, seeds = [LEASE_SEED, &market.next_lease_id.to_le_bytes()], bump)]
    pub lease: UncheckedAccount<'info>,
    /// The burn, with the escrow vault as its destination.
    pub burn: BurnIoForIosd<'info>,
    pub system_program: Program<'info, System>,
}

impl CreateLeaseWithIo<'_> {
    pub fn validate(&self) -> Result<()> {
        require_keys_eq!(
            self.burn.owner.key(),
            self.client.key(),
            IoComputeError::NotLeaseClient
        );
        require_keys_eq!(
            self.burn.destination.key(),
            self.burn.config.escrow_vault,
            IoComputeError::WrongVault
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>, args: CreateLeaseWithIoArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let fee_bps = accounts.burn.config.market_params.client_fee_bps_io;
        let deposit = args.spec.deposit(fee_bps)?;
        accounts.burn.burn(BurnArgs::ExactOut {
            iosd: deposit,
            max_io: args.max_io,
        })?;
        open_lease(
            &accounts.client,
            &mut accounts.market,
            &accounts.lease,
            ctx.bumps.lease,
            args.spec,
            Payment::Io,
            fee_bps,
            deposit,
        )
    }
}
