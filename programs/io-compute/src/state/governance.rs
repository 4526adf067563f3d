use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
    state::{Config, EmissionParams, FeeSplit, GpuModel, OracleSource},
};
use anchor_lang::prelude::*;

/// How proposals are decided; itself changeable by proposal.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct GovernanceParams {
    pub voting_period_secs: i64,
    /// Wait between a proposal passing and its execution.
    pub timelock_secs: i64,
    /// Votes needed (yes + no + abstain), as bps of the IO staked when the
    /// proposal was created (every position's weight is at least its IO).
    pub quorum_bps: u16,
    /// Yes must be more than this share of yes + no (bps).
    pub approval_bps: u16,
    /// Least voting weight of the proposer's position.
    pub min_weight_to_propose: u64,
}

impl Default for GovernanceParams {
    fn default() -> Self {
        Self {
            voting_period_secs: DEFAULT_VOTING_PERIOD_SECS,
            timelock_secs: DEFAULT_TIMELOCK_SECS,
            quorum_bps: DEFAULT_QUORUM_BPS,
            approval_bps: DEFAULT_APPROVAL_BPS,
            min_weight_to_propose: DEFAULT_MIN_WEIGHT_TO_PROPOSE,
        }
    }
}

impl GovernanceParams {
    pub fn validate(&self) -> Result<()> {
        require!(
            (MIN_VOTING_PERIOD_SECS..=MAX_VOTING_PERIOD_SECS).contains(&self.voting_period_secs)
                && (0..=MAX_TIMELOCK_SECS).contains(&self.timelock_secs)
                && (1..=BPS_DENOMINATOR).contains(&(self.quorum_bps as u64))
                && (MIN_APPROVAL_BPS..=BPS_DENOMINATOR).contains(&(self.approval_bps as u64))
                && self.min_weight_to_propose > 0,
            IoComputeError::InvalidParameter
        );
        Ok(())
    }
}

/// Governance [governance]: its parameters and proposal ids. Its address
/// becomes the config authority at handover.
#[account]
#[derive(InitSpace, Debug)]
pub struct Governance {
    pub params: GovernanceParams,
    pub next_proposal_id: u64,
    /// Proposals with a lower id were created before the handover and
    /// never execute (H5); `u64::MAX` until the handover.
    pub first_executable_id: u64,
    pub bump: u8,
}

/// Voting weight of a position worth `value` IO: the IO itself plus up to
/// 3x more for lockup still remaining at vote time, linear up to one year
/// (Helium voter-stake-registry style: baseline + lockup extra, saturating).
pub fn voting_weight(value: u64, lockup_end: i64, now: i64) -> Result<u64> {
    let remaining = lockup_end
        .saturating_sub(now)
        .clamp(0, VOTE_SATURATION_SECS);
    let factor = (MULTIPLIER_ONE as u128).safe_add(mul_div_floor(
        (VOTE_MAX_EXTRA_MULTIPLIER) as u128,
        remaining as u128,
        VOTE_SATURATION_SECS as u128,
    )?)?;
    to_u64(mul_div_floor(
        value as u128,
        factor,
        MULTIPLIER_ONE as u128,
    )?)
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum ProposalState {
    Voting,
    Succeeded,
    Defeated,
    Executed,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum VoteChoice {
    Yes,
    No,
    Abstain,
}

/// One parameter change a proposal may make. Every value is checked
/// against the program's hard bounds when the proposal is created and
/// again when it executes.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum ParamChange {
    ClientFeeBps(u16),
    ClientFeeBpsIo(u16),
    ProviderFeeBps(u16),
    FeeSplit(FeeSplit),
    DisputeWindowSecs(i64),
    MinDisputeBond(u64),
    DisputeSlashBps(u16),
    ChallengerRewardBps(u16),
    MinStakePerGpu(u64),
    MinKeeperBond(u64),
    /// Decay, net cap, stakers' share and IO breaker; the current monthly
    /// emission carries on from where the schedule is.
    Emission(EmissionParams),
    IosdMintCap {
        cap: u64,
        window_secs: u32,
    },
    OracleLimits {
        max_age_secs: u32,
        max_conf_bps: u16,
        max_change_bps: u16,
    },
    Arbiter(Pubkey),
    KeeperAdmin(Pubkey),
    Governance(GovernanceParams),
    /// The signer of `update_price` for the authority feed.
    PriceAuthority(Pubkey),
    /// Where the IO/USD price comes from.
    OracleSource {
        source: OracleSource,
        pyth_feed_id: [u8; 32],
    },
    EpochLength(i64),
    /// Adds a GPU model to the table or replaces the one with its code.
    GpuModel(GpuModel),
}

impl ParamChange {
    /// Applies the change to copies of the configuration.
    pub fn apply(&self, config: &mut Config, governance: &mut GovernanceParams) {
        let market = &mut config.market_params;
        let tokenomics = &mut config.tokenomics_params;
        match *self {
            Self::ClientFeeBps(v) => market.client_fee_bps = v,
            Self::ClientFeeBpsIo(v) => market.client_fee_bps_io = v,
            Self::ProviderFeeBps(v) => market.provider_fee_bps = v,
            Self::FeeSplit(v) => tokenomics.fee_split = v,
            Self::DisputeWindowSecs(v) => market.dispute_window_secs = v,
            Self::MinDisputeBond(v) => market.min_dispute_bond = v,
            Self::DisputeSlashBps(v) => market.dispute_slash_bps = v,
            Self::ChallengerRewardBps(v) => market.challenger_reward_bps = v,
            Self::MinStakePerGpu(v) => config.staking.min_stake_per_gpu = v,
            Self::MinKeeperBond(v) => config.staking.min_keeper_bond = v,
            Self::Emission(v) => {
                let initial = tokenomics.emission.initial_monthly_emission;
                tokenomics.emission = EmissionParams {
                    initial_monthly_emission: initial,
                    ..v
                };
            }
            Self::IosdMintCap { cap, window_secs } => {
                tokenomics.iosd_mint_cap = cap;
                tokenomics.iosd_mint_window_secs = window_secs;
            }
            Self::OracleLimits {
                max_age_secs,
                max_conf_bps,
                max_change_bps,
            } => {
                config.oracle.max_age_secs = max_age_secs;
                config.oracle.max_conf_bps = max_conf_bps;
                config.oracle.max_change_bps = max_change_bps;
            }
            Self::Arbiter(key) => config.arbiter = key,
            Self::KeeperAdmin(key) => config.keeper_admin = key,
            Self::Governance(v) => *governance = v,
            Self::PriceAuthority(key) => config.oracle.price_authority = key,
            Self::OracleSource {
                source,
                pyth_feed_id,
            } => {
                config.oracle.source = source;
                config.oracle.pyth_feed_id = pyth_feed_id;
            }
            Self::EpochLength(secs) => tokenomics.epoch_length_secs = secs,
            // The table is its own account; `execute_proposal` writes it.
            Self::GpuModel(_) => {}
        }
    }

    /// Checks what `apply` cannot: a role is never handed to the default
    /// key, and a GPU model is valid on its own.
    fn validate(&self) -> Result<()> {
        match self {
            Self::Arbiter(key) | Self::KeeperAdmin(key) | Self::PriceAuthority(key) => {
                require_keys_neq!(*key, Pubkey::default(), IoComputeError::ChangeOutOfBounds);
                Ok(())
            }
            Self::GpuModel(model) => model.validate(),
            _ => Ok(()),
        }
    }
}

/// Applies `changes` to copies and checks every bound; fails with
/// `ChangeOutOfBounds` and changes nothing when one is crossed.
pub fn checked_changes(
    config: &Config,
    governance: &GovernanceParams,
    changes: &[ParamChange],
) -> Result<(Config, GovernanceParams)> {
    let mut config = config.clone();
    let mut governance = *governance;
    for change in changes {
        change
            .validate()
            .map_err(|_| error!(IoComputeError::ChangeOutOfBounds))?;
        change.apply(&mut config, &mut governance);
    }
    config
        .validate_params()
        .and_then(|_| governance.validate())
        .map_err(|_| error!(IoComputeError::ChangeOutOfBounds))?;
    Ok((config, governance))
}

/// One account of a `GovernanceCall`, as in an instruction.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct CallAccount {
    pub pubkey: Pubkey,
    pub is_signer: bool,
    pub is_writable: bool,
}

/// An instruction of this program that needs a role's signature (arbiter,
/// keeper admin, price authority, config authority), for governance to
/// sign with its PDA when a proposal hands it the role: governance can
/// then resolve a dispute, admit a keeper or publish a price by vote, and
/// no role needs a private key after the handover.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct GovernanceCall {
    #[max_len(20)] // MAX_CALL_ACCOUNTS
    pub accounts: Vec<CallAccount>,
    /// The instruction data, discriminator first.
    #[max_len(160)] // MAX_CALL_DATA
    pub data: Vec<u8>,
}

impl GovernanceCall {
    /// The role instructions a call may run, by name; governance's own
    /// instructions are not among them, so a call never re-enters a
    /// proposal.
    pub fn role_instructions() -> [(&'static str, &'static [u8]); 8] {
        use crate::instruction as ix;
        use anchor_lang::Discriminator;
        [
            ("resolve_dispute", ix::ResolveDispute::DISCRIMINATOR),
            ("void_device_rewards", ix::VoidDeviceRewards::DISCRIMINATOR),
            ("admit_keeper", ix::AdmitKeeper::DISCRIMINATOR),
            ("remove_keeper", ix::RemoveKeeper::DISCRIMINATOR),
            ("update_price", ix::UpdatePrice::DISCRIMINATOR),
            ("slash", ix::Slash::DISCRIMINATOR),
            ("set_oracle", ix::SetOracle::DISCRIMINATOR),
            ("set_gpu_models", ix::SetGpuModels::DISCRIMINATOR),
        ]
    }

    /// The role instruction the call runs, if it is one.
    pub fn instruction_name(&self) -> Option<&'static str> {
        Self::role_instructions()
            .into_iter()
            .find(|(_, discriminator)| self.data.starts_with(discriminator))
            .map(|(name, _)| name)
    }

    /// Within bounds, a role instruction, and neither naming `proposal`
    /// nor writing `governance` (the executing instruction holds both).
    pub fn validate(&self, proposal: &Pubkey, governance: &Pubkey) -> Result<()> {
        let known = self.instruction_name().is_some();
        let clear = self
            .accounts
            .iter()
            .all(|a| a.pubkey != *proposal && !(a.pubkey == *governance && a.is_writable));
        require!(
            known
                && clear
                && self.accounts.len() <= MAX_CALL_ACCOUNTS
                && self.data.len() <= MAX_CALL_DATA,
            IoComputeError::InvalidGovernanceCall
        );
        Ok(())
    }

    /// The instruction to invoke, for this program.
    pub fn instruction(&self) -> anchor_lang::solana_program::instruction::Instruction {
        use anchor_lang::solana_program::instruction::AccountMeta;
        anchor_lang::solana_program::instruction::Instruction {
            program_id: crate::ID,
            accounts: self
                .accounts
                .iter()
                .map(|a| AccountMeta {
                    pubkey: a.pubkey,
                    is_signer: a.is_signer,
                    is_writable: a.is_writable,
                })
                .collect(),
            data: self.data.clone(),
        }
    }
}

/// A proposal [proposal, id].
#[account]
#[derive(InitSpace, Debug)]
pub struct Proposal {
    pub id: u64,
    pub proposer: Pubkey,
    #[max_len(MAX_DESCRIPTION_LEN)]
    pub description: String,
    #[max_len(4)] // MAX_PROPOSAL_CHANGES
    pub changes: Vec<ParamChange>,
    /// A role instruction governance signs instead of changes (then
    /// `changes` is empty); run by `execute_proposal_call`.
    pub call: Option<GovernanceCall>,
    pub state: ProposalState,
    pub voting_start: i64,
    pub voting_end: i64,
    /// Snapshots taken at creation, so later governance changes do not move
    /// the goalposts of a running proposal.
    pub quorum_weight: u128,
    pub approval_bps: u16,
    pub timelock_secs: i64,
    pub yes: u128,
    pub no: u128,
    pub abstain: u128,
    /// Votes cast and not relinquished while voting.
    pub vote_count: u32,
    pub finalized_at: i64,
    pub bump: u8,
}

impl Proposal {
    /// Passed, governance in control, created after the handover (H5), its
    /// timelock run and its execution window not over.
    pub fn require_executable(
        &self,
        governance: &Account<Governance>,
        config_authority: &Pubkey,
        now: i64,
    ) -> Result<()> {
        require!(
            self.state == ProposalState::Succeeded,
            IoComputeError::InvalidProposalState
        );
        require_keys_eq!(
            *config_authority,
            governance.key(),
            IoComputeError::GovernanceNotInControl
        );
        require!(
            self.id >= governance.first_executable_id,
            IoComputeError::ProposalPredatesHandover
        );
        let unlock = self.finalized_at.safe_add(self.timelock_secs)?;
        require!(now >= unlock, IoComputeError::TimelockNotPassed);
        require!(
            now < unlock.safe_add(PROPOSAL_EXECUTION_WINDOW_SECS)?,
            IoComputeError::ProposalExpired
        );
        Ok(())
    }

    pub fn tally(&mut self, choice: VoteChoice, weight: u64, add: bool) -> Result<()> {
        let slot = match choice {
            VoteChoice::Yes => &mut self.yes,
            VoteChoice::No => &mut self.no,
            VoteChoice::Abstain => &mut self.abstain,
        };
        *slot = if add {
            slot.safe_add(weight as u128)?
        } else {
            slot.safe_sub(weight as u128)?
        };
        self.vote_count = if add {
            self.vote_count.safe_add(1)?
        } else {
            self.vote_count.safe_sub(1)?
        };
        Ok(())
    }

    /// Quorum (all votes) and approval (yes over yes + no) at the end.
    pub fn passed(&self) -> Result<bool> {
        let total = self.yes.safe_add(self.no)?.safe_add(self.abstain)?;
        let decided = self.yes.safe_add(self.no)?;
        Ok(total >= self.quorum_weight
            && total > 0
            && self.yes.safe_mul(BPS_DENOMINATOR as u128)?
                > decided.safe_mul(self.approval_bps as u128)?)
    }
}

/// One position's vote on one proposal [vote, proposal, position]; its
/// existence is what stops a second vote.
#[account]
#[derive(InitSpace, Debug)]
pub struct VoteRecord {
    pub proposal: Pubkey,
    pub position: Pubkey,
    pub voter: Pubkey,
    pub choice: VoteChoice,
    pub weight: u64,
    pub bump: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_is_baseline_plus_remaining_lockup_up_to_4x() {
        let year = VOTE_SATURATION_SECS;
        assert_eq!(voting_weight(1_000, 0, 0).unwrap(), 1_000);
        assert_eq!(voting_weight(1_000, year, 0).unwrap(), 4_000);
        assert_eq!(
            voting_weight(1_000, 2 * year, 0).unwrap(),
            4_000,
            "saturates"
        );
        assert_eq!(
            voting_weight(1_000, year, year / 2).unwrap(),
            2_500,
            "decays with time"
        );
        assert_eq!(voting_weight(1_000, 10, 20).unwrap(), 1_000, "lockup over");
    }
}
