//! PubSub over WebSocket: every subscription kind, with a real client.

use futures_util::{SinkExt, StreamExt};
use io_compute::state::ProviderProfile;
use io_compute_sdk::{ix, pda};
use localnet::{Localnet, LocalnetConfig};
use serde_json::{json, Value};
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_sdk::{
    native_token::LAMPORTS_PER_SOL, pubkey::Pubkey, signature::Keypair, signer::Signer,
    transaction::Transaction,
};
use std::time::Duration;
use tokio_tungstenite::{connect_async, tungstenite::Message, MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn start() -> (Localnet, RpcClient, Ws) {
    let localnet = Localnet::start(LocalnetConfig {
        rpc_port: 0,
        ..LocalnetConfig::default()
    })
    .await
    .unwrap();
    let client = RpcClient::new_with_commitment(localnet.rpc_url(), CommitmentConfig::confirmed());
    let (ws, _) = connect_async(localnet.ws_url()).await.unwrap();
    (localnet, client, ws)
}

async fn request(ws: &mut Ws, id: u64, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    ws.send(Message::Text(body.to_string().into()))
        .await
        .unwrap();
    loop {
        let message = next(ws).await;
        if message["id"] == id {
            return message;
        }
    }
}

/// The next JSON message, within 10 seconds.
async fn next(ws: &mut Ws) -> Value {
    let deadline = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str::<Value>(&text).unwrap()
                }
                Some(Ok(_)) => continue,
                other => panic!("socket ended: {other:?}"),
            }
        }
    });
    deadline.await.expect("no message within 10 s")
}

/// The next notification of `method`, skipping others (slots tick meanwhile).
async fn notification(ws: &mut Ws, method: &str) -> Value {
    for _ in 0..200 {
        let message = next(ws).await;
        if message["method"] == method {
            return message;
        }
    }
    panic!("no {method}");
}

async fn subscribe(ws: &mut Ws, id: u64, method: &str, params: Value) -> u64 {
    let reply = request(ws, id, method, params).await;
    reply["result"]
        .as_u64()
        .unwrap_or_else(|| panic!("{method}: {reply}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_account_and_logs_notifications() {
    let (localnet, client, mut ws) = start().await;
    let payer = Keypair::new();
    let airdrop = client
        .request_airdrop(&payer.pubkey(), 2 * LAMPORTS_PER_SOL)
        .await
        .unwrap();
    // Subscribing to a signature that already landed answers at once.
    let sub = subscribe(
        &mut ws,
        1,
        "signatureSubscribe",
        json!([airdrop.to_string()]),
    )
    .await;
    let done = notification(&mut ws, "signatureNotification").await;
    assert_eq!(done["params"]["subscription"], sub);
    assert_eq!(done["params"]["result"]["value"]["err"], Value::Null);

    let recipient = Pubkey::new_unique();
    let account_sub = subscribe(
        &mut ws,
        2,
        "accountSubscribe",
        json!([recipient.to_string(), {"encoding": "base64"}]),
    )
    .await;
    let logs_sub = subscribe(
        &mut ws,
        3,
        "logsSubscribe",
        json!([{"mentions": [recipient.to_string()]}, {}]),
    )
    .await;
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[solana_system_interface::instruction::transfer(
            &payer.pubkey(),
            &recipient,
            1_000_000,
        )],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    let signature = tx.signatures[0];
    let sig_sub = subscribe(
        &mut ws,
        4,
        "signatureSubscribe",
        json!([signature.to_string(), {"commitment": "confirmed"}]),
    )
    .await;
    client.send_transaction(&tx).await.unwrap();

    let mut seen = (false, false, false);
    while seen != (true, true, true) {
        let message = next(&mut ws).await;
        let sub = message["params"]["subscription"].as_u64();
        match message["method"].as_str() {
            Some("signatureNotification") if sub == Some(sig_sub) => {
                assert_eq!(message["params"]["result"]["value"]["err"], Value::Null);
                seen.0 = true;
            }
            Some("accountNotification") if sub == Some(account_sub) => {
                assert_eq!(message["params"]["result"]["value"]["lamports"], 1_000_000);
                assert_eq!(
                    message["params"]["result"]["value"]["owner"],
                    "11111111111111111111111111111111"
                );
                seen.1 = true;
            }
            Some("logsNotification") if sub == Some(logs_sub) => {
                let value = &message["params"]["result"]["value"];
                assert_eq!(value["signature"], signature.to_string());
                assert_eq!(value["err"], Value::Null);
                assert!(value["logs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l == "Program 11111111111111111111111111111111 success"));
                seen.2 = true;
            }
            _ => {}
        }
    }
    // The signature subscription ended with its notification.
    let reply = request(&mut ws, 5, "signatureUnsubscribe", json!([sig_sub])).await;
    assert_eq!(reply["error"]["code"], -32602);
    let reply = request(&mut ws, 6, "accountUnsubscribe", json!([account_sub])).await;
    assert_eq!(reply["result"], true);
    localnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn program_and_slot_notifications_and_errors() {
    let (localnet, client, mut ws) = start().await;
    let slot_sub = subscribe(&mut ws, 1, "slotSubscribe", json!([])).await;
    let first = notification(&mut ws, "slotNotification").await;
    let second = notification(&mut ws, "slotNotification").await;
    assert_eq!(first["params"]["subscription"], slot_sub);
    let (a, b) = (
        first["params"]["result"]["slot"].as_u64().unwrap(),
        second["params"]["result"]["slot"].as_u64().unwrap(),
    );
    assert!(b > a, "slots advance: {a} then {b}");
    assert_eq!(
        second["params"]["result"]["parent"].as_u64().unwrap(),
        b - 1
    );
    assert_eq!(
        request(&mut ws, 2, "slotUnsubscribe", json!([slot_sub])).await["result"],
        true
    );

    let program_sub = subscribe(
        &mut ws,
        3,
        "programSubscribe",
        json!([io_compute::ID.to_string(), {"encoding": "base64"}]),
    )
    .await;
    let owner = Keypair::new();
    let airdrop = client
        .request_airdrop(&owner.pubkey(), LAMPORTS_PER_SOL)
        .await
        .unwrap();
    client.poll_for_signature(&airdrop).await.unwrap();
    let profile = ProviderProfile {
        name: "ws".into(),
        region: "us-west".into(),
        endpoint: "https://ws.example".into(),
        co_stake_share_bps: 0,
    };
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[ix::register_provider(owner.pubkey(), profile)],
        Some(&owner.pubkey()),
        &[&owner],
        blockhash,
    );
    client.send_and_confirm_transaction(&tx).await.unwrap();
    let message = notification(&mut ws, "programNotification").await;
    assert_eq!(message["params"]["subscription"], program_sub);
    assert_eq!(
        message["params"]["result"]["value"]["pubkey"],
        pda::provider(&owner.pubkey()).to_string()
    );
    assert_eq!(
        message["params"]["result"]["value"]["account"]["owner"],
        io_compute::ID.to_string()
    );

    assert_eq!(
        request(&mut ws, 4, "blockSubscribe", json!([])).await["error"]["code"],
        -32601
    );
    assert_eq!(
        request(&mut ws, 5, "accountSubscribe", json!(["nope"])).await["error"]["code"],
        -32602
    );
    assert_eq!(
        request(&mut ws, 6, "logsSubscribe", json!([{"mentions": []}])).await["error"]["code"],
        -32602
    );
    assert_eq!(
        request(&mut ws, 7, "programUnsubscribe", json!([999_999])).await["error"]["code"],
        -32602
    );
    ws.send(Message::Text("{broken".into())).await.unwrap();
    assert_eq!(next(&mut ws).await["error"]["code"], -32700);
    localnet.shutdown().await;
}
