//! Missing signer: each signer of a call left out in turn (its key in the
//! account list, without its signature).

use super::*;

impl Sweep {
    pub(super) async fn missing_signers(&mut self, env: &mut TestEnv, call: &Call) {
        let watch = writable(&call.ix);
        for (i, signer) in call.signers.iter().enumerate() {
            let mut unsigned = call.ix.clone();
            unsigned
                .accounts
                .iter_mut()
                .filter(|m| m.pubkey == signer.pubkey())
                .for_each(|m| m.is_signer = false);
            let others: Vec<&Keypair> = call
                .signers
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, k)| k)
                .collect();
            let outcome = self
                .rejected(env, call, "missing signer", unsigned, &others, &watch)
                .await;
            self.expect(
                "missing signer",
                call,
                "missing signer",
                &outcome,
                &[AnchorError::AccountNotSigner as u32],
            );
        }
    }
}
