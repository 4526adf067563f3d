//! The way into the owner task: one `Command` per operation, answered
//! through a oneshot channel within `BANK_CALL_TIMEOUT`.

use super::*;

pub(super) type Reply<T> = oneshot::Sender<T>;

pub(super) enum Command {
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
    BlockRecord(Slot, Reply<Result<BlockRecord, BlockMissing>>),
    Block(Slot, Reply<Result<Block, BlockMissing>>),
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
    pub(super) commands: mpsc::Sender<Command>,
    pub(super) notifications: broadcast::Sender<Notification>,
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
    pub async fn block_record(
        &self,
        slot: Slot,
    ) -> Result<Result<BlockRecord, BlockMissing>, BankStopped> {
        self.call(|r| Command::BlockRecord(slot, r)).await
    }
    pub async fn block(&self, slot: Slot) -> Result<Result<Block, BlockMissing>, BankStopped> {
        self.call(|r| Command::Block(slot, r)).await
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
