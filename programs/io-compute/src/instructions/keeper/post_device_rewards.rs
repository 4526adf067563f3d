use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DeviceRewardsPosted},
    math::SafeMath,
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PostDeviceRewardsArgs {
    pub epoch: u64,
    /// Merkle root of `merkle::device_reward_leaf(epoch, device, owner, amount)`.
    pub root: [u8; 32],
    /// Sum of the leaves' amounts.
    pub total: u64,
}

/// An admitted keeper posts, once per ended epoch, the Merkle root of the
/// device rewards it computed from uptime and challenge results. The total
/// is at most that epoch's device emission (H4) and is taken from the
/// unallocated device pool. Claims open after the dispute window (the
/// arbiter may void the root until then, slashing the keeper) and close
/// `DEVICE_REWARD_CLAIM_EPOCHS` epochs later. Nothing can exceed what
/// emissions put there.
#[derive(Accounts)]
#[instruction(args: PostDeviceRewardsArgs)]
pub struct PostDeviceRewards<'info> {
    pub keeper_authority: Signer<'info>,
    /// CHECK: the signer's `Keeper` record, checked by `Keeper::load`.
    #[account(mut)]
    pub keeper: UncheckedAccount<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(mut, seeds = [EPOCH_SEED, &args.epoch.to_le_bytes()], bump = epoch.bump)]
    pub epoch: Box<Account<'info, Epoch>>,
}

impl PostDeviceRewards<'_> {
    pub fn validate(&self, args: &PostDeviceRewardsArgs) -> Result<()> {
        Keeper::load(
            &self.keeper,
            self.keeper_authority.key,
            self.config.staking.min_keeper_bond,
        )?;
        require!(
            self.epoch.number < self.tokenomics.current_epoch,
            IoComputeError::EpochNotClosed
        );
        require!(
            !self.epoch.has_device_root(),
            IoComputeError::DeviceRewardsAlreadyPosted
        );
        require!(args.total > 0, IoComputeError::ZeroAmount);
        require!(
            args.total <= self.epoch.emission.devices,
            IoComputeError::DeviceRewardsExceedPool
        );
        require!(args.root != [0; 32], IoComputeError::InvalidMerkleProof);
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: PostDeviceRewardsArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        accounts.tokenomics.devices.allocate(args.total)?;
        let now = Clock::get()?.unix_timestamp;
        let config = &accounts.config;
        let unlock_at = now.safe_add(config.market_params.dispute_window_secs)?;
        let claim_period =
            DEVICE_REWARD_CLAIM_EPOCHS.safe_mul(config.tokenomics_params.epoch_length_secs)?;
        let claims_until = unlock_at.safe_add(claim_period)?;
        let authority = accounts.keeper_authority.key();
        let mut keeper =
            Keeper::load(&accounts.keeper, &authority, config.staking.min_keeper_bond)?;
        keeper.roots_locked_until = keeper.roots_locked_until.max(unlock_at);
        keeper.store(&accounts.keeper)?;
        accounts
            .epoch
            .post_device_root(authority, args.root, args.total, unlock_at, claims_until);
        emit_event(DeviceRewardsPosted {
            epoch: args.epoch,
            keeper: accounts.keeper_authority.key(),
            root: args.root,
            total: args.total,
            pool_available: accounts.tokenomics.devices.available()?,
            unlock_at,
            claims_until,
        });
        Ok(())
    }
}
