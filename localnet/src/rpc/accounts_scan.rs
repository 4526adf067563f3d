//! Account scans over the localnet's own index: getProgramAccounts and
//! getTokenAccountsByOwner (agave's `rpc_accounts_scan`).

use super::*;

/// As agave: the 20 largest accounts of a mint.
const MAX_LARGEST_TOKEN_ACCOUNTS: usize = 20;

/// Answers this group's methods; `MethodNotFound` for any other.
pub(super) async fn call(bank: &BankHandle, method: &str, p: &[Value]) -> RpcResult {
    match method {
        "getProgramAccounts" => {
            let program = pubkey(p, 0)?;
            let config: RpcProgramAccountsConfig = optional(p, 1, "config")?;
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
        "getTokenAccountsByOwner" => {
            let owner = pubkey(p, 0)?;
            let filter: RpcTokenAccountsFilter = param(p, 1, "mint or programId filter")?;
            let config: RpcAccountInfoConfig = optional(p, 2, "config")?;
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
        "getTokenLargestAccounts" => {
            let mint = pubkey(p, 0)?;
            let (_, accounts) = bank.accounts(vec![mint]).await?;
            let (program, decimals) = accounts[0]
                .as_ref()
                .and_then(|a| Some((a.owner, bank::mint_decimals(a)?)))
                .ok_or_else(|| {
                    RpcError::invalid_params("Invalid param: mint could not be unpacked")
                })?;
            let filters = vec![
                RpcFilterType::Memcmp(Memcmp::new_raw_bytes(0, mint.to_bytes().to_vec())),
                RpcFilterType::TokenAccountState,
            ];
            let (slot, found) = bank.program_accounts(program, filters).await?;
            let mut holders: Vec<(Pubkey, u64)> = found
                .iter()
                .filter_map(|(key, a)| Some((*key, bank::token_account_fields(a)?.2)))
                .collect();
            // Largest first; ties in address order, so the answer is stable.
            holders.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            holders.truncate(MAX_LARGEST_TOKEN_ACCOUNTS);
            let decimals = SplTokenAdditionalDataV2::with_decimals(decimals);
            with_context(
                slot,
                holders
                    .into_iter()
                    .map(|(key, amount)| RpcTokenAccountBalance {
                        address: key.to_string(),
                        amount: token_amount_to_ui_amount_v3(amount, &decimals),
                    })
                    .collect::<Vec<_>>(),
            )
        }
        _ => Err(RpcError::method_not_found()),
    }
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
