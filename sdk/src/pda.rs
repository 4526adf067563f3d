//! Program-derived addresses, one function per account kind. Seeds come from
//! the program's `constants`, so client and program can never disagree.

use anchor_lang::prelude::Pubkey;
use io_compute::{constants::*, ID};

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &ID).0
}

pub fn config() -> Pubkey {
    find(&[CONFIG_SEED])
}

pub fn gpu_models() -> Pubkey {
    find(&[GPU_MODELS_SEED])
}

pub fn vault_authority() -> Pubkey {
    find(&[VAULT_AUTHORITY_SEED])
}

pub fn io_mint() -> Pubkey {
    find(&[IO_MINT_SEED])
}

pub fn iosd_mint() -> Pubkey {
    find(&[IOSD_MINT_SEED])
}

pub fn stake_vault() -> Pubkey {
    find(&[STAKE_VAULT_SEED])
}

pub fn rewards_vault() -> Pubkey {
    find(&[REWARDS_VAULT_SEED])
}

pub fn treasury_io_vault() -> Pubkey {
    find(&[TREASURY_IO_SEED])
}

pub fn escrow_vault() -> Pubkey {
    find(&[ESCROW_VAULT_SEED])
}

pub fn treasury_iosd_vault() -> Pubkey {
    find(&[TREASURY_IOSD_SEED])
}

pub fn rewards_iosd_vault() -> Pubkey {
    find(&[REWARDS_IOSD_SEED])
}

pub fn bond_vault() -> Pubkey {
    find(&[BOND_VAULT_SEED])
}

pub fn keeper(authority: &Pubkey) -> Pubkey {
    find(&[KEEPER_SEED, authority.as_ref()])
}

pub fn device_claim(epoch: u64, device: &Pubkey) -> Pubkey {
    find(&[DEVICE_CLAIM_SEED, &epoch.to_le_bytes(), device.as_ref()])
}

pub fn market() -> Pubkey {
    find(&[MARKET_SEED])
}

pub fn lease(id: u64) -> Pubkey {
    find(&[LEASE_SEED, &id.to_le_bytes()])
}

pub fn usage_proof(lease: &Pubkey, device: &Pubkey, seq: u32) -> Pubkey {
    find(&[
        USAGE_PROOF_SEED,
        lease.as_ref(),
        device.as_ref(),
        &seq.to_le_bytes(),
    ])
}

pub fn dispute(proof: &Pubkey, challenger: &Pubkey) -> Pubkey {
    find(&[DISPUTE_SEED, proof.as_ref(), challenger.as_ref()])
}

pub fn gemm_challenge(proof: &Pubkey, prover: &Pubkey) -> Pubkey {
    find(&[GEMM_CHALLENGE_SEED, proof.as_ref(), prover.as_ref()])
}

pub fn governance() -> Pubkey {
    find(&[GOVERNANCE_SEED])
}

pub fn proposal(id: u64) -> Pubkey {
    find(&[PROPOSAL_SEED, &id.to_le_bytes()])
}

pub fn vote(proposal: &Pubkey, position: &Pubkey) -> Pubkey {
    find(&[VOTE_SEED, proposal.as_ref(), position.as_ref()])
}

pub fn provider(authority: &Pubkey) -> Pubkey {
    find(&[PROVIDER_SEED, authority.as_ref()])
}

pub fn device(provider: &Pubkey, index: u32) -> Pubkey {
    find(&[DEVICE_SEED, provider.as_ref(), &index.to_le_bytes()])
}

pub fn stake_position(owner: &Pubkey, provider: &Pubkey, nonce: u64) -> Pubkey {
    find(&[
        STAKE_SEED,
        owner.as_ref(),
        provider.as_ref(),
        &nonce.to_le_bytes(),
    ])
}

/// The program's ProgramData under the upgradeable loader.
pub fn program_data() -> Pubkey {
    Pubkey::find_program_address(
        &[ID.as_ref()],
        &anchor_lang::solana_program::bpf_loader_upgradeable::ID,
    )
    .0
}

/// Associated token account of `owner` for `mint` (SPL Token).
pub fn associated_token(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    spl_associated_token_account_interface::address::get_associated_token_address(owner, mint)
}

pub fn price_feed() -> Pubkey {
    find(&[PRICE_FEED_SEED])
}

pub fn tokenomics() -> Pubkey {
    find(&[TOKENOMICS_SEED])
}

/// The protocol-wide accounts that exist once the protocol is set up on a
/// cluster (`ioc migrate`); one missing means it is not.
pub fn protocol_singletons() -> [Pubkey; 6] {
    [
        config(),
        gpu_models(),
        market(),
        tokenomics(),
        governance(),
        price_feed(),
    ]
}

pub fn epoch(number: u64) -> Pubkey {
    find(&[EPOCH_SEED, &number.to_le_bytes()])
}
