//! Cluster identity and head: version, health, genesis hash, identity, slot,
//! block height, epoch, balances (agave's `rpc_minimal`).

use super::*;

/// Answers this group's methods; `MethodNotFound` for any other.
pub(super) async fn call(bank: &BankHandle, method: &str, p: &[Value]) -> RpcResult {
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
        "getBalance" => {
            let key = pubkey(p, 0)?;
            let (slot, accounts) = bank.accounts(vec![key]).await?;
            with_context(slot, accounts[0].as_ref().map_or(0, |a| a.lamports))
        }
        _ => Err(RpcError::method_not_found()),
    }
}

fn solana_version_string() -> String {
    "3.1.12".to_string()
}
