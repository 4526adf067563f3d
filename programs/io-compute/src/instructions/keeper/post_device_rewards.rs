use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DeviceRewardsPosted},
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
/// is taken from the unallocated device pool, so it can never exceed what
/// emissions put there.
#[derive(Accounts)]
#[instruction(args: PostDeviceRewardsArgs)]
pub struct PostDeviceRewards<'info> {
    pub keeper_authority: Signer<'info>,
    /// CHECK: the signer's `Keeper` record, checked by `Keeper::load`.
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
        require!(args.root != [0; 32], IoComputeError::InvalidMerkleProof);
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: PostDeviceRewardsArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        accounts.tokenomics.devices.allocate(args.total)?;
        let epoch = &mut accounts.epoch;
        epoch.device_root = args.root;
        epoch.device_rewards_total = args.total;
        epoch.device_root_keeper = accounts.keeper_authority.key();
        emit_event(DeviceRewardsPosted {
            epoch: args.epoch,
            keeper: accounts.keeper_authority.key(),
            root: args.root,
            total: args.total,
            pool_available: accounts.tokenomics.devices.available()?,
        });
        Ok(())
    }
}
