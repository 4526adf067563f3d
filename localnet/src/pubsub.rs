//! Solana PubSub over WebSocket: signature, account, program, logs and slot
//! subscriptions, with the message shapes of a real node.

use crate::bank::{BankHandle, Notification};
use axum::{
    extract::{
        ws::{Message, WebSocket},
        State, WebSocketUpgrade,
    },
    response::Response,
    routing::any,
    Router,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use solana_account_decoder::{encode_ui_account, UiAccountEncoding};
use solana_rpc_client_api::{
    config::{RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcTransactionLogsFilter},
    filter::RpcFilterType,
    response::{RpcLogsResponse, RpcResponseContext},
};
use solana_sdk::{account::Account, pubkey::Pubkey, signature::Signature};
use std::{
    collections::HashMap,
    str::FromStr,
    sync::atomic::{AtomicU64, Ordering},
};
use tokio::sync::broadcast::error::RecvError;

static NEXT_SUBSCRIPTION: AtomicU64 = AtomicU64::new(1);

pub fn router(bank: BankHandle) -> Router {
    Router::new().route("/", any(upgrade)).with_state(bank)
}

async fn upgrade(State(bank): State<BankHandle>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(64 * 1024)
        .on_upgrade(move |socket| serve(socket, bank))
}

enum Subscription {
    Signature(Signature),
    Account {
        pubkey: Pubkey,
        encoding: UiAccountEncoding,
    },
    Program {
        program: Pubkey,
        filters: Vec<RpcFilterType>,
        encoding: UiAccountEncoding,
    },
    Logs(RpcTransactionLogsFilter),
    Slot,
}

impl Subscription {
    fn kind(&self) -> &'static str {
        match self {
            Subscription::Signature(_) => "signature",
            Subscription::Account { .. } => "account",
            Subscription::Program { .. } => "program",
            Subscription::Logs(_) => "logs",
            Subscription::Slot => "slot",
        }
    }
}

async fn serve(socket: WebSocket, bank: BankHandle) {
    let (mut sink, mut stream) = socket.split();
    let mut notifications = bank.subscribe();
    let mut subscriptions: HashMap<u64, Subscription> = HashMap::new();
    loop {
        let outgoing: Vec<Value> = tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => request(&bank, &mut subscriptions, text.as_str()).await,
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_))) => vec![],
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            },
            notification = notifications.recv() => match notification {
                Ok(notification) => notify(&mut subscriptions, &notification),
                // A slow client misses notifications rather than slowing the bank.
                Err(RecvError::Lagged(_)) => vec![],
                Err(RecvError::Closed) => break,
            },
        };
        for message in outgoing {
            if sink
                .send(Message::Text(message.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id })
}

fn param<T: serde::de::DeserializeOwned + Default>(
    params: &[Value],
    index: usize,
) -> Result<T, String> {
    match params.get(index) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(value) => serde_json::from_value(value.clone()).map_err(|e| e.to_string()),
    }
}

fn parse<T: FromStr>(params: &[Value], index: usize, what: &str) -> Result<T, String> {
    params
        .get(index)
        .and_then(Value::as_str)
        .and_then(|s| T::from_str(s).ok())
        .ok_or_else(|| format!("Invalid params: expected a {what}"))
}

async fn request(
    bank: &BankHandle,
    subscriptions: &mut HashMap<u64, Subscription>,
    text: &str,
) -> Vec<Value> {
    let Ok(request) = serde_json::from_str::<Value>(text) else {
        return vec![error(Value::Null, -32700, "Parse error")];
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        return vec![error(id, -32600, "Invalid request")];
    };
    let params = request
        .get("params")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();

    if let Some(kind) = method.strip_suffix("Unsubscribe") {
        let removed = params
            .first()
            .and_then(Value::as_u64)
            .and_then(|sub| {
                subscriptions
                    .get(&sub)
                    .filter(|s| s.kind() == kind)
                    .map(|_| sub)
            })
            .and_then(|sub| subscriptions.remove(&sub));
        return match removed {
            Some(_) => vec![json!({ "jsonrpc": "2.0", "result": true, "id": id })],
            None => vec![error(id, -32602, "Invalid subscription id.")],
        };
    }

    let subscription = match subscription(method, &params) {
        Ok(Some(subscription)) => subscription,
        Ok(None) => return vec![error(id, -32601, "Method not found")],
        Err(message) => return vec![error(id, -32602, &message)],
    };
    let sub_id = NEXT_SUBSCRIPTION.fetch_add(1, Ordering::Relaxed);
    let mut out = vec![json!({ "jsonrpc": "2.0", "result": sub_id, "id": id })];
    // A signature already processed is reported at once, then the
    // subscription ends, as on a real node.
    if let Subscription::Signature(signature) = &subscription {
        if let Ok((slot, statuses)) = bank.statuses(vec![*signature]).await {
            if let Some(Some((_, err))) = statuses.into_iter().next() {
                out.push(signature_notification(sub_id, slot, err));
                return out;
            }
        }
    }
    subscriptions.insert(sub_id, subscription);
    out
}

fn subscription(method: &str, params: &[Value]) -> Result<Option<Subscription>, String> {
    Ok(Some(match method {
        "signatureSubscribe" => Subscription::Signature(parse(params, 0, "signature")?),
        "accountSubscribe" => {
            let config: RpcAccountInfoConfig = param(params, 1)?;
            Subscription::Account {
                pubkey: parse(params, 0, "pubkey")?,
                encoding: config.encoding.unwrap_or(UiAccountEncoding::Binary),
            }
        }
        "programSubscribe" => {
            let config: RpcProgramAccountsConfig = param(params, 1)?;
            let filters = config.filters.unwrap_or_default();
            for filter in &filters {
                filter
                    .verify()
                    .map_err(|e| format!("Invalid params: {e}"))?;
            }
            Subscription::Program {
                program: parse(params, 0, "pubkey")?,
                filters,
                encoding: config
                    .account_config
                    .encoding
                    .unwrap_or(UiAccountEncoding::Binary),
            }
        }
        "logsSubscribe" => {
            let filter = match params.first() {
                Some(Value::String(s)) if s == "all" => RpcTransactionLogsFilter::All,
                Some(Value::String(s)) if s == "allWithVotes" => {
                    RpcTransactionLogsFilter::AllWithVotes
                }
                Some(value) => serde_json::from_value(value.clone())
                    .map_err(|e| format!("Invalid params: {e}"))?,
                None => return Err("Invalid params: expected a logs filter".into()),
            };
            if let RpcTransactionLogsFilter::Mentions(keys) = &filter {
                if keys.len() != 1 || Pubkey::from_str(&keys[0]).is_err() {
                    return Err("Invalid params: mentions takes exactly one pubkey".into());
                }
            }
            Subscription::Logs(filter)
        }
        "slotSubscribe" => Subscription::Slot,
        _ => return Ok(None),
    }))
}

fn context(slot: u64) -> Value {
    serde_json::to_value(RpcResponseContext::new(slot)).unwrap_or(Value::Null)
}

fn message(method: &str, subscription: u64, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": { "result": result, "subscription": subscription } })
}

fn signature_notification(
    sub: u64,
    slot: u64,
    err: Option<solana_sdk::transaction::TransactionError>,
) -> Value {
    let err = err.map(solana_transaction_status_client_types::UiTransactionError::from);
    message(
        "signatureNotification",
        sub,
        json!({ "context": context(slot), "value": { "err": err } }),
    )
}

fn encode(pubkey: &Pubkey, account: &Account, encoding: UiAccountEncoding) -> Value {
    serde_json::to_value(encode_ui_account(pubkey, account, encoding, None, None))
        .unwrap_or(Value::Null)
}

fn notify(
    subscriptions: &mut HashMap<u64, Subscription>,
    notification: &Notification,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut finished = Vec::new();
    for (sub, subscription) in subscriptions.iter() {
        match (subscription, notification) {
            (
                Subscription::Signature(wanted),
                Notification::Transaction {
                    signature,
                    slot,
                    err,
                    ..
                },
            ) if wanted == signature => {
                out.push(signature_notification(*sub, *slot, err.clone()));
                finished.push(*sub);
            }
            (
                Subscription::Account {
                    pubkey: wanted,
                    encoding,
                },
                Notification::Account {
                    pubkey,
                    slot,
                    account,
                },
            ) if wanted == pubkey => {
                out.push(message(
                    "accountNotification",
                    *sub,
                    json!({ "context": context(*slot), "value": encode(pubkey, account, *encoding) }),
                ));
            }
            (
                Subscription::Program {
                    program,
                    filters,
                    encoding,
                },
                Notification::Account {
                    pubkey,
                    slot,
                    account,
                },
            ) if account.owner == *program
                && filters
                    .iter()
                    .all(|f| crate::bank::filter_allows(f, account)) =>
            {
                out.push(message(
                    "programNotification",
                    *sub,
                    json!({
                        "context": context(*slot),
                        "value": { "pubkey": pubkey.to_string(), "account": encode(pubkey, account, *encoding) },
                    }),
                ));
            }
            (
                Subscription::Logs(filter),
                Notification::Transaction {
                    signature,
                    slot,
                    err,
                    logs,
                    mentions,
                },
            ) => {
                let wanted = match filter {
                    RpcTransactionLogsFilter::All | RpcTransactionLogsFilter::AllWithVotes => true,
                    RpcTransactionLogsFilter::Mentions(keys) => keys
                        .first()
                        .and_then(|k| Pubkey::from_str(k).ok())
                        .is_some_and(|k| mentions.contains(&k)),
                };
                if wanted {
                    let value = RpcLogsResponse {
                        signature: signature.to_string(),
                        err: err.clone().map(Into::into),
                        logs: logs.clone(),
                    };
                    out.push(message(
                        "logsNotification",
                        *sub,
                        json!({ "context": context(*slot), "value": value }),
                    ));
                }
            }
            (Subscription::Slot, Notification::Slot { slot, parent, root }) => {
                out.push(message(
                    "slotNotification",
                    *sub,
                    json!({ "parent": parent, "root": root, "slot": slot }),
                ));
            }
            _ => {}
        }
    }
    for sub in finished {
        subscriptions.remove(&sub);
    }
    out
}
