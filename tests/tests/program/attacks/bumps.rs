//! Non-canonical bumps: every PDA a call creates, passed at the address of
//! the same seeds with a lower valid bump. The program derives the
//! canonical bump when it creates an account and re-derives with the
//! stored one afterwards, so no account can exist off the canonical
//! address; creating one there must fail on the seeds and create nothing.

use super::*;

impl Sweep {
    pub(super) async fn non_canonical_bumps(&mut self, env: &mut TestEnv, call: &Call) {
        for seeds in &call.creates {
            let seeds: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
            let (canonical, bump) = Pubkey::find_program_address(&seeds, &io_compute::ID);
            let Some(other) = (0..bump).rev().find_map(|b| {
                let bump = [b];
                let with_bump = [&seeds[..], &[&bump[..]]].concat();
                Pubkey::create_program_address(&with_bump, &io_compute::ID).ok()
            }) else {
                continue;
            };
            let fake = replace(&call.ix, canonical, other).unwrap();
            let mut watch = writable(&call.ix);
            watch.push(other);
            let what = format!("{canonical} at the non-canonical {other}");
            let outcome = self.send(env, call, &what, fake, &watch).await;
            self.expect(
                "non-canonical bump",
                call,
                &what,
                &outcome,
                &[AnchorError::ConstraintSeeds as u32],
            );
        }
    }
}
