//! Accounts by address, and SPL token balances and supplies (agave's
//! `rpc_accounts`).

use super::*;

/// Answers this group's methods; `MethodNotFound` for any other.
pub(super) async fn call(bank: &BankHandle, method: &str, p: &[Value]) -> RpcResult {
    match method {
        "getAccountInfo" => {
            let key = pubkey(p, 0)?;
            let config: RpcAccountInfoConfig = optional(p, 1, "config")?;
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
            let keys: Vec<String> = param(p, 0, "pubkeys")?;
            if keys.len() > MAX_MULTIPLE_ACCOUNTS {
                return Err(RpcError::invalid_params(format!(
                    "Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}"
                )));
            }
            let keys = keys
                .iter()
                .map(|k| parse_pubkey(k))
                .collect::<Result<Vec<_>, _>>()?;
            let config: RpcAccountInfoConfig = optional(p, 1, "config")?;
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
        "getTokenAccountBalance" => {
            let key = pubkey(p, 0)?;
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
            let mint = pubkey(p, 0)?;
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
        _ => Err(RpcError::method_not_found()),
    }
}
