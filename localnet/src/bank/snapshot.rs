//! Writing the ledger snapshot (`--ledger`): the indexed accounts and the
//! clock offset.

use super::*;

impl BankOwner {
    pub(super) fn save_snapshot(&mut self) -> std::io::Result<usize> {
        let Some(dir) = &self.config.ledger else {
            return Ok(0);
        };
        let accounts: Vec<(Pubkey, Account)> = self
            .index
            .iter()
            .filter(|(k, a)| !self.genesis_keys.contains(k) && !a.executable && a.lamports > 0)
            .map(|(k, a)| (*k, a.clone()))
            .collect();
        let count = accounts.len();
        crate::snapshot::save(
            dir,
            &Snapshot {
                clock_offset: self.clock_offset,
                genesis_hash: Some(self.genesis_hash),
                slot: self.slot,
                saved_at: wall_clock(),
                accounts,
            },
        )?;
        self.dirty = false;
        Ok(count)
    }
}
