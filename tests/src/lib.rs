//! Native test harness for io-compute: a real Solana bank from
//! solana-program-test with the program loaded as a builtin, the real SPL
//! Token and ATA programs, and helpers to fund wallets, move the clock, send
//! transactions and read back accounts, logs and decoded program errors.

use anchor_lang::{AccountDeserialize, AccountSerialize, Discriminator};
use io_compute::{error::IoComputeError, state::*, InitializeArgs};
use io_compute_sdk::{gpu, ix, pda, token};
use solana_program_test::{BanksClientError, ProgramTestBanksClientExt, ProgramTestContext};
use solana_sdk::{
    account::Account,
    clock::Clock,
    instruction::{Instruction, InstructionError},
    pubkey::Pubkey,
    signature::{Keypair, Signature},
    signer::Signer,
    transaction::{Transaction, TransactionError},
};
use std::collections::HashSet;

pub use io_compute::constants::{ONE_IO, ONE_IOSD, SECONDS_PER_DAY};

/// Lamports given to every new wallet: enough for rent of many accounts.
pub const WALLET_LAMPORTS: u64 = 100_000_000_000;
/// The clock every environment starts at (2026-01-01T00:00:00Z), so tests
/// reason about exact timestamps.
pub const GENESIS_TIME: i64 = 1_767_225_600;

/// The outcome of one transaction: its result and the program logs.
#[derive(Debug)]
pub struct TxOutcome {
    pub result: Result<(), TransactionError>,
    pub logs: Vec<String>,
}

impl TxOutcome {
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        if let Err(err) = &self.result {
            panic!(
                "transaction failed: {err:?}\nlogs:\n{}",
                self.logs.join("\n")
            );
        }
        self
    }

    /// The custom error code of the failing instruction, if any.
    pub fn custom_code(&self) -> Option<u32> {
        match &self.result {
            Err(TransactionError::InstructionError(_, InstructionError::Custom(code))) => {
                Some(*code)
            }
            _ => None,
        }
    }

    /// Asserts the transaction failed with this program error.
    #[track_caller]
    pub fn assert_error(&self, expected: IoComputeError) {
        let want = anchor_lang::error::ERROR_CODE_OFFSET + expected as u32;
        assert_eq!(
            self.custom_code(),
            Some(want),
            "expected {expected:?} ({want}), got {:?}\nlogs:\n{}",
            self.result,
            self.logs.join("\n")
        );
    }

    /// Asserts the transaction failed with one of Anchor's framework errors
    /// (account constraints, ownership, discriminators).
    #[track_caller]
    pub fn assert_anchor_error(&self, expected: anchor_lang::error::ErrorCode) {
        let want = expected as u32;
        assert_eq!(
            self.custom_code(),
            Some(want),
            "expected anchor {expected:?} ({want}), got {:?}\nlogs:\n{}",
            self.result,
            self.logs.join("\n")
        );
    }

    /// Asserts the transaction failed with this instruction error.
    #[track_caller]
    pub fn assert_instruction_error(&self, expected: InstructionError) {
        match &self.result {
            Err(TransactionError::InstructionError(_, err)) if *err == expected => {}
            other => panic!(
                "expected {expected:?}, got {other:?}\nlogs:\n{}",
                self.logs.join("\n")
            ),
        }
    }

    /// Every event of type `E` the transaction emitted.
    pub fn events<E: anchor_lang::AnchorDeserialize + Discriminator>(&self) -> Vec<E> {
        io_compute_sdk::events::decode(&self.logs)
    }

    pub fn logs_contain(&self, needle: &str) -> bool {
        self.logs.iter().any(|l| l.contains(needle))
    }
}

/// A running bank with io-compute loaded natively.
pub struct TestEnv {
    pub ctx: ProgramTestContext,
    /// Config authority (the initializer) and holder of the genesis supply.
    pub admin: Keypair,
    /// Signatures of every transaction sent: an identical retry gets a new
    /// blockhash, the rest reuse the latest one (waiting for a new blockhash
    /// on every send costs up to a slot, 400 ms).
    sent: HashSet<Signature>,
}

impl TestEnv {
    /// A bank with the program loaded and nothing initialized.
    pub async fn new() -> Self {
        let ctx = localnet::runtime::start(localnet::runtime::program_test()).await;
        let admin = Keypair::new();
        let clock: Clock = ctx.banks_client.get_sysvar().await.unwrap();
        ctx.set_sysvar(&Clock {
            unix_timestamp: GENESIS_TIME,
            ..clock
        });
        let mut env = Self {
            ctx,
            admin,
            sent: HashSet::new(),
        };
        let admin_key = env.admin.pubkey();
        env.airdrop(&admin_key, WALLET_LAMPORTS).await;
        env
    }

    /// A bank with the protocol initialized with `default_init_args`, the
    /// admin holding the genesis supply, and the default GPU models set;
    /// tokenomics not yet initialized.
    pub async fn protocol_only() -> Self {
        let mut env = Self::new().await;
        env.initialize(default_init_args()).await.assert_ok();
        let admin = env.admin.insecure_clone();
        env.send(
            &[ix::set_gpu_models(admin.pubkey(), gpu::default_models())],
            &[&admin],
        )
        .await
        .assert_ok();
        env
    }

    /// `protocol_only()` plus tokenomics with `params` (staking needs them:
    /// rewards accrue from the first stake).
    pub async fn initialized_with(params: TokenomicsParams) -> Self {
        let mut env = Self::protocol_only().await;
        let admin = env.admin.insecure_clone();
        env.ok(ix::init_tokenomics(admin.pubkey(), params), &admin)
            .await;
        env
    }

    /// `initialized_with(default_tokenomics())`.
    pub async fn initialized() -> Self {
        Self::initialized_with(default_tokenomics()).await
    }

    /// `initialized()` plus the authority oracle at 2.50 USD per IO
    /// (exponent -8, no confidence).
    pub async fn with_tokenomics() -> Self {
        let mut env = Self::initialized().await;
        env.with_price(250_000_000).await;
        env
    }

    /// Sets the authority oracle source and posts `price` x 10^-8 USD.
    pub async fn with_price(&mut self, price: i64) {
        let admin = self.admin.insecure_clone();
        let key = admin.pubkey();
        self.ok(ix::set_oracle(key, OracleConfig::default_for(key)), &admin)
            .await;
        self.ok(ix::update_price(key, price, 0, -8), &admin).await;
    }

    /// A new wallet that burned `io` IO for IOSD at the current price (in
    /// epoch 0); returns it and its IOSD account.
    pub async fn iosd_holder(&mut self, io: u64) -> (Keypair, Pubkey) {
        let holder = self.wallet().await;
        let io_account = self.give_io(&holder.pubkey(), io).await;
        let iosd = self.ata(&holder.pubkey(), &pda::iosd_mint()).await;
        let burn = io_compute::BurnArgs::ExactIn { io, min_iosd: 0 };
        let ix = ix::burn_io_for_iosd(
            holder.pubkey(),
            io_account,
            iosd,
            pda::price_feed(),
            0,
            burn,
        );
        self.ok(ix, &holder).await;
        (holder, iosd)
    }

    /// A new wallet admitted as a keeper with the minimum bond.
    pub async fn admit_keeper(&mut self) -> Keypair {
        let admin = self.admin.insecure_clone();
        let keeper = self.wallet().await;
        let bond = io_compute::constants::DEFAULT_MIN_KEEPER_BOND;
        let bond_source = self.give_io(&keeper.pubkey(), bond).await;
        self.send(
            &[ix::admit_keeper(
                admin.pubkey(),
                keeper.pubkey(),
                bond_source,
                bond,
                "https://keeper.example.com",
            )],
            &[&admin, &keeper],
        )
        .await
        .assert_ok();
        keeper
    }

    pub async fn initialize(&mut self, args: InitializeArgs) -> TxOutcome {
        let admin = self.admin.insecure_clone();
        self.send(
            &[ix::initialize(admin.pubkey(), admin.pubkey(), args)],
            &[&admin],
        )
        .await
    }

    /// Sends one transaction paid by the bank's payer and signed by
    /// `signers`; an identical retry waits for a new blockhash so that it is
    /// a distinct transaction rather than `AlreadyProcessed`.
    pub async fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> TxOutcome {
        let payer = self.ctx.payer.insecure_clone();
        let mut all: Vec<&Keypair> = vec![&payer];
        all.extend_from_slice(signers);
        let sign = |blockhash| {
            Transaction::new_signed_with_payer(instructions, Some(&payer.pubkey()), &all, blockhash)
        };
        let blockhash = self.ctx.banks_client.get_latest_blockhash().await.unwrap();
        let mut tx = sign(blockhash);
        if self.sent.contains(&tx.signatures[0]) {
            let newer = self
                .ctx
                .banks_client
                .get_new_latest_blockhash(&blockhash)
                .await
                .unwrap();
            tx = sign(newer);
        }
        self.sent.insert(tx.signatures[0]);
        self.process(tx).await
    }

    /// Runs a signed transaction on the bank; its result and logs.
    async fn process(
        &mut self,
        tx: impl Into<solana_sdk::transaction::VersionedTransaction>,
    ) -> TxOutcome {
        match self
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx)
            .await
        {
            Ok(outcome) => TxOutcome {
                result: outcome.result,
                logs: outcome.metadata.map(|m| m.log_messages).unwrap_or_default(),
            },
            Err(BanksClientError::TransactionError(err)) => TxOutcome {
                result: Err(err),
                logs: vec![],
            },
            Err(err) => panic!("bank unreachable: {err}"),
        }
    }

    /// Sends `instructions` as a v0 transaction that reads addresses from
    /// `tables`, signed by the payer and `signers`. Returns the outcome and
    /// the transaction's serialized size.
    pub async fn send_v0(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[solana_sdk::message::AddressLookupTableAccount],
    ) -> (TxOutcome, u64) {
        use solana_sdk::{
            message::{v0, VersionedMessage},
            transaction::VersionedTransaction,
        };
        let payer = self.ctx.payer.insecure_clone();
        let mut all: Vec<&Keypair> = vec![&payer];
        all.extend_from_slice(signers);
        let blockhash = self.ctx.banks_client.get_latest_blockhash().await.unwrap();
        let message = v0::Message::try_compile(&payer.pubkey(), instructions, tables, blockhash)
            .expect("a v0 message");
        let tx = VersionedTransaction::try_new(VersionedMessage::V0(message), &all)
            .expect("signed by every signer");
        let size = bincode::serialized_size(&tx).unwrap();
        (self.process(tx).await, size)
    }

    /// Creates a lookup table of `addresses` (the payer owns it) and moves
    /// to the slot where it can be used.
    pub async fn lookup_table(
        &mut self,
        addresses: &[Pubkey],
    ) -> solana_sdk::message::AddressLookupTableAccount {
        let payer = self.ctx.payer.insecure_clone();
        // The table's slot must be in SlotHashes: a parent of the bank.
        let slot = self.ctx.banks_client.get_root_slot().await.unwrap() + 1;
        self.ctx.warp_to_slot(slot + 1).unwrap();
        let (transactions, table) =
            io_compute_sdk::lookup::create_table(payer.pubkey(), payer.pubkey(), slot, addresses);
        for instructions in transactions {
            self.send(&instructions, &[]).await.assert_ok();
        }
        let slot = self.ctx.banks_client.get_root_slot().await.unwrap();
        self.ctx.warp_to_slot(slot + 2).unwrap();
        solana_sdk::message::AddressLookupTableAccount {
            key: table,
            addresses: addresses.to_vec(),
        }
    }

    /// Sends one instruction signed by `signer`; it must succeed.
    pub async fn ok(
        &mut self,
        instruction: impl Into<Instructions>,
        signer: &Keypair,
    ) -> TxOutcome {
        let outcome = self.send(&instruction.into().0, &[signer]).await;
        outcome.assert_ok();
        outcome
    }

    /// Sends one instruction signed by `signer`; it must fail and leave
    /// `watch` unchanged.
    pub async fn rejects(
        &mut self,
        instruction: impl Into<Instructions>,
        signer: &Keypair,
        watch: &[Pubkey],
    ) -> TxOutcome {
        self.expect_rejected(&instruction.into().0, &[signer], watch)
            .await
    }

    // ---- clock ----------------------------------------------------------

    pub async fn now(&mut self) -> i64 {
        let clock: Clock = self.ctx.banks_client.get_sysvar().await.unwrap();
        clock.unix_timestamp
    }

    /// Sets the Clock sysvar's unix timestamp exactly.
    pub async fn set_time(&mut self, unix_timestamp: i64) {
        let clock: Clock = self.ctx.banks_client.get_sysvar().await.unwrap();
        self.ctx.set_sysvar(&Clock {
            unix_timestamp,
            ..clock
        });
    }

    pub async fn advance_time(&mut self, seconds: i64) {
        let now = self.now().await;
        self.set_time(now + seconds).await;
    }

    // ---- wallets and tokens -------------------------------------------

    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) {
        let payer = self.ctx.payer.pubkey();
        self.send(
            &[solana_system_interface::instruction::transfer(
                &payer, to, lamports,
            )],
            &[],
        )
        .await
        .assert_ok();
    }

    /// A new wallet holding `WALLET_LAMPORTS`.
    pub async fn wallet(&mut self) -> Keypair {
        let wallet = Keypair::new();
        self.airdrop(&wallet.pubkey(), WALLET_LAMPORTS).await;
        wallet
    }

    /// Creates `owner`'s associated token account for `mint` if needed and
    /// returns its address.
    pub async fn ata(&mut self, owner: &Pubkey, mint: &Pubkey) -> Pubkey {
        let payer = self.ctx.payer.pubkey();
        self.send(
            &[spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
                &payer,
                owner,
                mint,
                &spl_token_interface::ID,
            )],
            &[],
        )
        .await
        .assert_ok();
        pda::associated_token(owner, mint)
    }

    /// Sends `amount` IO from the admin's genesis account to `owner`'s IO
    /// associated token account and returns that account.
    pub async fn give_io(&mut self, owner: &Pubkey, amount: u64) -> Pubkey {
        let mint = pda::io_mint();
        let to = self.ata(owner, &mint).await;
        let admin = self.admin.insecure_clone();
        let from = pda::associated_token(&admin.pubkey(), &mint);
        self.send(
            &[spl_token_interface::instruction::transfer_checked(
                &spl_token_interface::ID,
                &from,
                &mint,
                &to,
                &admin.pubkey(),
                &[],
                amount,
                io_compute::constants::IO_DECIMALS,
            )
            .unwrap()],
            &[&admin],
        )
        .await
        .assert_ok();
        to
    }

    // ---- reading state --------------------------------------------------

    pub async fn raw_account(&mut self, key: &Pubkey) -> Option<Account> {
        self.ctx.banks_client.get_account(*key).await.unwrap()
    }

    /// Decodes a program account, panicking when absent or of another type.
    pub async fn account<T: AccountDeserialize + Discriminator>(&mut self, key: &Pubkey) -> T {
        let account = self
            .raw_account(key)
            .await
            .unwrap_or_else(|| panic!("account {key} does not exist"));
        assert_eq!(
            account.owner,
            io_compute::ID,
            "account {key} not owned by the program"
        );
        io_compute_sdk::accounts::decode(&account.data).unwrap()
    }

    /// Overwrites a program account's data in the bank, keeping its size,
    /// lamports and owner. Only for creating states that later instructions
    /// will reach (a leased device, a position with active votes).
    pub async fn write_account<T: AccountSerialize>(&mut self, key: &Pubkey, value: &T) {
        let mut account = self.raw_account(key).await.expect("account exists");
        let mut data = Vec::new();
        value.try_serialize(&mut data).unwrap();
        assert!(data.len() <= account.data.len(), "serialized account grew");
        account.data[..data.len()].copy_from_slice(&data);
        self.ctx.set_account(key, &account.into());
    }

    pub async fn exists(&mut self, key: &Pubkey) -> bool {
        self.raw_account(key).await.is_some_and(|a| a.lamports > 0)
    }

    /// SPL token balance, 0 when the account does not exist.
    pub async fn token_balance(&mut self, key: &Pubkey) -> u64 {
        self.raw_account(key)
            .await
            .and_then(|a| token::token_account(&a.owner, &a.data))
            .map_or(0, |a| a.amount)
    }

    pub async fn mint_supply(&mut self, mint: &Pubkey) -> u64 {
        let account = self.raw_account(mint).await.expect("mint exists");
        token::mint(&account.owner, &account.data)
            .expect("an SPL mint")
            .supply
    }

    pub async fn lamports(&mut self, key: &Pubkey) -> u64 {
        self.raw_account(key).await.map_or(0, |a| a.lamports)
    }

    /// The exact contents of `keys` now, for "nothing changed" assertions.
    pub async fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.raw_account(key).await);
        }
        out
    }

    /// Asserts `keys` hold exactly what `before` recorded.
    #[track_caller]
    pub fn assert_unchanged(before: &[Option<Account>], after: &[Option<Account>]) {
        assert_eq!(before, after, "a rejected transaction changed state");
    }

    /// Sends a transaction that must fail, and asserts `watch` is unchanged.
    pub async fn expect_rejected(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        watch: &[Pubkey],
    ) -> TxOutcome {
        self.expect_rejected_as("transaction", instructions, signers, watch)
            .await
    }

    /// `expect_rejected`, naming `what` was sent when it is accepted.
    pub async fn expect_rejected_as(
        &mut self,
        what: &str,
        instructions: &[Instruction],
        signers: &[&Keypair],
        watch: &[Pubkey],
    ) -> TxOutcome {
        let before = self.snapshot(watch).await;
        let outcome = self.send(instructions, signers).await;
        assert!(
            outcome.result.is_err(),
            "{what} unexpectedly succeeded\nlogs:\n{}",
            outcome.logs.join("\n")
        );
        let after = self.snapshot(watch).await;
        Self::assert_unchanged(&before, &after);
        outcome
    }

    pub async fn config(&mut self) -> Config {
        self.account(&pda::config()).await
    }

    pub async fn provider(&mut self, authority: &Pubkey) -> Provider {
        self.account(&pda::provider(authority)).await
    }
}

/// One instruction, or several that go together in one transaction (an
/// Ed25519 check and the instruction that relies on it).
pub struct Instructions(pub Vec<Instruction>);

impl From<Instruction> for Instructions {
    fn from(instruction: Instruction) -> Self {
        Self(vec![instruction])
    }
}

impl<const N: usize> From<[Instruction; N]> for Instructions {
    fn from(instructions: [Instruction; N]) -> Self {
        Self(instructions.into())
    }
}

/// The keys the tests hand the signing roles to at the handover: the
/// arbiter, the keeper admin and the price authority (fixed, so a test can
/// sign as any of them).
pub fn successor(role: u8) -> Keypair {
    Keypair::new_from_array([100 + role; 32])
}

pub fn successor_roles() -> io_compute::HandOverAuthorityArgs {
    io_compute::HandOverAuthorityArgs {
        arbiter: successor(0).pubkey(),
        keeper_admin: successor(1).pubkey(),
        price_authority: successor(2).pubkey(),
    }
}

/// The worker key of every device the tests add (`spec`): fixed, so a
/// test can sign as any device's worker.
pub fn test_worker() -> Keypair {
    Keypair::new_from_array([42; 32])
}

/// `post_usage_proof` with the period attested by `test_worker()`.
pub fn post_usage_proof(
    keeper_authority: Pubkey,
    id: u64,
    device: Pubkey,
    args: io_compute::PostUsageProofArgs,
) -> [Instruction; 2] {
    post_usage_proof_by(&test_worker(), keeper_authority, id, device, args)
}

/// `post_usage_proof` with the period attested by `worker`.
pub fn post_usage_proof_by(
    worker: &Keypair,
    keeper_authority: Pubkey,
    id: u64,
    device: Pubkey,
    args: io_compute::PostUsageProofArgs,
) -> [Instruction; 2] {
    let attestation = ix::usage_attestation(id, device, &args);
    let signature = io_compute_sdk::worker_key::sign_attestation(worker, &attestation);
    ix::post_usage_proof(
        keeper_authority,
        id,
        device,
        args,
        &worker.pubkey(),
        &signature,
    )
}

/// Puts `new` where `instruction` names `old` (for substitution attacks).
#[track_caller]
pub fn swap_account(instruction: &mut Instruction, old: &Pubkey, new: Pubkey) {
    let meta = instruction
        .accounts
        .iter_mut()
        .find(|meta| meta.pubkey == *old)
        .unwrap_or_else(|| panic!("instruction does not name {old}"));
    meta.pubkey = new;
}

/// The program's launch defaults: one-day epochs, io.net's emission
/// schedule, at most 1,000,000 IOSD minted per day.
pub fn default_tokenomics() -> TokenomicsParams {
    TokenomicsParams::launch_defaults()
}

/// io.net's launch parameters: 500M genesis of an 800M cap, 200 IO per GPU,
/// 14-day cooldown.
pub fn default_init_args() -> InitializeArgs {
    InitializeArgs {
        genesis_supply: io_compute::constants::DEFAULT_GENESIS_SUPPLY,
        io_max_supply: io_compute::constants::DEFAULT_IO_MAX_SUPPLY,
        staking: StakingParams::default(),
        market: MarketParams::default(),
    }
}
