use crate::{constants::*, error::IoComputeError};
use anchor_lang::prelude::*;

/// A keeper admitted by the keeper admin [keeper, authority]: it matches
/// leases, posts their usage proofs and device-reward roots, and backs them
/// with an IO bond held in the keeper bond vault.
#[account]
#[derive(InitSpace, Debug)]
pub struct Keeper {
    pub authority: Pubkey,
    /// Where its API is, for clients and workers (http(s) URL).
    #[max_len(MAX_ENDPOINT_LEN)]
    pub endpoint: String,
    /// IO base units in the keeper bond vault for this keeper; below the
    /// minimum bond the keeper can no longer act.
    pub bond: u64,
    pub admitted_at: i64,
    /// Usage proofs it posted that are not finalized or voided yet; it can
    /// only be removed (and take its bond back) at zero.
    pub open_proofs: u32,
    /// Its latest device-reward root is disputable until then; it can only
    /// be removed after.
    pub roots_locked_until: i64,
    pub bump: u8,
}

impl Keeper {
    /// Reads the keeper record of `authority`, failing with
    /// `NotAdmittedKeeper` for any other account and `KeeperBondDepleted`
    /// when its bond is under `min_bond`.
    pub fn load(info: &AccountInfo, authority: &Pubkey, min_bond: u64) -> Result<Self> {
        let keeper = Self::load_any(info, authority)?;
        require!(keeper.bond >= min_bond, IoComputeError::KeeperBondDepleted);
        Ok(keeper)
    }

    /// As `load`, whatever its bond.
    pub fn load_any(info: &AccountInfo, authority: &Pubkey) -> Result<Self> {
        require_keys_eq!(*info.owner, crate::ID, IoComputeError::NotAdmittedKeeper);
        let keeper = Self::try_deserialize(&mut &info.try_borrow_data()?[..])
            .map_err(|_| error!(IoComputeError::NotAdmittedKeeper))?;
        let expected = Pubkey::create_program_address(
            &[KEEPER_SEED, authority.as_ref(), &[keeper.bump]],
            &crate::ID,
        )
        .map_err(|_| error!(IoComputeError::NotAdmittedKeeper))?;
        require!(
            keeper.authority == *authority && expected == *info.key,
            IoComputeError::NotAdmittedKeeper
        );
        Ok(keeper)
    }

    /// Writes a record read by `load` back to its account.
    pub fn store(&self, info: &AccountInfo) -> Result<()> {
        let mut data = info.try_borrow_mut_data()?;
        self.try_serialize(&mut &mut data[..])
    }
}
