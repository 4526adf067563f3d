//! The bank and everything the RPC needs that a bank does not keep: an
//! account index (for getProgramAccounts), transaction history, the clock
//! following wall time, slots and notifications. One task owns all of it;
//! everything else reaches it through a [`BankHandle`].

use crate::runtime::Chain;
use crate::snapshot::{self, Snapshot};
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

type Reply<T> = oneshot::Sender<T>;

enum Command {
    Info(Reply<ChainInfo>),
    Accounts(Vec<Pubkey>, Reply<(Slot, Vec<Option<Account>>)>),
    ProgramAccounts(
        Pubkey,
        Vec<RpcFilterType>,
        Reply<(Slot, Vec<(Pubkey, Account)>)>,
    ),
    IsBlockhashValid(Hash, Reply<(Slot, bool)>),
    FeeForMessage(VersionedMessage, Reply<(Slot, Option<u64>)>),
    MinimumBalance(usize, Reply<u64>),
    Simulate {
        transaction: VersionedTransaction,
        sig_verify: bool,
        replace_blockhash: bool,
        accounts: Vec<Pubkey>,
        reply: Reply<Result<Simulation, SendError>>,
    },
    Send {
        transaction: VersionedTransaction,
        skip_preflight: bool,
        reply: Reply<Result<Signature, SendError>>,
    },
    Statuses(Vec<Signature>, Reply<(Slot, Vec<Option<LandedStatus>>)>),
    Transaction(Signature, Reply<Option<TxRecord>>),
    SignaturesForAddress {
        address: Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
        reply: Reply<Vec<SignatureInfo>>,
    },
    Airdrop(Pubkey, u64, Reply<Result<Signature, SendError>>),
    WarpClock(i64, Reply<i64>),
    SetAccount(Pubkey, Account, Reply<Slot>),
    Snapshot(Reply<std::io::Result<usize>>),
}

/// The way into the bank owner task. Cheap to clone.
#[derive(Clone)]
pub struct BankHandle {
    commands: mpsc::Sender<Command>,
    notifications: broadcast::Sender<Notification>,
}

/// Longest a request waits for the bank before it is answered with an error.
pub const BANK_CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The owner task did not answer: it stopped (shutdown) or is stuck.
#[derive(Debug, thiserror::Error)]
pub enum BankStopped {
    #[error("the localnet bank has stopped")]
    Stopped,
    #[error("the localnet bank did not answer within {} s", BANK_CALL_TIMEOUT.as_secs())]
    Timeout,
}

impl BankHandle {
    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, BankStopped> {
        let (reply, response) = oneshot::channel();
        let exchange = async {
            self.commands
                .send(make(reply))
                .await
                .map_err(|_| BankStopped::Stopped)?;
            response.await.map_err(|_| BankStopped::Stopped)
        };
        tokio::time::timeout(BANK_CALL_TIMEOUT, exchange)
            .await
            .map_err(|_| BankStopped::Timeout)?
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notification> {
        self.notifications.subscribe()
    }

    pub async fn info(&self) -> Result<ChainInfo, BankStopped> {
        self.call(Command::Info).await
    }
    pub async fn accounts(
        &self,
        keys: Vec<Pubkey>,
    ) -> Result<(Slot, Vec<Option<Account>>), BankStopped> {
        self.call(|r| Command::Accounts(keys, r)).await
    }
    pub async fn program_accounts(
        &self,
        owner: Pubkey,
        filters: Vec<RpcFilterType>,
    ) -> Result<(Slot, Vec<(Pubkey, Account)>), BankStopped> {
        self.call(|r| Command::ProgramAccounts(owner, filters, r))
            .await
    }
    pub async fn is_blockhash_valid(&self, hash: Hash) -> Result<(Slot, bool), BankStopped> {
        self.call(|r| Command::IsBlockhashValid(hash, r)).await
    }
    pub async fn fee_for_message(
        &self,
        message: VersionedMessage,
    ) -> Result<(Slot, Option<u64>), BankStopped> {
        self.call(|r| Command::FeeForMessage(message, r)).await
    }
    pub async fn minimum_balance(&self, len: usize) -> Result<u64, BankStopped> {
        self.call(|r| Command::MinimumBalance(len, r)).await
    }
    pub async fn simulate(
        &self,
        transaction: VersionedTransaction,
        sig_verify: bool,
        replace_blockhash: bool,
        accounts: Vec<Pubkey>,
    ) -> Result<Result<Simulation, SendError>, BankStopped> {
        self.call(|reply| Command::Simulate {
            transaction,
            sig_verify,
            replace_blockhash,
            accounts,
            reply,
        })
        .await
    }
    pub async fn send(
        &self,
        transaction: VersionedTransaction,
        skip_preflight: bool,
    ) -> Result<Result<Signature, SendError>, BankStopped> {
        self.call(|reply| Command::Send {
            transaction,
            skip_preflight,
            reply,
        })
        .await
    }
    pub async fn statuses(
        &self,
        signatures: Vec<Signature>,
    ) -> Result<(Slot, Vec<Option<LandedStatus>>), BankStopped> {
        self.call(|r| Command::Statuses(signatures, r)).await
    }
    pub async fn transaction(&self, signature: Signature) -> Result<Option<TxRecord>, BankStopped> {
        self.call(|r| Command::Transaction(signature, r)).await
    }
    pub async fn signatures_for_address(
        &self,
        address: Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> Result<Vec<SignatureInfo>, BankStopped> {
        self.call(|reply| Command::SignaturesForAddress {
            address,
            before,
            until,
            limit,
            reply,
        })
        .await
    }
    pub async fn airdrop(
        &self,
        to: Pubkey,
        lamports: u64,
    ) -> Result<Result<Signature, SendError>, BankStopped> {
        self.call(|r| Command::Airdrop(to, lamports, r)).await
    }
    /// Moves the clock `seconds` forward; returns the new unix timestamp.
    pub async fn warp_clock(&self, seconds: i64) -> Result<i64, BankStopped> {
        self.call(|r| Command::WarpClock(seconds, r)).await
    }
    pub async fn set_account(&self, pubkey: Pubkey, account: Account) -> Result<Slot, BankStopped> {
        self.call(|r| Command::SetAccount(pubkey, account, r)).await
    }
    /// Writes the ledger snapshot now; returns the number of accounts saved.
    pub async fn snapshot(&self) -> Result<std::io::Result<usize>, BankStopped> {
        self.call(Command::Snapshot).await
    }
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

impl BankOwner {
    async fn new(
        chain: Chain,
        restored: Option<Snapshot>,
        config: BankConfig,
        notifications: broadcast::Sender<Notification>,
    ) -> Self {
        let genesis_hash = chain.genesis_hash;
        let mut owner = Self {
            chain,
            identity: Keypair::new().pubkey(),
            genesis_hash,
            epoch_schedule: EpochSchedule::default(),
            slot: 0,
            clock_offset: restored.as_ref().map_or(0, |s| s.clock_offset),
            transaction_count: 0,
            index: HashMap::new(),
            genesis_keys: HashSet::new(),
            history: HashMap::new(),
            history_order: VecDeque::new(),
            by_address: HashMap::new(),
            notifications,
            config,
            dirty: false,
        };
        owner.slot = owner.chain.banks_client.get_root_slot().await.unwrap_or(0);
        owner.epoch_schedule = owner
            .chain
            .banks_client
            .get_sysvar()
            .await
            .unwrap_or_default();
        let genesis: Vec<Pubkey> = snapshot::genesis_keys()
            .into_iter()
            .chain([owner.chain.faucet.pubkey()])
            .collect();
        for key in &genesis {
            owner.genesis_keys.insert(*key);
            owner.refresh(key).await;
        }
        for (key, _) in restored.map(|s| s.accounts).unwrap_or_default() {
            owner.refresh(&key).await;
        }
        owner.set_clock().await;
        owner
    }

    async fn run(
        &mut self,
        mut commands: mpsc::Receiver<Command>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut slots = tokio::time::interval(self.config.slot_duration);
        slots.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut snapshots = tokio::time::interval(self.config.snapshot_interval);
        snapshots.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.handle(command).await,
                    None => break,
                },
                _ = slots.tick() => self.advance_slot().await,
                _ = snapshots.tick() => {
                    if self.dirty {
                        if let Err(err) = self.save_snapshot() {
                            tracing::warn!(%err, "ledger snapshot failed");
                        }
                    }
                }
                _ = shutdown.changed() => break,
            }
        }
        if let Err(err) = self.save_snapshot() {
            tracing::warn!(%err, "final ledger snapshot failed");
        }
    }

    async fn handle(&mut self, command: Command) {
        // A dropped reply means the caller gave up (client disconnected).
        match command {
            Command::Info(reply) => {
                let _ = reply.send(self.info().await);
            }
            Command::Accounts(keys, reply) => {
                let out = self.fetch(&keys).await;
                let _ = reply.send((self.slot, out));
            }
            Command::ProgramAccounts(owner, filters, reply) => {
                let mut found: Vec<(Pubkey, Account)> = self
                    .index
                    .iter()
                    .filter(|(_, a)| a.owner == owner && a.lamports > 0)
                    .filter(|(_, a)| filters.iter().all(|f| filter_allows(f, a)))
                    .map(|(k, a)| (*k, a.clone()))
                    .collect();
                found.sort_by_key(|(k, _)| *k);
                let _ = reply.send((self.slot, found));
            }
            Command::IsBlockhashValid(hash, reply) => {
                let message =
                    Message::new_with_blockhash(&[], Some(&self.chain.faucet.pubkey()), &hash);
                let valid = self
                    .chain
                    .banks_client
                    .get_fee_for_message(message)
                    .await
                    .ok()
                    .flatten()
                    .is_some();
                let _ = reply.send((self.slot, valid));
            }
            Command::FeeForMessage(message, reply) => {
                let fee = match message {
                    VersionedMessage::Legacy(message) => self
                        .chain
                        .banks_client
                        .get_fee_for_message(message)
                        .await
                        .ok()
                        .flatten(),
                    VersionedMessage::V0(_) => None,
                };
                let _ = reply.send((self.slot, fee));
            }
            Command::MinimumBalance(len, reply) => {
                let rent = self.chain.banks_client.get_rent().await.unwrap_or_default();
                let _ = reply.send(rent.minimum_balance(len));
            }
            Command::Simulate {
                transaction,
                sig_verify,
                replace_blockhash,
                accounts,
                reply,
            } => {
                let _ = reply.send(
                    self.simulate(transaction, sig_verify, replace_blockhash, accounts)
                        .await,
                );
            }
            Command::Send {
                transaction,
                skip_preflight,
                reply,
            } => {
                let _ = reply.send(self.send(transaction, skip_preflight).await);
            }
            Command::Statuses(signatures, reply) => {
                let statuses = signatures
                    .iter()
                    .map(|s| {
                        self.history
                            .get(s)
                            .map(|r| (r.slot, r.meta.status.clone().err()))
                    })
                    .collect();
                let _ = reply.send((self.slot, statuses));
            }
            Command::Transaction(signature, reply) => {
                let _ = reply.send(self.history.get(&signature).cloned());
            }
            Command::SignaturesForAddress {
                address,
                before,
                until,
                limit,
                reply,
            } => {
                let _ = reply.send(self.signatures_for_address(&address, before, until, limit));
            }
            Command::Airdrop(to, lamports, reply) => {
                let _ = reply.send(self.airdrop(to, lamports).await);
            }
            Command::WarpClock(seconds, reply) => {
                self.clock_offset = self.clock_offset.saturating_add(seconds);
                self.dirty = true;
                let now = self.set_clock().await;
                let _ = reply.send(now);
            }
            Command::SetAccount(pubkey, account, reply) => {
                self.chain.set_account(&pubkey, &account);
                self.index.insert(pubkey, account.clone());
                self.dirty = true;
                let _ = self.notifications.send(Notification::Account {
                    pubkey,
                    slot: self.slot,
                    account,
                });
                let _ = reply.send(self.slot);
            }
            Command::Snapshot(reply) => {
                let _ = reply.send(self.save_snapshot());
            }
        }
    }

    /// The newest blockhash and the last block height it is valid for.
    async fn latest_blockhash(&mut self) -> (Hash, u64) {
        self.chain
            .banks_client
            .get_latest_blockhash_with_commitment(
                solana_commitment_config::CommitmentLevel::Processed,
            )
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    async fn info(&mut self) -> ChainInfo {
        let (blockhash, last_valid_block_height) = self.latest_blockhash().await;
        let block_height = self
            .chain
            .banks_client
            .get_root_block_height()
            .await
            .unwrap_or(0);
        let schedule = &self.epoch_schedule;
        let (epoch, slot_index) = schedule.get_epoch_and_slot_index(self.slot);
        ChainInfo {
            slot: self.slot,
            block_height,
            blockhash,
            last_valid_block_height,
            epoch_info: EpochInfo {
                epoch,
                slot_index,
                slots_in_epoch: schedule.get_slots_in_epoch(epoch),
                absolute_slot: self.slot,
                block_height,
                transaction_count: Some(self.transaction_count),
            },
            genesis_hash: self.genesis_hash,
            identity: self.identity,
        }
    }

    /// One slot forward; the clock follows wall time plus any warp. Every
    /// `MAINTENANCE_SLOTS` the accounts cache is flushed and cleaned.
    async fn advance_slot(&mut self) {
        let parent = self.slot;
        self.chain.advance_to(parent + 1);
        self.slot = parent + 1;
        if self.slot.is_multiple_of(MAINTENANCE_SLOTS) {
            self.chain.maintain();
        }
        self.set_clock().await;
        let _ = self.notifications.send(Notification::Slot {
            slot: self.slot,
            parent,
            root: parent,
        });
    }

    async fn set_clock(&mut self) -> i64 {
        let clock: Clock = self
            .chain
            .banks_client
            .get_sysvar()
            .await
            .unwrap_or_default();
        let unix_timestamp = wall_clock().saturating_add(self.clock_offset);
        self.chain.set_sysvar(&Clock {
            unix_timestamp,
            ..clock
        });
        unix_timestamp
    }

    async fn account(&mut self, key: impl std::borrow::Borrow<Pubkey>) -> Option<Account> {
        let key = *key.borrow();
        self.chain
            .banks_client
            .get_account(key)
            .await
            .ok()
            .flatten()
    }

    async fn fetch(&mut self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.account(key).await);
        }
        out
    }

    /// Re-reads `key` from the bank into the index.
    async fn refresh(&mut self, key: &Pubkey) -> Option<Account> {
        let account = self.account(key).await;
        match &account {
            Some(account) => {
                self.index.insert(*key, account.clone());
            }
            None => {
                self.index.remove(key);
            }
        }
        account
    }

    async fn simulate(
        &mut self,
        mut transaction: VersionedTransaction,
        sig_verify: bool,
        replace_blockhash: bool,
        accounts: Vec<Pubkey>,
    ) -> Result<Simulation, SendError> {
        if sig_verify && replace_blockhash {
            return Err(SendError::Invalid(
                "sigVerify may not be used with replaceRecentBlockhash".into(),
            ));
        }
        transaction
            .sanitize()
            .map_err(|e| SendError::Sanitize(e.to_string()))?;
        if sig_verify && !transaction.verify_with_results().iter().all(|ok| *ok) {
            return Err(SendError::SignatureVerification);
        }
        let mut replacement = None;
        if replace_blockhash {
            let (blockhash, last_valid_block_height) = self.latest_blockhash().await;
            transaction.message.set_recent_blockhash(blockhash);
            replacement = Some((blockhash, last_valid_block_height));
        }
        let result = self
            .chain
            .banks_client
            .simulate_transaction(transaction)
            .await
            .map_err(|e| SendError::Invalid(e.to_string()))?;
        let err = result.result.and_then(|r| r.err());
        let (logs, units_consumed, return_data) = match result.simulation_details {
            Some(d) => (d.logs, d.units_consumed, d.return_data.map(Into::into)),
            None => (vec![], 0, None),
        };
        // The bank did not keep the simulated state; report the accounts as
        // they are now (a real node reports them after the simulation).
        let post = self.fetch(&accounts).await;
        Ok(Simulation {
            slot: self.slot,
            err,
            logs,
            units_consumed,
            return_data,
            replacement_blockhash: replacement,
            accounts: post,
        })
    }

    async fn send(
        &mut self,
        transaction: VersionedTransaction,
        skip_preflight: bool,
    ) -> Result<Signature, SendError> {
        transaction
            .sanitize()
            .map_err(|e| SendError::Sanitize(e.to_string()))?;
        if !transaction.verify_with_results().iter().all(|ok| *ok) {
            return Err(SendError::SignatureVerification);
        }
        if !skip_preflight {
            let simulation = self
                .simulate(transaction.clone(), false, false, vec![])
                .await?;
            if simulation.err.is_some() {
                return Err(SendError::Preflight(Box::new(simulation)));
            }
        }
        self.execute(transaction).await
    }

    /// Executes a verified transaction and records it.
    async fn execute(&mut self, transaction: VersionedTransaction) -> Result<Signature, SendError> {
        let signature = transaction.signatures[0];
        let keys: Vec<Pubkey> = transaction.message.static_account_keys().to_vec();
        let fee = match &transaction.message {
            VersionedMessage::Legacy(message) => self
                .chain
                .banks_client
                .get_fee_for_message(message.clone())
                .await
                .ok()
                .flatten()
                .unwrap_or(0),
            VersionedMessage::V0(_) => 0,
        };
        let pre = self.fetch(&keys).await;
        let outcome = self
            .chain
            .banks_client
            .process_transaction_with_metadata(transaction.clone())
            .await
            .map_err(|e| SendError::Invalid(e.to_string()))?;
        let Some(metadata) = outcome.metadata else {
            // Refused before execution (expired blockhash, fee payer short of
            // SOL, already processed): nothing happened on chain.
            return Err(SendError::NotExecuted(
                outcome
                    .result
                    .err()
                    .unwrap_or(TransactionError::AccountNotFound),
            ));
        };
        let mut post = Vec::with_capacity(keys.len());
        for key in &keys {
            post.push(self.refresh(key).await);
        }
        self.transaction_count += 1;
        self.dirty = true;

        let mut decimals = HashMap::new();
        let pre_token_balances = self.token_balances(&pre, &mut decimals).await;
        let post_token_balances = self.token_balances(&post, &mut decimals).await;
        let meta = TransactionStatusMeta {
            status: outcome.result.clone(),
            fee,
            pre_balances: pre
                .iter()
                .map(|a| a.as_ref().map_or(0, |a| a.lamports))
                .collect(),
            post_balances: post
                .iter()
                .map(|a| a.as_ref().map_or(0, |a| a.lamports))
                .collect(),
            inner_instructions: None,
            log_messages: Some(metadata.log_messages.clone()),
            pre_token_balances: Some(pre_token_balances),
            post_token_balances: Some(post_token_balances),
            rewards: Some(vec![]),
            loaded_addresses: Default::default(),
            return_data: metadata.return_data,
            compute_units_consumed: Some(metadata.compute_units_consumed),
            cost_units: None,
        };
        let record = TxRecord {
            slot: self.slot,
            block_time: self.block_time().await,
            transaction,
            meta,
        };
        self.remember(signature, &keys, record);

        let _ = self.notifications.send(Notification::Transaction {
            signature,
            slot: self.slot,
            err: outcome.result.err(),
            logs: metadata.log_messages,
            mentions: keys.clone(),
        });
        for ((key, before), after) in keys.iter().zip(&pre).zip(&post) {
            if before != after {
                let account = after.clone().unwrap_or_default();
                let _ = self.notifications.send(Notification::Account {
                    pubkey: *key,
                    slot: self.slot,
                    account,
                });
            }
        }
        Ok(signature)
    }

    async fn block_time(&mut self) -> i64 {
        let clock: Clock = self
            .chain
            .banks_client
            .get_sysvar()
            .await
            .unwrap_or_default();
        clock.unix_timestamp
    }

    fn remember(&mut self, signature: Signature, keys: &[Pubkey], record: TxRecord) {
        self.history.insert(signature, record);
        self.history_order.push_back(signature);
        for key in keys {
            self.by_address
                .entry(*key)
                .or_default()
                .push_back(signature);
        }
        while self.history_order.len() > HISTORY_LIMIT {
            let Some(old) = self.history_order.pop_front() else {
                break;
            };
            if let Some(record) = self.history.remove(&old) {
                for key in record.transaction.message.static_account_keys() {
                    // Lists are in execution order, so the oldest is first.
                    if let Some(list) = self.by_address.get_mut(key) {
                        if list.front() == Some(&old) {
                            list.pop_front();
                        }
                        if list.is_empty() {
                            self.by_address.remove(key);
                        }
                    }
                }
            }
        }
    }

    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> Vec<SignatureInfo> {
        let Some(list) = self.by_address.get(address) else {
            return vec![];
        };
        // Newest first, starting after `before`, stopping at `until`.
        let mut started = before.is_none();
        let mut out = Vec::new();
        for signature in list.iter().rev() {
            if !started {
                started = Some(*signature) == before;
                continue;
            }
            if Some(*signature) == until || out.len() >= limit {
                break;
            }
            if let Some(record) = self.history.get(signature) {
                out.push(SignatureInfo {
                    signature: *signature,
                    slot: record.slot,
                    block_time: record.block_time,
                    err: record.meta.status.clone().err(),
                });
            }
        }
        out
    }

    /// Token balances of `accounts`; `decimals` caches mint lookups across
    /// the pre and post balances of one transaction.
    async fn token_balances(
        &mut self,
        accounts: &[Option<Account>],
        decimals: &mut HashMap<Pubkey, Option<u8>>,
    ) -> Vec<TransactionTokenBalance> {
        let mut out = Vec::new();
        for (index, account) in accounts.iter().enumerate() {
            let Some(account) = account else { continue };
            let Some((mint, owner, amount)) = token_account_fields(account) else {
                continue;
            };
            let known = match decimals.get(&mint) {
                Some(known) => *known,
                None => {
                    let found = self.account(mint).await.as_ref().and_then(mint_decimals);
                    decimals.insert(mint, found);
                    found
                }
            };
            let Some(decimals) = known else {
                continue;
            };
            out.push(TransactionTokenBalance {
                account_index: index as u8,
                mint: mint.to_string(),
                ui_token_amount: token_amount_to_ui_amount_v3(
                    amount,
                    &SplTokenAdditionalDataV2::with_decimals(decimals),
                ),
                owner: owner.to_string(),
                program_id: account.owner.to_string(),
            });
        }
        out
    }

    async fn airdrop(&mut self, to: Pubkey, lamports: u64) -> Result<Signature, SendError> {
        if lamports == 0 || lamports > MAX_AIRDROP_LAMPORTS {
            return Err(SendError::Invalid(format!(
                "airdrop must be between 1 and {MAX_AIRDROP_LAMPORTS} lamports"
            )));
        }
        let (blockhash, _) = self.latest_blockhash().await;
        let transfer = solana_system_interface::instruction::transfer(
            &self.chain.faucet.pubkey(),
            &to,
            lamports,
        );
        let tx = solana_sdk::transaction::Transaction::new_signed_with_payer(
            &[transfer],
            Some(&self.chain.faucet.pubkey()),
            &[&self.chain.faucet],
            blockhash,
        );
        self.execute(tx.into()).await
    }

    fn save_snapshot(&mut self) -> std::io::Result<usize> {
        let Some(dir) = &self.config.ledger else {
            return Ok(0);
        };
        let accounts: Vec<(Pubkey, Account)> = self
            .index
            .iter()
            .filter(|(k, a)| !self.genesis_keys.contains(k) && !a.executable && a.lamports > 0)
            .map(|(k, a)| (*k, a.clone()))
            .collect();
        let count = accounts.len();
        snapshot::save(
            dir,
            &Snapshot {
                clock_offset: self.clock_offset,
                accounts,
            },
        )?;
        self.dirty = false;
        Ok(count)
    }
}

/// (supply, decimals) of an initialized SPL Token or Token-2022 mint.
pub fn mint_fields(account: &Account) -> Option<(u64, u8)> {
    token::mint(&account.owner, &account.data).map(|m| (m.supply, m.decimals))
}

pub fn mint_decimals(account: &Account) -> Option<u8> {
    mint_fields(account).map(|(_, decimals)| decimals)
}

/// (mint, owner, amount) of an initialized SPL token account.
pub fn token_account_fields(account: &Account) -> Option<(Pubkey, Pubkey, u64)> {
    token::token_account(&account.owner, &account.data).map(|a| (a.mint, a.owner, a.amount))
}

pub fn filter_allows(filter: &RpcFilterType, account: &Account) -> bool {
    match filter {
        RpcFilterType::DataSize(size) => account.data.len() as u64 == *size,
        RpcFilterType::Memcmp(memcmp) => memcmp.bytes_match(&account.data),
        RpcFilterType::TokenAccountState => token_account_fields(account).is_some(),
    }
}
