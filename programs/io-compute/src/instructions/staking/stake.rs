use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, Staked},
    pda_create,
    state::*,
    vault,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct StakeArgs {
    /// Distinguishes the owner's positions behind one provider.
    pub nonce: u64,
    /// IO base units.
    pub amount: u64,
    /// 0 to 365 days; longer lockups earn up to 4x rewards.
    pub lockup_secs: i64,
}

/// Accounts of `stake` (the provider's authority) and `co_stake` (anyone else).
#[derive(Accounts)]
#[instruction(args: StakeArgs)]
pub struct Stake<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [PROVIDER_SEED, provider.authority.as_ref()], bump = provider.bump)]
    pub provider: Box<Account<'info, Provider>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    /// CHECK: created as `StakePosition` by the handler (pre-funding tolerant).
    #[account(
        mut,
        seeds = [STAKE_SEED, owner.key().as_ref(), provider.key().as_ref(), &args.nonce.to_le_bytes()],
        bump,
    )]
    pub position: UncheckedAccount<'info>,
    #[account(mut, constraint = source.mint == config.io_mint @ IoComputeError::WrongMint)]
    pub source: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.stake_vault @ IoComputeError::WrongVault)]
    pub stake_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl Stake<'_> {
    pub fn validate_own(&self) -> Result<()> {
        require_keys_eq!(
            self.owner.key(),
            self.provider.authority,
            IoComputeError::StakeByNonAuthority
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate_own())]
    pub fn handle(ctx: Context<Self>, args: StakeArgs) -> Result<()> {
        let bump = ctx.bumps.position;
        ctx.accounts.open_position(args, StakeKind::Own, bump)
    }

    /// Moves the IO into the stake vault and records the position and the
    /// provider's pool.
    pub fn open_position(&mut self, args: StakeArgs, kind: StakeKind, bump: u8) -> Result<()> {
        require!(args.amount > 0, IoComputeError::ZeroAmount);
        require!(
            self.source.amount >= args.amount,
            IoComputeError::InsufficientBalance
        );
        let multiplier = StakePosition::multiplier_for_lockup(args.lockup_secs)?;
        let now = Clock::get()?.unix_timestamp;
        let shares = self.provider.stake_in(
            &mut self.tokenomics.stakers,
            args.amount,
            multiplier,
            kind,
            now,
        )?;
        self.provider.invariant()?;
        let owner = self.owner.key();
        let provider = self.provider.key();
        let position = StakePosition::new(
            owner,
            provider,
            &self.provider.rewards,
            args.nonce,
            kind,
            args.amount,
            shares,
            args.lockup_secs,
            now,
            bump,
        )?;
        let lockup_end = position.lockup_end;
        pda_create::create_program_account(
            &self.owner,
            &self.position,
            8 + StakePosition::INIT_SPACE,
            &[
                STAKE_SEED,
                owner.as_ref(),
                provider.as_ref(),
                &args.nonce.to_le_bytes(),
                &[bump],
            ],
            &position,
        )?;
        vault::transfer_into_vault(
            &self.token_program,
            &self.source,
            &self.io_mint,
            &self.stake_vault,
            &self.owner,
            args.amount,
        )?;
        emit_event(Staked {
            position: self.position.key(),
            owner,
            provider,
            kind,
            amount: args.amount,
            shares,
            lockup_end,
            multiplier,
        });
        Ok(())
    }
}
