use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProposalExecuted},
    math::SafeMath,
    state::*,
};
use anchor_lang::prelude::*;

/// Anyone applies a passed proposal once its timelock has run and before
/// it expires (`PROPOSAL_EXECUTION_WINDOW_SECS` later), provided governance
/// is the config authority and the proposal was created after the
/// handover. The bounds are checked again against the configuration as it
/// is now.
#[derive(Accounts)]
pub struct ExecuteProposal<'info> {
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [GOVERNANCE_SEED], bump = governance.bump)]
    pub governance: Box<Account<'info, Governance>>,
    #[account(
        mut, seeds = [PROPOSAL_SEED, &proposal.id.to_le_bytes()], bump = proposal.bump,
        constraint = proposal.state == ProposalState::Succeeded @ IoComputeError::InvalidProposalState,
    )]
    pub proposal: Box<Account<'info, Proposal>>,
    /// The GPU model table, written by `GpuModel` changes.
    #[account(mut, seeds = [GPU_MODELS_SEED], bump = gpu_models.bump)]
    pub gpu_models: Box<Account<'info, GpuModels>>,
}

impl ExecuteProposal<'_> {
    pub fn validate(&self) -> Result<()> {
        require_keys_eq!(
            self.config.authority,
            self.governance.key(),
            IoComputeError::GovernanceNotInControl
        );
        require!(
            self.proposal.id >= self.governance.first_executable_id,
            IoComputeError::ProposalPredatesHandover
        );
        let unlock = self
            .proposal
            .finalized_at
            .safe_add(self.proposal.timelock_secs)?;
        let now = Clock::get()?.unix_timestamp;
        require!(now >= unlock, IoComputeError::TimelockNotPassed);
        require!(
            now < unlock.safe_add(PROPOSAL_EXECUTION_WINDOW_SECS)?,
            IoComputeError::ProposalExpired
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let (config, governance) = checked_changes(
            &accounts.config,
            &accounts.governance.params,
            &accounts.proposal.changes,
        )?;
        accounts.config.set_inner(config);
        accounts.governance.params = governance;
        for change in &accounts.proposal.changes {
            if let ParamChange::GpuModel(model) = change {
                accounts.gpu_models.upsert(std::slice::from_ref(model))?;
            }
        }
        accounts.proposal.state = ProposalState::Executed;
        emit_event(ProposalExecuted {
            proposal: accounts.proposal.key(),
            id: accounts.proposal.id,
            changes: accounts.proposal.changes.clone(),
        });
        Ok(())
    }
}
