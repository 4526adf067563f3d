use crate::{
    constants::*,
    error::IoComputeError,
    state::{MarketParams, OracleConfig, TokenomicsParams},
};
use anchor_lang::prelude::*;

/// Protocol-wide configuration [config]. Written only by the config
/// authority's instructions (governance's, after the handover); hot paths
/// read it.
#[account]
#[derive(InitSpace, Debug)]
pub struct Config {
    /// Signs admin instructions; moves to the governance PDA at handover.
    pub authority: Pubkey,
    /// Resolves disputes (`resolve_dispute`); governance can replace it.
    pub arbiter: Pubkey,
    /// Admits and removes keepers; governance can replace it.
    pub keeper_admin: Pubkey,
    pub io_mint: Pubkey,
    pub iosd_mint: Pubkey,
    pub stake_vault: Pubkey,
    pub rewards_vault: Pubkey,
    /// IO treasury; also receives slashed stake and slashed keeper bonds.
    pub treasury_io_vault: Pubkey,
    pub escrow_vault: Pubkey,
    pub treasury_iosd_vault: Pubkey,
    /// IOSD fee shares owed to stakers.
    pub rewards_iosd_vault: Pubkey,
    /// IO bonds of keepers and of dispute challengers.
    pub bond_vault: Pubkey,
    /// Hard cap on IO supply; emissions can never exceed it.
    pub io_max_supply: u64,
    /// IO minted at initialize.
    pub genesis_supply: u64,
    pub staking: StakingParams,
    pub market_params: MarketParams,
    pub oracle: OracleConfig,
    /// Set by `init_tokenomics`; all zero until then.
    pub tokenomics_params: TokenomicsParams,
    /// Total IO slashed over the protocol's life.
    pub total_slashed: u64,
    pub created_at: i64,
    pub bump: u8,
    pub vault_authority_bump: u8,
    pub io_mint_bump: u8,
    pub iosd_mint_bump: u8,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct StakingParams {
    /// IO base units of stake per GPU, before the GPU model multiplier.
    pub min_stake_per_gpu: u64,
    /// Seconds between `request_unstake` and `withdraw`.
    pub unstake_cooldown_secs: i64,
    /// Least IO bond a keeper posts to be admitted.
    pub min_keeper_bond: u64,
}

impl Default for StakingParams {
    fn default() -> Self {
        Self {
            min_stake_per_gpu: DEFAULT_MIN_STAKE_PER_GPU,
            unstake_cooldown_secs: DEFAULT_UNSTAKE_COOLDOWN_SECS,
            min_keeper_bond: DEFAULT_MIN_KEEPER_BOND,
        }
    }
}

impl StakingParams {
    pub fn validate(&self) -> Result<()> {
        require!(
            (1..=MAX_MIN_STAKE_PER_GPU).contains(&self.min_stake_per_gpu)
                && (1..=MAX_MIN_KEEPER_BOND).contains(&self.min_keeper_bond)
                && self.unstake_cooldown_secs >= 0
                && self.unstake_cooldown_secs <= MAX_UNSTAKE_COOLDOWN_SECS,
            IoComputeError::InvalidParameter
        );
        Ok(())
    }
}

impl Config {
    /// Every bounded parameter group, checked together (initialize checks
    /// its own; governance checks after applying a change).
    pub fn validate_params(&self) -> Result<()> {
        self.staking.validate()?;
        self.market_params.validate()?;
        self.oracle.validate()?;
        if self.tokenomics_params.epoch_length_secs != 0 {
            self.tokenomics_params.validate()?;
        }
        Ok(())
    }

    /// Seeds for signing as the vault authority (mint authority of IO and IOSD,
    /// owner of every vault).
    pub fn vault_authority_seeds(&self) -> [&[u8]; 2] {
        [
            VAULT_AUTHORITY_SEED,
            std::slice::from_ref(&self.vault_authority_bump),
        ]
    }
}
