//! Solana JSON-RPC over HTTP, answered from the bank owner task. Request and
//! response shapes are agave's own types, so that `RpcClient`,
//! `@solana/web3.js` and the `solana` CLI work unchanged.

use crate::bank::{
    self, BankHandle, BankStopped, Block, BlockMissing, SendError, Simulation, TxRecord,
};
use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    routing::{get, post},
    Json, Router,
};
use base64::{prelude::BASE64_STANDARD, Engine};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use solana_account_decoder::{
    encode_ui_account,
    parse_account_data::{AccountAdditionalDataV3, SplTokenAdditionalDataV2},
    parse_token::token_amount_to_ui_amount_v3,
    UiAccountEncoding, UiDataSliceConfig,
};
use solana_rpc_client_api::{
    config::{
        RpcAccountInfoConfig, RpcBlockConfig, RpcProgramAccountsConfig, RpcRequestAirdropConfig,
        RpcSendTransactionConfig, RpcSignaturesForAddressConfig, RpcSimulateTransactionConfig,
        RpcTokenAccountsFilter, RpcTransactionConfig,
    },
    custom_error::{
        JSON_RPC_SERVER_ERROR_BLOCK_CLEANED_UP, JSON_RPC_SERVER_ERROR_BLOCK_NOT_AVAILABLE,
        JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
        JSON_RPC_SERVER_ERROR_SLOT_SKIPPED,
        JSON_RPC_SERVER_ERROR_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
        JSON_RPC_SERVER_ERROR_UNSUPPORTED_TRANSACTION_VERSION,
    },
    filter::{Memcmp, RpcFilterType},
    response::{
        Response, RpcBlockhash, RpcConfirmedTransactionStatusWithSignature, RpcKeyedAccount,
        RpcPrioritizationFee, RpcResponseContext, RpcSimulateTransactionResult,
        RpcTokenAccountBalance, RpcVersionInfo,
    },
};
use solana_sdk::{
    account::Account,
    clock::Slot,
    hash::Hash,
    message::VersionedMessage,
    pubkey::Pubkey,
    signature::Signature,
    transaction::{TransactionVersion, VersionedTransaction},
};
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction,
    EncodedTransactionWithStatusMeta, ParsedAccount, ParsedAccountSource,
    TransactionBinaryEncoding, TransactionConfirmationStatus, TransactionDetails,
    TransactionStatus, UiCompiledInstruction, UiConfirmedBlock, UiInstruction, UiMessage,
    UiParsedInstruction, UiParsedMessage, UiPartiallyDecodedInstruction, UiRawMessage,
    UiTransaction, UiTransactionEncoding,
};
use std::str::FromStr;

/// Solana's own limit on a JSON-RPC request body.
pub const MAX_REQUEST_BODY: usize = 50 * 1024;
/// Largest serialized transaction (one packet).
const PACKET_DATA_SIZE: usize = 1232;
const MAX_MULTIPLE_ACCOUNTS: usize = 100;
const MAX_SIGNATURE_STATUSES: usize = 256;
const MAX_SIGNATURES_FOR_ADDRESS: usize = 1000;

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;

#[derive(Clone)]
pub struct RpcState {
    pub bank: BankHandle,
}

pub fn router(state: RpcState) -> Router {
    Router::new()
        .route("/", post(handle))
        .route("/health", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY))
        .with_state(state)
}

#[derive(Debug)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }
    fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }
    fn method_not_found() -> Self {
        Self::new(METHOD_NOT_FOUND, "Method not found")
    }
}

impl From<BankStopped> for RpcError {
    fn from(err: BankStopped) -> Self {
        Self::new(INTERNAL_ERROR, err.to_string())
    }
}

type RpcResult = Result<Value, RpcError>;

async fn handle(State(state): State<RpcState>, body: Bytes) -> Json<Value> {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(_) => {
            return Json(error_response(
                Value::Null,
                RpcError::new(PARSE_ERROR, "Parse error"),
            ))
        }
    };
    match request {
        Value::Array(batch) if batch.is_empty() => Json(error_response(
            Value::Null,
            RpcError::new(INVALID_REQUEST, "Invalid request"),
        )),
        Value::Array(batch) => {
            let mut out = Vec::with_capacity(batch.len());
            for item in batch {
                out.push(handle_one(&state, item).await);
            }
            Json(Value::Array(out))
        }
        single => Json(handle_one(&state, single).await),
    }
}

fn error_response(id: Value, error: RpcError) -> Value {
    let mut body = json!({ "code": error.code, "message": error.message });
    if let Some(data) = error.data {
        body["data"] = data;
    }
    json!({ "jsonrpc": "2.0", "error": body, "id": id })
}

async fn handle_one(state: &RpcState, request: Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let valid_id = matches!(id, Value::Null | Value::Number(_) | Value::String(_));
    let method = request.get("method").and_then(Value::as_str);
    let (Some(method), true, Some("2.0")) = (
        method,
        valid_id,
        request.get("jsonrpc").and_then(Value::as_str),
    ) else {
        return error_response(id, RpcError::new(INVALID_REQUEST, "Invalid request"));
    };
    let params = match request.get("params") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(params)) => params.clone(),
        Some(_) => {
            return error_response(
                id,
                RpcError::invalid_params("Invalid params: expected an array"),
            )
        }
    };
    match dispatch(state, method, params).await {
        Ok(result) => json!({ "jsonrpc": "2.0", "result": result, "id": id }),
        Err(error) => error_response(id, error),
    }
}

// ---- parameters -----------------------------------------------------------

fn param<T: DeserializeOwned>(params: &[Value], index: usize, name: &str) -> Result<T, RpcError> {
    let value = params
        .get(index)
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid params: missing {name}")))?;
    serde_json::from_value(value.clone())
        .map_err(|e| RpcError::invalid_params(format!("Invalid params: {name}: {e}")))
}

fn optional<T: DeserializeOwned + Default>(
    params: &[Value],
    index: usize,
    name: &str,
) -> Result<T, RpcError> {
    match params.get(index) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(_) => param(params, index, name),
    }
}

fn pubkey(params: &[Value], index: usize) -> Result<Pubkey, RpcError> {
    parse_pubkey(&param::<String>(params, index, "pubkey")?)
}

fn parse_pubkey(text: &str) -> Result<Pubkey, RpcError> {
    Pubkey::from_str(text)
        .map_err(|_| RpcError::invalid_params(format!("Invalid param: Invalid pubkey {text}")))
}

fn parse_signature(text: &str) -> Result<Signature, RpcError> {
    Signature::from_str(text)
        .map_err(|_| RpcError::invalid_params(format!("Invalid param: Invalid signature {text}")))
}

fn decode_wire(encoded: &str, encoding: UiTransactionEncoding) -> Result<Vec<u8>, RpcError> {
    let bytes = match encoding {
        UiTransactionEncoding::Base58 => {
            bs58::decode(encoded).into_vec().map_err(|e| e.to_string())
        }
        UiTransactionEncoding::Base64 => BASE64_STANDARD.decode(encoded).map_err(|e| e.to_string()),
        other => Err(format!(
            "unsupported encoding: {other}. Supported encodings: base58, base64"
        )),
    }
    .map_err(|e| RpcError::invalid_params(format!("invalid transaction: {e}")))?;
    if bytes.len() > PACKET_DATA_SIZE {
        return Err(RpcError::invalid_params(format!(
            "encoded transaction too large: {} bytes (max: {PACKET_DATA_SIZE} bytes)",
            bytes.len()
        )));
    }
    Ok(bytes)
}

fn decode_transaction(
    encoded: &str,
    encoding: UiTransactionEncoding,
) -> Result<VersionedTransaction, RpcError> {
    let bytes = decode_wire(encoded, encoding)?;
    bincode::deserialize(&bytes)
        .map_err(|e| RpcError::invalid_params(format!("failed to deserialize transaction: {e}")))
}

fn context(slot: Slot) -> RpcResponseContext {
    RpcResponseContext::new(slot)
}

fn with_context<T: serde::Serialize>(slot: Slot, value: T) -> RpcResult {
    to_value(Response {
        context: context(slot),
        value,
    })
}

fn to_value<T: serde::Serialize>(value: T) -> RpcResult {
    serde_json::to_value(value).map_err(|e| RpcError::new(INTERNAL_ERROR, e.to_string()))
}

fn encoding_of(config: &RpcAccountInfoConfig, default: UiAccountEncoding) -> UiAccountEncoding {
    config.encoding.unwrap_or(default)
}

// ---- dispatch -------------------------------------------------------------

mod accounts;
mod accounts_scan;
mod bank_methods;
mod dev;
mod full;
mod minimal;

/// Each group answers its own methods (agave's RPC modules) and
/// `MethodNotFound` for the rest; the first group that knows the method
/// answers it.
async fn dispatch(state: &RpcState, method: &str, p: Vec<Value>) -> RpcResult {
    let (bank, p) = (&state.bank, &p[..]);
    macro_rules! ask {
        ($group:ident) => {
            match $group::call(bank, method, p).await {
                Err(e) if e.code == METHOD_NOT_FOUND => {}
                answer => return answer,
            }
        };
    }
    ask!(minimal);
    ask!(bank_methods);
    ask!(accounts);
    ask!(accounts_scan);
    ask!(full);
    ask!(dev);
    Err(RpcError::method_not_found())
}

/// An account in the requested encoding (jsonParsed token accounts carry
/// their mint's decimals).
async fn encode(
    bank: &BankHandle,
    key: &Pubkey,
    account: &Account,
    config: &RpcAccountInfoConfig,
    default: UiAccountEncoding,
) -> Result<solana_account_decoder::UiAccount, RpcError> {
    let encoding = encoding_of(config, default);
    let slice: Option<UiDataSliceConfig> = config.data_slice;
    if matches!(
        encoding,
        UiAccountEncoding::Binary | UiAccountEncoding::Base58
    ) && slice.map_or(account.data.len(), |s| s.length.min(account.data.len())) > 128
    {
        return Err(RpcError::invalid_params(
            "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
        ));
    }
    let additional = match (encoding, bank::token_account_fields(account)) {
        (UiAccountEncoding::JsonParsed, Some((mint, _, _))) => mint_decimals(bank, &mint)
            .await?
            .map(|decimals| AccountAdditionalDataV3 {
                spl_token_additional_data: Some(SplTokenAdditionalDataV2::with_decimals(decimals)),
            }),
        _ => None,
    };
    Ok(encode_ui_account(key, account, encoding, additional, slice))
}

async fn mint_decimals(bank: &BankHandle, mint: &Pubkey) -> Result<Option<u8>, RpcError> {
    let (_, accounts) = bank.accounts(vec![*mint]).await?;
    Ok(accounts[0].as_ref().and_then(bank::mint_decimals))
}
