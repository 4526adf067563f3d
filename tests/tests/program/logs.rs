//! The native program's transaction logs match what an SBF deployment
//! writes: instruction names, Anchor errors and events.

use crate::*;
use io_compute::error::IoComputeError;

#[tokio::test]
async fn logs_carry_instruction_names_errors_and_events() {
    let mut env = TestEnv::initialized().await;
    let owner = registered_provider(&mut env).await;
    let source = env.give_io(&owner.pubkey(), ONE_IO).await;

    let ok = env
        .send(
            &[ix::stake(owner.pubkey(), source, stake_args(0, ONE_IO, 0))],
            &[&owner],
        )
        .await;
    ok.assert_ok();
    let program = io_compute::ID.to_string();
    assert_eq!(
        ok.logs.first().unwrap(),
        &format!("Program {program} invoke [1]")
    );
    assert!(
        ok.logs
            .contains(&"Program log: Instruction: Stake".to_string()),
        "{:#?}",
        ok.logs
    );
    assert_eq!(
        ok.logs
            .iter()
            .filter(|l| l.starts_with("Program data: "))
            .count(),
        1,
        "one Staked event"
    );
    assert_eq!(
        ok.logs.last().unwrap(),
        &format!("Program {program} success")
    );

    let failed = env
        .send(
            &[ix::stake(owner.pubkey(), source, stake_args(1, 0, 0))],
            &[&owner],
        )
        .await;
    failed.assert_error(IoComputeError::ZeroAmount);
    let code = anchor_lang::error::ERROR_CODE_OFFSET + IoComputeError::ZeroAmount as u32;
    // `error!` records where the error was raised, as on SBF.
    let expected = format!(
        "Error Code: ZeroAmount. Error Number: {code}. Error Message: Amount must be greater than zero."
    );
    assert!(
        failed.logs.iter().any(|l| l.starts_with("Program log: AnchorError thrown in ") && l.ends_with(&expected)),
        "{:#?}",
        failed.logs
    );
    assert!(
        !failed.logs.iter().any(|l| l.starts_with("Program data: ")),
        "no event from a failed call"
    );
}
