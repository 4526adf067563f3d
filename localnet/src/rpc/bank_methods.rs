//! What the bank itself answers: rent, blockhashes and fees (agave's
//! `rpc_bank` and the bank-bound part of `rpc_full`).

use super::*;

/// Answers this group's methods; `MethodNotFound` for any other.
pub(super) async fn call(bank: &BankHandle, method: &str, p: &[Value]) -> RpcResult {
    match method {
        "getMinimumBalanceForRentExemption" => {
            let len: usize = param(p, 0, "data length")?;
            if len > 10 * 1024 * 1024 {
                return Err(RpcError::invalid_params(
                    "Invalid param: data length exceeds 10 MiB",
                ));
            }
            Ok(json!(bank.minimum_balance(len).await?))
        }
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
            let hash: String = param(p, 0, "blockhash")?;
            let hash = Hash::from_str(&hash)
                .map_err(|_| RpcError::invalid_params("Invalid param: Invalid blockhash"))?;
            let (slot, valid) = bank.is_blockhash_valid(hash).await?;
            with_context(slot, valid)
        }
        "getFeeForMessage" => {
            let encoded: String = param(p, 0, "message")?;
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
        _ => Err(RpcError::method_not_found()),
    }
}
