//! The machine's worker key: made once, kept in a keypair file beside the
//! worker, set on-chain as its devices' `worker` by `register`. It signs
//! every receipt and period attestation; the provider's key never lives on
//! the worker machine.

use anyhow::{Context, Result};
use solana_sdk::signer::keypair::{read_keypair_file, write_keypair_file, Keypair};
use std::path::{Path, PathBuf};

/// `~/.config/io-compute/worker.json` (where `io-worker` looks by default).
pub fn default_path() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join(".config/io-compute/worker.json")
}

/// The worker keypair at `path`, made (readable by its owner only) when
/// there is none yet. Returns it and whether it was made now.
pub fn load_or_create(path: &Path) -> Result<(Keypair, bool)> {
    if path.exists() {
        let keypair = read_keypair_file(path).map_err(|e| {
            anyhow::anyhow!("cannot read the worker keypair {}: {e}", path.display())
        })?;
        return Ok((keypair, false));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let keypair = Keypair::new();
    write_keypair_file(&keypair, path)
        .map_err(|e| anyhow::anyhow!("cannot write the worker keypair {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    Ok((keypair, true))
}
