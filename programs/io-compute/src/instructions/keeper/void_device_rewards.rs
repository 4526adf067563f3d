use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DeviceRewardsVoided},
    math::SafeMath,
    state::*,
    vault::VaultSigner,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct VoidDeviceRewardsArgs {
    pub epoch: u64,
}

/// The arbiter voids an epoch's device-reward root within its dispute
/// window (H4): its total goes back to the device pool, the posting keeper
/// loses `dispute_slash_bps` of its bond to the IO treasury, and a keeper
/// may post the epoch again.
#[derive(Accounts)]
#[instruction(args: VoidDeviceRewardsArgs)]
pub struct VoidDeviceRewards<'info> {
    pub arbiter: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED], bump = config.bump,
        constraint = config.arbiter == arbiter.key() @ IoComputeError::NotArbiter,
    )]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(mut, seeds = [EPOCH_SEED, &args.epoch.to_le_bytes()], bump = epoch.bump)]
    pub epoch: Box<Account<'info, Epoch>>,
    #[account(mut, seeds = [KEEPER_SEED, epoch.device_root_keeper.as_ref()], bump = keeper.bump)]
    pub keeper: Box<Account<'info, Keeper>>,
    #[account(mut, address = config.bond_vault @ IoComputeError::WrongVault)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.treasury_io_vault @ IoComputeError::WrongVault)]
    pub treasury_io_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl VoidDeviceRewards<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.epoch.has_device_root(),
            IoComputeError::DeviceRewardsNotPosted
        );
        require!(
            Clock::get()?.unix_timestamp < self.epoch.device_root_unlock_at,
            IoComputeError::DisputeWindowClosed
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>, args: VoidDeviceRewardsArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let returned = accounts.epoch.clear_device_root()?;
        accounts.epoch.device_root = [0; 32];
        accounts.tokenomics.devices.release(returned)?;
        let slash_rate = Bps(accounts.config.market_params.dispute_slash_bps);
        let keeper = &mut accounts.keeper;
        let slashed = slash_rate.floor_of(keeper.bond)?;
        keeper.bond = keeper.bond.safe_sub(slashed)?;
        VaultSigner::new(
            &accounts.config,
            &accounts.token_program,
            &accounts.vault_authority,
        )
        .pay(
            &accounts.bond_vault,
            &accounts.io_mint,
            &accounts.treasury_io_vault,
            slashed,
        )?;
        emit_event(DeviceRewardsVoided {
            epoch: args.epoch,
            keeper: keeper.authority,
            returned,
            keeper_bond_slashed: slashed,
        });
        Ok(())
    }
}
