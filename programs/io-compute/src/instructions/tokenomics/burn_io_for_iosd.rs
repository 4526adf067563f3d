use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, IoBurnedForIosd},
    oracle,
    state::*,
    vault::VaultSigner,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BurnArgs {
    /// Burn exactly `io` base units; fail if that buys less than `min_iosd`.
    ExactIn { io: u64, min_iosd: u64 },
    /// Mint exactly `iosd` base units; fail if that costs more than `max_io`.
    ExactOut { iosd: u64, max_io: u64 },
}

/// Burns IO for IOSD at the conservative oracle price. IOSD is freely
/// transferable (see docs/tokenomics.md); it can never be turned back into IO.
#[derive(Accounts)]
pub struct BurnIoForIosd<'info> {
    pub owner: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(
        mut, seeds = [EPOCH_SEED, &tokenomics.current_epoch.to_le_bytes()], bump = epoch.bump,
    )]
    pub epoch: Box<Account<'info, Epoch>>,
    /// CHECK: the configured price source, validated by `OracleConfig::read_price`.
    pub price: UncheckedAccount<'info>,
    #[account(mut, address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    #[account(mut, address = config.iosd_mint @ IoComputeError::WrongMint)]
    pub iosd_mint: Box<Account<'info, Mint>>,
    #[account(mut, constraint = source.mint == config.io_mint @ IoComputeError::WrongMint)]
    pub source: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = destination.mint == config.iosd_mint @ IoComputeError::WrongMint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    /// CHECK: PDA mint authority of IOSD.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl BurnIoForIosd<'_> {
    /// (IO burned, IOSD minted) for `args` at `price`, slippage checked.
    pub fn amounts(args: BurnArgs, price: &oracle::OraclePrice) -> Result<(u64, u64)> {
        let (io, iosd) = match args {
            BurnArgs::ExactIn { io, min_iosd } => {
                let iosd = oracle::iosd_for_io(io, price)?;
                require!(iosd >= min_iosd, IoComputeError::SlippageExceeded);
                (io, iosd)
            }
            BurnArgs::ExactOut { iosd, max_io } => {
                let io = oracle::io_for_iosd(iosd, price)?;
                require!(io <= max_io, IoComputeError::SlippageExceeded);
                (io, iosd)
            }
        };
        require!(io > 0 && iosd > 0, IoComputeError::ZeroAmount);
        Ok((io, iosd))
    }

    pub fn handle(ctx: Context<Self>, args: BurnArgs) -> Result<()> {
        ctx.accounts.burn(args)?;
        Ok(())
    }

    /// Burns the IO, mints the IOSD into `destination` and records both;
    /// returns (IO burned, IOSD minted). Leases paid in IO reuse it.
    pub fn burn(&mut self, args: BurnArgs) -> Result<(u64, u64)> {
        let accounts = self;
        let now = Clock::get()?.unix_timestamp;
        let price = accounts.config.oracle.read_price(&accounts.price, now)?;
        let (io, iosd) = Self::amounts(args, &price)?;
        require!(
            accounts.source.amount >= io,
            IoComputeError::InsufficientBalance
        );
        let params = accounts.config.tokenomics_params;
        accounts.tokenomics.iosd_breaker.record(
            iosd,
            now,
            params.iosd_mint_cap,
            params.iosd_mint_window_secs,
            IoComputeError::IosdBreakerTripped,
        )?;
        accounts
            .tokenomics
            .record_burn(&mut accounts.epoch, io, iosd)?;

        token::burn(
            CpiContext::new(
                accounts.token_program.key(),
                Burn {
                    mint: accounts.io_mint.to_account_info(),
                    from: accounts.source.to_account_info(),
                    authority: accounts.owner.to_account_info(),
                },
            ),
            io,
        )?;
        VaultSigner::new(
            &accounts.config,
            &accounts.token_program,
            &accounts.vault_authority,
        )
        .mint_to(&accounts.iosd_mint, &accounts.destination, iosd)?;
        emit_event(IoBurnedForIosd {
            owner: accounts.owner.key(),
            destination: accounts.destination.key(),
            epoch: accounts.epoch.number,
            io_burned: io,
            iosd_minted: iosd,
            price: price.price,
            expo: price.expo,
        });
        Ok((io, iosd))
    }
}
