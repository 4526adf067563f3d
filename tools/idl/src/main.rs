//! Builds the io-compute IDL through the program's `idl-build` feature (the
//! mechanism `anchor idl build` uses) and writes `idl/io_compute.json`.
//!
//! `cargo run -p io-compute-idl`           regenerate the committed IDL
//! `cargo run -p io-compute-idl -- --check` fail when the committed IDL is stale

use anchor_lang_idl::build::IdlBuilder;
use anyhow::{bail, Context, Result};
use std::path::PathBuf;

fn main() -> Result<()> {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some(other) => bail!("unknown argument {other:?}; use --check or nothing"),
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()?;
    let out = root.join("idl/io_compute.json");

    // anchor-lang-idl 0.1.4 turns RUSTUP_TOOLCHAIN (set by rustup's cargo
    // proxy) into a literal `cargo "+{toolchain}"` argument; the pinned
    // rust-toolchain.toml selects the toolchain anyway.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let idl = IdlBuilder::new()
        .program_path(root.join("programs/io-compute"))
        .skip_lint(false)
        .build()
        .context("building the IDL (run with ANCHOR_LOG=1 for the compiler output)")?;
    let json = serde_json::to_string_pretty(&idl)? + "\n";

    if check {
        let committed =
            std::fs::read_to_string(&out).with_context(|| format!("reading {}", out.display()))?;
        if committed != json {
            bail!(
                "{} is stale: run `cargo run -p io-compute-idl` and commit the result",
                out.display()
            );
        }
        println!("{} is up to date", out.display());
    } else {
        std::fs::write(&out, json).with_context(|| format!("writing {}", out.display()))?;
        println!("wrote {}", out.display());
    }
    Ok(())
}
