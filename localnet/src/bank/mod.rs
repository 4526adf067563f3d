//! The bank and everything the RPC needs that a bank does not keep: an
//! account index (for getProgramAccounts), transaction history, the clock
//! following wall time, slots and notifications. One task owns all of it;
//! everything else reaches it through a [`BankHandle`].

mod execution;
mod handle;
mod history;
mod owner;
mod snapshot;
mod spl;

use crate::runtime::Chain;
use crate::snapshot::Snapshot;
use handle::Command;
pub use handle::{BankHandle, BankStopped, BANK_CALL_TIMEOUT};
use io_compute_sdk::token;
pub use io_compute_sdk::token::is_token_program;
use solana_account_decoder::{
    parse_account_data::SplTokenAdditionalDataV2, parse_token::token_amount_to_ui_amount_v3,
};
use solana_rpc_client_api::filter::RpcFilterType;
use solana_sdk::{
    account::Account,
    clock::{Clock, Slot},
    epoch_info::EpochInfo,
    epoch_schedule::EpochSchedule,
    hash::Hash,
    message::{Message, VersionedMessage},
    pubkey::Pubkey,
    signature::{Keypair, Signature},
    signer::Signer,
    transaction::{TransactionError, VersionedTransaction},
};
use solana_transaction_status_client_types::{
    TransactionStatusMeta, TransactionTokenBalance, UiTransactionReturnData,
};
pub use spl::*;
use std::{
    collections::{HashMap, HashSet, VecDeque},
    path::PathBuf,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::sync::{broadcast, mpsc, oneshot, watch};

/// Transactions kept for getTransaction / getSignatureStatuses; older ones
/// are forgotten so that memory stays flat under steady load.
pub const HISTORY_LIMIT: usize = 20_000;
/// Accounts maintenance runs every this many slots (10 s at 400 ms).
const MAINTENANCE_SLOTS: u64 = 25;
/// Largest airdrop a single request may ask for: 10,000 SOL.
pub const MAX_AIRDROP_LAMPORTS: u64 = 10_000 * 1_000_000_000;

/// Everything about the chain head that the RPC reports.
#[derive(Debug, Clone)]
pub struct ChainInfo {
    pub slot: Slot,
    pub block_height: u64,
    pub blockhash: Hash,
    pub last_valid_block_height: u64,
    pub epoch_info: EpochInfo,
    pub genesis_hash: Hash,
    pub identity: Pubkey,
}

/// A transaction the localnet executed.
#[derive(Debug, Clone)]
pub struct TxRecord {
    pub slot: Slot,
    pub block_time: i64,
    pub transaction: VersionedTransaction,
    pub meta: TransactionStatusMeta,
}

/// A finished slot: what getBlock and getBlockTime report.
#[derive(Debug, Clone)]
pub struct BlockRecord {
    pub slot: Slot,
    pub parent_slot: Slot,
    pub blockhash: Hash,
    pub previous_blockhash: Hash,
    pub block_time: i64,
    pub block_height: u64,
}

/// A block with its transactions, in execution order.
#[derive(Debug, Clone)]
pub struct Block {
    pub record: BlockRecord,
    pub transactions: Vec<(Signature, TxRecord)>,
}

/// Why a block cannot be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockMissing {
    /// The slot is not finished yet.
    NotYet,
    /// Older than the kept history.
    CleanedUp { first_available: Slot },
    /// Passed over (a restart moves the chain past the slots it slept).
    Skipped,
}

/// Where and how a transaction landed: its slot and its error, if any.
pub type LandedStatus = (Slot, Option<TransactionError>);

/// One entry of getSignaturesForAddress.
#[derive(Debug, Clone)]
pub struct SignatureInfo {
    pub signature: Signature,
    pub slot: Slot,
    pub block_time: i64,
    pub err: Option<TransactionError>,
}

/// The result of a simulation.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub slot: Slot,
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    pub return_data: Option<UiTransactionReturnData>,
    pub replacement_blockhash: Option<(Hash, u64)>,
    pub accounts: Vec<Option<Account>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("Transaction signature verification failure")]
    SignatureVerification,
    #[error("transaction could not be decoded: {0}")]
    Sanitize(String),
    #[error("Transaction simulation failed: {}", .0.err.as_ref().map(|e| e.to_string()).unwrap_or_default())]
    Preflight(Box<Simulation>),
    #[error("Transaction was not executed: {0}")]
    NotExecuted(TransactionError),
    #[error("{0}")]
    Invalid(String),
}

/// A change the WebSocket subscribers may want to hear about.
#[derive(Debug, Clone)]
pub enum Notification {
    Slot {
        slot: Slot,
        parent: Slot,
        root: Slot,
    },
    Transaction {
        signature: Signature,
        slot: Slot,
        err: Option<TransactionError>,
        logs: Vec<String>,
        mentions: Vec<Pubkey>,
    },
    Account {
        pubkey: Pubkey,
        slot: Slot,
        account: Account,
    },
}

pub struct BankConfig {
    pub slot_duration: Duration,
    pub ledger: Option<PathBuf>,
    pub snapshot_interval: Duration,
}

/// Starts the owner task on a bank that is already running; returns its
/// handle and the task, which ends when `shutdown` flips to true (after a
/// final snapshot).
pub async fn spawn(
    chain: Chain,
    restored: Option<Snapshot>,
    config: BankConfig,
    shutdown: watch::Receiver<bool>,
) -> (BankHandle, tokio::task::JoinHandle<()>) {
    let (commands, receiver) = mpsc::channel(1024);
    let (notifications, _) = broadcast::channel(4096);
    let mut owner = BankOwner::new(chain, restored, config, notifications.clone()).await;
    let task = tokio::spawn(async move { owner.run(receiver, shutdown).await });
    (
        BankHandle {
            commands,
            notifications,
        },
        task,
    )
}

struct BankOwner {
    chain: Chain,
    identity: Pubkey,
    genesis_hash: Hash,
    /// Fixed at genesis.
    epoch_schedule: EpochSchedule,
    slot: Slot,
    clock_offset: i64,
    transaction_count: u64,
    /// Every account the localnet knows of, as of the last change to it.
    index: HashMap<Pubkey, Account>,
    /// Builtins, sysvars and genesis programs: never snapshotted.
    genesis_keys: HashSet<Pubkey>,
    history: HashMap<Signature, TxRecord>,
    /// Finished slots, oldest first, as many as `HISTORY_LIMIT`.
    blocks: VecDeque<BlockRecord>,
    history_order: VecDeque<Signature>,
    by_address: HashMap<Pubkey, VecDeque<Signature>>,
    notifications: broadcast::Sender<Notification>,
    config: BankConfig,
    dirty: bool,
}

fn wall_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
