//! Transactions: send, simulate, statuses, history and the airdrop (agave's
//! `rpc_full`).

use super::*;

/// Answers this group's methods; `MethodNotFound` for any other.
pub(super) async fn call(bank: &BankHandle, method: &str, p: &[Value]) -> RpcResult {
    match method {
        "sendTransaction" => {
            let encoded: String = param(p, 0, "transaction")?;
            let config: RpcSendTransactionConfig = optional(p, 1, "config")?;
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
            let encoded: String = param(p, 0, "transaction")?;
            let config: RpcSimulateTransactionConfig = optional(p, 1, "config")?;
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
            let signatures: Vec<String> = param(p, 0, "signatures")?;
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
            let signature = parse_signature(&param::<String>(p, 0, "signature")?)?;
            let (encoding, max_version) = match p.get(1) {
                Some(Value::String(_)) => (param::<UiTransactionEncoding>(p, 1, "encoding")?, None),
                _ => {
                    let config = optional::<RpcTransactionConfig>(p, 1, "config")?;
                    (
                        config.encoding.unwrap_or(UiTransactionEncoding::Json),
                        config.max_supported_transaction_version,
                    )
                }
            };
            match bank.transaction(signature).await? {
                Some(record) => to_value(encode_transaction(record, encoding, max_version)?),
                None => Ok(Value::Null),
            }
        }
        "getSignaturesForAddress" => {
            let address = pubkey(p, 0)?;
            let config: RpcSignaturesForAddressConfig = optional(p, 1, "config")?;
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
            let to = pubkey(p, 0)?;
            let lamports: u64 = param(p, 1, "lamports")?;
            let _config: RpcRequestAirdropConfig = optional(p, 2, "config")?;
            match bank.airdrop(to, lamports).await? {
                Ok(signature) => Ok(json!(signature.to_string())),
                Err(err) => Err(send_error(err)),
            }
        }
        "getBlockTime" => {
            let slot: Slot = param(p, 0, "slot")?;
            match bank.block_record(slot).await? {
                Ok(block) => Ok(json!(block.block_time)),
                Err(missing) => Err(block_missing(slot, missing)),
            }
        }
        "getBlock" => {
            let slot: Slot = param(p, 0, "slot")?;
            let config = match p.get(1) {
                Some(Value::String(_)) => RpcBlockConfig {
                    encoding: Some(param(p, 1, "encoding")?),
                    ..RpcBlockConfig::default()
                },
                _ => optional::<RpcBlockConfig>(p, 1, "config")?,
            };
            let block = bank
                .block(slot)
                .await?
                .map_err(|missing| block_missing(slot, missing))?;
            to_value(encode_block(block, &config)?)
        }
        _ => Err(RpcError::method_not_found()),
    }
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

/// A recorded transaction as getTransaction (and getBlock) report it. As
/// agave: `version` is given when the client names the highest version it
/// supports, and a v0 transaction is refused to a client that names none.
pub(super) fn encode_transaction(
    record: TxRecord,
    encoding: UiTransactionEncoding,
    max_supported_version: Option<u8>,
) -> Result<EncodedConfirmedTransactionWithStatusMeta, RpcError> {
    let version = record.transaction.version();
    let version = match (version, max_supported_version) {
        (TransactionVersion::Legacy(_), None) => None,
        (TransactionVersion::Number(n), max) if max.is_none_or(|max| n > max) => {
            return Err(RpcError::new(
                JSON_RPC_SERVER_ERROR_UNSUPPORTED_TRANSACTION_VERSION,
                format!(
                    "Transaction version ({n}) is not supported by the requesting client. \
                     Please try the request again with the following configuration parameter: \
                     \"maxSupportedTransactionVersion\": {n}"
                ),
            ));
        }
        (version, _) => Some(version),
    };
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
        UiTransactionEncoding::JsonParsed => EncodedTransaction::Json(UiTransaction {
            signatures: record
                .transaction
                .signatures
                .iter()
                .map(ToString::to_string)
                .collect(),
            message: UiMessage::Parsed(parsed_message(&record.transaction.message)),
        }),
        UiTransactionEncoding::Json => {
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
            version,
        },
        block_time: Some(record.block_time),
    })
}

/// A message as `jsonParsed` shows it: account keys with their signer and
/// writable flags, and every instruction partially decoded (program id,
/// account addresses, base-58 data), as agave shows programs it has no
/// parser for.
fn parsed_message(message: &VersionedMessage) -> UiParsedMessage {
    let keys = message.static_account_keys();
    UiParsedMessage {
        account_keys: keys
            .iter()
            .enumerate()
            .map(|(i, key)| ParsedAccount {
                pubkey: key.to_string(),
                writable: message.is_maybe_writable(i, None),
                signer: message.is_signer(i),
                source: Some(ParsedAccountSource::Transaction),
            })
            .collect(),
        recent_blockhash: message.recent_blockhash().to_string(),
        instructions: message
            .instructions()
            .iter()
            .map(|ix| {
                let key = |i: &u8| {
                    keys.get(*i as usize)
                        .map_or_else(String::new, ToString::to_string)
                };
                UiInstruction::Parsed(UiParsedInstruction::PartiallyDecoded(
                    UiPartiallyDecodedInstruction {
                        program_id: key(&ix.program_id_index),
                        accounts: ix.accounts.iter().map(key).collect(),
                        data: bs58::encode(&ix.data).into_string(),
                        stack_height: Some(1),
                    },
                ))
            })
            .collect(),
        address_table_lookups: None,
    }
}

/// The error agave gives for a block it cannot give.
fn block_missing(slot: Slot, missing: BlockMissing) -> RpcError {
    match missing {
        BlockMissing::NotYet => RpcError::new(
            JSON_RPC_SERVER_ERROR_BLOCK_NOT_AVAILABLE,
            format!("Block not available for slot {slot}"),
        ),
        BlockMissing::CleanedUp { first_available } => RpcError::new(
            JSON_RPC_SERVER_ERROR_BLOCK_CLEANED_UP,
            format!(
                "Block {slot} cleaned up, does not exist on node. First available block: \
                 {first_available}"
            ),
        ),
        BlockMissing::Skipped => RpcError::new(
            JSON_RPC_SERVER_ERROR_SLOT_SKIPPED,
            format!("Slot {slot} was skipped, or missing due to ledger jump to recent snapshot"),
        ),
    }
}

/// A block as getBlock reports it, with the transaction details asked for
/// (no rewards: the localnet has no voting validators).
fn encode_block(block: Block, config: &RpcBlockConfig) -> Result<UiConfirmedBlock, RpcError> {
    let details = config.transaction_details.unwrap_or_default();
    let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Json);
    let signatures = || {
        block
            .transactions
            .iter()
            .map(|(signature, _)| signature.to_string())
            .collect::<Vec<_>>()
    };
    let (transactions, signatures) = match details {
        TransactionDetails::Full => {
            let mut encoded = Vec::with_capacity(block.transactions.len());
            for (_, record) in block.transactions.iter().cloned() {
                let one =
                    encode_transaction(record, encoding, config.max_supported_transaction_version)?;
                encoded.push(one.transaction);
            }
            (Some(encoded), None)
        }
        TransactionDetails::Signatures => (None, Some(signatures())),
        TransactionDetails::None => (None, None),
        TransactionDetails::Accounts => {
            return Err(RpcError::invalid_params(
                "Invalid param: transactionDetails \"accounts\" is not served by the localnet",
            ))
        }
    };
    let record = block.record;
    Ok(UiConfirmedBlock {
        previous_blockhash: record.previous_blockhash.to_string(),
        blockhash: record.blockhash.to_string(),
        parent_slot: record.parent_slot,
        transactions,
        signatures,
        rewards: config.rewards.unwrap_or(true).then(Vec::new),
        num_reward_partitions: None,
        block_time: Some(record.block_time),
        block_height: Some(record.block_height),
    })
}
