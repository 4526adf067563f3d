use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProposalCreated},
    math::SafeMath,
    pda_create,
    state::*,
};
use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateProposalArgs {
    pub description: String,
    pub changes: Vec<ParamChange>,
    /// Instead of changes: a role instruction for governance to sign.
    pub call: Option<GovernanceCall>,
}

/// A staker whose position weighs at least `min_weight_to_propose` opens a
/// proposal of 1 to 4 bounded parameter changes, or of one role
/// instruction for governance to sign (`GovernanceCall`); an out-of-bounds
/// change or a call outside the role instructions is refused here, not at
/// execution. Voting starts now; the quorum is fixed from the IO staked
/// now.
#[derive(Accounts)]
pub struct CreateProposal<'info> {
    #[account(mut)]
    pub proposer: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [GOVERNANCE_SEED], bump = governance.bump)]
    pub governance: Box<Account<'info, Governance>>,
    #[account(seeds = [PROVIDER_SEED, provider.authority.as_ref()], bump = provider.bump)]
    pub provider: Box<Account<'info, Provider>>,
    #[account(
        seeds = [STAKE_SEED, proposer.key().as_ref(), provider.key().as_ref(), &position.nonce.to_le_bytes()],
        bump = position.bump,
        has_one = provider @ IoComputeError::PositionProviderMismatch,
    )]
    pub position: Box<Account<'info, StakePosition>>,
    #[account(address = config.stake_vault @ IoComputeError::WrongVault)]
    pub stake_vault: Box<Account<'info, TokenAccount>>,
    /// CHECK: created as `Proposal` by the handler.
    #[account(mut, seeds = [PROPOSAL_SEED, &governance.next_proposal_id.to_le_bytes()], bump)]
    pub proposal: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl CreateProposal<'_> {
    pub fn validate(&self, args: &CreateProposalArgs) -> Result<()> {
        let changes_fit = match &args.call {
            None => (1..=MAX_PROPOSAL_CHANGES).contains(&args.changes.len()),
            Some(_) => args.changes.is_empty(),
        };
        require!(
            changes_fit && args.description.len() <= MAX_DESCRIPTION_LEN,
            IoComputeError::InvalidProposal
        );
        checked_changes(&self.config, &self.governance.params, &args.changes)?;
        if let Some(call) = &args.call {
            call.validate(&self.proposal.key(), &self.governance.key())?;
        }
        require!(
            !self.position.is_unstaking(),
            IoComputeError::PositionUnstaking
        );
        let value = self
            .provider
            .stake
            .value_of(self.position.shares, self.position.kind)?;
        let weight = voting_weight(
            value,
            self.position.lockup_end,
            Clock::get()?.unix_timestamp,
        )?;
        require!(
            weight >= self.governance.params.min_weight_to_propose,
            IoComputeError::WeightTooLowToPropose
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: CreateProposalArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let params = accounts.governance.params;
        let id = accounts.governance.next_proposal_id;
        let bump = ctx.bumps.proposal;
        let quorum_weight = Bps(params.quorum_bps).ceil_of(accounts.stake_vault.amount)? as u128;
        let proposal = Proposal {
            id,
            proposer: accounts.proposer.key(),
            description: args.description,
            changes: args.changes,
            call: args.call,
            state: ProposalState::Voting,
            voting_start: now,
            voting_end: now.safe_add(params.voting_period_secs)?,
            quorum_weight,
            approval_bps: params.approval_bps,
            timelock_secs: params.timelock_secs,
            yes: 0,
            no: 0,
            abstain: 0,
            vote_count: 0,
            finalized_at: 0,
            bump,
        };
        pda_create::create_program_account(
            &accounts.proposer,
            &accounts.proposal,
            8 + Proposal::INIT_SPACE,
            &[PROPOSAL_SEED, &id.to_le_bytes(), &[bump]],
            &proposal,
        )?;
        accounts.governance.next_proposal_id = id.safe_add(1)?;
        emit_event(ProposalCreated {
            proposal: accounts.proposal.key(),
            id,
            proposer: proposal.proposer,
            changes: proposal.changes,
            call: proposal.call,
            voting_end: proposal.voting_end,
            quorum_weight,
        });
        Ok(())
    }
}
