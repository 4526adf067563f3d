//! SPL token accounts and mints, read through `spl-token-interface`.
//! Token-2022 accounts and mints share the base layout (their extensions
//! follow it), so both programs' accounts read the same way.

use anchor_lang::prelude::{pubkey, Pubkey};
use solana_program_pack::{IsInitialized, Pack};
pub use spl_token_interface::state::{Account as TokenAccount, Mint};

pub const TOKEN_2022_ID: Pubkey = pubkey!("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

/// Token-2022 marks an extended account's kind right after the 165-byte
/// base account: 1 for a mint, 2 for a token account.
const TOKEN_2022_ACCOUNT_TYPE_MINT: u8 = 1;
const TOKEN_2022_ACCOUNT_TYPE_ACCOUNT: u8 = 2;

pub fn is_token_program(owner: &Pubkey) -> bool {
    *owner == spl_token_interface::ID || *owner == TOKEN_2022_ID
}

/// The account kind marker of extended Token-2022 data, if any.
fn extended_kind(data: &[u8]) -> Option<u8> {
    (data.len() > TokenAccount::LEN).then(|| data[TokenAccount::LEN])
}

/// An initialized token account held by `owner` (the owning program) with
/// `data`, or `None` when it is anything else.
pub fn token_account(owner: &Pubkey, data: &[u8]) -> Option<TokenAccount> {
    if !is_token_program(owner)
        || data.len() < TokenAccount::LEN
        || extended_kind(data).is_some_and(|kind| kind != TOKEN_2022_ACCOUNT_TYPE_ACCOUNT)
    {
        return None;
    }
    let account = TokenAccount::unpack_unchecked(&data[..TokenAccount::LEN]).ok()?;
    account.is_initialized().then_some(account)
}

/// An initialized mint held by `owner` with `data`, or `None`.
pub fn mint(owner: &Pubkey, data: &[u8]) -> Option<Mint> {
    let is_mint =
        data.len() == Mint::LEN || extended_kind(data) == Some(TOKEN_2022_ACCOUNT_TYPE_MINT);
    if !is_token_program(owner) || !is_mint {
        return None;
    }
    let mint = Mint::unpack_unchecked(&data[..Mint::LEN]).ok()?;
    mint.is_initialized().then_some(mint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spl_token_interface::state::AccountState;

    fn packed_account(amount: u64) -> Vec<u8> {
        let account = TokenAccount {
            mint: Pubkey::new_unique(),
            owner: Pubkey::new_unique(),
            amount,
            state: AccountState::Initialized,
            ..TokenAccount::default()
        };
        let mut data = vec![0; TokenAccount::LEN];
        account.pack_into_slice(&mut data);
        data
    }

    #[test]
    fn reads_token_accounts_of_both_programs_and_nothing_else() {
        let data = packed_account(42);
        let read = token_account(&spl_token_interface::ID, &data).unwrap();
        assert_eq!(read.amount, 42);
        let mut extended = data.clone();
        extended.extend([TOKEN_2022_ACCOUNT_TYPE_ACCOUNT, 0, 0]);
        assert_eq!(token_account(&TOKEN_2022_ID, &extended).unwrap().amount, 42);
        extended[TokenAccount::LEN] = TOKEN_2022_ACCOUNT_TYPE_MINT;
        assert!(
            token_account(&TOKEN_2022_ID, &extended).is_none(),
            "an extended mint"
        );
        assert!(
            token_account(&Pubkey::new_unique(), &data).is_none(),
            "another program"
        );
        assert!(token_account(&spl_token_interface::ID, &data[..100]).is_none());
        assert!(
            token_account(&spl_token_interface::ID, &[0; TokenAccount::LEN]).is_none(),
            "uninitialized"
        );
    }

    #[test]
    fn reads_mints() {
        let mut data = vec![0; Mint::LEN];
        Mint {
            supply: 7,
            decimals: 9,
            is_initialized: true,
            ..Mint::default()
        }
        .pack_into_slice(&mut data);
        let read = mint(&spl_token_interface::ID, &data).unwrap();
        assert_eq!((read.supply, read.decimals), (7, 9));
        assert!(mint(&spl_token_interface::ID, &packed_account(1)).is_none());
    }
}
