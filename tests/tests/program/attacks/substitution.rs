//! Owner and account substitution, type cosplay, PDA twins and fake CPI
//! targets: for every program account in a call, an account of another
//! type, an account of another program, and an account of the same type at
//! another address; a fake token and system program; the other mint and
//! another vault.

use super::*;

impl Sweep {
    pub(super) async fn substitutions(&mut self, env: &mut TestEnv, call: &Call) {
        let watch = writable(&call.ix);
        let in_call = |key: &Pubkey| call.ix.accounts.iter().any(|m| m.pubkey == *key);

        // (what, the account replaced, its stand-in, the error expected)
        let fixed = [
            (
                "fake token program",
                spl_token_interface::ID,
                io_compute::ID,
                AnchorError::InvalidProgramId as u32,
            ),
            (
                "fake system program",
                solana_system_interface::program::ID,
                spl_token_interface::ID,
                AnchorError::InvalidProgramId as u32,
            ),
            (
                "IOSD for IO mint",
                pda::io_mint(),
                pda::iosd_mint(),
                program_error(IoComputeError::WrongMint),
            ),
            (
                "other IO vault",
                pda::stake_vault(),
                pda::rewards_vault(),
                program_error(IoComputeError::WrongVault),
            ),
        ];
        for (what, from, to, expected) in fixed {
            // A stand-in already in the list would be a duplicate, not a fake.
            if in_call(&to) {
                continue;
            }
            if let Some(fake) = replace(&call.ix, from, to) {
                let outcome = self.send(env, call, what, fake, &watch).await;
                self.expect("fake program or vault", call, what, &outcome, &[expected]);
            }
        }

        let cosplayers = [
            pda::config(),
            pda::gpu_models(),
            pda::tokenomics(),
            pda::market(),
            pda::price_feed(),
        ];
        let foreigners = [
            pda::io_mint(),
            pda::iosd_mint(),
            pda::treasury_io_vault(),
            pda::escrow_vault(),
        ];
        let cosplayers = program_accounts(env, &cosplayers).await;
        let twins = program_accounts(env, &self.twins).await;
        let keys: Vec<Pubkey> = call.ix.accounts.iter().map(|m| m.pubkey).collect();
        for (key, kind) in program_accounts(env, &keys).await {
            let mut own = own_checks(&kind);
            own.extend(
                call.by_address
                    .iter()
                    .filter(|(k, _)| *k == key)
                    .map(|(_, e)| *e),
            );
            let cosplay_error = [
                &[AnchorError::AccountDiscriminatorMismatch as u32],
                &own[..],
            ]
            .concat();
            let foreign_error =
                [&[AnchorError::AccountOwnedByWrongProgram as u32], &own[..]].concat();
            // Type cosplay: a program account of another type.
            let (cosplayer, _) = *cosplayers
                .iter()
                .find(|(k, t)| !in_call(k) && *t != kind)
                .expect("a program account of another type");
            let fake = replace(&call.ix, key, cosplayer).unwrap();
            let what = format!("{key} cosplayed by {cosplayer}");
            let outcome = self.send(env, call, &what, fake, &watch).await;
            self.expect("type cosplay", call, &what, &outcome, &cosplay_error);

            // Owner substitution: an account of another program.
            let foreigner = *foreigners.iter().find(|k| !in_call(k)).unwrap();
            let fake = replace(&call.ix, key, foreigner).unwrap();
            let what = format!("{key} replaced by {foreigner}");
            let outcome = self.send(env, call, &what, fake, &watch).await;
            self.expect("foreign owner", call, &what, &outcome, &foreign_error);

            // Same type, other address: seeds, has_one or the program's own
            // checks must tell them apart.
            let twin = twins
                .iter()
                .find(|(k, t)| !in_call(k) && *t == kind && !call.free.contains(&key));
            if let Some(&(twin, _)) = twin {
                let fake = replace(&call.ix, key, twin).unwrap();
                let what = format!("{key} swapped for its twin {twin}");
                let outcome = self.send(env, call, &what, fake, &watch).await;
                let code = outcome.custom_code();
                assert!(
                    matches!(
                        code,
                        Some(c) if c >= anchor_lang::error::ERROR_CODE_OFFSET
                            || [
                                AnchorError::ConstraintHasOne as u32,
                                AnchorError::ConstraintRaw as u32,
                                AnchorError::ConstraintSeeds as u32,
                                AnchorError::ConstraintAddress as u32,
                            ]
                            .contains(&c)
                    ),
                    "{}: {key} swapped for its twin {twin} -> {:?}",
                    call.name,
                    outcome.result
                );
                self.count("same-type twin");
            }
        }
    }
}

/// Errors besides Anchor's with which the program refuses a stand-in for
/// an account of this type: the accounts it checks itself. The price feed
/// is checked by address where it is read (the source may be a Pyth
/// account) and by seeds where it is created; keeper records are loaded
/// by hand so that a wallet that is not a keeper is told so.
fn own_checks(kind: &[u8]) -> Vec<u32> {
    use anchor_lang::Discriminator;
    use io_compute::state::{Keeper, PriceFeed};
    if kind == PriceFeed::DISCRIMINATOR {
        vec![
            program_error(IoComputeError::OracleWrongAccount),
            AnchorError::ConstraintSeeds as u32,
        ]
    } else if kind == Keeper::DISCRIMINATOR {
        vec![program_error(IoComputeError::NotAdmittedKeeper)]
    } else {
        vec![]
    }
}
