//! Rent griefing: every address a call creates is pre-funded by a
//! stranger's transfer before the call, which must still succeed (a
//! program that creates accounts with `create_account` would fail on a
//! funded address).

use super::*;

/// What the griefer sends to each address.
const GRIEF_LAMPORTS: u64 = 1_000_000;

impl Sweep {
    /// Funds the call's writable accounts that do not exist yet (the ones
    /// it creates) and returns them.
    pub(super) async fn prefund_created(&mut self, env: &mut TestEnv, call: &Call) -> Vec<Pubkey> {
        let mut created = Vec::new();
        for meta in &call.ix.accounts {
            if meta.is_writable
                && !meta.is_signer
                && !created.contains(&meta.pubkey)
                && !env.exists(&meta.pubkey).await
            {
                created.push(meta.pubkey);
            }
        }
        for key in &created {
            env.airdrop(key, GRIEF_LAMPORTS).await;
            self.count("rent griefing");
        }
        created
    }
}
