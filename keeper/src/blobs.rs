//! Content-addressed blobs (job inputs and outputs) in a directory beside
//! the journal, one file per hex sha256, written to a temporary name and
//! renamed so a reader never sees half a blob.

use anyhow::{Context, Result};
use io_compute_sdk::api::blob_hash;
use std::path::{Path, PathBuf};

/// Largest blob accepted: a 4096 x 4096 f32 matrix with room to spare.
pub const MAX_BLOB_BYTES: usize = 256 << 20;

#[derive(Clone)]
pub struct Blobs {
    dir: PathBuf,
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

impl Blobs {
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the blob directory {}", dir.display()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// Stores `bytes` under `hash` after checking it.
    pub fn put(&self, hash: &str, bytes: &[u8]) -> Result<(), anyhow::Error> {
        if !valid_name(hash) {
            return Err(BlobError::BadName(hash.to_string()).into());
        }
        if bytes.len() > MAX_BLOB_BYTES {
            return Err(BlobError::TooLarge(bytes.len()).into());
        }
        let actual = blob_hash(bytes);
        if actual != hash {
            return Err(BlobError::HashMismatch {
                expected: hash.to_string(),
                actual,
            }
            .into());
        }
        let path = self.dir.join(hash);
        if path.exists() {
            return Ok(());
        }
        let temporary = self
            .dir
            .join(format!("{hash}.{}.part", rand::random::<u64>()));
        std::fs::write(&temporary, bytes)
            .and_then(|()| std::fs::rename(&temporary, &path))
            .with_context(|| format!("cannot store blob {hash}"))
    }

    pub fn get(&self, hash: &str) -> Option<Vec<u8>> {
        if !valid_name(hash) {
            return None;
        }
        std::fs::read(self.dir.join(hash)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_stored_under_their_hash_only() {
        let dir = std::env::temp_dir().join(format!("io-keeper-blobs-{}", std::process::id()));
        let blobs = Blobs::open(&dir).unwrap();
        let hash = blob_hash(b"abc");
        blobs.put(&hash, b"abc").unwrap();
        assert_eq!(blobs.get(&hash), Some(b"abc".to_vec()));
        let wrong = blobs.put(&blob_hash(b"abd"), b"abc").unwrap_err();
        assert!(wrong.to_string().contains("the bytes hash to"), "{wrong}");
        assert!(blobs.put("../etc", b"abc").is_err());
        assert_eq!(blobs.get("../etc/passwd"), None);
        let _ = std::fs::remove_dir_all(dir);
    }
}
