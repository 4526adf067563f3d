//! A solana-program-test bank with io-compute loaded natively, as faithful
//! to an SBF deployment as it can be: the builtin entry, events and logs.
//!
//! Natively, solana-program-test's stubs print `sol_log_data` (events) and
//! solana-msg prints `msg!` to stdout instead of the transaction's logs. The
//! builtin entry below remembers the running transaction's log collector;
//! `EventLogStubs` and the `msg!` hook (patches/solana-msg) write there the
//! `Program data:` and `Program log:` lines a real validator produces.

use solana_program_runtime::{solana_sbpf::vm::ContextObject, stable_log};
use solana_program_test::{
    get_runtime_environment_key, invoke_builtin_function, EbpfError, EbpfVm, InvokeContext,
    ProgramTest, ProgramTestContext,
};
use solana_sdk::{account_info::AccountInfo, instruction::Instruction, pubkey::Pubkey};
use solana_svm_log_collector::LogCollector;
use solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};
use std::{cell::RefCell, rc::Rc, sync::Once};

/// A bank builder with io-compute as a native builtin and the SPL Token,
/// Token-2022, ATA and Memo programs (solana-program-test's defaults).
pub fn program_test() -> ProgramTest {
    let mut program_test = ProgramTest::new("io_compute", io_compute::ID, io_compute_builtin());
    program_test.prefer_bpf(false);
    program_test
}

/// Starts the bank and routes native program logs and events into
/// transaction logs.
pub async fn start(program_test: ProgramTest) -> ProgramTestContext {
    let ctx = program_test.start_with_context().await;
    install_log_capture();
    ctx
}

thread_local! {
    static LOG_COLLECTOR: RefCell<Option<Rc<RefCell<LogCollector>>>> = const { RefCell::new(None) };
}

/// The builtin entry for `ProgramTest::add_program`: `processor!` plus the
/// log collector bookkeeping.
pub fn io_compute_builtin(
) -> Option<solana_program_runtime::invoke_context::BuiltinFunctionWithContext> {
    Some(|vm, _arg0, _arg1, _arg2, _arg3, _arg4| {
        // SAFETY: the same pointer arithmetic as solana-program-test's
        // `processor!`: the VM sits before its runtime environment key.
        let vm = unsafe {
            &mut *((vm as *mut u64).offset(-(get_runtime_environment_key() as isize))
                as *mut EbpfVm<InvokeContext>)
        };
        // Hold the collector only for this invocation: the bank takes the
        // logs with `Rc::try_unwrap` when the transaction ends, so a clone
        // left behind would make it drop every log of the transaction.
        let collector = vm.context_object_pointer.get_log_collector();
        let start = collector.as_ref().map(|c| c.borrow().messages.len());
        let budget = vm.context_object_pointer.get_remaining();
        let outer = LOG_COLLECTOR.with(|slot| slot.replace(collector.clone()));
        vm.program_result = invoke_builtin_function(
            io_compute::native::process_instruction,
            vm.context_object_pointer,
        )
        .map_err(EbpfError::SyscallError)
        .into();
        LOG_COLLECTOR.with(|slot| *slot.borrow_mut() = outer);
        if let (Some(collector), Some(start)) = (collector, start) {
            let messages = &mut collector.borrow_mut().messages;
            drop_wrapper_lines(messages, start);
            // An SBF program's last line before `success`/`failed`. Native
            // code itself is not metered, so this counts what its CPIs
            // consumed.
            let left = vm.context_object_pointer.get_remaining();
            messages.push(format!(
                "Program {} consumed {} of {budget} compute units",
                io_compute::ID,
                budget.saturating_sub(left)
            ));
        }
    })
}

/// solana-program-test's `invoke_builtin_function` writes its own
/// `Program … invoke [n]` and `Program … success|failed` lines around the
/// ones the runtime writes for every program, so a natively run program's
/// logs would show both twice. Drops the wrapper's copies: the invoke line at
/// `start` that repeats the one before it, and the closing line it appended.
fn drop_wrapper_lines(messages: &mut Vec<String>, start: usize) {
    let program = format!("Program {} ", io_compute::ID);
    let closing = messages.last().is_some_and(|last| {
        messages.len() > start
            && last.starts_with(&program)
            && (last.ends_with(" success") || last.contains(" failed: "))
    });
    if closing {
        messages.pop();
    }
    let repeated = start > 0
        && messages.get(start).is_some_and(|line| {
            line.starts_with(&program) && line.contains(" invoke [") && messages[start - 1] == *line
        });
    if repeated {
        messages.remove(start);
    }
}

/// solana-program-test's CPI stub writes `Program <callee> invoke [n]` at
/// the caller's depth before the runtime writes the callee's own `invoke
/// [n+1]`, and a second `Program <callee> success` after the runtime's.
/// Logs must nest as on a real cluster (one invoke and one success per
/// call), or log parsers such as Anchor's `EventParser` lose their place:
/// drops the stub's two lines.
fn drop_cpi_stub_lines(messages: &mut Vec<String>, start: usize, callee: &Pubkey) {
    let program = format!("Program {callee} ");
    let success = format!("Program {callee} success");
    if messages.len() > start + 1 && messages.last() == Some(&success) {
        // The runtime's own closing line for the callee precedes it.
        let runtime_closed = messages[messages.len() - 2].starts_with(&program);
        if runtime_closed {
            messages.pop();
        }
    }
    let stub_invoke = messages
        .get(start)
        .is_some_and(|line| line.starts_with(&program) && line.contains(" invoke ["));
    let runtime_invoke = messages
        .get(start + 1)
        .is_some_and(|line| line.starts_with(&program) && line.contains(" invoke ["));
    if stub_invoke && runtime_invoke {
        messages.remove(start);
    }
}

/// Installs `EventLogStubs` over solana-program-test's stubs and the
/// `msg!` hook, once per process. Call after the first `ProgramTest::start*`,
/// which installs those stubs.
pub fn install_log_capture() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let inner = set_syscall_stubs(Box::new(Placeholder));
        set_syscall_stubs(Box::new(EventLogStubs { inner }));
        solana_msg::set_log_hook(program_log);
    });
}

/// `msg!` inside the native program: a `Program log:` line in the running
/// transaction's logs; outside any invocation, stdout as upstream.
fn program_log(message: &str) {
    LOG_COLLECTOR.with(|slot| match &*slot.borrow() {
        Some(collector) => stable_log::program_log(&Some(collector.clone()), message),
        None => println!("{message}"),
    });
}

struct Placeholder;
impl SyscallStubs for Placeholder {}

/// Delegates every syscall to solana-program-test's stubs, except
/// `sol_log_data`, which it writes to the transaction's logs.
struct EventLogStubs {
    inner: Box<dyn SyscallStubs>,
}

impl SyscallStubs for EventLogStubs {
    fn sol_log_data(&self, fields: &[&[u8]]) {
        LOG_COLLECTOR.with(|slot| stable_log::program_data(&slot.borrow(), fields));
    }

    fn sol_log(&self, message: &str) {
        self.inner.sol_log(message)
    }
    fn sol_log_compute_units(&self) {
        self.inner.sol_log_compute_units()
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        self.inner.sol_remaining_compute_units()
    }
    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> solana_sdk::entrypoint::ProgramResult {
        let collector = LOG_COLLECTOR.with(|slot| slot.borrow().clone());
        let start = collector.as_ref().map(|c| c.borrow().messages.len());
        let result = self
            .inner
            .sol_invoke_signed(instruction, account_infos, signers_seeds);
        if let (Some(collector), Some(start)) = (collector, start) {
            drop_cpi_stub_lines(
                &mut collector.borrow_mut().messages,
                start,
                &instruction.program_id,
            );
        }
        result
    }
    fn sol_get_sysvar(&self, id: *const u8, var: *mut u8, offset: u64, length: u64) -> u64 {
        self.inner.sol_get_sysvar(id, var, offset, length)
    }
    fn sol_get_clock_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_clock_sysvar(var)
    }
    fn sol_get_epoch_schedule_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_epoch_schedule_sysvar(var)
    }
    fn sol_get_fees_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_fees_sysvar(var)
    }
    fn sol_get_rent_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_rent_sysvar(var)
    }
    fn sol_get_epoch_rewards_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_epoch_rewards_sysvar(var)
    }
    fn sol_get_last_restart_slot(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_last_restart_slot(var)
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        self.inner.sol_get_epoch_stake(vote_address)
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        self.inner.sol_memcpy(dst, src, n)
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        self.inner.sol_memmove(dst, src, n)
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        self.inner.sol_memcmp(s1, s2, n, result)
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        self.inner.sol_memset(s, c, n)
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        self.inner.sol_get_return_data()
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        self.inner.sol_set_return_data(data)
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        self.inner.sol_get_processed_sibling_instruction(index)
    }
    fn sol_get_stack_height(&self) -> u64 {
        self.inner.sol_get_stack_height()
    }
}

/// A chain the localnet owns outright: genesis, bank forks and a banks server
/// for clients, built as solana-program-test builds its own, plus the
/// accounts maintenance that agave's background service would do and that
/// `ProgramTestContext` cannot (its bank forks are private). Without it every
/// rooted slot's writes stay in the accounts cache and memory only grows.
pub struct Chain {
    pub bank_forks: std::sync::Arc<std::sync::RwLock<solana_runtime::bank_forks::BankForks>>,
    pub banks_client: solana_program_test::BanksClient,
    /// Funded at genesis with 500M SOL; pays airdrops.
    pub faucet: solana_sdk::signature::Keypair,
    pub genesis_hash: solana_sdk::hash::Hash,
    block_commitment_cache:
        std::sync::Arc<std::sync::RwLock<solana_runtime::commitment::BlockCommitmentCache>>,
}

impl Chain {
    /// Genesis with io-compute as a builtin, the SPL and core BPF programs
    /// and `accounts`, then a banks server on it.
    pub async fn start(accounts: &[(Pubkey, solana_sdk::account::Account)]) -> Self {
        use solana_runtime::{
            bank::Bank, bank_forks::BankForks, commitment::BlockCommitmentCache,
            genesis_utils::create_genesis_config_with_leader_ex, runtime_config::RuntimeConfig,
        };
        use solana_sdk::{native_token::LAMPORTS_PER_SOL, rent::Rent, signer::Signer};
        use std::sync::{Arc, RwLock};

        ensure_native_stubs().await;
        let rent = Rent::default();
        let faucet = solana_sdk::signature::Keypair::new();
        let feature_set = agave_feature_set::FeatureSet::all_enabled();
        let fees = solana_fee_calculator::FeeRateGovernor {
            lamports_per_signature: solana_fee_calculator::DEFAULT_TARGET_LAMPORTS_PER_SIGNATURE
                / 2,
            ..Default::default()
        };
        let mut genesis = create_genesis_config_with_leader_ex(
            500_000_000 * LAMPORTS_PER_SOL,
            &faucet.pubkey(),
            &Pubkey::new_unique(),
            &Pubkey::new_unique(),
            &Pubkey::new_unique(),
            None,
            rent.minimum_balance(4_000) + 1_000_000 * LAMPORTS_PER_SOL,
            42,
            fees,
            rent.clone(),
            solana_cluster_type::ClusterType::Development,
            &feature_set,
            vec![],
        );
        genesis.poh_config =
            solana_poh_config::PohConfig::new_sleep(std::time::Duration::from_micros(100));
        let bank = Bank::new_from_genesis(
            &genesis,
            Arc::new(RuntimeConfig::default()),
            Vec::default(),
            None,
            solana_accounts_db::accounts_db::ACCOUNTS_DB_CONFIG_FOR_TESTING,
            None,
            None,
            Arc::default(),
            None,
            None,
        );
        for (program_id, account) in solana_program_binaries::spl_programs(&rent).iter() {
            bank.store_account(program_id, account);
        }
        for (program_id, account) in solana_program_binaries::core_bpf_programs(&rent, |feature| {
            genesis.accounts.contains_key(feature)
        })
        .iter()
        {
            bank.store_account(program_id, account);
        }
        let builtin = io_compute_builtin().expect("builtin entry");
        bank.add_builtin(
            io_compute::ID,
            "io_compute",
            solana_program_runtime::loaded_programs::ProgramCacheEntry::new_builtin(
                0,
                "io_compute".len(),
                builtin,
            ),
        );
        for (key, account) in accounts {
            bank.store_account(key, &account.clone().into());
        }
        bank.set_capitalization_for_tests(bank.calculate_capitalization_for_tests());
        let bank = Arc::new(bank);
        bank.fill_bank_with_ticks_for_tests();
        let bank = Bank::new_from_parent(bank.clone(), bank.collector_id(), bank.slot() + 1);
        let slot = bank.slot();
        let bank_forks = BankForks::new_rw_arc(bank);
        let block_commitment_cache = Arc::new(RwLock::new(
            BlockCommitmentCache::new_for_tests_with_slots(slot, slot),
        ));
        let transport = solana_banks_server::banks_server::start_local_server(
            bank_forks.clone(),
            block_commitment_cache.clone(),
            std::time::Duration::from_millis(400),
        )
        .await;
        let banks_client = solana_banks_client::start_client(transport)
            .await
            .expect("banks client");
        Self {
            bank_forks,
            banks_client,
            faucet,
            genesis_hash: genesis.hash(),
            block_commitment_cache,
        }
    }

    pub fn working_bank(&self) -> std::sync::Arc<solana_runtime::bank::Bank> {
        self.bank_forks.read().unwrap().working_bank()
    }

    /// Moves to `slot` (the next slot, as solana-program-test's warp does):
    /// freeze the working bank, root it, and open a child.
    pub fn advance_to(&mut self, slot: u64) {
        use solana_runtime::bank::Bank;
        let mut forks = self.bank_forks.write().unwrap();
        let bank = forks.working_bank();
        bank.fill_bank_with_ticks_for_tests();
        if slot <= bank.slot() {
            return;
        }
        bank.freeze();
        let parent_slot = bank.slot();
        forks.set_root(parent_slot, None, Some(parent_slot));
        forks.insert(Bank::new_from_parent(bank, &Pubkey::default(), slot));
        self.block_commitment_cache
            .write()
            .unwrap()
            .set_all_slots(slot, slot);
    }

    pub fn set_sysvar<T: solana_sdk::sysvar::SysvarId + solana_sysvar::SysvarSerialize>(
        &self,
        sysvar: &T,
    ) {
        self.working_bank().set_sysvar_for_tests(sysvar);
    }

    pub fn set_account(&self, key: &Pubkey, account: &solana_sdk::account::Account) {
        self.working_bank()
            .store_account(key, &account.clone().into());
    }

    /// Flushes rooted slots from the accounts cache, drops dead account
    /// versions and compacts sparse storage: what agave's accounts
    /// background service does between snapshots.
    pub fn maintain(&self) {
        let root = self.bank_forks.read().unwrap().root_bank();
        root.force_flush_accounts_cache();
        root.rc.accounts.accounts_db.clean_accounts(
            Some(root.slot().saturating_sub(1)),
            false,
            root.epoch_schedule(),
        );
        root.shrink_candidate_slots();
    }
}

/// solana-program-test's syscall stubs (CPI from native code among them)
/// are private and installed by its first bank; start one throwaway bank to
/// install them, then the log capture over them.
async fn ensure_native_stubs() {
    static STARTED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    STARTED
        .get_or_init(|| async {
            drop(ProgramTest::default().start_with_context().await);
            install_log_capture();
        })
        .await;
}
