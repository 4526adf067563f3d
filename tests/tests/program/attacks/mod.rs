//! Attacks that have drained Solana programs, one module per class, each
//! class tried against every instruction where it applies: a valid call is
//! mutated (a signer left out, an account substituted, a mutable account
//! passed twice, ...), and every mutation must fail with its specific error
//! and change nothing; then the call as built is sent with the addresses
//! it creates pre-funded (rent griefing), must succeed, and must fail when
//! sent again (reinitialization).
//!
//! `instructions` holds the three sweeps (the one-time setup, calls valid
//! from one state, and calls that need earlier steps, each checked right
//! before it is sent) and checks that together they cover every
//! instruction of the IDL. `arithmetic` sends the extreme value of every
//! numeric argument. The classes that need a scenario of their own (oracle
//! checks, time windows, flash-staking) are tested where that scenario
//! lives; docs/security.md maps each class to its tests.

mod arithmetic;
mod duplicate;
mod instructions;
mod reinit;
mod rent;
mod signer;
mod substitution;

use crate::*;
use anchor_lang::error::ErrorCode as AnchorError;
use io_compute::error::IoComputeError;
use solana_sdk::instruction::Instruction;
use std::collections::{BTreeMap, BTreeSet};

/// A valid call of one instruction and what the sweep needs to know of it.
pub struct Call {
    name: &'static str,
    ix: Instruction,
    signers: Vec<Keypair>,
    /// Accounts the signers choose freely (which provider the authority
    /// slashes): another of the same type is another valid call, not an
    /// attack.
    free: Vec<Pubkey>,
    /// Accounts the instruction checks by address or seeds instead of type,
    /// with the error that refuses a stand-in.
    by_address: Vec<(Pubkey, u32)>,
}

pub fn call(name: &'static str, ix: Instruction, signers: &[&Keypair]) -> Call {
    Call {
        name,
        ix,
        signers: signers.iter().map(|k| k.insecure_clone()).collect(),
        free: Vec::new(),
        by_address: Vec::new(),
    }
}

impl Call {
    pub fn free(mut self, key: Pubkey) -> Self {
        self.free.push(key);
        self
    }

    pub fn by_address(mut self, key: Pubkey, error: AnchorError) -> Self {
        self.by_address.push((key, error as u32));
        self
    }
}

pub fn writable(ix: &Instruction) -> Vec<Pubkey> {
    ix.accounts
        .iter()
        .filter(|m| m.is_writable)
        .map(|m| m.pubkey)
        .collect()
}

pub fn replace(ix: &Instruction, from: Pubkey, to: Pubkey) -> Option<Instruction> {
    let mut out = ix.clone();
    let meta = out.accounts.iter_mut().find(|m| m.pubkey == from)?;
    meta.pubkey = to;
    Some(out)
}

pub fn program_error(e: IoComputeError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + e as u32
}

/// Applies every class's mutations to valid calls and counts them.
/// `twins` are accounts of the same types as the calls' at other
/// addresses (another provider, device, position, lease, epoch...).
pub struct Sweep {
    twins: Vec<Pubkey>,
    /// Mutations refused, by attack class.
    refused: BTreeMap<&'static str, usize>,
    /// The instructions checked.
    names: BTreeSet<&'static str>,
}

impl Sweep {
    pub fn new(twins: Vec<Pubkey>) -> Self {
        Self {
            twins,
            refused: BTreeMap::new(),
            names: BTreeSet::new(),
        }
    }

    fn count(&mut self, class: &'static str) {
        *self.refused.entry(class).or_default() += 1;
    }

    pub fn names(&self) -> BTreeSet<&'static str> {
        self.names.clone()
    }

    /// Prints the mutations refused by class and asserts that every class
    /// was tried (the setup sweep has no program accounts to substitute
    /// yet, nor twins).
    pub fn report(&self, sweep: &str) {
        eprintln!("{sweep} sweep, mutations refused: {:?}", self.refused);
        let least = if sweep == "setup" { 0 } else { 5 };
        for class in [
            "missing signer",
            "fake program or vault",
            "type cosplay",
            "foreign owner",
            "same-type twin",
            "duplicate mutable",
            "rent griefing",
            "reinitialization",
        ] {
            let n = self.refused.get(class).copied().unwrap_or(0);
            assert!(n >= least, "{sweep} sweep: {class} tried {n} times");
        }
    }

    /// Every mutation of every class on `call`.
    pub async fn check(&mut self, env: &mut TestEnv, call: &Call) {
        self.names.insert(call.name);
        self.missing_signers(env, call).await;
        self.substitutions(env, call).await;
        self.duplicates(env, call).await;
    }

    /// Sends a mutated call: it must fail and leave `watch` unchanged.
    pub async fn send(
        &mut self,
        env: &mut TestEnv,
        call: &Call,
        what: &str,
        ix: Instruction,
        watch: &[Pubkey],
    ) -> TxOutcome {
        let signers: Vec<&Keypair> = call.signers.iter().collect();
        self.rejected(env, call, what, ix, &signers, watch).await
    }

    pub async fn rejected(
        &mut self,
        env: &mut TestEnv,
        call: &Call,
        what: &str,
        ix: Instruction,
        signers: &[&Keypair],
        watch: &[Pubkey],
    ) -> TxOutcome {
        let before = env.snapshot(watch).await;
        let outcome = env.send(&[ix], signers).await;
        assert!(
            outcome.result.is_err(),
            "{}: {what} was accepted\n{}",
            call.name,
            outcome.logs.join("\n")
        );
        let after = env.snapshot(watch).await;
        TestEnv::assert_unchanged(&before, &after);
        outcome
    }

    /// The call failed with one of `expected`.
    #[track_caller]
    pub fn expect(
        &mut self,
        class: &'static str,
        call: &Call,
        what: &str,
        outcome: &TxOutcome,
        expected: &[u32],
    ) {
        assert!(
            outcome.custom_code().is_some_and(|c| expected.contains(&c)),
            "{}: {what} -> {:?}, expected one of {expected:?}\n{}",
            call.name,
            outcome.result,
            outcome.logs.join("\n")
        );
        self.count(class);
    }

    /// Sends the call as built: it must succeed, so the mutations are what
    /// failed. The addresses it creates are pre-funded first (`rent`) and
    /// it is sent again after (`reinit`).
    pub async fn send_valid(&mut self, env: &mut TestEnv, call: Call) -> TxOutcome {
        let created = self.prefund_created(env, &call).await;
        let signers: Vec<&Keypair> = call.signers.iter().collect();
        let outcome = env.send(std::slice::from_ref(&call.ix), &signers).await;
        assert!(
            outcome.result.is_ok(),
            "{}: {:?}\n{}",
            call.name,
            outcome.result,
            outcome.logs.join("\n")
        );
        self.send_again(env, &call, &created).await;
        outcome
    }

    /// Checks the call, then sends it as built.
    pub async fn then_send(&mut self, env: &mut TestEnv, call: Call) -> TxOutcome {
        self.check(env, &call).await;
        self.send_valid(env, call).await
    }
}

/// The call's accounts owned by this program, each once.
async fn program_accounts(env: &mut TestEnv, ix: &Instruction) -> Vec<Pubkey> {
    let mut keys = Vec::new();
    for meta in &ix.accounts {
        if keys.contains(&meta.pubkey) {
            continue;
        }
        if let Some(account) = env.raw_account(&meta.pubkey).await {
            if account.owner == io_compute::ID && account.lamports > 0 {
                keys.push(meta.pubkey);
            }
        }
    }
    keys
}
