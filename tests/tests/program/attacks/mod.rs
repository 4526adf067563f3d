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
mod bumps;
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
    /// Seeds of the PDAs the call creates.
    creates: Vec<Vec<Vec<u8>>>,
    /// Instructions sent before `ix` in every transaction, unmutated (the
    /// Ed25519 check of a worker signature).
    before: Vec<Instruction>,
}

pub fn call(name: &'static str, ix: Instruction, signers: &[&Keypair]) -> Call {
    Call {
        name,
        ix,
        signers: signers.iter().map(|k| k.insecure_clone()).collect(),
        free: Vec::new(),
        by_address: Vec::new(),
        creates: Vec::new(),
        before: Vec::new(),
    }
}

/// A call whose last instruction is the one under attack and whose others
/// go before it unchanged.
pub fn call_after<const N: usize>(
    name: &'static str,
    instructions: [Instruction; N],
    signers: &[&Keypair],
) -> Call {
    let mut before = instructions.to_vec();
    let ix = before.pop().expect("at least one instruction");
    Call {
        before,
        ..call(name, ix, signers)
    }
}

impl Call {
    pub fn free(mut self, key: Pubkey) -> Self {
        self.free.push(key);
        self
    }

    /// The call creates the PDA of `seeds`, which must be among its
    /// accounts.
    pub fn creates(mut self, seeds: &[&[u8]]) -> Self {
        let (address, _) = Pubkey::find_program_address(seeds, &io_compute::ID);
        assert!(
            self.ix.accounts.iter().any(|m| m.pubkey == address),
            "{}: creates no account at {address}",
            self.name
        );
        self.creates
            .push(seeds.iter().map(|s| s.to_vec()).collect());
        self
    }

    /// The call's transaction with `ix` in place of its instruction.
    pub fn with_before(&self, ix: Instruction) -> Vec<Instruction> {
        let mut all = self.before.clone();
        all.push(ix);
        all
    }

    pub fn by_address(mut self, key: Pubkey, error: AnchorError) -> Self {
        self.by_address.push((key, error as u32));
        self
    }

    /// As `by_address`, refused with one of the program's own errors.
    pub fn by_address_as(mut self, key: Pubkey, error: IoComputeError) -> Self {
        self.by_address.push((key, program_error(error)));
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
    /// was tried at least `least` times.
    pub fn report(&self, sweep: &str, least: usize) {
        eprintln!("{sweep} sweep, mutations refused: {:?}", self.refused);
        for class in [
            "missing signer",
            "fake program or vault",
            "type cosplay",
            "foreign owner",
            "same-type twin",
            "duplicate mutable",
            "non-canonical bump",
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
        self.non_canonical_bumps(env, call).await;
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
        let what = format!("{}: {what}", call.name);
        env.expect_rejected_as(&what, &call.with_before(ix), signers, watch)
            .await
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
        let outcome = env.send(&call.with_before(call.ix.clone()), &signers).await;
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

/// The accounts among `keys` that this program owns, each once, with its
/// type (the first 8 bytes).
async fn program_accounts(env: &mut TestEnv, keys: &[Pubkey]) -> Vec<(Pubkey, Vec<u8>)> {
    let mut found: Vec<(Pubkey, Vec<u8>)> = Vec::new();
    for key in keys {
        if found.iter().any(|(k, _)| k == key) {
            continue;
        }
        if let Some(account) = env.raw_account(key).await {
            if account.owner == io_compute::ID && account.lamports > 0 {
                found.push((*key, account.data[..8].to_vec()));
            }
        }
    }
    found
}
