//! Cluster identity and head: version, health, genesis hash, identity, slot,
//! block height, epoch, balances (agave's `rpc_minimal`).

use super::*;

/// Answers this group's methods; `MethodNotFound` for any other.
pub(super) async fn call(bank: &BankHandle, method: &str, p: &[Value]) -> RpcResult {
    match method {
        "getVersion" => to_value(RpcVersionInfo {
            solana_core: solana_version_string(),
            feature_set: Some(feature_set_id()),
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

/// The first 4 bytes of the feature-set identifier, as agave reports it.
fn feature_set_id() -> u32 {
    let id = agave_feature_set::ID.to_bytes();
    u32::from_le_bytes([id[0], id[1], id[2], id[3]])
}
