//! Ordered, idempotent set-up of an IO Compute cluster. Each step knows from
//! the chain whether it has been applied, so a second run is a no-op and a
//! half-finished run resumes where it stopped. The chain is the record of
//! what was applied; `migrate` reports it step by step.

use io_compute::{
    constants::DEFAULT_MIN_KEEPER_BOND,
    state::{GovernanceParams, GpuModels, OracleConfig, TokenomicsParams},
    InitializeArgs,
};
use io_compute_sdk::{
    client::{Client, ClientError},
    gpu, ix, pda,
};
use solana_sdk::{pubkey::Pubkey, signer::Signer};

/// What the set-up chooses; the rest are the program's launch defaults.
#[derive(Clone, Debug)]
pub struct Settings {
    pub init: InitializeArgs,
    pub tokenomics: TokenomicsParams,
    /// Authority price of IO in 10^-8 USD (the payer is the price authority).
    pub io_price_e8: i64,
    /// Keeper admitted with the minimum bond (the payer when `None`).
    pub keeper: Option<Pubkey>,
    /// Where that keeper's API is.
    pub keeper_endpoint: String,
    /// A wallet funded with IO for localnet airdrops, and how much.
    pub faucet: Option<(Pubkey, u64)>,
}

impl Settings {
    /// io.net's launch parameters with `epoch_length_secs` epochs.
    pub fn launch(epoch_length_secs: i64) -> Self {
        Self {
            init: InitializeArgs {
                genesis_supply: io_compute::constants::DEFAULT_GENESIS_SUPPLY,
                io_max_supply: io_compute::constants::DEFAULT_IO_MAX_SUPPLY,
                staking: Default::default(),
                market: Default::default(),
            },
            tokenomics: TokenomicsParams {
                epoch_length_secs,
                ..TokenomicsParams::launch_defaults()
            },
            io_price_e8: 100_000_000,
            keeper: None,
            keeper_endpoint: "http://127.0.0.1:8910".to_string(),
            faucet: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    AlreadyApplied,
}

/// The steps, in order.
pub const STEPS: [&str; 7] = [
    "initialize",
    "gpu_models",
    "oracle",
    "tokenomics",
    "keeper",
    "governance",
    "faucet",
];

/// Applies every pending step, in order; returns each step's outcome.
pub async fn migrate(
    client: &Client,
    settings: &Settings,
) -> Result<Vec<(&'static str, Outcome)>, ClientError> {
    let mut report = Vec::with_capacity(STEPS.len());
    for step in STEPS {
        let outcome = if applied(client, settings, step).await? {
            Outcome::AlreadyApplied
        } else {
            apply(client, settings, step).await?;
            Outcome::Applied
        };
        report.push((step, outcome));
    }
    Ok(report)
}

async fn exists(client: &Client, key: &Pubkey) -> Result<bool, ClientError> {
    Ok(client.raw_account(key).await?.is_some())
}

async fn applied(client: &Client, settings: &Settings, step: &str) -> Result<bool, ClientError> {
    let payer = client.payer.pubkey();
    match step {
        "initialize" => exists(client, &pda::config()).await,
        "gpu_models" => Ok(client
            .account::<GpuModels>(&pda::gpu_models())
            .await?
            .is_some_and(|m| !m.models.is_empty())),
        "oracle" => exists(client, &pda::price_feed()).await,
        "tokenomics" => exists(client, &pda::tokenomics()).await,
        "keeper" => exists(client, &pda::keeper(&settings.keeper.unwrap_or(payer))).await,
        "governance" => exists(client, &pda::governance()).await,
        "faucet" => match settings.faucet {
            None => Ok(true),
            Some((wallet, _)) => Ok(client
                .token_balance(&pda::associated_token(&wallet, &pda::io_mint()))
                .await?
                > 0),
        },
        _ => unreachable!("unknown step {step}"),
    }
}

async fn apply(client: &Client, settings: &Settings, step: &str) -> Result<(), ClientError> {
    let payer = client.payer.pubkey();
    let io_mint = pda::io_mint();
    let payer_io = pda::associated_token(&payer, &io_mint);
    let instructions = match step {
        "initialize" => vec![ix::initialize(payer, payer, settings.init.clone())],
        "gpu_models" => vec![ix::set_gpu_models(payer, gpu::default_models())],
        "oracle" => vec![
            ix::set_oracle(payer, OracleConfig::default_for(payer)),
            ix::update_price(payer, settings.io_price_e8, 0, -8),
        ],
        "tokenomics" => vec![ix::init_tokenomics(payer, settings.tokenomics)],
        "keeper" => {
            let keeper = settings.keeper.unwrap_or(payer);
            vec![ix::admit_keeper(
                payer,
                keeper,
                payer_io,
                DEFAULT_MIN_KEEPER_BOND,
                &settings.keeper_endpoint,
            )]
        }
        "governance" => vec![ix::init_governance(payer, GovernanceParams::default())],
        "faucet" => {
            let (wallet, amount) = settings.faucet.expect("applied() said pending");
            let faucet_io = pda::associated_token(&wallet, &io_mint);
            vec![
                ix::create_associated_token_account(payer, wallet, io_mint),
                ix::transfer_io(payer_io, faucet_io, payer, amount),
            ]
        }
        _ => unreachable!("unknown step {step}"),
    };
    client.send(&instructions, &[]).await?;
    Ok(())
}
