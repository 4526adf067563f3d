use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, LeaseCreated},
    math::SafeMath,
    pda_create,
    state::*,
    vault,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

/// A client rents a GPU cluster paying IOSD: the GPU budget (count x hours
/// x max price) plus the client fee moves into escrow.
#[derive(Accounts)]
pub struct CreateLease<'info> {
    #[account(mut)]
    pub client: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [MARKET_SEED], bump = market.bump)]
    pub market: Box<Account<'info, Market>>,
    /// CHECK: created as `Lease` by the handler.
    #[account(mut, seeds = [LEASE_SEED, &market.next_lease_id.to_le_bytes()], bump)]
    pub lease: UncheckedAccount<'info>,
    #[account(mut, constraint = source.mint == config.iosd_mint @ IoComputeError::WrongMint)]
    pub source: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.escrow_vault @ IoComputeError::WrongVault)]
    pub escrow_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.iosd_mint @ IoComputeError::WrongMint)]
    pub iosd_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Creates the lease record for a deposit already in escrow.
#[allow(clippy::too_many_arguments)]
pub fn open_lease<'info>(
    client: &Signer<'info>,
    market: &mut Market,
    lease: &UncheckedAccount<'info>,
    bump: u8,
    spec: LeaseSpec,
    payment: Payment,
    client_fee_bps: u16,
    deposit: u64,
) -> Result<()> {
    let id = market.next_lease_id;
    let record = Lease::open(
        id,
        client.key(),
        spec,
        payment,
        client_fee_bps,
        deposit,
        Clock::get()?.unix_timestamp,
        bump,
    );
    record.invariant()?;
    pda_create::create_program_account(
        client,
        lease,
        8 + Lease::INIT_SPACE,
        &[LEASE_SEED, &id.to_le_bytes(), &[bump]],
        &record,
    )?;
    market.next_lease_id = id.safe_add(1)?;
    market.escrow_total = market.escrow_total.safe_add(deposit)?;
    emit_event(LeaseCreated {
        lease: lease.key(),
        id,
        client: client.key(),
        spec: record.spec,
        payment,
        deposit,
    });
    Ok(())
}

impl CreateLease<'_> {
    pub fn handle(ctx: Context<Self>, spec: LeaseSpec) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let fee_bps = accounts.config.market_params.client_fee_bps;
        let deposit = spec.deposit(fee_bps)?;
        require!(
            accounts.source.amount >= deposit,
            IoComputeError::InsufficientBalance
        );
        vault::transfer_into_vault(
            &accounts.token_program,
            &accounts.source,
            &accounts.iosd_mint,
            &accounts.escrow_vault,
            &accounts.client,
            deposit,
        )?;
        open_lease(
            &accounts.client,
            &mut accounts.market,
            &accounts.lease,
            ctx.bumps.lease,
            spec,
            Payment::Iosd,
            fee_bps,
            deposit,
        )
    }
}
