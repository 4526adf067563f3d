//! Solana JSON-RPC over HTTP, answered from the bank owner task. Request and
//! response shapes are agave's own types, so that `RpcClient`,
//! `@solana/web3.js` and the `solana` CLI work unchanged.

use crate::bank::{self, BankHandle, BankStopped, SendError, Simulation, TxRecord};
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
        RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcRequestAirdropConfig,
        RpcSendTransactionConfig, RpcSignaturesForAddressConfig, RpcSimulateTransactionConfig,
        RpcTokenAccountsFilter, RpcTransactionConfig,
    },
    custom_error::{
        JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
        JSON_RPC_SERVER_ERROR_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
    },
    filter::{Memcmp, RpcFilterType},
    response::{
        Response, RpcBlockhash, RpcConfirmedTransactionStatusWithSignature, RpcKeyedAccount,
        RpcPrioritizationFee, RpcResponseContext, RpcSimulateTransactionResult, RpcVersionInfo,
    },
};
use solana_sdk::{
    account::Account, clock::Slot, hash::Hash, message::VersionedMessage, pubkey::Pubkey,
    signature::Signature, transaction::VersionedTransaction,
};
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction,
    EncodedTransactionWithStatusMeta, TransactionBinaryEncoding, TransactionConfirmationStatus,
    TransactionStatus, UiCompiledInstruction, UiMessage, UiRawMessage, UiTransaction,
    UiTransactionEncoding,
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

async fn dispatch(state: &RpcState, method: &str, p: Vec<Value>) -> RpcResult {
    let bank = &state.bank;
    match method {
        "getVersion" => to_value(RpcVersionInfo {
            solana_core: solana_version_string(),
            feature_set: None,
        }),
        "getHealth" => Ok(json!("ok")),
        "getGenesisHash" => Ok(json!(bank.info().await?.genesis_hash.to_string())),
        "getIdentity" => Ok(json!({ "identity": bank.info().await?.identity.to_string() })),
        "getSlot" => Ok(json!(bank.info().await?.slot)),
        "getBlockHeight" => Ok(json!(bank.info().await?.block_height)),
        "getEpochInfo" => to_value(bank.info().await?.epoch_info),
        "getLatestBlockhash" => {
            let info = bank.info().await?;
            with_context(
                info.slot,
                RpcBlockhash {
                    blockhash: info.blockhash.to_string(),
                    last_valid_block_height: info.last_valid_block_height,
                },
            )
        }
        "isBlockhashValid" => {
            let hash: String = param(&p, 0, "blockhash")?;
            let hash = Hash::from_str(&hash)
                .map_err(|_| RpcError::invalid_params("Invalid param: Invalid blockhash"))?;
            let (slot, valid) = bank.is_blockhash_valid(hash).await?;
            with_context(slot, valid)
        }
        "getFeeForMessage" => {
            let encoded: String = param(&p, 0, "message")?;
            let bytes = decode_wire(&encoded, UiTransactionEncoding::Base64)?;
            let message: VersionedMessage = bincode::deserialize(&bytes)
                .map_err(|e| RpcError::invalid_params(format!("invalid message: {e}")))?;
            let (slot, fee) = bank.fee_for_message(message).await?;
            with_context(slot, fee)
        }
        "getRecentPrioritizationFees" => {
            let slot = bank.info().await?.slot;
            to_value(vec![RpcPrioritizationFee {
                slot,
                prioritization_fee: 0,
            }])
        }
        "getMinimumBalanceForRentExemption" => {
            let len: usize = param(&p, 0, "data length")?;
            if len > 10 * 1024 * 1024 {
                return Err(RpcError::invalid_params(
                    "Invalid param: data length exceeds 10 MiB",
                ));
            }
            Ok(json!(bank.minimum_balance(len).await?))
        }
        "getBalance" => {
            let key = pubkey(&p, 0)?;
            let (slot, accounts) = bank.accounts(vec![key]).await?;
            with_context(slot, accounts[0].as_ref().map_or(0, |a| a.lamports))
        }
        "getAccountInfo" => {
            let key = pubkey(&p, 0)?;
            let config: RpcAccountInfoConfig = optional(&p, 1, "config")?;
            let (slot, accounts) = bank.accounts(vec![key]).await?;
            let value = match &accounts[0] {
                Some(account) => {
                    Some(encode(bank, &key, account, &config, UiAccountEncoding::Binary).await?)
                }
                None => None,
            };
            with_context(slot, value)
        }
        "getMultipleAccounts" => {
            let keys: Vec<String> = param(&p, 0, "pubkeys")?;
            if keys.len() > MAX_MULTIPLE_ACCOUNTS {
                return Err(RpcError::invalid_params(format!(
                    "Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}"
                )));
            }
            let keys = keys
                .iter()
                .map(|k| parse_pubkey(k))
                .collect::<Result<Vec<_>, _>>()?;
            let config: RpcAccountInfoConfig = optional(&p, 1, "config")?;
            let (slot, accounts) = bank.accounts(keys.clone()).await?;
            let mut out = Vec::with_capacity(keys.len());
            for (key, account) in keys.iter().zip(&accounts) {
                out.push(match account {
                    Some(account) => {
                        Some(encode(bank, key, account, &config, UiAccountEncoding::Base64).await?)
                    }
                    None => None,
                });
            }
            with_context(slot, out)
        }
        "getProgramAccounts" => {
            let program = pubkey(&p, 0)?;
            let config: RpcProgramAccountsConfig = optional(&p, 1, "config")?;
            let filters = config.filters.clone().unwrap_or_default();
            verify_filters(&filters)?;
            let (slot, found) = bank.program_accounts(program, filters).await?;
            let mut out = Vec::with_capacity(found.len());
            for (key, account) in &found {
                out.push(RpcKeyedAccount {
                    pubkey: key.to_string(),
                    account: encode(
                        bank,
                        key,
                        account,
                        &config.account_config,
                        UiAccountEncoding::Binary,
                    )
                    .await?,
                });
            }
            if config.with_context.unwrap_or(false) {
                with_context(slot, out)
            } else {
                to_value(out)
            }
        }
        "getTokenAccountBalance" => {
            let key = pubkey(&p, 0)?;
            let (slot, accounts) = bank.accounts(vec![key]).await?;
            let (mint, _, amount) = accounts[0]
                .as_ref()
                .and_then(bank::token_account_fields)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token account"))?;
            let decimals = mint_decimals(bank, &mint).await?.ok_or_else(|| {
                RpcError::invalid_params("Invalid param: mint could not be unpacked")
            })?;
            with_context(
                slot,
                token_amount_to_ui_amount_v3(
                    amount,
                    &SplTokenAdditionalDataV2::with_decimals(decimals),
                ),
            )
        }
        "getTokenSupply" => {
            let mint = pubkey(&p, 0)?;
            let (slot, accounts) = bank.accounts(vec![mint]).await?;
            let (supply, decimals) = accounts[0]
                .as_ref()
                .and_then(bank::mint_fields)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token mint"))?;
            with_context(
                slot,
                token_amount_to_ui_amount_v3(
                    supply,
                    &SplTokenAdditionalDataV2::with_decimals(decimals),
                ),
            )
        }
        "getTokenAccountsByOwner" => {
            let owner = pubkey(&p, 0)?;
            let filter: RpcTokenAccountsFilter = param(&p, 1, "mint or programId filter")?;
            let config: RpcAccountInfoConfig = optional(&p, 2, "config")?;
            let owner_filter =
                RpcFilterType::Memcmp(Memcmp::new_raw_bytes(32, owner.to_bytes().to_vec()));
            let (program, mut filters) = match filter {
                RpcTokenAccountsFilter::Mint(mint) => {
                    let mint = parse_pubkey(&mint)?;
                    let (_, accounts) = bank.accounts(vec![mint]).await?;
                    let program = accounts[0]
                        .as_ref()
                        .map(|a| a.owner)
                        .filter(bank::is_token_program)
                        .ok_or_else(|| {
                            RpcError::invalid_params("Invalid param: could not find mint")
                        })?;
                    (
                        program,
                        vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
                            0,
                            mint.to_bytes().to_vec(),
                        ))],
                    )
                }
                RpcTokenAccountsFilter::ProgramId(program) => {
                    let program = parse_pubkey(&program)?;
                    if !bank::is_token_program(&program) {
                        return Err(RpcError::invalid_params(
                            "Invalid param: unrecognized Token program id",
                        ));
                    }
                    (program, vec![])
                }
            };
            filters.extend([owner_filter, RpcFilterType::TokenAccountState]);
            let (slot, found) = bank.program_accounts(program, filters).await?;
            let mut out = Vec::with_capacity(found.len());
            for (key, account) in &found {
                out.push(RpcKeyedAccount {
                    pubkey: key.to_string(),
                    account: encode(bank, key, account, &config, UiAccountEncoding::Binary).await?,
                });
            }
            with_context(slot, out)
        }
        "sendTransaction" => {
            let encoded: String = param(&p, 0, "transaction")?;
            let config: RpcSendTransactionConfig = optional(&p, 1, "config")?;
            let tx = decode_transaction(
                &encoded,
                config.encoding.unwrap_or(UiTransactionEncoding::Base58),
            )?;
            match bank.send(tx, config.skip_preflight).await? {
                Ok(signature) => Ok(json!(signature.to_string())),
                Err(err) => Err(send_error(err)),
            }
        }
        "simulateTransaction" => {
            let encoded: String = param(&p, 0, "transaction")?;
            let config: RpcSimulateTransactionConfig = optional(&p, 1, "config")?;
            let tx = decode_transaction(
                &encoded,
                config.encoding.unwrap_or(UiTransactionEncoding::Base58),
            )?;
            let (addresses, account_encoding) = match &config.accounts {
                Some(accounts) => (
                    accounts
                        .addresses
                        .iter()
                        .map(|a| parse_pubkey(a))
                        .collect::<Result<Vec<_>, _>>()?,
                    accounts.encoding.unwrap_or(UiAccountEncoding::Base64),
                ),
                None => (vec![], UiAccountEncoding::Base64),
            };
            let simulation = match bank
                .simulate(
                    tx,
                    config.sig_verify,
                    config.replace_recent_blockhash,
                    addresses.clone(),
                )
                .await?
            {
                Ok(simulation) => simulation,
                Err(err) => return Err(send_error(err)),
            };
            let account_config = RpcAccountInfoConfig {
                encoding: Some(account_encoding),
                ..Default::default()
            };
            let mut accounts = Vec::with_capacity(addresses.len());
            for (key, account) in addresses.iter().zip(&simulation.accounts) {
                accounts.push(match account {
                    Some(a) => Some(
                        encode(bank, key, a, &account_config, UiAccountEncoding::Base64).await?,
                    ),
                    None => None,
                });
            }
            let mut result = simulation_result(&simulation);
            result.accounts = config.accounts.is_some().then_some(accounts);
            with_context(simulation.slot, result)
        }
        "getSignatureStatuses" => {
            let signatures: Vec<String> = param(&p, 0, "signatures")?;
            if signatures.len() > MAX_SIGNATURE_STATUSES {
                return Err(RpcError::invalid_params(format!(
                    "Too many inputs provided; max {MAX_SIGNATURE_STATUSES}"
                )));
            }
            let signatures = signatures
                .iter()
                .map(|s| parse_signature(s))
                .collect::<Result<Vec<_>, _>>()?;
            let (slot, statuses) = bank.statuses(signatures).await?;
            let value: Vec<Option<TransactionStatus>> = statuses
                .into_iter()
                .map(|s| {
                    s.map(|(slot, err)| TransactionStatus {
                        slot,
                        confirmations: None,
                        status: err.clone().map_or(Ok(()), Err),
                        err,
                        confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                    })
                })
                .collect();
            with_context(slot, value)
        }
        "getTransaction" => {
            let signature = parse_signature(&param::<String>(&p, 0, "signature")?)?;
            let encoding = match p.get(1) {
                Some(Value::String(_)) => param::<UiTransactionEncoding>(&p, 1, "encoding")?,
                _ => optional::<RpcTransactionConfig>(&p, 1, "config")?
                    .encoding
                    .unwrap_or(UiTransactionEncoding::Json),
            };
            match bank.transaction(signature).await? {
                Some(record) => to_value(encode_transaction(record, encoding)?),
                None => Ok(Value::Null),
            }
        }
        "getSignaturesForAddress" => {
            let address = pubkey(&p, 0)?;
            let config: RpcSignaturesForAddressConfig = optional(&p, 1, "config")?;
            let limit = config.limit.unwrap_or(MAX_SIGNATURES_FOR_ADDRESS);
            if limit == 0 || limit > MAX_SIGNATURES_FOR_ADDRESS {
                return Err(RpcError::invalid_params(format!(
                    "Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}"
                )));
            }
            let before = config.before.as_deref().map(parse_signature).transpose()?;
            let until = config.until.as_deref().map(parse_signature).transpose()?;
            let found = bank
                .signatures_for_address(address, before, until, limit)
                .await?;
            to_value(
                found
                    .into_iter()
                    .map(|info| RpcConfirmedTransactionStatusWithSignature {
                        signature: info.signature.to_string(),
                        slot: info.slot,
                        err: info.err.map(Into::into),
                        memo: None,
                        block_time: Some(info.block_time),
                        confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                    })
                    .collect::<Vec<_>>(),
            )
        }
        "requestAirdrop" => {
            let to = pubkey(&p, 0)?;
            let lamports: u64 = param(&p, 1, "lamports")?;
            let _config: RpcRequestAirdropConfig = optional(&p, 2, "config")?;
            match bank.airdrop(to, lamports).await? {
                Ok(signature) => Ok(json!(signature.to_string())),
                Err(err) => Err(send_error(err)),
            }
        }
        "localnet_warpClock" => {
            let seconds: i64 = param(&p, 0, "seconds")?;
            if seconds <= 0 {
                return Err(RpcError::invalid_params(
                    "Invalid param: seconds must be positive; the clock never goes back",
                ));
            }
            Ok(json!({ "unixTimestamp": bank.warp_clock(seconds).await? }))
        }
        "localnet_setAccount" => {
            let key = pubkey(&p, 0)?;
            let spec: SetAccountSpec = param(&p, 1, "account")?;
            let account = spec.into_account()?;
            Ok(json!({ "slot": bank.set_account(key, account).await? }))
        }
        _ => Err(RpcError::new(METHOD_NOT_FOUND, "Method not found")),
    }
}

fn solana_version_string() -> String {
    "3.1.12".to_string()
}

fn verify_filters(filters: &[RpcFilterType]) -> Result<(), RpcError> {
    if filters.len() > 4 {
        return Err(RpcError::invalid_params("Too many filters provided; max 4"));
    }
    for filter in filters {
        filter
            .verify()
            .map_err(|e| RpcError::invalid_params(format!("Invalid param: {e}")))?;
    }
    Ok(())
}

async fn mint_decimals(bank: &BankHandle, mint: &Pubkey) -> Result<Option<u8>, RpcError> {
    let (_, accounts) = bank.accounts(vec![*mint]).await?;
    Ok(accounts[0].as_ref().and_then(bank::mint_decimals))
}

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

fn simulation_result(simulation: &Simulation) -> RpcSimulateTransactionResult {
    RpcSimulateTransactionResult {
        err: simulation.err.clone().map(Into::into),
        logs: Some(simulation.logs.clone()),
        accounts: None,
        units_consumed: Some(simulation.units_consumed),
        loaded_accounts_data_size: None,
        return_data: simulation.return_data.clone(),
        inner_instructions: None,
        replacement_blockhash: simulation.replacement_blockhash.map(|(hash, height)| {
            RpcBlockhash {
                blockhash: hash.to_string(),
                last_valid_block_height: height,
            }
        }),
        fee: None,
        pre_balances: None,
        post_balances: None,
        pre_token_balances: None,
        post_token_balances: None,
        loaded_addresses: None,
    }
}

/// Maps a send failure to the error a real node returns: preflight failures
/// carry the simulation (logs included) in `data`.
fn send_error(err: SendError) -> RpcError {
    match err {
        SendError::SignatureVerification => RpcError::new(
            JSON_RPC_SERVER_ERROR_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
            err.to_string(),
        ),
        SendError::Preflight(ref simulation) => RpcError {
            code: JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
            message: err.to_string(),
            data: serde_json::to_value(simulation_result(simulation)).ok(),
        },
        SendError::NotExecuted(tx_err) => {
            let simulation = Simulation {
                slot: 0,
                err: Some(tx_err.clone()),
                logs: vec![],
                units_consumed: 0,
                return_data: None,
                replacement_blockhash: None,
                accounts: vec![],
            };
            RpcError {
                code: JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
                message: format!("Transaction simulation failed: {tx_err}"),
                data: serde_json::to_value(simulation_result(&simulation)).ok(),
            }
        }
        SendError::Sanitize(_) | SendError::Invalid(_) => RpcError::invalid_params(err.to_string()),
    }
}

fn encode_transaction(
    record: TxRecord,
    encoding: UiTransactionEncoding,
) -> Result<EncodedConfirmedTransactionWithStatusMeta, RpcError> {
    let version = record.transaction.version();
    let transaction = match encoding {
        UiTransactionEncoding::Base64
        | UiTransactionEncoding::Base58
        | UiTransactionEncoding::Binary => {
            let bytes = bincode::serialize(&record.transaction)
                .map_err(|e| RpcError::new(INTERNAL_ERROR, e.to_string()))?;
            match encoding {
                UiTransactionEncoding::Base64 => EncodedTransaction::Binary(
                    BASE64_STANDARD.encode(bytes),
                    TransactionBinaryEncoding::Base64,
                ),
                UiTransactionEncoding::Base58 => EncodedTransaction::Binary(
                    bs58::encode(bytes).into_string(),
                    TransactionBinaryEncoding::Base58,
                ),
                _ => EncodedTransaction::LegacyBinary(bs58::encode(bytes).into_string()),
            }
        }
        UiTransactionEncoding::Json | UiTransactionEncoding::JsonParsed => {
            let message = &record.transaction.message;
            EncodedTransaction::Json(UiTransaction {
                signatures: record
                    .transaction
                    .signatures
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                message: UiMessage::Raw(UiRawMessage {
                    header: *message.header(),
                    account_keys: message
                        .static_account_keys()
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                    recent_blockhash: message.recent_blockhash().to_string(),
                    instructions: message
                        .instructions()
                        .iter()
                        .map(|ix| UiCompiledInstruction::from(ix, None))
                        .collect(),
                    address_table_lookups: None,
                }),
            })
        }
    };
    Ok(EncodedConfirmedTransactionWithStatusMeta {
        slot: record.slot,
        transaction: EncodedTransactionWithStatusMeta {
            transaction,
            meta: Some(record.meta.into()),
            version: match version {
                solana_sdk::transaction::TransactionVersion::Legacy(_) => None,
                other => Some(other),
            },
        },
        block_time: Some(record.block_time),
    })
}

/// `localnet_setAccount` parameter: an account as `getAccountInfo` shows it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetAccountSpec {
    lamports: u64,
    owner: String,
    /// `[base64, "base64"]`, as getAccountInfo returns it.
    data: (String, String),
    #[serde(default)]
    executable: bool,
    #[serde(default)]
    rent_epoch: u64,
}

impl SetAccountSpec {
    fn into_account(self) -> Result<Account, RpcError> {
        if self.data.1 != "base64" {
            return Err(RpcError::invalid_params(
                "Invalid param: account data must be base64",
            ));
        }
        let data = BASE64_STANDARD
            .decode(&self.data.0)
            .map_err(|e| RpcError::invalid_params(format!("Invalid param: account data: {e}")))?;
        Ok(Account {
            lamports: self.lamports,
            data,
            owner: parse_pubkey(&self.owner)?,
            executable: self.executable,
            rent_epoch: self.rent_epoch,
        })
    }
}
