use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DeviceRewardClaimed},
    merkle, pda_create,
    state::*,
    vault::VaultSigner,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ClaimDeviceRewardArgs {
    pub epoch: u64,
    pub amount: u64,
    /// Sibling hashes from the leaf up to the epoch's root.
    pub proof: Vec<[u8; 32]>,
}

/// Pays one device's reward for one epoch, proven against the root the
/// keeper posted, once its dispute window has passed and before its claims
/// close, to an IO account of the leaf's owner (the provider's authority). Anyone may send it; the claim receipt it creates makes a
/// second claim of the same (epoch, device) impossible.
#[derive(Accounts)]
#[instruction(args: ClaimDeviceRewardArgs)]
pub struct ClaimDeviceReward<'info> {
    /// Pays the receipt's rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(mut, seeds = [EPOCH_SEED, &args.epoch.to_le_bytes()], bump = epoch.bump)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// CHECK: its address goes into the leaf; a removed device's reward can
    /// still be claimed, a jailed one's cannot.
    pub device: UncheckedAccount<'info>,
    /// CHECK: created as `DeviceRewardClaim` by the handler.
    #[account(
        mut,
        seeds = [DEVICE_CLAIM_SEED, &args.epoch.to_le_bytes(), device.key().as_ref()],
        bump,
    )]
    pub claim: UncheckedAccount<'info>,
    /// An IO account owned by the leaf's owner; its owner is the leaf's owner.
    #[account(mut, constraint = destination.mint == config.io_mint @ IoComputeError::WrongMint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.rewards_vault @ IoComputeError::WrongVault)]
    pub rewards_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl ClaimDeviceReward<'_> {
    pub fn validate(&self, args: &ClaimDeviceRewardArgs) -> Result<()> {
        require!(
            self.epoch.has_device_root(),
            IoComputeError::DeviceRewardsNotPosted
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now >= self.epoch.device_root_unlock_at,
            IoComputeError::DeviceRewardsLocked
        );
        require!(
            now < self.epoch.device_claims_until,
            IoComputeError::DeviceRewardsExpired
        );
        require!(
            *self.claim.owner != crate::ID,
            IoComputeError::DeviceRewardAlreadyClaimed
        );
        require!(args.amount > 0, IoComputeError::ZeroAmount);
        // A jailed device earns nothing until it passes a check again.
        if *self.device.owner == crate::ID {
            let data = self.device.try_borrow_data()?;
            if let Ok(device) = Device::try_deserialize(&mut &data[..]) {
                require!(
                    device.status != DeviceStatus::Jailed,
                    IoComputeError::DeviceJailed
                );
            }
        }
        require!(
            args.proof.len() <= MAX_MERKLE_PROOF_LEN,
            IoComputeError::InvalidMerkleProof
        );
        let leaf = merkle::device_reward_leaf(
            args.epoch,
            self.device.key,
            &self.destination.owner,
            args.amount,
        );
        require!(
            merkle::verify(&args.proof, &self.epoch.device_root, leaf),
            IoComputeError::InvalidMerkleProof
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: ClaimDeviceRewardArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let device = accounts.device.key();
        let bump = ctx.bumps.claim;
        accounts.epoch.record_device_claim(args.amount)?;
        accounts.tokenomics.devices.record_payment(args.amount)?;
        pda_create::create_program_account(
            &accounts.payer,
            &accounts.claim,
            8 + DeviceRewardClaim::INIT_SPACE,
            &[
                DEVICE_CLAIM_SEED,
                &args.epoch.to_le_bytes(),
                device.as_ref(),
                &[bump],
            ],
            &DeviceRewardClaim {
                epoch: args.epoch,
                device,
                owner: accounts.destination.owner,
                amount: args.amount,
                claimed_at: Clock::get()?.unix_timestamp,
                bump,
            },
        )?;
        VaultSigner::new(
            &accounts.config,
            &accounts.token_program,
            &accounts.vault_authority,
        )
        .pay(
            &accounts.rewards_vault,
            &accounts.io_mint,
            &accounts.destination,
            args.amount,
        )?;
        emit_event(DeviceRewardClaimed {
            epoch: args.epoch,
            device,
            owner: accounts.destination.owner,
            destination: accounts.destination.key(),
            amount: args.amount,
        });
        Ok(())
    }
}
