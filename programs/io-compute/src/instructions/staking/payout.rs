use crate::{constants::*, error::IoComputeError, state::*, vault::VaultSigner};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

/// The accounts that pay staking rewards (IO and IOSD) out of the reward
/// vaults, shared by `claim_rewards` and `claim_commission`.
#[derive(Accounts)]
pub struct RewardPayout<'info> {
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// Any IO token account the claimer chooses.
    #[account(mut, constraint = io_destination.mint == config.io_mint @ IoComputeError::WrongMint)]
    pub io_destination: Box<Account<'info, TokenAccount>>,
    /// Any IOSD token account the claimer chooses.
    #[account(mut, constraint = iosd_destination.mint == config.iosd_mint @ IoComputeError::WrongMint)]
    pub iosd_destination: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.rewards_vault @ IoComputeError::WrongVault)]
    pub rewards_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.rewards_iosd_vault @ IoComputeError::WrongVault)]
    pub rewards_iosd_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    #[account(address = config.iosd_mint @ IoComputeError::WrongMint)]
    pub iosd_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl<'info> RewardPayout<'info> {
    /// Records the payment against the stakers' pool and moves `amounts`
    /// (IO, IOSD) to the destinations. Fails on nothing to pay.
    pub fn pay(&self, pool: &mut StakerRewardPool, amounts: [u64; REWARD_TOKENS]) -> Result<()> {
        require!(
            amounts != [0; REWARD_TOKENS],
            IoComputeError::NothingToClaim
        );
        let legs = [
            (&self.rewards_vault, &self.io_mint, &self.io_destination),
            (
                &self.rewards_iosd_vault,
                &self.iosd_mint,
                &self.iosd_destination,
            ),
        ];
        let vault = VaultSigner::new(&self.config, &self.token_program, &self.vault_authority);
        for (token, (source, mint, destination)) in legs.into_iter().enumerate() {
            pool.record_payment(token, amounts[token])?;
            vault.pay(source, mint, destination, amounts[token])?;
        }
        Ok(())
    }
}
