//! The keeper's transactions: simulated first, so a program error (another
//! keeper took the lease, a device is gone) comes back as a state signal
//! for the caller to resync on and nothing is sent or paid; then sent with
//! a compute-unit limit from the simulation (+20 % and the budget
//! instructions' own cost, at most 1.4M) and a
//! priority fee from the recent fees on the accounts it writes (their
//! median, capped), so it neither overpays nor starves under load.
//!
//! A signed transaction is broadcast again, the same bytes, until it is
//! confirmed or its blockhash expires; only then is it signed anew (with a
//! fresh blockhash), so at most one of its versions can ever land. Every
//! RPC call that fails in transport (a dropped request or response, a
//! node down) moves to the next URL and is retried, a bounded number of
//! times, counted in `rpc_retries`; HTTP 429 is waited out inside the RPC
//! client, for as long as its Retry-After says.

use io_compute_sdk::client::{program_error_from_logs, Client, ClientError};
use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts};
use solana_commitment_config::CommitmentConfig;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_rpc_client_api::config::RpcSendTransactionConfig;
use solana_sdk::{
    hash::Hash,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::Signature,
    signer::{keypair::Keypair, Signer},
    transaction::Transaction,
};
use std::{
    future::Future,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

/// Tries of one RPC call, across the URLs, before it fails.
const RPC_TRIES: usize = 8;
/// Signings of one transaction (each after the previous one expired).
const SIGNINGS: usize = 3;

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
    /// RPC calls retried after a transport failure.
    pub rpc_retries: IntCounter,
    /// Seconds per RPC call made through `retrying`, tries included.
    pub rpc_seconds: Histogram,
    /// Transactions by kind (the instruction) and outcome: "landed", the
    /// program error's name, "failed" (on-chain, outside the program) or
    /// "unconfirmed".
    pub transactions: IntCounterVec,
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
            rpc_retries: IntCounter::new(
                "keeper_rpc_retries_total",
                "RPC calls retried after a transport failure",
            )
            .expect("valid metric"),
            rpc_seconds: Histogram::with_opts(
                HistogramOpts::new("keeper_rpc_seconds", "RPC calls, retries included").buckets(
                    vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0],
                ),
            )
            .expect("valid metric"),
            transactions: IntCounterVec::new(
                Opts::new(
                    "keeper_transactions_total",
                    "transactions by kind and outcome",
                ),
                &["kind", "outcome"],
            )
            .expect("valid metric"),
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

    /// Runs `call` on the current client; a transport failure moves to the
    /// next URL and tries again, at most `RPC_TRIES` times in all.
    pub async fn retrying<'a, T, F, Fut>(&'a self, call: F) -> Result<T, ClientError>
    where
        F: Fn(&'a Client) -> Fut,
        Fut: Future<Output = Result<T, ClientError>> + 'a,
    {
        let mut pause = Duration::from_millis(50);
        let _timer = self.rpc_seconds.start_timer();
        for attempt in 1.. {
            match call(self.client()).await {
                Err(error @ (ClientError::Rpc { .. } | ClientError::Unreachable { .. }))
                    if attempt < RPC_TRIES =>
                {
                    self.rpc_retries.inc();
                    let next = self.fail_over();
                    tracing::debug!("{error}; try {attempt} of {RPC_TRIES}, next through {next}");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(1));
                }
                other => return other,
            }
        }
        unreachable!("the loop returns")
    }

    /// Simulates `instructions` (paid and signed by the keeper): a program
    /// error comes back as `ClientError::Program`; otherwise the budget.
    pub async fn budget(&self, instructions: &[Instruction]) -> Result<Budget, ClientError> {
        self.retrying(|client| self.budget_on(client, instructions))
            .await
    }

    async fn budget_on(
        &self,
        client: &Client,
        instructions: &[Instruction],
    ) -> Result<Budget, ClientError> {
        let rpc = &client.rpc;
        let payer = client.payer.pubkey();
        let blockhash = rpc
            .get_latest_blockhash()
            .await
            .map_err(|e| client.rpc_error(e))?;
        let tx = Transaction::new_signed_with_payer(
            instructions,
            Some(&payer),
            &[&client.payer],
            blockhash,
        );
        let simulation = rpc
            .simulate_transaction(&tx)
            .await
            .map_err(|e| client.rpc_error(e))?
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
            .map_err(|e| client.rpc_error(e))?
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
    /// the budget it paid for. `kind` names it in `transactions`.
    pub async fn send(
        &self,
        kind: &'static str,
        instructions: &[Instruction],
    ) -> Result<(Signature, Budget), ClientError> {
        let sent = self.send_unlabelled(instructions).await;
        let outcome = match &sent {
            Ok(_) => "landed",
            Err(ClientError::Program { name, .. }) => name.as_str(),
            Err(ClientError::Transaction(_)) => "failed",
            Err(_) => "unconfirmed",
        };
        self.transactions.with_label_values(&[kind, outcome]).inc();
        sent
    }

    async fn send_unlabelled(
        &self,
        instructions: &[Instruction],
    ) -> Result<(Signature, Budget), ClientError> {
        let budget = self.budget(instructions).await?;
        let mut all = vec![
            ComputeBudgetInstruction::set_compute_unit_limit(budget.compute_units),
            ComputeBudgetInstruction::set_compute_unit_price(budget.micro_lamports),
        ];
        all.extend_from_slice(instructions);
        let payer = self.client().payer.pubkey();
        for _ in 0..SIGNINGS {
            let (blockhash, last_valid) = self
                .retrying(|client| async move {
                    client
                        .rpc
                        .get_latest_blockhash_with_commitment(CommitmentConfig::confirmed())
                        .await
                        .map_err(|e| client.rpc_error(e))
                })
                .await?;
            let tx = Transaction::new_signed_with_payer(
                &all,
                Some(&payer),
                &[&self.client().payer],
                blockhash,
            );
            if let Some(signature) = self.broadcast_until_confirmed(&tx, last_valid).await? {
                return Ok((signature, budget));
            }
            tracing::info!("transaction expired unconfirmed; signing it again");
        }
        Err(ClientError::Rpc {
            url: self.client().url().to_string(),
            message: format!("not confirmed within {SIGNINGS} blockhashes"),
        })
    }

    /// Broadcasts `tx` (always the same bytes) until it is confirmed
    /// (Some), fails on-chain (Err), or its blockhash is past
    /// `last_valid` block height (None: it can no longer land).
    async fn broadcast_until_confirmed(
        &self,
        tx: &Transaction,
        last_valid: u64,
    ) -> Result<Option<Signature>, ClientError> {
        let signature = tx.signatures[0];
        let config = RpcSendTransactionConfig {
            skip_preflight: true,
            ..Default::default()
        };
        loop {
            let client = self.client();
            if let Err(error) = client.rpc.send_transaction_with_config(tx, config).await {
                // Lost or refused in transport: the status check and the
                // next broadcast (through the next URL) find out.
                self.rpc_retries.inc();
                tracing::debug!("broadcast through {}: {error}", client.url());
                self.fail_over();
            }
            // Confirmation is looked for soon, then less often: most
            // transactions confirm within a slot.
            for wait_ms in [10, 20, 40, 80, 160, 200, 200, 200] {
                tokio::time::sleep(Duration::from_millis(wait_ms)).await;
                let client = self.client();
                match client.rpc.get_signature_statuses(&[signature]).await {
                    Ok(response) => match response.value.into_iter().next().flatten() {
                        Some(status) if status.err.is_some() => {
                            return Err(ClientError::Transaction(format!(
                                "{}",
                                status.err.expect("checked")
                            )))
                        }
                        Some(status)
                            if status.satisfies_commitment(CommitmentConfig::confirmed()) =>
                        {
                            return Ok(Some(signature))
                        }
                        _ => {}
                    },
                    Err(_) => {
                        self.rpc_retries.inc();
                        self.fail_over();
                        break;
                    }
                }
            }
            let height = self.client().rpc.get_block_height().await;
            if matches!(height, Ok(height) if height > last_valid) {
                return Ok(None);
            }
        }
    }
}
