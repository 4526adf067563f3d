//! Price, IOSD, epochs and device rewards.

use super::*;

pub(super) fn burn_accounts(
    owner: Pubkey,
    source: Pubkey,
    destination: Pubkey,
    price: Pubkey,
    current_epoch: u64,
) -> accounts::BurnIoForIosd {
    accounts::BurnIoForIosd {
        owner,
        config: pda::config(),
        tokenomics: pda::tokenomics(),
        epoch: pda::epoch(current_epoch),
        price,
        io_mint: pda::io_mint(),
        iosd_mint: pda::iosd_mint(),
        source,
        destination,
        vault_authority: pda::vault_authority(),
        token_program: TOKEN_PROGRAM,
    }
}

pub fn update_price(price_authority: Pubkey, price: i64, conf: u64, expo: i32) -> Instruction {
    build(
        accounts::UpdatePrice {
            price_authority,
            config: pda::config(),
            price_feed: pda::price_feed(),
        },
        instruction::UpdatePrice {
            args: UpdatePriceArgs { price, conf, expo },
        },
    )
}

/// `burn_io_for_iosd`: `price` is the configured source (the authority
/// price feed PDA, or a Pyth price update account); `current_epoch` is
/// `Tokenomics.current_epoch`.
pub fn burn_io_for_iosd(
    owner: Pubkey,
    source: Pubkey,
    destination: Pubkey,
    price: Pubkey,
    current_epoch: u64,
    args: BurnArgs,
) -> Instruction {
    build(
        burn_accounts(owner, source, destination, price, current_epoch),
        instruction::BurnIoForIosd { args },
    )
}

/// `owner` buys IOSD with its own IO at the price feed: its IOSD account is
/// created if absent, then IO is burned from its IO account into it.
pub fn buy_iosd(owner: Pubkey, current_epoch: u64, args: BurnArgs) -> [Instruction; 2] {
    [
        create_associated_token_account(owner, owner, pda::iosd_mint()),
        burn_io_for_iosd(
            owner,
            pda::associated_token(&owner, &pda::io_mint()),
            pda::associated_token(&owner, &pda::iosd_mint()),
            pda::price_feed(),
            current_epoch,
            args,
        ),
    ]
}

/// `advance_epoch`: `current_epoch` is `Tokenomics.current_epoch`.
pub fn advance_epoch(cranker: Pubkey, current_epoch: u64) -> Instruction {
    build(
        accounts::AdvanceEpoch {
            cranker,
            config: pda::config(),
            tokenomics: pda::tokenomics(),
            current: pda::epoch(current_epoch),
            next: pda::epoch(current_epoch + 1),
            io_mint: pda::io_mint(),
            rewards_vault: pda::rewards_vault(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
            system_program: system_program::ID,
        },
        instruction::AdvanceEpoch {},
    )
}

/// `claim_device_reward`: `destination` is an IO account owned by the
/// leaf's owner; `payer` pays the claim receipt's rent.
pub fn claim_device_reward(
    payer: Pubkey,
    device: Pubkey,
    destination: Pubkey,
    args: ClaimDeviceRewardArgs,
) -> Instruction {
    build(
        accounts::ClaimDeviceReward {
            payer,
            config: pda::config(),
            tokenomics: pda::tokenomics(),
            epoch: pda::epoch(args.epoch),
            device,
            claim: pda::device_claim(args.epoch, &device),
            destination,
            rewards_vault: pda::rewards_vault(),
            io_mint: pda::io_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
            system_program: system_program::ID,
        },
        instruction::ClaimDeviceReward { args },
    )
}

/// `expire_device_rewards` (anyone, once `epoch`'s claims have closed).
pub fn expire_device_rewards(epoch: u64) -> Instruction {
    build(
        accounts::ExpireDeviceRewards {
            tokenomics: pda::tokenomics(),
            epoch: pda::epoch(epoch),
        },
        instruction::ExpireDeviceRewards {
            args: ExpireDeviceRewardsArgs { epoch },
        },
    )
}
