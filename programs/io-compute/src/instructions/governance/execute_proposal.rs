use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProposalExecuted},
    state::*,
};
use anchor_lang::prelude::*;

/// Anyone applies a passed proposal of changes once its timelock has run
/// and before it expires (`PROPOSAL_EXECUTION_WINDOW_SECS` later), provided
/// governance is the config authority and the proposal was created after
/// the handover. The bounds are checked again against the configuration as
/// it is now.
#[derive(Accounts)]
pub struct ExecuteProposal<'info> {
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [GOVERNANCE_SEED], bump = governance.bump)]
    pub governance: Box<Account<'info, Governance>>,
    #[account(mut, seeds = [PROPOSAL_SEED, &proposal.id.to_le_bytes()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, Proposal>>,
    /// The GPU model table, written by `GpuModel` changes.
    #[account(mut, seeds = [GPU_MODELS_SEED], bump = gpu_models.bump)]
    pub gpu_models: Box<Account<'info, GpuModels>>,
}

impl ExecuteProposal<'_> {
    pub fn validate(&self) -> Result<()> {
        self.proposal.require_executable(
            &self.governance,
            &self.config.authority,
            Clock::get()?.unix_timestamp,
        )?;
        require!(
            self.proposal.call.is_none(),
            IoComputeError::WrongProposalKind
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
            call: None,
        });
        Ok(())
    }
}
