//! SPL token fields and getProgramAccounts filters over indexed accounts.

use super::*;

/// (supply, decimals) of an initialized SPL Token or Token-2022 mint.
pub fn mint_fields(account: &Account) -> Option<(u64, u8)> {
    token::mint(&account.owner, &account.data).map(|m| (m.supply, m.decimals))
}

pub fn mint_decimals(account: &Account) -> Option<u8> {
    mint_fields(account).map(|(_, decimals)| decimals)
}

/// (mint, owner, amount) of an initialized SPL token account.
pub fn token_account_fields(account: &Account) -> Option<(Pubkey, Pubkey, u64)> {
    token::token_account(&account.owner, &account.data).map(|a| (a.mint, a.owner, a.amount))
}

pub fn filter_allows(filter: &RpcFilterType, account: &Account) -> bool {
    match filter {
        RpcFilterType::DataSize(size) => account.data.len() as u64 == *size,
        RpcFilterType::Memcmp(memcmp) => memcmp.bytes_match(&account.data),
        RpcFilterType::TokenAccountState => token_account_fields(account).is_some(),
    }
}
