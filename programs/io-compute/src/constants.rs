//! Every PDA seed and protocol-wide constant, in one place.

use anchor_lang::prelude::*;

// ---- PDA seeds -------------------------------------------------------------

#[constant]
pub const CONFIG_SEED: &[u8] = b"config";
#[constant]
pub const GPU_MODELS_SEED: &[u8] = b"gpu_models";
/// Mint authority of IO and IOSD and owner of every protocol vault.
#[constant]
pub const VAULT_AUTHORITY_SEED: &[u8] = b"vault_authority";
#[constant]
pub const IO_MINT_SEED: &[u8] = b"io_mint";
#[constant]
pub const IOSD_MINT_SEED: &[u8] = b"iosd_mint";
/// IO staked by providers and co-stakers.
#[constant]
pub const STAKE_VAULT_SEED: &[u8] = b"stake_vault";
/// IO emissions waiting to be claimed by stakers and devices.
#[constant]
pub const REWARDS_VAULT_SEED: &[u8] = b"rewards_vault";
/// IO owned by the protocol treasury; slashed stake and keeper bonds go here.
#[constant]
pub const TREASURY_IO_SEED: &[u8] = b"treasury_io";
/// IOSD deposited by clients for their leases.
#[constant]
pub const ESCROW_VAULT_SEED: &[u8] = b"escrow_vault";
/// IOSD fees owned by the protocol treasury.
#[constant]
pub const TREASURY_IOSD_SEED: &[u8] = b"treasury_iosd";
#[constant]
pub const PROVIDER_SEED: &[u8] = b"provider";
#[constant]
pub const DEVICE_SEED: &[u8] = b"device";
#[constant]
pub const STAKE_SEED: &[u8] = b"stake";
#[constant]
pub const PRICE_FEED_SEED: &[u8] = b"price_feed";
#[constant]
pub const TOKENOMICS_SEED: &[u8] = b"tokenomics";
#[constant]
pub const EPOCH_SEED: &[u8] = b"epoch";
/// IOSD fee shares waiting to be claimed by stakers.
#[constant]
pub const REWARDS_IOSD_SEED: &[u8] = b"rewards_iosd";
/// IO bonds posted by keepers and by challengers of usage proofs.
#[constant]
pub const BOND_VAULT_SEED: &[u8] = b"bond_vault";
#[constant]
pub const KEEPER_SEED: &[u8] = b"keeper";
#[constant]
pub const MARKET_SEED: &[u8] = b"market";
#[constant]
pub const LEASE_SEED: &[u8] = b"lease";
#[constant]
pub const USAGE_PROOF_SEED: &[u8] = b"usage_proof";
#[constant]
pub const GEMM_CHALLENGE_SEED: &[u8] = b"gemm_challenge";
/// One challenger's dispute of a usage proof [dispute, proof, challenger].
#[constant]
pub const DISPUTE_SEED: &[u8] = b"dispute";
#[constant]
pub const GOVERNANCE_SEED: &[u8] = b"governance";
#[constant]
pub const PROPOSAL_SEED: &[u8] = b"proposal";
#[constant]
pub const VOTE_SEED: &[u8] = b"vote";
/// Receipt of one device-reward claim [device_claim, epoch, device].
#[constant]
pub const DEVICE_CLAIM_SEED: &[u8] = b"device_claim";

// ---- Tokens ----------------------------------------------------------------

#[constant]
pub const IO_DECIMALS: u8 = 9;
#[constant]
pub const IOSD_DECIMALS: u8 = 6;
/// One whole IO in base units.
pub const ONE_IO: u64 = 1_000_000_000;
/// One whole IOSD in base units.
pub const ONE_IOSD: u64 = 1_000_000;

// ---- Fixed point -----------------------------------------------------------

/// Basis points: 10_000 = 100 %.
pub const BPS_DENOMINATOR: u64 = 10_000;
/// GPU reward multipliers and stake multipliers are fixed point with four
/// decimals: 10_000 = 1.0x.
pub const MULTIPLIER_ONE: u64 = 10_000;

// ---- Defaults and hard bounds ----------------------------------------------

/// io.net: 800M IO maximum supply.
pub const DEFAULT_IO_MAX_SUPPLY: u64 = 800_000_000 * ONE_IO;
/// io.net: 500M IO at genesis; the other 300M are reserved for emissions.
pub const DEFAULT_GENESIS_SUPPLY: u64 = 500_000_000 * ONE_IO;
/// io.net: 200 IO per GPU, times the GPU model's multiplier.
pub const DEFAULT_MIN_STAKE_PER_GPU: u64 = 200 * ONE_IO;
/// A keeper backs what it posts with at least 10,000 IO.
pub const DEFAULT_MIN_KEEPER_BOND: u64 = 10_000 * ONE_IO;
pub const SECONDS_PER_DAY: i64 = 86_400;
pub const DEFAULT_UNSTAKE_COOLDOWN_SECS: i64 = 14 * SECONDS_PER_DAY;
/// Longest cooldown governance may ever set.
pub const MAX_UNSTAKE_COOLDOWN_SECS: i64 = 90 * SECONDS_PER_DAY;
/// Longest lockup a position may choose; it earns the maximum multiplier.
pub const MAX_LOCKUP_SECS: i64 = 365 * SECONDS_PER_DAY;
/// Position multiplier at `MAX_LOCKUP_SECS` (Nosana xNOS style): 4.0x.
pub const MAX_LOCKUP_MULTIPLIER: u64 = 4 * MULTIPLIER_ONE;

// ---- Hard bounds governance can never cross (L1) -----------------------

pub const MAX_MIN_STAKE_PER_GPU: u64 = 1_000_000 * ONE_IO;
pub const MAX_MIN_KEEPER_BOND: u64 = 10_000_000 * ONE_IO;
pub const MAX_MIN_DISPUTE_BOND: u64 = 100_000 * ONE_IO;
pub const MAX_INITIAL_MONTHLY_EMISSION: u64 = 50_000_000 * ONE_IO;
pub const MAX_NET_EMISSION_CAP: u64 = 1_000_000 * ONE_IO;
pub const MAX_IOSD_MINT_CAP: u64 = 100_000_000 * ONE_IOSD;
/// The IO breaker may sit at most this many times above the most a window
/// can emit, so it always still bites.
pub const MAX_IO_BREAKER_HEADROOM: u64 = 100;
pub const MAX_BREAKER_WINDOW_SECS: u32 = 30 * SECONDS_PER_DAY as u32;

/// Failed or missed device checks in a row that jail an Idle device.
pub const JAIL_AFTER_FAILED_CHECKS: u8 = 3;
/// Most devices one `record_device_checks` takes (its accounts fit a
/// legacy transaction).
pub const MAX_CHECKS_PER_BATCH: usize = 20;

/// A provider's own effective stake must be at least 20 % of what its
/// active devices need: the part that takes a slash first.
pub const MIN_OWN_STAKE_BPS: u16 = 2_000;

/// Oracle defaults: a price at most 10 minutes old, confidence within 2 %,
/// the authority price moving at most 10 % an hour.
pub const DEFAULT_ORACLE_MAX_AGE_SECS: u32 = 600;
/// The window `max_change_bps` applies to.
pub const PRICE_CHANGE_WINDOW_SECS: i64 = 3_600;
pub const DEFAULT_ORACLE_MAX_CONF_BPS: u16 = 200;
pub const DEFAULT_ORACLE_MAX_CHANGE_BPS: u16 = 1_000;
/// Hard bounds governance can never cross.
pub const MAX_ORACLE_AGE_SECS: u32 = 3_600;
pub const MAX_ORACLE_CONF_BPS: u16 = 1_000;
pub const MAX_ORACLE_CHANGE_BPS: u16 = 5_000;
pub const MIN_EPOCH_LENGTH_SECS: i64 = 1;
/// The emission schedule decays once per 30-day month.
pub const SECONDS_PER_MONTH: i64 = 30 * SECONDS_PER_DAY;
/// No longer than a month, so one epoch advance crosses at most one month.
pub const MAX_EPOCH_LENGTH_SECS: i64 = SECONDS_PER_MONTH;

// ---- Emissions and rewards -------------------------------------------------

/// io.net: 300M IO over 20 years, 8 % of it (24M) in year one = 2M a month,
/// each month 1.02 % less than the one before.
pub const DEFAULT_INITIAL_MONTHLY_EMISSION: u64 = 2_000_000 * ONE_IO;
pub const DEFAULT_MONTHLY_DECAY_BPS: u16 = 102;
/// At most 20,000 IO a day re-minted for burns (Helium caps net emissions
/// the same way).
pub const DEFAULT_NET_EMISSION_CAP_PER_DAY: u64 = 20_000 * ONE_IO;
/// Stakers get 30 % of each epoch's emission, reliable devices 70 %.
pub const DEFAULT_STAKERS_EMISSION_BPS: u16 = 3_000;
/// The IO breaker allows three days of the largest daily emission per day.
pub const DEFAULT_IO_EMISSION_CAP_PER_DAY: u64 = 300_000 * ONE_IO;
/// At most 1M IOSD minted per day.
pub const DEFAULT_IOSD_MINT_CAP_PER_DAY: u64 = 1_000_000 * ONE_IOSD;
/// Net emission (re-minting of burned IO) is the average burn over this many
/// ended epochs (Helium's smoothing).
pub const NET_EMISSION_WINDOW_EPOCHS: usize = 7;
/// Reward indexes are fixed point: rewards per unit of weight x 10^18.
pub const REWARD_INDEX_SCALE: u128 = 1_000_000_000_000_000_000;
/// A lower co-stake share takes effect this long after the provider sets it,
/// so co-stakers can unstake first; a higher share applies at once.
pub const CO_STAKE_SHARE_NOTICE_SECS: i64 = 30 * SECONDS_PER_DAY;
/// Device-reward Merkle proofs are at most this deep (2^32 leaves).
pub const MAX_MERKLE_PROOF_LEN: usize = 32;

// ---- Market ----------------------------------------------------------------

/// Clients pay 2.5 % on top of the GPU budget in IOSD, nothing when paying
/// with IO (io.net's incentive to use the token); providers pay 2 %.
pub const DEFAULT_CLIENT_FEE_BPS: u16 = 250;
pub const DEFAULT_CLIENT_FEE_BPS_IO: u16 = 0;
pub const DEFAULT_PROVIDER_FEE_BPS: u16 = 200;
/// No fee may ever exceed 10 %.
pub const MAX_FEE_BPS: u16 = 1_000;
/// Fees paid in IOSD: 40 % to the treasury, 40 % to stakers, 20 % burned.
pub const DEFAULT_FEE_SPLIT_TREASURY_BPS: u16 = 4_000;
pub const DEFAULT_FEE_SPLIT_STAKERS_BPS: u16 = 4_000;
pub const DEFAULT_FEE_SPLIT_BURN_BPS: u16 = 2_000;
pub const DEFAULT_DISPUTE_WINDOW_SECS: i64 = SECONDS_PER_DAY;
pub const MIN_DISPUTE_WINDOW_SECS: i64 = 1;
pub const MAX_DISPUTE_WINDOW_SECS: i64 = 14 * SECONDS_PER_DAY;
pub const DEFAULT_MIN_DISPUTE_BOND: u64 = 1_000 * ONE_IO;
/// An upheld dispute slashes 10 % of the provider's stake, half of which
/// rewards the challenger.
pub const DEFAULT_DISPUTE_SLASH_BPS: u16 = 1_000;
pub const DEFAULT_CHALLENGER_REWARD_BPS: u16 = 5_000;
pub const MAX_LEASE_GPUS: u8 = 16;
/// Highest price per GPU-hour a device asks or a lease accepts: 10,000
/// IOSD, far above any GPU's market rate, and low enough that a year-long
/// lease of 16 GPUs at it fits a u64 with room.
pub const MAX_PRICE_PER_GPU_HOUR: u64 = 10_000 * ONE_IOSD;
/// A lease runs at most a year.
pub const MAX_LEASE_HOURS: u32 = 24 * 365;
/// Device time is counted in GPU-microseconds, so a 200 µs job is billed
/// for 200 µs.
pub const US_PER_SECOND: u64 = 1_000_000;
pub const SECONDS_PER_HOUR: i64 = 3_600;
pub const US_PER_HOUR: u64 = US_PER_SECOND * SECONDS_PER_HOUR as u64;
/// Disputes one usage proof can have open at once: enough that a sham
/// dispute cannot crowd out the real ones, few enough that the arbiter's
/// queue per proof stays bounded.
pub const MAX_OPEN_DISPUTES: u8 = 8;
/// A GEMM fraud proof freezes the usage proof for at most this long: its
/// prover has this time to submit every operand chunk (up to 256
/// transactions) and prove; after it anyone may abandon the challenge.
pub const GEMM_CHALLENGE_SECS: i64 = 6 * SECONDS_PER_HOUR;
/// A closed lease holds back its unproven time this long for the keeper to
/// post its last proofs (H2); then it goes back to the client.
pub const PROOF_HOLDBACK_SECS: i64 = SECONDS_PER_DAY;
/// Device rewards can be claimed for this many epochs after their root
/// unlocks; then what is unclaimed goes back to the device pool.
pub const DEVICE_REWARD_CLAIM_EPOCHS: i64 = 30;
/// A lease whose keeper has neither assigned nor posted for this long may
/// be taken over by another keeper.
pub const KEEPER_SILENCE_SECS: i64 = 6 * SECONDS_PER_HOUR;
/// A finalized proof raises the device's reliability by 1 %; an upheld
/// dispute lowers it by 20 %.
pub const RELIABILITY_REWARD_BPS: u16 = 100;
pub const RELIABILITY_PENALTY_BPS: u16 = 2_000;

// ---- Governance ------------------------------------------------------------

pub const DEFAULT_VOTING_PERIOD_SECS: i64 = 3 * SECONDS_PER_DAY;
pub const MIN_VOTING_PERIOD_SECS: i64 = 1;
pub const MAX_VOTING_PERIOD_SECS: i64 = 30 * SECONDS_PER_DAY;
pub const DEFAULT_TIMELOCK_SECS: i64 = 2 * SECONDS_PER_DAY;
pub const MAX_TIMELOCK_SECS: i64 = 30 * SECONDS_PER_DAY;
/// 10 % of staked IO must vote; more than half of yes + no must be yes.
pub const DEFAULT_QUORUM_BPS: u16 = 1_000;
pub const DEFAULT_APPROVAL_BPS: u16 = 5_000;
/// Approval can never be set below a simple majority.
pub const MIN_APPROVAL_BPS: u64 = 5_000;
pub const DEFAULT_MIN_WEIGHT_TO_PROPOSE: u64 = 10_000 * ONE_IO;
/// Remaining lockup adds up to 3x the position's IO, reached at one year.
pub const VOTE_SATURATION_SECS: i64 = 365 * SECONDS_PER_DAY;
pub const VOTE_MAX_EXTRA_MULTIPLIER: u64 = 3 * MULTIPLIER_ONE;
pub const MAX_DESCRIPTION_LEN: usize = 200;
/// Bounds of a governance call (`GovernanceCall`): the widest role
/// instruction, `resolve_dispute`, has 17 accounts and 9 bytes of data; a
/// proposal carrying it still fits one transaction.
pub const MAX_CALL_ACCOUNTS: usize = 20;
pub const MAX_CALL_DATA: usize = 160;
pub const MAX_PROPOSAL_CHANGES: usize = 4;
/// A passed proposal must be executed within a week of its timelock, or
/// never: a stale one cannot undo newer decisions.
pub const PROPOSAL_EXECUTION_WINDOW_SECS: i64 = 7 * SECONDS_PER_DAY;

// ---- Sizes -----------------------------------------------------------------

pub const MAX_GPU_MODELS: usize = 32;
pub const GPU_MODEL_CODE_LEN: usize = 16;
pub const MAX_PROVIDER_NAME_LEN: usize = 32;
pub const MAX_REGION_LEN: usize = 16;
pub const MAX_ENDPOINT_LEN: usize = 128;
pub const MAX_GPUS_PER_DEVICE: u8 = 16;
/// GPU reward multiplier bounds: 0.01x .. 100x.
pub const MIN_GPU_MULTIPLIER: u32 = 100;
pub const MAX_GPU_MULTIPLIER: u32 = 1_000_000;
/// A new device starts at a neutral reliability; proofs and challenges move it.
pub const INITIAL_RELIABILITY_BPS: u16 = 5_000;
