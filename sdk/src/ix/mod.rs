//! Instruction builders by protocol subject, mirroring the program's
//! `instructions/<subject>/`. Account lists come from the program's generated
//! `accounts::*` structs and data from `instruction::*`, with every PDA
//! derived here, so a caller names only the keys it chooses.

use crate::{pda, worker_key};
use anchor_lang::{
    prelude::{AccountMeta, Pubkey},
    solana_program::instruction::Instruction,
    system_program, InstructionData, ToAccountMetas,
};
use io_compute::{
    accounts, instruction,
    receipt::UsageAttestation,
    state::{
        CallAccount, CheckOutcome, DeviceSpec, GovernanceCall, GovernanceParams, GpuModel,
        LeaseSpec, OracleConfig, ProviderProfile, TokenomicsParams, Verdict, VoteChoice,
    },
    AdmitKeeperArgs, BurnArgs, ClaimDeviceRewardArgs, CreateLeaseWithIoArgs, CreateProposalArgs,
    DisputeProofArgs, ExpireDeviceRewardsArgs, HandOverAuthorityArgs, InitializeArgs,
    OpenGemmChallengeArgs, PostDeviceRewardsArgs, PostUsageProofArgs, RecordDeviceChecksArgs,
    ResolveDisputeArgs, SetGpuModelsArgs, SlashArgs, StakeArgs, SubmitGemmEvidenceArgs,
    TopUpKeeperBondArgs, TopUpLeaseArgs, UpdateDeviceArgs, UpdateKeeperArgs, UpdatePriceArgs,
    VoidDeviceRewardsArgs, ID,
};

mod admin;
mod governance;
mod keeper;
mod lease;
mod proof;
mod provider;
mod staking;
mod token;
mod tokenomics;

pub use admin::*;
pub use governance::*;
pub use keeper::*;
pub use lease::*;
pub use proof::*;
pub use provider::*;
pub use staking::*;
pub use token::*;
pub use tokenomics::*;

use solana_signature::Signature;

const TOKEN_PROGRAM: Pubkey = spl_token_interface::ID;
const INSTRUCTIONS_SYSVAR: Pubkey = solana_sdk_ids::sysvar::instructions::ID;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}
