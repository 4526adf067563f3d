//! The localnet through the real solana-client `RpcClient` and raw HTTP.

use anchor_lang::Discriminator;
use io_compute::state::{Provider, ProviderProfile, StakingParams};
use io_compute_sdk::{ix, pda};
use localnet::{Localnet, LocalnetConfig};
use serde_json::{json, Value};
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::{
    client_error::ErrorKind,
    config::{RpcAccountInfoConfig, RpcProgramAccountsConfig},
    filter::{Memcmp, RpcFilterType},
    request::{RpcError, RpcResponseErrorData},
};
use solana_sdk::{
    instruction::Instruction,
    native_token::LAMPORTS_PER_SOL,
    pubkey::Pubkey,
    signature::{Keypair, Signature},
    signer::Signer,
    transaction::Transaction,
};
use solana_transaction_status_client_types::UiTransactionEncoding;
use std::time::Duration;

const FEE: u64 = 5_000;

async fn start() -> (Localnet, RpcClient) {
    let localnet = Localnet::start(LocalnetConfig {
        rpc_port: 0,
        ..LocalnetConfig::default()
    })
    .await
    .unwrap();
    let client = RpcClient::new_with_commitment(localnet.rpc_url(), CommitmentConfig::confirmed());
    (localnet, client)
}

async fn funded(client: &RpcClient, sol: u64) -> Keypair {
    let wallet = Keypair::new();
    let signature = client
        .request_airdrop(&wallet.pubkey(), sol * LAMPORTS_PER_SOL)
        .await
        .unwrap();
    confirm(client, &signature).await;
    wallet
}

/// Waits for the signature through getSignatureStatuses (bounded).
async fn confirm(client: &RpcClient, signature: &Signature) {
    for _ in 0..50 {
        let statuses = client
            .get_signature_statuses(&[*signature])
            .await
            .unwrap()
            .value;
        if let Some(status) = &statuses[0] {
            assert_eq!(status.err, None, "transaction failed");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{signature} was not confirmed");
}

async fn send(
    client: &RpcClient,
    instructions: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
) -> Signature {
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let mut all = vec![payer];
    all.extend_from_slice(signers);
    let tx =
        Transaction::new_signed_with_payer(instructions, Some(&payer.pubkey()), &all, blockhash);
    client.send_and_confirm_transaction(&tx).await.unwrap()
}

/// A new SPL Token mint with `authority` as mint authority.
async fn create_mint(client: &RpcClient, authority: &Keypair, decimals: u8) -> Keypair {
    let mint = Keypair::new();
    let token = spl_token_interface::ID;
    let rent = client
        .get_minimum_balance_for_rent_exemption(82)
        .await
        .unwrap();
    let instructions = [
        solana_system_interface::instruction::create_account(
            &authority.pubkey(),
            &mint.pubkey(),
            rent,
            82,
            &token,
        ),
        spl_token_interface::instruction::initialize_mint2(
            &token,
            &mint.pubkey(),
            &authority.pubkey(),
            None,
            decimals,
        )
        .unwrap(),
    ];
    send(client, &instructions, authority, &[&mint]).await;
    mint
}

async fn raw(url: &str, body: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sol_transfer_with_exact_balances_history_and_statuses() {
    let (localnet, client) = start().await;
    let alice = funded(&client, 10).await;
    let bob = Keypair::new();
    assert_eq!(
        client.get_balance(&alice.pubkey()).await.unwrap(),
        10 * LAMPORTS_PER_SOL
    );

    let transfer = solana_system_interface::instruction::transfer(
        &alice.pubkey(),
        &bob.pubkey(),
        3 * LAMPORTS_PER_SOL,
    );
    let signature = send(&client, &[transfer], &alice, &[]).await;
    assert_eq!(
        client.get_balance(&alice.pubkey()).await.unwrap(),
        7 * LAMPORTS_PER_SOL - FEE
    );
    assert_eq!(
        client.get_balance(&bob.pubkey()).await.unwrap(),
        3 * LAMPORTS_PER_SOL
    );

    let tx = client
        .get_transaction(&signature, UiTransactionEncoding::Json)
        .await
        .unwrap();
    let meta = tx.transaction.meta.unwrap();
    assert_eq!(meta.err, None);
    assert_eq!(meta.fee, FEE);
    assert_eq!(meta.pre_balances[..2], [10 * LAMPORTS_PER_SOL, 0]);
    assert_eq!(
        meta.post_balances[..2],
        [7 * LAMPORTS_PER_SOL - FEE, 3 * LAMPORTS_PER_SOL]
    );
    let base64 = client
        .get_transaction(&signature, UiTransactionEncoding::Base64)
        .await
        .unwrap();
    let decoded = base64.transaction.transaction.decode().unwrap();
    assert_eq!(decoded.signatures[0], signature);

    let history = client
        .get_signatures_for_address(&bob.pubkey())
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].signature, signature.to_string());
    let alice_history = client
        .get_signatures_for_address(&alice.pubkey())
        .await
        .unwrap();
    assert_eq!(alice_history.len(), 2, "airdrop and transfer, newest first");
    assert_eq!(alice_history[0].signature, signature.to_string());

    let unknown = Signature::from([7u8; 64]);
    let statuses = client
        .get_signature_statuses(&[signature, unknown])
        .await
        .unwrap()
        .value;
    assert!(statuses[0]
        .as_ref()
        .unwrap()
        .satisfies_commitment(CommitmentConfig::finalized()));
    assert!(statuses[1].is_none());
    localnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_mint_transfer_and_queries() {
    let (localnet, client) = start().await;
    let owner = funded(&client, 5).await;
    let friend = Keypair::new();
    let mint = create_mint(&client, &owner, 6).await;
    let token = spl_token_interface::ID;
    let ata = |wallet: &Pubkey| pda::associated_token(wallet, &mint.pubkey());
    let create_atas: Vec<Instruction> = [owner.pubkey(), friend.pubkey()]
        .iter()
        .map(|w| {
            spl_associated_token_account_interface::instruction::create_associated_token_account(
                &owner.pubkey(),
                w,
                &mint.pubkey(),
                &token,
            )
        })
        .collect();
    send(&client, &create_atas, &owner, &[]).await;
    let mint_to = spl_token_interface::instruction::mint_to(
        &token,
        &mint.pubkey(),
        &ata(&owner.pubkey()),
        &owner.pubkey(),
        &[],
        5_000_000,
    )
    .unwrap();
    send(&client, &[mint_to], &owner, &[]).await;
    let transfer = spl_token_interface::instruction::transfer_checked(
        &token,
        &ata(&owner.pubkey()),
        &mint.pubkey(),
        &ata(&friend.pubkey()),
        &owner.pubkey(),
        &[],
        1_250_000,
        6,
    )
    .unwrap();
    let signature = send(&client, &[transfer], &owner, &[]).await;

    let balance = client
        .get_token_account_balance(&ata(&friend.pubkey()))
        .await
        .unwrap();
    assert_eq!(
        (
            balance.amount.as_str(),
            balance.decimals,
            balance.ui_amount_string.as_str()
        ),
        ("1250000", 6, "1.25")
    );
    let supply = client.get_token_supply(&mint.pubkey()).await.unwrap();
    assert_eq!(supply.amount, "5000000");
    let accounts = client
        .get_token_accounts_by_owner(
            &friend.pubkey(),
            solana_rpc_client_api::request::TokenAccountsFilter::Mint(mint.pubkey()),
        )
        .await
        .unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].pubkey, ata(&friend.pubkey()).to_string());
    let parsed = serde_json::to_value(&accounts[0].account.data).unwrap();
    assert_eq!(
        parsed["parsed"]["info"]["tokenAmount"]["amount"], "1250000",
        "{parsed}"
    );

    let meta = client
        .get_transaction(&signature, UiTransactionEncoding::Json)
        .await
        .unwrap()
        .transaction
        .meta
        .unwrap();
    let pre: Vec<_> = Option::<Vec<_>>::from(meta.pre_token_balances).unwrap();
    let post: Vec<_> = Option::<Vec<_>>::from(meta.post_token_balances).unwrap();
    let amounts = |b: &Vec<solana_transaction_status_client_types::UiTransactionTokenBalance>| {
        let mut v: Vec<String> = b.iter().map(|t| t.ui_token_amount.amount.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(amounts(&pre), ["0", "5000000"]);
    assert_eq!(amounts(&post), ["1250000", "3750000"]);

    // A mint is not a token account.
    let err = client
        .get_token_account_balance(&mint.pubkey())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a Token account"), "{err}");
    localnet.shutdown().await;
}

fn profile(name: &str) -> ProviderProfile {
    ProviderProfile {
        name: name.into(),
        region: "eu-west".into(),
        endpoint: "https://gpu.example.org".into(),
        co_stake_share_bps: 1_000,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn program_instructions_program_accounts_and_preflight_logs() {
    let (localnet, client) = start().await;
    let admin = funded(&client, 100).await;
    let args = io_compute::InitializeArgs {
        genesis_supply: 1_000_000_000_000,
        io_max_supply: 2_000_000_000_000,
        staking: StakingParams::default(),
        market: io_compute::state::MarketParams::default(),
    };
    send(
        &client,
        &[ix::initialize(admin.pubkey(), admin.pubkey(), args)],
        &admin,
        &[],
    )
    .await;
    let config: io_compute::state::Config =
        io_compute_sdk::accounts::decode(&client.get_account(&pda::config()).await.unwrap().data)
            .unwrap();
    assert_eq!(config.authority, admin.pubkey());

    let mut providers = vec![];
    for name in ["alpha", "beta", "gamma"] {
        let authority = funded(&client, 1).await;
        send(
            &client,
            &[ix::register_provider(authority.pubkey(), profile(name))],
            &authority,
            &[],
        )
        .await;
        providers.push(authority);
    }

    // All providers by discriminator; one by discriminator + authority.
    let by_type = RpcFilterType::Memcmp(Memcmp::new_raw_bytes(0, Provider::DISCRIMINATOR.to_vec()));
    let config = |filters| RpcProgramAccountsConfig {
        filters: Some(filters),
        account_config: RpcAccountInfoConfig {
            encoding: Some(solana_account_decoder::UiAccountEncoding::Base64),
            ..Default::default()
        },
        ..Default::default()
    };
    let all = client
        .get_program_ui_accounts_with_config(&io_compute::ID, config(vec![by_type.clone()]))
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let size = (8 + <Provider as anchor_lang::Space>::INIT_SPACE) as u64;
    let sized = client
        .get_program_ui_accounts_with_config(
            &io_compute::ID,
            config(vec![RpcFilterType::DataSize(size)]),
        )
        .await
        .unwrap();
    assert_eq!(sized.len(), 3, "providers by size");
    let none = client
        .get_program_ui_accounts_with_config(
            &io_compute::ID,
            config(vec![RpcFilterType::DataSize(size + 1)]),
        )
        .await
        .unwrap();
    assert!(none.is_empty());
    let beta = providers[1].pubkey();
    let one = client
        .get_program_ui_accounts_with_config(
            &io_compute::ID,
            config(vec![
                by_type,
                RpcFilterType::Memcmp(Memcmp::new_raw_bytes(8, beta.to_bytes().to_vec())),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].0, pda::provider(&beta));
    let account: solana_sdk::account::Account = one[0].1.decode().unwrap();
    let provider: Provider = io_compute_sdk::accounts::decode(&account.data).unwrap();
    assert_eq!(provider.name, "beta");

    // A failing instruction: the preflight error carries the program logs.
    let bad = funded(&client, 1).await;
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[ix::register_provider(bad.pubkey(), profile(""))],
        Some(&bad.pubkey()),
        &[&bad],
        blockhash,
    );
    let err = client.send_transaction(&tx).await.unwrap_err();
    let ErrorKind::RpcError(RpcError::RpcResponseError { code, data, .. }) = err.kind() else {
        panic!("unexpected error {err}");
    };
    assert_eq!(*code, -32002);
    let RpcResponseErrorData::SendTransactionPreflightFailure(simulation) = data else {
        panic!("no simulation in {data:?}");
    };
    let logs = simulation.logs.clone().unwrap();
    assert!(
        logs.iter()
            .any(|l| l.contains("Error Code: InvalidProviderName")),
        "{logs:#?}"
    );
    assert!(
        client
            .get_account(&pda::provider(&bad.pubkey()))
            .await
            .is_err(),
        "nothing was created"
    );
    localnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_rpc_error_paths() {
    let (localnet, _client) = start().await;
    let url = localnet.rpc_url();
    let call = |method: &str, params: Value| {
        json!({"jsonrpc": "2.0", "id": 9, "method": method, "params": params}).to_string()
    };

    // A browser app on another origin may call, as on an agave node.
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://127.0.0.1:8080")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,solana-client",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");

    let (_, body) = raw(&url, "{not json").await;
    assert_eq!(body["error"]["code"], -32700);
    assert_eq!(body["id"], Value::Null);
    let (_, body) = raw(&url, &call("getBlockProduction2", json!([]))).await;
    assert_eq!(body["error"]["code"], -32601);
    assert_eq!(body["id"], 9);
    for (method, params) in [
        ("getBalance", json!(["not-a-key"])),
        ("getBalance", json!([])),
        ("getAccountInfo", json!([42])),
        (
            "getMultipleAccounts",
            json!([vec![Pubkey::new_unique().to_string(); 101]]),
        ),
        ("sendTransaction", json!(["!!!"])),
        ("sendTransaction", json!([bs58_of(&[1, 2, 3])])),
        ("getSignatureStatuses", json!([["bad-signature"]])),
        (
            "getProgramAccounts",
            json!([Pubkey::new_unique().to_string(), {"filters": [{"memcmp": {"offset": 0, "bytes": "a".repeat(200)}}]}]),
        ),
        (
            "requestAirdrop",
            json!([Pubkey::new_unique().to_string(), 0]),
        ),
        (
            "requestAirdrop",
            json!([Pubkey::new_unique().to_string(), u64::MAX]),
        ),
        ("localnet_warpClock", json!([-5])),
        (
            "getSignaturesForAddress",
            json!([Pubkey::new_unique().to_string(), {"limit": 1001}]),
        ),
    ] {
        let (_, body) = raw(&url, &call(method, params.clone())).await;
        assert_eq!(body["error"]["code"], -32602, "{method} {params}: {body}");
    }
    for invalid in [
        json!({"id": 1, "method": "getSlot"}),
        json!({"jsonrpc": "2.0", "id": 1}),
        json!([]),
    ] {
        let (_, body) = raw(&url, &invalid.to_string()).await;
        assert_eq!(body["error"]["code"], -32600, "{invalid}: {body}");
    }
    // A batch answers every member, errors included, in order.
    let batch = format!(
        "[{},{}]",
        call("getHealth", json!([])),
        call("nope", json!([]))
    );
    let (_, body) = raw(&url, &batch).await;
    assert_eq!(body[0]["result"], "ok");
    assert_eq!(body[1]["error"]["code"], -32601);
    // Oversized bodies are refused before parsing.
    let (status, _) = raw(
        &url,
        &format!("[{}]", vec![call("getHealth", json!([])); 2_000].join(",")),
    )
    .await;
    assert_eq!(status, 413);
    // A forged signature never reaches the bank.
    let payer = Keypair::new();
    let mut tx = Transaction::new_with_payer(
        &[solana_system_interface::instruction::transfer(
            &payer.pubkey(),
            &Pubkey::new_unique(),
            1,
        )],
        Some(&payer.pubkey()),
    );
    tx.signatures = vec![Signature::from([3u8; 64])];
    let wire = base64_of(&bincode_of(&tx));
    let (_, body) = raw(
        &url,
        &call("sendTransaction", json!([wire, {"encoding": "base64"}])),
    )
    .await;
    assert_eq!(body["error"]["code"], -32003, "{body}");
    // Still serving after all of it.
    let (_, body) = raw(&url, &call("getHealth", json!([]))).await;
    assert_eq!(body["result"], "ok");
    localnet.shutdown().await;
}

fn bs58_of(bytes: &[u8]) -> String {
    bs58::encode(bytes).into_string()
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::prelude::BASE64_STANDARD.encode(bytes)
}

fn bincode_of(tx: &Transaction) -> Vec<u8> {
    bincode::serialize(tx).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_methods_warp_the_clock_and_set_accounts() {
    let (localnet, client) = start().await;
    let url = localnet.rpc_url();
    let clock = |account: solana_sdk::account::Account| -> solana_sdk::clock::Clock {
        bincode::deserialize(&account.data).unwrap()
    };
    let before = clock(
        client
            .get_account(&solana_sdk::sysvar::clock::ID)
            .await
            .unwrap(),
    )
    .unix_timestamp;
    let (_, body) = raw(
        &url,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "localnet_warpClock", "params": [86_400]})
            .to_string(),
    )
    .await;
    let warped = body["result"]["unixTimestamp"].as_i64().unwrap();
    assert!(warped >= before + 86_400, "{before} -> {warped}");
    let after = clock(
        client
            .get_account(&solana_sdk::sysvar::clock::ID)
            .await
            .unwrap(),
    )
    .unix_timestamp;
    assert!(after >= before + 86_400);

    let key = Pubkey::new_unique();
    let owner = Pubkey::new_unique();
    let params = json!([key.to_string(), {"lamports": 1_000_000, "owner": owner.to_string(), "data": [base64_of(&[1, 2, 3, 4]), "base64"]}]);
    let (_, body) = raw(
        &url,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "localnet_setAccount", "params": params})
            .to_string(),
    )
    .await;
    assert!(body["result"]["slot"].is_u64(), "{body}");
    let account = client.get_account(&key).await.unwrap();
    assert_eq!(
        (account.lamports, account.owner, account.data),
        (1_000_000, owner, vec![1, 2, 3, 4])
    );
    let found = client.get_program_accounts(&owner).await.unwrap();
    assert_eq!(found.len(), 1);
    localnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_with_ledger_keeps_balances_and_program_accounts() {
    let dir = std::env::temp_dir().join(format!("ioc-ledger-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = LocalnetConfig {
        rpc_port: 0,
        ledger: Some(dir.clone()),
        ..LocalnetConfig::default()
    };

    let localnet = Localnet::start(config.clone()).await.unwrap();
    let client = RpcClient::new_with_commitment(localnet.rpc_url(), CommitmentConfig::confirmed());
    let wallet = funded(&client, 3).await;
    send(
        &client,
        &[ix::register_provider(
            wallet.pubkey(),
            profile("persistent"),
        )],
        &wallet,
        &[],
    )
    .await;
    let balance = client.get_balance(&wallet.pubkey()).await.unwrap();
    let genesis_hash = client.get_genesis_hash().await.unwrap();
    let slot_before = client.get_slot().await.unwrap();
    localnet.shutdown().await;

    let localnet = Localnet::start(config.clone()).await.unwrap();
    assert!(localnet.accounts_restored >= 2);
    let client = RpcClient::new_with_commitment(localnet.rpc_url(), CommitmentConfig::confirmed());
    assert_eq!(client.get_balance(&wallet.pubkey()).await.unwrap(), balance);
    // The same chain goes on: a client that pins it by genesis hash, or
    // orders by slot, sees no restart.
    assert_eq!(client.get_genesis_hash().await.unwrap(), genesis_hash);
    let slot_after = client.get_slot().await.unwrap();
    assert!(
        slot_after > slot_before,
        "slot {slot_after} after the restart, {slot_before} before"
    );
    let provider: Provider = io_compute_sdk::accounts::decode(
        &client
            .get_account(&pda::provider(&wallet.pubkey()))
            .await
            .unwrap()
            .data,
    )
    .unwrap();
    assert_eq!(provider.name, "persistent");
    assert_eq!(
        client
            .get_program_accounts(&io_compute::ID)
            .await
            .unwrap()
            .len(),
        1,
        "restored accounts are indexed"
    );
    // The restored wallet can still transact.
    let transfer = solana_system_interface::instruction::transfer(
        &wallet.pubkey(),
        &Pubkey::new_unique(),
        1_000_000,
    );
    send(&client, &[transfer], &wallet, &[]).await;
    localnet.shutdown().await;

    let localnet = Localnet::start(LocalnetConfig {
        reset: true,
        ..config
    })
    .await
    .unwrap();
    assert_eq!(localnet.accounts_restored, 0);
    let client = RpcClient::new(localnet.rpc_url());
    assert_eq!(
        client.get_balance(&wallet.pubkey()).await.unwrap(),
        0,
        "--reset starts fresh"
    );
    localnet.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genesis_has_the_program_and_the_spl_programs() {
    let (localnet, client) = start().await;
    for (name, key) in [
        ("io-compute", io_compute::ID.to_string()),
        (
            "SPL Token",
            "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA".to_string(),
        ),
        (
            "Token-2022",
            "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb".to_string(),
        ),
        (
            "Associated Token Account",
            "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL".to_string(),
        ),
        (
            "Memo",
            "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr".to_string(),
        ),
    ] {
        let account = client
            .get_account(&key.parse().unwrap())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(account.executable, "{name} is not executable");
    }
    let version = client.get_version().await.unwrap();
    assert_eq!(version.solana_core, "3.1.12");
    let info = client.get_epoch_info().await.unwrap();
    assert!(info.absolute_slot > 0 || info.block_height == 0);
    assert_eq!(
        client.get_genesis_hash().await.unwrap(),
        client.get_genesis_hash().await.unwrap()
    );
    localnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulation_fees_blockhashes_and_account_slices() {
    use solana_rpc_client_api::config::RpcSimulateTransactionConfig;
    let (localnet, client) = start().await;
    let url = localnet.rpc_url();
    let payer = funded(&client, 2).await;

    // Return data and metered units from an SBF program (SPL Token).
    let mint = create_mint(&client, &payer, 0).await;
    let token = spl_token_interface::ID;
    let size_ix =
        spl_token_interface::instruction::get_account_data_size(&token, &mint.pubkey()).unwrap();
    let stale = solana_sdk::hash::Hash::new_from_array([9; 32]);
    let tx =
        Transaction::new_signed_with_payer(&[size_ix], Some(&payer.pubkey()), &[&payer], stale);
    let config = RpcSimulateTransactionConfig {
        replace_recent_blockhash: true,
        ..Default::default()
    };
    let result = client
        .simulate_transaction_with_config(&tx, config)
        .await
        .unwrap()
        .value;
    assert_eq!(result.err, None, "{result:?}");
    assert!(result.units_consumed.unwrap() > 0);
    let return_data = result.return_data.unwrap();
    assert_eq!(return_data.program_id, token.to_string());
    let bytes =
        base64::Engine::decode(&base64::prelude::BASE64_STANDARD, &return_data.data.0).unwrap();
    assert_eq!(bytes, 165u64.to_le_bytes(), "a token account is 165 bytes");
    let replacement = result.replacement_blockhash.unwrap();
    assert_ne!(replacement.blockhash, stale.to_string());
    // Without the replacement the stale blockhash is refused.
    let plain = client.simulate_transaction(&tx).await.unwrap().value;
    assert_eq!(
        plain.err,
        Some(solana_sdk::transaction::TransactionError::BlockhashNotFound.into())
    );

    // sigVerify rejects a forged signature; it may not be combined with replacement.
    let mut forged = tx.clone();
    forged.signatures[0] = Signature::from([1u8; 64]);
    let call = |config: Value| {
        let wire = base64_of(&bincode_of(&forged));
        json!({"jsonrpc": "2.0", "id": 1, "method": "simulateTransaction", "params": [wire, config]}).to_string()
    };
    let (_, body) = raw(
        &url,
        &call(json!({"encoding": "base64", "sigVerify": true})),
    )
    .await;
    assert_eq!(body["error"]["code"], -32003, "{body}");
    let (_, body) = raw(
        &url,
        &call(json!({"encoding": "base64", "sigVerify": true, "replaceRecentBlockhash": true})),
    )
    .await;
    assert_eq!(body["error"]["code"], -32602, "{body}");

    // Blockhash validity and fees.
    let latest = client.get_latest_blockhash().await.unwrap();
    assert!(client
        .is_blockhash_valid(&latest, CommitmentConfig::confirmed())
        .await
        .unwrap());
    assert!(!client
        .is_blockhash_valid(&stale, CommitmentConfig::confirmed())
        .await
        .unwrap());
    let message = solana_sdk::message::Message::new_with_blockhash(
        &[solana_system_interface::instruction::transfer(
            &payer.pubkey(),
            &mint.pubkey(),
            1,
        )],
        Some(&payer.pubkey()),
        &latest,
    );
    assert_eq!(client.get_fee_for_message(&message).await.unwrap(), FEE);
    let fees = client.get_recent_prioritization_fees(&[]).await.unwrap();
    assert_eq!(fees.len(), 1);

    // getMultipleAccounts with a data slice: bytes 44..46 of the mint are
    // its decimals (0) and is_initialized (1).
    let params = json!([[mint.pubkey().to_string(), Pubkey::new_unique().to_string()], {"encoding": "base64", "dataSlice": {"offset": 44, "length": 2}}]);
    let (_, body) = raw(
        &url,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "getMultipleAccounts", "params": params})
            .to_string(),
    )
    .await;
    let values = body["result"]["value"].as_array().unwrap();
    assert_eq!(values[0]["data"], json!([base64_of(&[0, 1]), "base64"]));
    assert_eq!(values[0]["space"], 82);
    assert_eq!(values[1], Value::Null);
    localnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_after_shutdown_fail_instead_of_hanging() {
    let (localnet, _client) = start().await;
    let bank = localnet.bank().clone();
    assert!(bank.info().await.is_ok());
    localnet.shutdown().await;
    let err = bank.info().await.unwrap_err();
    assert!(matches!(err, localnet::bank::BankStopped::Stopped), "{err}");
}
