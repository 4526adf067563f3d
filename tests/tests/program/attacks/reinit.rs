//! Reinitialization and close-then-revive: a call that created accounts
//! sent again must fail and change nothing; an account closed and
//! refunded in one transaction is not a program account any more.

use super::*;

impl Sweep {
    /// Sends a call that just succeeded and created `created` once more:
    /// it must fail and leave the new accounts as they are.
    pub(super) async fn send_again(&mut self, env: &mut TestEnv, call: &Call, created: &[Pubkey]) {
        if created.is_empty() {
            return;
        }
        let signers: Vec<&Keypair> = call.signers.iter().collect();
        let what = "the same creation again";
        self.rejected(env, call, what, call.ix.clone(), &signers, created)
            .await;
        self.count("reinitialization");
    }
}

/// Close-then-revive in one transaction: an account closed by the program
/// and refunded by a system transfer in the same transaction is owned by
/// the system program, not a program account any later instruction accepts.
#[tokio::test]
async fn closed_accounts_cannot_be_revived_in_the_same_transaction() {
    let mut env = TestEnv::initialized().await;
    env.with_price(100_000_000).await;
    let (client, client_iosd) = env.iosd_holder(100 * ONE_IO).await;
    let spec = lease_spec(1, 1, 500_000);
    env.ok(
        ix::create_lease(client.pubkey(), client_iosd, 0, spec),
        &client,
    )
    .await;
    let lease = pda::lease(0);
    let revive =
        solana_system_interface::instruction::transfer(&client.pubkey(), &lease, 10_000_000);
    let outcome = env
        .expect_rejected(
            &[
                ix::cancel_lease(client.pubkey(), 0, client_iosd),
                revive,
                ix::top_up_lease(client.pubkey(), 0, client_iosd, 1),
            ],
            &[&client],
            &[lease, client_iosd, pda::escrow_vault(), pda::market()],
        )
        .await;
    assert_eq!(
        outcome.custom_code(),
        Some(AnchorError::AccountOwnedByWrongProgram as u32)
    );

    // The same with a stake position: withdraw closes it, a transfer
    // refunds it, and a claim on it is refused.
    let (owner, source) = staked_provider(&mut env, 10 * ONE_IO).await;
    let provider = provider_key(&owner);
    env.ok(ix::request_unstake(owner.pubkey(), provider, 0), &owner)
        .await;
    env.advance_time(14 * SECONDS_PER_DAY).await;
    let position = pda::stake_position(&owner.pubkey(), &provider, 0);
    let iosd = env.ata(&owner.pubkey(), &pda::iosd_mint()).await;
    let outcome = env
        .expect_rejected(
            &[
                ix::withdraw(owner.pubkey(), provider, 0, source),
                solana_system_interface::instruction::transfer(
                    &owner.pubkey(),
                    &position,
                    10_000_000,
                ),
                ix::claim_rewards(owner.pubkey(), provider, 0, source, iosd),
            ],
            &[&owner],
            &[position, provider, source, pda::stake_vault()],
        )
        .await;
    assert_eq!(
        outcome.custom_code(),
        Some(AnchorError::AccountOwnedByWrongProgram as u32)
    );
}
