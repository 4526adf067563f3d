//! The keeper's transactions: simulated first, so a program error (another
//! keeper took the lease, a device is gone) comes back as a state signal
//! for the caller to resync on and nothing is sent or paid; then sent with
//! a compute-unit limit from the simulation (+20 % and the budget
//! instructions' own cost, at most 1.4M) and a
//! priority fee from the recent fees on the accounts it writes (their
//! median, capped), so it neither overpays nor starves under load.

use io_compute_sdk::client::{program_error_from_logs, Client, ClientError};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::{
    hash::Hash,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::Signature,
    signer::{keypair::Keypair, Signer},
    transaction::Transaction,
};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Most compute units a transaction may ask for.
const MAX_COMPUTE_UNITS: u64 = 1_400_000;
/// What the two compute-budget instructions themselves cost (150 each),
/// which the simulation without them did not count, with room to spare.
const BUDGET_OVERHEAD: u64 = 1_000;

pub struct Sender {
    /// One client per RPC URL of the same chain, the preferred first.
    clients: Vec<Client>,
    /// The one in use; the next after a failed sweep.
    current: AtomicUsize,
    /// The most the keeper pays per compute unit, in micro-lamports.
    pub max_micro_lamports: u64,
}

/// What a send would add before the instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub compute_units: u32,
    pub micro_lamports: u64,
}

impl Sender {
    /// A sender over `urls`, signing with `keypair`. Every reachable URL
    /// must serve the same chain (genesis hash) as the first reachable one:
    /// a URL of another chain is refused, one that cannot be reached now is
    /// left out with a warning.
    pub async fn connect(
        urls: &[String],
        keypair: &Keypair,
        max_micro_lamports: u64,
    ) -> anyhow::Result<Self> {
        let mut clients = Vec::new();
        let mut genesis: Option<(String, Hash)> = None;
        for url in urls {
            let client = Client::new(url, keypair.insecure_clone());
            let hash = match client.rpc.get_genesis_hash().await {
                Ok(hash) => hash,
                Err(error) => {
                    tracing::warn!("RPC {url} left out: {}", client.rpc_error(error));
                    continue;
                }
            };
            match &genesis {
                Some((first, expected)) if *expected != hash => anyhow::bail!(
                    "RPC {url} serves another chain (genesis {hash}) than {first} ({expected})"
                ),
                Some(_) => {}
                None => genesis = Some((url.clone(), hash)),
            }
            clients.push(client);
        }
        anyhow::ensure!(
            !clients.is_empty(),
            "no RPC URL could be reached: {}",
            urls.join(", ")
        );
        Ok(Self {
            clients,
            current: AtomicUsize::new(0),
            max_micro_lamports,
        })
    }

    /// The client in use.
    pub fn client(&self) -> &Client {
        &self.clients[self.current.load(Ordering::Relaxed) % self.clients.len()]
    }

    /// Moves to the next RPC URL (after a failed sweep); returns its URL.
    pub fn fail_over(&self) -> &str {
        let next = (self.current.load(Ordering::Relaxed) + 1) % self.clients.len();
        self.current.store(next, Ordering::Relaxed);
        self.clients[next].url()
    }

    /// Simulates `instructions` (paid and signed by the keeper): a program
    /// error comes back as `ClientError::Program`; otherwise the budget.
    pub async fn budget(&self, instructions: &[Instruction]) -> Result<Budget, ClientError> {
        let client = self.client();
        let rpc = &client.rpc;
        let payer = client.payer.pubkey();
        let blockhash = rpc
            .get_latest_blockhash()
            .await
            .map_err(|e| self.client().rpc_error(e))?;
        let tx = Transaction::new_signed_with_payer(
            instructions,
            Some(&payer),
            &[&self.client().payer],
            blockhash,
        );
        let simulation = rpc
            .simulate_transaction(&tx)
            .await
            .map_err(|e| self.client().rpc_error(e))?
            .value;
        if let Some(err) = simulation.err {
            let logs = simulation.logs.unwrap_or_default();
            return Err(
                program_error_from_logs(&logs).unwrap_or(ClientError::Transaction(err.to_string()))
            );
        }
        let used = simulation.units_consumed.unwrap_or(MAX_COMPUTE_UNITS);
        let compute_units = (used + used / 5 + BUDGET_OVERHEAD).min(MAX_COMPUTE_UNITS) as u32;
        let writable: Vec<Pubkey> = instructions
            .iter()
            .flat_map(|ix| {
                ix.accounts
                    .iter()
                    .filter(|a| a.is_writable)
                    .map(|a| a.pubkey)
            })
            .collect();
        let mut fees: Vec<u64> = rpc
            .get_recent_prioritization_fees(&writable)
            .await
            .map_err(|e| self.client().rpc_error(e))?
            .into_iter()
            .map(|f| f.prioritization_fee)
            .collect();
        fees.sort_unstable();
        let median = fees.get(fees.len() / 2).copied().unwrap_or(0);
        Ok(Budget {
            compute_units,
            micro_lamports: median.min(self.max_micro_lamports),
        })
    }

    /// Simulates, then sends with the budget; returns the signature and
    /// the budget it paid for.
    pub async fn send(
        &self,
        instructions: &[Instruction],
    ) -> Result<(Signature, Budget), ClientError> {
        let budget = self.budget(instructions).await?;
        let mut all = vec![
            ComputeBudgetInstruction::set_compute_unit_limit(budget.compute_units),
            ComputeBudgetInstruction::set_compute_unit_price(budget.micro_lamports),
        ];
        all.extend_from_slice(instructions);
        Ok((self.client().send(&all, &[]).await?, budget))
    }
}
