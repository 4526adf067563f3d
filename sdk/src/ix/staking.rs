//! IO stake behind providers and its rewards.

use super::*;

pub(super) fn reward_payout(
    io_destination: Pubkey,
    iosd_destination: Pubkey,
) -> accounts::RewardPayout {
    accounts::RewardPayout {
        config: pda::config(),
        io_destination,
        iosd_destination,
        rewards_vault: pda::rewards_vault(),
        rewards_iosd_vault: pda::rewards_iosd_vault(),
        io_mint: pda::io_mint(),
        iosd_mint: pda::iosd_mint(),
        vault_authority: pda::vault_authority(),
        token_program: TOKEN_PROGRAM,
    }
}

fn stake_accounts(owner: Pubkey, provider: Pubkey, source: Pubkey, nonce: u64) -> accounts::Stake {
    accounts::Stake {
        owner,
        config: pda::config(),
        provider,
        tokenomics: pda::tokenomics(),
        position: pda::stake_position(&owner, &provider, nonce),
        source,
        stake_vault: pda::stake_vault(),
        io_mint: pda::io_mint(),
        token_program: TOKEN_PROGRAM,
        system_program: system_program::ID,
    }
}

/// `stake` by the provider's own authority, from `source` (an IO account).
pub fn stake(owner: Pubkey, source: Pubkey, args: StakeArgs) -> Instruction {
    let provider = pda::provider(&owner);
    build(
        stake_accounts(owner, provider, source, args.nonce),
        instruction::Stake { args },
    )
}

/// `co_stake` behind `provider` (the provider account, not its authority).
pub fn co_stake(owner: Pubkey, provider: Pubkey, source: Pubkey, args: StakeArgs) -> Instruction {
    build(
        stake_accounts(owner, provider, source, args.nonce),
        instruction::CoStake { args },
    )
}

pub fn request_unstake(owner: Pubkey, provider: Pubkey, nonce: u64) -> Instruction {
    build(
        accounts::RequestUnstake {
            owner,
            config: pda::config(),
            provider,
            tokenomics: pda::tokenomics(),
            position: pda::stake_position(&owner, &provider, nonce),
        },
        instruction::RequestUnstake {},
    )
}

pub fn withdraw(owner: Pubkey, provider: Pubkey, nonce: u64, destination: Pubkey) -> Instruction {
    build(
        accounts::Withdraw {
            owner,
            config: pda::config(),
            provider,
            tokenomics: pda::tokenomics(),
            position: pda::stake_position(&owner, &provider, nonce),
            destination,
            stake_vault: pda::stake_vault(),
            io_mint: pda::io_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::Withdraw {},
    )
}

/// `claim_rewards`: pays the position's IO and IOSD rewards to the given
/// accounts (both must exist, whatever the amounts).
pub fn claim_rewards(
    owner: Pubkey,
    provider: Pubkey,
    nonce: u64,
    io_destination: Pubkey,
    iosd_destination: Pubkey,
) -> Instruction {
    build(
        accounts::ClaimRewards {
            owner,
            provider,
            tokenomics: pda::tokenomics(),
            position: pda::stake_position(&owner, &provider, nonce),
            payout: reward_payout(io_destination, iosd_destination),
        },
        instruction::ClaimRewards {},
    )
}

/// `expire_lockup` (anyone): `owner`'s position `nonce` behind `provider`
/// earns at 1x from now on, its lockup being over.
pub fn expire_lockup(owner: Pubkey, provider: Pubkey, nonce: u64) -> Instruction {
    build(
        accounts::ExpireLockup {
            provider,
            tokenomics: pda::tokenomics(),
            position: pda::stake_position(&owner, &provider, nonce),
        },
        instruction::ExpireLockup {},
    )
}
