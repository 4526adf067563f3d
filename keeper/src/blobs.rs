//! Content-addressed blobs (job inputs and outputs, device-reward reports)
//! under their hex sha256. Small ones (most outputs) are rows of the
//! journal, written in the same group commit as the entry that names them:
//! a file each would cost an inode a job, which at a thousand jobs a second
//! is most of the kernel's time. Larger ones are a file each in a directory
//! beside the journal, written to a temporary name and renamed so a reader
//! never sees half a blob.

use crate::journal::{Entry, Journal};
use anyhow::{Context, Result};
use io_compute_sdk::api::blob_hash;
use std::path::{Path, PathBuf};

/// Largest blob accepted: a 4096 x 4096 f32 matrix with room to spare.
pub const MAX_BLOB_BYTES: usize = 256 << 20;

/// Blobs up to this size are kept in the journal.
pub const SMALL_BLOB_BYTES: usize = io_compute_sdk::api::MAX_INLINE_OUTPUT;

#[derive(Clone)]
pub struct Blobs {
    dir: PathBuf,
    journal: Journal,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BlobError {
    #[error("{0:?} is not a hex sha256")]
    BadName(String),
    #[error("the bytes hash to {actual}, not {expected}")]
    HashMismatch { expected: String, actual: String },
    #[error("blob of {0} bytes is over the {MAX_BLOB_BYTES}-byte limit")]
    TooLarge(usize),
}

fn valid_name(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `bytes` may be stored as `hash`.
fn check(hash: &str, bytes: &[u8]) -> Result<(), BlobError> {
    if !valid_name(hash) {
        return Err(BlobError::BadName(hash.to_string()));
    }
    if bytes.len() > MAX_BLOB_BYTES {
        return Err(BlobError::TooLarge(bytes.len()));
    }
    let actual = blob_hash(bytes);
    if actual != hash {
        return Err(BlobError::HashMismatch {
            expected: hash.to_string(),
            actual,
        });
    }
    Ok(())
}

impl Blobs {
    pub fn open(dir: &Path, journal: Journal) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the blob directory {}", dir.display()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            journal,
        })
    }

    /// Stores `bytes` under `hash` after checking it; returns once it is
    /// on disk.
    pub async fn put(&self, hash: &str, bytes: Vec<u8>) -> Result<()> {
        check(hash, &bytes)?;
        if bytes.len() <= SMALL_BLOB_BYTES {
            return self
                .journal
                .record(Entry::Blob {
                    hash: hash.to_string(),
                    bytes,
                })
                .await;
        }
        let path = self.dir.join(hash);
        let temporary = self
            .dir
            .join(format!("{hash}.{}.part", rand::random::<u64>()));
        tokio::task::spawn_blocking(move || {
            if path.exists() {
                return Ok(());
            }
            std::fs::write(&temporary, &bytes).and_then(|()| std::fs::rename(&temporary, &path))
        })
        .await?
        .with_context(|| format!("cannot store blob {hash}"))
    }

    /// The blob `hash`, if stored (blocking: call it off the async
    /// threads for large blobs).
    pub fn get(&self, hash: &str) -> Option<Vec<u8>> {
        if !valid_name(hash) {
            return None;
        }
        self.journal
            .blob(hash)
            .or_else(|| std::fs::read(self.dir.join(hash)).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_are_stored_under_their_hash_only() {
        let dir = std::env::temp_dir().join(format!("io-keeper-blobs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let journal = Journal::open(&dir.join("journal.db")).unwrap();
        let blobs = Blobs::open(&dir.join("blobs"), journal).unwrap();
        let hash = blob_hash(b"abc");
        blobs.put(&hash, b"abc".to_vec()).await.unwrap();
        assert_eq!(blobs.get(&hash), Some(b"abc".to_vec()));
        let wrong = blobs
            .put(&blob_hash(b"abd"), b"abc".to_vec())
            .await
            .unwrap_err();
        assert!(wrong.to_string().contains("the bytes hash to"), "{wrong}");
        assert!(blobs.put("../etc", b"abc".to_vec()).await.is_err());
        assert_eq!(blobs.get("../etc/passwd"), None);
        // A large blob is a file of its own, a small one a journal row; both
        // are there after a reopen.
        let large = vec![5u8; SMALL_BLOB_BYTES + 1];
        let large_hash = blob_hash(&large);
        blobs.put(&large_hash, large.clone()).await.unwrap();
        assert!(dir.join("blobs").join(&large_hash).exists());
        assert!(!dir.join("blobs").join(&hash).exists());
        drop(blobs);
        let again = Blobs::open(
            &dir.join("blobs"),
            Journal::open(&dir.join("journal.db")).unwrap(),
        )
        .unwrap();
        assert_eq!(again.get(&hash), Some(b"abc".to_vec()));
        assert_eq!(again.get(&large_hash), Some(large));
        let _ = std::fs::remove_dir_all(dir);
    }
}
