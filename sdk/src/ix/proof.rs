//! Usage proofs: post, dispute, settle, GEMM fraud proofs.

use super::*;

/// The worker's attestation of the period `args` posts for `device` on
/// lease `id`: what the worker signs and the program checks.
pub fn usage_attestation(id: u64, device: Pubkey, args: &PostUsageProofArgs) -> UsageAttestation {
    args.attestation(pda::lease(id), device)
}

/// `post_usage_proof` behind the Ed25519 check of the device worker's
/// signature over the period's attestation: both instructions go in one
/// transaction, in this order.
pub fn post_usage_proof(
    keeper_authority: Pubkey,
    id: u64,
    device: Pubkey,
    args: PostUsageProofArgs,
    worker: &Pubkey,
    worker_signature: &Signature,
) -> [Instruction; 2] {
    let lease = pda::lease(id);
    let message = usage_attestation(id, device, &args).message();
    [
        worker_key::ed25519_verify(worker, &message, worker_signature),
        build(
            accounts::PostUsageProof {
                keeper_authority,
                keeper: pda::keeper(&keeper_authority),
                config: pda::config(),
                lease,
                device,
                proof: pda::usage_proof(&lease, &device, args.seq),
                instructions: INSTRUCTIONS_SYSVAR,
                system_program: system_program::ID,
            },
            instruction::PostUsageProof { args },
        ),
    ]
}

/// The accounts a usage proof names, as `finalize_proof` and the dispute
/// instructions need them.
#[derive(Clone, Copy, Debug)]
pub struct ProofKeys {
    pub lease_id: u64,
    pub device: Pubkey,
    pub provider: Pubkey,
    pub seq: u32,
    /// The keeper authority that posted the proof.
    pub keeper_authority: Pubkey,
}

impl ProofKeys {
    pub fn lease(&self) -> Pubkey {
        pda::lease(self.lease_id)
    }

    pub fn proof(&self) -> Pubkey {
        pda::usage_proof(&self.lease(), &self.device, self.seq)
    }
}

/// `finalize_proof`: pays `provider_destination` (an IOSD account of the
/// provider's authority).
pub fn finalize_proof(
    cranker: Pubkey,
    keys: ProofKeys,
    provider_destination: Pubkey,
) -> Instruction {
    build(
        accounts::FinalizeProof {
            cranker,
            config: pda::config(),
            market: pda::market(),
            tokenomics: pda::tokenomics(),
            lease: keys.lease(),
            device: keys.device,
            provider: keys.provider,
            proof: keys.proof(),
            keeper_authority: keys.keeper_authority,
            keeper: pda::keeper(&keys.keeper_authority),
            provider_destination,
            escrow_vault: pda::escrow_vault(),
            treasury_iosd_vault: pda::treasury_iosd_vault(),
            rewards_iosd_vault: pda::rewards_iosd_vault(),
            iosd_mint: pda::iosd_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::FinalizeProof {},
    )
}

/// `dispute_proof`: opens `challenger`'s dispute of the proof, the bond
/// coming from `bond_source` (an IO account of the challenger).
pub fn dispute_proof(
    challenger: Pubkey,
    keys: ProofKeys,
    bond_source: Pubkey,
    bond: u64,
) -> Instruction {
    build(
        accounts::DisputeProof {
            challenger,
            config: pda::config(),
            lease: keys.lease(),
            proof: keys.proof(),
            dispute: pda::dispute(&keys.proof(), &challenger),
            bond_source,
            bond_vault: pda::bond_vault(),
            io_mint: pda::io_mint(),
            token_program: TOKEN_PROGRAM,
            system_program: system_program::ID,
        },
        instruction::DisputeProof {
            args: DisputeProofArgs { bond },
        },
    )
}

/// The accounts that end a disputed proof; `io_destination` is the
/// challenger's IO account when upholding, the provider authority's when
/// rejecting.
fn proof_settlement(
    keys: ProofKeys,
    challenger: Pubkey,
    io_destination: Pubkey,
) -> accounts::ProofSettlement {
    accounts::ProofSettlement {
        config: pda::config(),
        tokenomics: pda::tokenomics(),
        lease: keys.lease(),
        device: keys.device,
        provider: keys.provider,
        proof: keys.proof(),
        keeper: pda::keeper(&keys.keeper_authority),
        challenger,
        io_destination,
        stake_vault: pda::stake_vault(),
        bond_vault: pda::bond_vault(),
        treasury_io_vault: pda::treasury_io_vault(),
        io_mint: pda::io_mint(),
        vault_authority: pda::vault_authority(),
        token_program: TOKEN_PROGRAM,
    }
}

/// `resolve_dispute` by the arbiter of `challenger`'s dispute (see
/// `proof_settlement`).
pub fn resolve_dispute(
    authority: Pubkey,
    keys: ProofKeys,
    challenger: Pubkey,
    io_destination: Pubkey,
    verdict: Verdict,
) -> Instruction {
    build(
        accounts::ResolveDispute {
            authority,
            settlement: proof_settlement(keys, challenger, io_destination),
            dispute: pda::dispute(&keys.proof(), &challenger),
        },
        instruction::ResolveDispute {
            args: ResolveDisputeArgs { verdict },
        },
    )
}

/// GEMM fraud proof, step 1: `proof` is the usage proof's address.
pub fn open_gemm_challenge(
    prover: Pubkey,
    proof: Pubkey,
    args: OpenGemmChallengeArgs,
) -> Instruction {
    build(
        accounts::OpenGemmChallenge {
            prover,
            proof,
            challenge: pda::gemm_challenge(&proof, &prover),
            system_program: system_program::ID,
        },
        instruction::OpenGemmChallenge { args },
    )
}

/// GEMM fraud proof, step 2: one piece of evidence (see
/// `gemm::GemmJob::fraud_evidence` for the whole sequence).
pub fn submit_gemm_evidence(
    prover: Pubkey,
    proof: Pubkey,
    args: SubmitGemmEvidenceArgs,
) -> Instruction {
    build(
        accounts::SubmitGemmEvidence {
            prover,
            challenge: pda::gemm_challenge(&proof, &prover),
        },
        instruction::SubmitGemmEvidence { args },
    )
}

/// GEMM fraud proof, step 3: a wrong element voids the proof, the reward
/// going to `prover_io` (an IO account of the prover); the proof's open
/// disputes are then refunded with `refund_dispute`.
pub fn prove_gemm_fraud(prover: Pubkey, keys: ProofKeys, prover_io: Pubkey) -> Instruction {
    build(
        accounts::ProveGemmFraud {
            prover,
            challenge: pda::gemm_challenge(&keys.proof(), &prover),
            settlement: proof_settlement(keys, prover, prover_io),
        },
        instruction::ProveGemmFraud {},
    )
}

/// Returns `challenger`'s bond (to `challenger_io`, an IO account of it)
/// once its disputed `proof` was voided another way.
pub fn refund_dispute(proof: Pubkey, challenger: Pubkey, challenger_io: Pubkey) -> Instruction {
    build(
        accounts::RefundDispute {
            config: pda::config(),
            dispute: pda::dispute(&proof, &challenger),
            proof,
            challenger,
            challenger_io,
            bond_vault: pda::bond_vault(),
            io_mint: pda::io_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::RefundDispute {},
    )
}

/// Ends `prover`'s GEMM challenge of `proof` without a verdict.
pub fn abandon_gemm_challenge(caller: Pubkey, proof: Pubkey, prover: Pubkey) -> Instruction {
    build(
        accounts::AbandonGemmChallenge {
            caller,
            challenge: pda::gemm_challenge(&proof, &prover),
            prover,
            proof,
        },
        instruction::AbandonGemmChallenge {},
    )
}
