//! A solana-program-test bank with io-compute loaded natively, as faithful
//! to an SBF deployment as it can be: the builtin entry, events and logs.
//!
//! Natively, solana-program-test's stubs print `sol_log_data` (events) and
//! solana-msg prints `msg!` to stdout instead of the transaction's logs. The
//! builtin entry below remembers the running transaction's log collector;
//! `EventLogStubs` and the `msg!` hook (patches/solana-msg) write there the
//! `Program data:` and `Program log:` lines a real validator produces.

use solana_program_runtime::stable_log;
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
        let outer = LOG_COLLECTOR.with(|slot| slot.replace(collector));
        vm.program_result = invoke_builtin_function(
            io_compute::native::process_instruction,
            vm.context_object_pointer,
        )
        .map_err(EbpfError::SyscallError)
        .into();
        LOG_COLLECTOR.with(|slot| *slot.borrow_mut() = outer);
    })
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
        self.inner
            .sol_invoke_signed(instruction, account_infos, signers_seeds)
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
