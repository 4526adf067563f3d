//! Duplicate mutable accounts: one writable account of a call passed
//! again in place of another of the same kind (a program account of the
//! same type, a token account of the same mint), so that two writes would
//! land on one account.

use super::*;

impl Sweep {
    pub(super) async fn duplicates(&mut self, env: &mut TestEnv, call: &Call) {
        let watch = writable(&call.ix);
        let mut kinds = Vec::new();
        for key in &watch {
            if call.signers.iter().any(|s| s.pubkey() == *key)
                || kinds.iter().any(|(k, _)| k == key)
            {
                continue;
            }
            if let Some(kind) = mutable_kind(env, key).await {
                kinds.push((*key, kind));
            }
        }
        for (i, (first, kind)) in kinds.iter().enumerate() {
            for (second, other) in &kinds[i + 1..] {
                if kind != other {
                    continue;
                }
                let fake = replace(&call.ix, *second, *first).unwrap();
                let what = format!("{first} passed again for {second}");
                let outcome = self.send(env, call, &what, fake, &watch).await;
                // Anchor refuses the duplicate unless a constraint between
                // the two (an address, a mint, an owner) fails first.
                let code = outcome.custom_code();
                assert!(
                    code.is_some_and(|c| c >= anchor_lang::error::ERROR_CODE_OFFSET
                        || c == AnchorError::ConstraintDuplicateMutableAccount as u32
                        || (2000..2100).contains(&c)),
                    "{}: {what} -> {:?}",
                    call.name,
                    outcome.result
                );
                self.count("duplicate mutable");
            }
        }
    }
}

/// What a writable account holds: a program account's type, or a token
/// account's mint; `None` for anything else (wallets, mints, new
/// addresses).
async fn mutable_kind(env: &mut TestEnv, key: &Pubkey) -> Option<Vec<u8>> {
    let account = env.raw_account(key).await?;
    if account.lamports == 0 {
        return None;
    }
    if account.owner == io_compute::ID {
        return Some(account.data[..8].to_vec());
    }
    if account.owner == spl_token_interface::ID && account.data.len() == 165 {
        return Some(account.data[..32].to_vec());
    }
    None
}
