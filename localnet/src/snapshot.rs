//! Ledger persistence: the accounts the localnet knows of (all but builtins,
//! sysvars and genesis programs), the clock offset, the chain's genesis hash
//! and its slot, written atomically to `<ledger>/accounts.json` and loaded at
//! the next start, so the chain continues: same genesis hash, slots onward.

use base64::{prelude::BASE64_STANDARD, Engine};
use serde::{Deserialize, Serialize};
use solana_sdk::{account::Account, clock::Slot, hash::Hash, pubkey, pubkey::Pubkey};
use std::{fs, io, path::Path};

pub const SNAPSHOT_FILE: &str = "accounts.json";
pub use io_compute_sdk::token::TOKEN_2022_ID;

/// Accounts present at genesis, which a snapshot never holds.
pub fn genesis_keys() -> Vec<Pubkey> {
    use solana_sdk::sysvar;
    vec![
        io_compute::ID,
        spl_token_interface::ID,
        TOKEN_2022_ID,
        pubkey!("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"),
        pubkey!("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"),
        pubkey!("Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo"),
        pubkey!("11111111111111111111111111111111"),
        sysvar::clock::ID,
        sysvar::rent::ID,
        sysvar::epoch_schedule::ID,
        sysvar::slot_hashes::ID,
        sysvar::recent_blockhashes::ID,
        sysvar::fees::ID,
        sysvar::rewards::ID,
        sysvar::last_restart_slot::ID,
        sysvar::epoch_rewards::ID,
    ]
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub clock_offset: i64,
    /// The genesis hash the chain reports; `None` in a version 1 file.
    pub genesis_hash: Option<Hash>,
    /// The slot the chain had reached, and when (unix seconds).
    pub slot: Slot,
    pub saved_at: i64,
    pub accounts: Vec<(Pubkey, Account)>,
}

/// Version 2 adds the genesis hash and the slot; version 1 files still load.
const SNAPSHOT_VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
struct SnapshotFile {
    version: u32,
    clock_offset: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    genesis_hash: Option<String>,
    #[serde(default)]
    slot: Slot,
    #[serde(default)]
    saved_at: i64,
    accounts: Vec<AccountFile>,
}

#[derive(Serialize, Deserialize)]
struct AccountFile {
    pubkey: String,
    lamports: u64,
    owner: String,
    executable: bool,
    rent_epoch: u64,
    data: String,
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Writes the snapshot atomically: a crash leaves the previous one intact.
pub fn save(dir: &Path, snapshot: &Snapshot) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let file = SnapshotFile {
        version: SNAPSHOT_VERSION,
        clock_offset: snapshot.clock_offset,
        genesis_hash: snapshot.genesis_hash.map(|h| h.to_string()),
        slot: snapshot.slot,
        saved_at: snapshot.saved_at,
        accounts: snapshot
            .accounts
            .iter()
            .map(|(key, a)| AccountFile {
                pubkey: key.to_string(),
                lamports: a.lamports,
                owner: a.owner.to_string(),
                executable: a.executable,
                rent_epoch: a.rent_epoch,
                data: BASE64_STANDARD.encode(&a.data),
            })
            .collect(),
    };
    let tmp = dir.join(format!("{SNAPSHOT_FILE}.tmp"));
    fs::write(
        &tmp,
        serde_json::to_vec(&file).map_err(|e| invalid(e.to_string()))?,
    )?;
    fs::File::open(&tmp)?.sync_all()?;
    fs::rename(&tmp, dir.join(SNAPSHOT_FILE))
}

/// Loads `<dir>/accounts.json`; `Ok(None)` when there is none yet.
pub fn load(dir: &Path) -> io::Result<Option<Snapshot>> {
    let path = dir.join(SNAPSHOT_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    let file: SnapshotFile =
        serde_json::from_slice(&bytes).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    if !(1..=SNAPSHOT_VERSION).contains(&file.version) {
        return Err(invalid(format!(
            "{}: unknown snapshot version {}",
            path.display(),
            file.version
        )));
    }
    let mut accounts = Vec::with_capacity(file.accounts.len());
    for a in file.accounts {
        let key: Pubkey = a
            .pubkey
            .parse()
            .map_err(|_| invalid(format!("bad pubkey {}", a.pubkey)))?;
        let owner: Pubkey = a
            .owner
            .parse()
            .map_err(|_| invalid(format!("bad owner {}", a.owner)))?;
        let data = BASE64_STANDARD
            .decode(&a.data)
            .map_err(|e| invalid(e.to_string()))?;
        accounts.push((
            key,
            Account {
                lamports: a.lamports,
                data,
                owner,
                executable: a.executable,
                rent_epoch: a.rent_epoch,
            },
        ));
    }
    let genesis_hash = file
        .genesis_hash
        .map(|h| {
            h.parse::<Hash>()
                .map_err(|_| invalid(format!("bad genesis hash {h}")))
        })
        .transpose()?;
    Ok(Some(Snapshot {
        clock_offset: file.clock_offset,
        genesis_hash,
        slot: file.slot,
        saved_at: file.saved_at,
        accounts,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_missing() {
        let dir = std::env::temp_dir().join(format!("ioc-snapshot-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(load(&dir).unwrap(), None);
        let snapshot = Snapshot {
            clock_offset: 3_600,
            genesis_hash: Some(Hash::new_unique()),
            slot: 1_234,
            saved_at: 1_700_000_000,
            accounts: vec![(
                Pubkey::new_unique(),
                Account {
                    lamports: 7,
                    data: vec![1, 2, 3],
                    owner: Pubkey::new_unique(),
                    executable: false,
                    rent_epoch: 0,
                },
            )],
        };
        save(&dir, &snapshot).unwrap();
        assert_eq!(load(&dir).unwrap(), Some(snapshot));
        // A version 1 file (no genesis hash, no slot) still loads.
        fs::write(
            dir.join(SNAPSHOT_FILE),
            br#"{"version":1,"clock_offset":5,"accounts":[]}"#,
        )
        .unwrap();
        let old = load(&dir).unwrap().unwrap();
        assert_eq!((old.genesis_hash, old.slot, old.clock_offset), (None, 0, 5));
        fs::write(dir.join(SNAPSHOT_FILE), b"{not json").unwrap();
        assert!(load(&dir).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
