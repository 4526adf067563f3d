use crate::{constants::*, error::IoComputeError};
use anchor_lang::prelude::*;

/// A keeper admitted by the config authority [keeper, authority]: it posts
/// device-reward roots (and, with the market, usage proofs) and backs them
/// with an IO bond held in the keeper bond vault.
#[account]
#[derive(InitSpace, Debug)]
pub struct Keeper {
    pub authority: Pubkey,
    /// IO base units in the keeper bond vault for this keeper.
    pub bond: u64,
    pub admitted_at: i64,
    /// Usage proofs it posted that are not finalized or voided yet; it can
    /// only be removed (and take its bond back) at zero.
    pub open_proofs: u32,
    pub bump: u8,
}

impl Keeper {
    /// Reads the keeper record of `authority`, failing with
    /// `NotAdmittedKeeper` for any other account.
    pub fn load(info: &AccountInfo, authority: &Pubkey) -> Result<Self> {
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
