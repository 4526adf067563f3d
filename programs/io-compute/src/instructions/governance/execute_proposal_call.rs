use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProposalExecuted},
    state::*,
};
use anchor_lang::{prelude::*, solana_program::program::invoke_signed};

/// Anyone runs a passed proposal's role instruction (`GovernanceCall`) under
/// the same conditions as `execute_proposal`: the program invokes itself
/// with the governance PDA as signer, so governance acts as arbiter,
/// keeper admin, price authority or config authority wherever a proposal
/// made it one. The call's accounts follow the fixed ones, in the call's
/// order; a co-signer the call names (a keeper being admitted) signs this
/// transaction.
#[derive(Accounts)]
pub struct ExecuteProposalCall<'info> {
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(seeds = [GOVERNANCE_SEED], bump = governance.bump)]
    pub governance: Box<Account<'info, Governance>>,
    #[account(mut, seeds = [PROPOSAL_SEED, &proposal.id.to_le_bytes()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, Proposal>>,
    /// CHECK: this program, the callee.
    #[account(address = crate::ID @ IoComputeError::InvalidGovernanceCall)]
    pub io_compute_program: UncheckedAccount<'info>,
}

impl<'info> ExecuteProposalCall<'info> {
    pub fn validate(&self, call_accounts: &[AccountInfo]) -> Result<()> {
        self.proposal.require_executable(
            &self.governance,
            &self.config.authority,
            Clock::get()?.unix_timestamp,
        )?;
        let call = self
            .proposal
            .call
            .as_ref()
            .ok_or(error!(IoComputeError::WrongProposalKind))?;
        require!(
            call_accounts.len() == call.accounts.len()
                && call_accounts
                    .iter()
                    .zip(&call.accounts)
                    .all(|(info, meta)| *info.key == meta.pubkey),
            IoComputeError::CallAccountsMismatch
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(ctx.remaining_accounts))]
    pub fn handle(ctx: Context<'info, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        accounts.proposal.state = ProposalState::Executed;
        let call = accounts.proposal.call.clone().unwrap_or_default();
        let mut infos = ctx.remaining_accounts.to_vec();
        infos.push(accounts.io_compute_program.to_account_info());
        invoke_signed(
            &call.instruction(),
            &infos,
            &[&[GOVERNANCE_SEED, &[accounts.governance.bump]]],
        )?;
        emit_event(ProposalExecuted {
            proposal: accounts.proposal.key(),
            id: accounts.proposal.id,
            changes: Vec::new(),
            call: Some(call),
        });
        Ok(())
    }
}
