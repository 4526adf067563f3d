use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DisputeResolved},
    math::SafeMath,
    state::*,
    vault::VaultSigner,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

/// The accounts that end a disputed usage proof, shared by the arbiter's
/// `resolve_dispute` and the automatic `prove_gemm_fraud`.
#[derive(Accounts)]
pub struct ProofSettlement<'info> {
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(mut, seeds = [LEASE_SEED, &lease.id.to_le_bytes()], bump = lease.bump)]
    pub lease: Box<Account<'info, Lease>>,
    #[account(mut)]
    pub device: Box<Account<'info, Device>>,
    #[account(mut)]
    pub provider: Box<Account<'info, Provider>>,
    #[account(
        mut,
        seeds = [USAGE_PROOF_SEED, lease.key().as_ref(), device.key().as_ref(), &proof.seq.to_le_bytes()],
        bump = proof.bump,
        has_one = lease @ IoComputeError::LeaseAccountMismatch,
        has_one = device @ IoComputeError::LeaseAccountMismatch,
        has_one = provider @ IoComputeError::LeaseAccountMismatch,
    )]
    pub proof: Box<Account<'info, UsageProof>>,
    /// The posting keeper's record (it cannot leave while its proofs are
    /// open).
    #[account(mut, seeds = [KEEPER_SEED, proof.keeper_authority.as_ref()], bump = keeper.bump)]
    pub keeper: Box<Account<'info, Keeper>>,
    /// CHECK: the proof's challenger (checked by `require_challenger`);
    /// receives the proof's rent when it is voided.
    #[account(mut)]
    pub challenger: UncheckedAccount<'info>,
    /// The IO account the bond (and reward) goes to when upheld: the
    /// challenger's; when rejected: the provider authority's.
    #[account(mut, constraint = io_destination.mint == config.io_mint @ IoComputeError::WrongMint)]
    pub io_destination: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.stake_vault @ IoComputeError::WrongVault)]
    pub stake_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.bond_vault @ IoComputeError::WrongVault)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    /// Receives the slashed stake and keeper bond.
    #[account(mut, address = config.treasury_io_vault @ IoComputeError::WrongVault)]
    pub treasury_io_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl<'info> ProofSettlement<'info> {
    /// The challenger account is `challenger` (the dispute's, or the GEMM
    /// fraud prover), and the IO destination belongs to whoever the
    /// outcome pays.
    pub fn require_parties(&self, challenger: Pubkey, upheld: bool) -> Result<()> {
        require_keys_eq!(
            self.challenger.key(),
            challenger,
            IoComputeError::LeaseAccountMismatch
        );
        let payee = if upheld {
            challenger
        } else {
            self.provider.authority
        };
        require_keys_eq!(self.io_destination.owner, payee, IoComputeError::WrongPayee);
        Ok(())
    }

    fn vault(&self) -> VaultSigner<'_, 'info> {
        VaultSigner::new(&self.config, &self.token_program, &self.vault_authority)
    }

    /// Upheld: voids the proof and returns its reservation to the lease's
    /// escrow; the challenger's `bond` comes back and it gets the proof's
    /// rent (other disputes of the proof get their bonds back through
    /// `withdraw_dispute`). Who pays depends on the fault:
    ///
    /// - `ProviderAtFault`: the provider's pool loses `dispute_slash_bps`
    ///   of its stake, its own stake first; the challenger gets
    ///   `challenger_reward_bps` of the part taken from the provider's own
    ///   stake only, so a provider can never profit from slashing its own
    ///   pool (H1); the keeper, which posted what the worker signed, loses
    ///   `dispute_slash_bps` of its bond too; the device's reliability and
    ///   the provider's reputation drop.
    /// - `KeeperAtFault`: only the keeper's bond is slashed, and the
    ///   challenger's reward comes from it; the period can be posted again
    ///   when the voided proof was the device's latest (M6).
    ///
    /// What the challenger does not get goes to the IO treasury.
    pub fn uphold(&mut self, fault: Verdict, bond: u64) -> Result<()> {
        let market = self.config.market_params;
        let now = Clock::get()?.unix_timestamp;
        self.lease.release(self.proof.reserved)?;
        let slash_rate = Bps(market.dispute_slash_bps);
        let reward_rate = Bps(market.challenger_reward_bps);
        let keeper_slashed = slash_rate.floor_of(self.keeper.bond)?;
        let (mut slashed, mut reward) = (0, 0);
        if fault == Verdict::KeeperAtFault {
            reward = reward_rate.floor_of(keeper_slashed)?;
            let i = self.lease.device_entry(&self.device.key())?;
            let entry = &mut self.lease.devices[i];
            if entry.proven_until == self.proof.period_end {
                entry.proven_until = self.proof.period_start;
            }
        } else {
            slashed = slash_rate.floor_of(self.provider.stake.amount()?)?;
            if slashed > 0 {
                let split = slash_provider(
                    &mut self.config,
                    &mut self.tokenomics.stakers,
                    &mut self.provider,
                    slashed,
                    now,
                )?;
                reward = reward_rate.floor_of(split.own)?;
            }
            let reputation = &mut self.provider.reputation;
            reputation.disputes_lost = reputation.disputes_lost.safe_add(1)?;
            self.device.penalize_reliability();
        }
        self.lease.invariant()?;
        self.provider.invariant()?;
        self.device.close_proof()?;
        let keeper = &mut self.keeper;
        keeper.bond = keeper.bond.safe_sub(keeper_slashed)?;
        keeper.open_proofs = keeper.open_proofs.safe_sub(1)?;

        let vault = self.vault();
        let io_mint = &self.io_mint;
        // The reward comes from where the fault's slash came from; the
        // rest of both slashes goes to the treasury.
        let (reward_source, stake_to_treasury, bond_to_treasury) =
            if fault == Verdict::KeeperAtFault {
                (&self.bond_vault, 0, keeper_slashed.safe_sub(reward)?)
            } else {
                (&self.stake_vault, slashed.safe_sub(reward)?, keeper_slashed)
            };
        vault.pay(reward_source, io_mint, &self.io_destination, reward)?;
        vault.pay(
            &self.stake_vault,
            io_mint,
            &self.treasury_io_vault,
            stake_to_treasury,
        )?;
        vault.pay(
            &self.bond_vault,
            io_mint,
            &self.treasury_io_vault,
            bond_to_treasury,
        )?;
        vault.pay(&self.bond_vault, io_mint, &self.io_destination, bond)?;
        self.proof.close(self.challenger.to_account_info())?;
        emit_event(DisputeResolved {
            proof: self.proof.key(),
            lease: self.lease.key(),
            challenger: self.challenger.key(),
            verdict: fault,
            provider_slashed: slashed,
            challenger_reward: reward,
            keeper_bond_slashed: keeper_slashed,
            bond,
        });
        Ok(())
    }

    /// Rejected: the dispute's `bond` goes to the provider; the proof is
    /// Cleared once no dispute is left (payable from its unlock time and
    /// never disputed again).
    pub fn reject(&mut self, bond: u64) -> Result<()> {
        self.vault()
            .pay(&self.bond_vault, &self.io_mint, &self.io_destination, bond)?;
        let proof = &mut self.proof;
        proof.reject_dispute()?;
        emit_event(DisputeResolved {
            proof: proof.key(),
            lease: self.lease.key(),
            challenger: self.challenger.key(),
            verdict: Verdict::Rejected,
            provider_slashed: 0,
            challenger_reward: 0,
            keeper_bond_slashed: 0,
            bond,
        });
        Ok(())
    }
}
