//! Development methods the localnet adds (`localnet_*`): move the clock,
//! write an account.

use super::*;

/// Answers this group's methods; `MethodNotFound` for any other.
pub(super) async fn call(bank: &BankHandle, method: &str, p: &[Value]) -> RpcResult {
    match method {
        "localnet_warpClock" => {
            let seconds: i64 = param(p, 0, "seconds")?;
            if seconds <= 0 {
                return Err(RpcError::invalid_params(
                    "Invalid param: seconds must be positive; the clock never goes back",
                ));
            }
            Ok(json!({ "unixTimestamp": bank.warp_clock(seconds).await? }))
        }
        "localnet_setAccount" => {
            let key = pubkey(p, 0)?;
            let spec: SetAccountSpec = param(p, 1, "account")?;
            let account = spec.into_account()?;
            Ok(json!({ "slot": bank.set_account(key, account).await? }))
        }
        _ => Err(RpcError::method_not_found()),
    }
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
