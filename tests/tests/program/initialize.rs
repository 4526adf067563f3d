use crate::*;
use anchor_lang::error::ErrorCode as AnchorError;
use io_compute::{
    constants::*,
    error::IoComputeError,
    state::{MarketParams, StakingParams},
    InitializeArgs,
};
use solana_sdk::program_pack::Pack;
use spl_token_interface::state::{Account as TokenAccount, Mint};

#[tokio::test]
async fn initialize_creates_config_mints_vaults_and_genesis_supply() {
    let mut env = TestEnv::new().await;
    let outcome = env.initialize(default_init_args()).await;
    outcome.assert_ok();
    let admin = env.admin.pubkey();
    assert_eq!(
        outcome.events::<io_compute::events::ProtocolInitialized>(),
        vec![io_compute::events::ProtocolInitialized {
            authority: admin,
            io_mint: pda::io_mint(),
            iosd_mint: pda::iosd_mint(),
            genesis_destination: pda::associated_token(&admin, &pda::io_mint()),
            genesis_supply: 500_000_000 * ONE_IO,
            io_max_supply: 800_000_000 * ONE_IO,
        }]
    );

    let config = env.config().await;
    assert_eq!(config.authority, admin);
    assert_eq!(config.io_mint, pda::io_mint());
    assert_eq!(config.iosd_mint, pda::iosd_mint());
    assert_eq!(config.stake_vault, pda::stake_vault());
    assert_eq!(config.rewards_vault, pda::rewards_vault());
    assert_eq!(config.treasury_io_vault, pda::treasury_io_vault());
    assert_eq!(config.escrow_vault, pda::escrow_vault());
    assert_eq!(config.treasury_iosd_vault, pda::treasury_iosd_vault());
    assert_eq!(config.io_max_supply, 800_000_000 * ONE_IO);
    assert_eq!(config.genesis_supply, 500_000_000 * ONE_IO);
    assert_eq!(config.staking.min_stake_per_gpu, 200 * ONE_IO);
    assert_eq!(config.staking.unstake_cooldown_secs, 14 * SECONDS_PER_DAY);
    assert_eq!(config.total_slashed, 0);
    assert_eq!(config.created_at, GENESIS_TIME);

    let vault_authority = pda::vault_authority();
    let io = Mint::unpack(&env.raw_account(&pda::io_mint()).await.unwrap().data).unwrap();
    assert_eq!(io.decimals, 9);
    assert_eq!(io.supply, 500_000_000 * ONE_IO);
    assert_eq!(
        Option::<Pubkey>::from(io.mint_authority),
        Some(vault_authority)
    );
    assert_eq!(Option::<Pubkey>::from(io.freeze_authority), None);
    let iosd = Mint::unpack(&env.raw_account(&pda::iosd_mint()).await.unwrap().data).unwrap();
    assert_eq!(iosd.decimals, 6);
    assert_eq!(iosd.supply, 0);
    assert_eq!(
        Option::<Pubkey>::from(iosd.mint_authority),
        Some(vault_authority)
    );

    for (vault, mint) in [
        (pda::stake_vault(), pda::io_mint()),
        (pda::rewards_vault(), pda::io_mint()),
        (pda::treasury_io_vault(), pda::io_mint()),
        (pda::escrow_vault(), pda::iosd_mint()),
        (pda::treasury_iosd_vault(), pda::iosd_mint()),
    ] {
        let account = TokenAccount::unpack(&env.raw_account(&vault).await.unwrap().data).unwrap();
        assert_eq!(account.mint, mint);
        assert_eq!(account.owner, vault_authority);
        assert_eq!(account.amount, 0);
    }
    let genesis = pda::associated_token(&admin, &pda::io_mint());
    assert_eq!(env.token_balance(&genesis).await, 500_000_000 * ONE_IO);

    let models: io_compute::state::GpuModels = env.account(&pda::gpu_models()).await;
    assert!(models.models.is_empty());
}

#[tokio::test]
async fn genesis_supply_goes_to_the_chosen_owner() {
    let mut env = TestEnv::new().await;
    let treasury = Keypair::new();
    let admin = env.admin.insecure_clone();
    let args = InitializeArgs {
        genesis_supply: 1_234 * ONE_IO,
        io_max_supply: 10_000 * ONE_IO,
        ..default_init_args()
    };
    env.ok(
        ix::initialize(admin.pubkey(), treasury.pubkey(), args),
        &admin,
    )
    .await;
    let ata = pda::associated_token(&treasury.pubkey(), &pda::io_mint());
    assert_eq!(env.token_balance(&ata).await, 1_234 * ONE_IO);
    assert_eq!(env.config().await.io_max_supply, 10_000 * ONE_IO);
}

#[tokio::test]
async fn second_initialize_fails_and_changes_nothing() {
    let mut env = TestEnv::new().await;
    env.initialize(default_init_args()).await.assert_ok();
    let attacker = env.wallet().await;
    let watch = [pda::config(), pda::io_mint(), pda::stake_vault()];
    for signer in [env.admin.insecure_clone(), attacker] {
        let outcome = env
            .rejects(
                ix::initialize(signer.pubkey(), signer.pubkey(), default_init_args()),
                &signer,
                &watch,
            )
            .await;
        outcome.assert_error(IoComputeError::AccountAlreadyExists);
    }
    assert_eq!(env.config().await.authority, env.admin.pubkey());
}

#[tokio::test]
async fn bad_parameters_are_refused() {
    let mut env = TestEnv::new().await;
    let watch = [pda::config(), pda::io_mint()];
    let admin = env.admin.insecure_clone();
    let cases: Vec<(InitializeArgs, IoComputeError)> = vec![
        (
            InitializeArgs {
                genesis_supply: 0,
                ..default_init_args()
            },
            IoComputeError::InvalidGenesisSupply,
        ),
        (
            InitializeArgs {
                genesis_supply: u64::MAX,
                io_max_supply: u64::MAX - 1,
                ..default_init_args()
            },
            IoComputeError::InvalidGenesisSupply,
        ),
        (
            InitializeArgs {
                staking: StakingParams {
                    min_stake_per_gpu: 0,
                    ..StakingParams::default()
                },
                ..default_init_args()
            },
            IoComputeError::InvalidParameter,
        ),
        (
            InitializeArgs {
                staking: StakingParams {
                    unstake_cooldown_secs: MAX_UNSTAKE_COOLDOWN_SECS + 1,
                    ..StakingParams::default()
                },
                ..default_init_args()
            },
            IoComputeError::InvalidParameter,
        ),
        (
            InitializeArgs {
                staking: StakingParams {
                    unstake_cooldown_secs: -1,
                    ..StakingParams::default()
                },
                ..default_init_args()
            },
            IoComputeError::InvalidParameter,
        ),
        (
            InitializeArgs {
                market: MarketParams {
                    provider_fee_bps: 1_001,
                    ..MarketParams::default()
                },
                ..default_init_args()
            },
            IoComputeError::InvalidParameter,
        ),
    ];
    for (args, expected) in cases {
        env.rejects(
            ix::initialize(admin.pubkey(), admin.pubkey(), args),
            &admin,
            &watch,
        )
        .await
        .assert_error(expected);
    }
    // u64::MAX genesis is fine when the cap allows it: no overflow anywhere.
    let args = InitializeArgs {
        genesis_supply: u64::MAX,
        io_max_supply: u64::MAX,
        ..default_init_args()
    };
    env.initialize(args).await.assert_ok();
    assert_eq!(env.mint_supply(&pda::io_mint()).await, u64::MAX);
}

#[tokio::test]
async fn missing_signer_and_wrong_program_account_are_refused() {
    let mut env = TestEnv::new().await;
    let admin = env.admin.insecure_clone();
    let watch = [pda::config()];

    // The authority's signature is stripped: the payer alone signs.
    let mut unsigned = ix::initialize(admin.pubkey(), admin.pubkey(), default_init_args());
    unsigned.accounts[0].is_signer = false;
    env.expect_rejected(&[unsigned], &[], &watch)
        .await
        .assert_anchor_error(AnchorError::AccountNotSigner);

    // Another program posing as this one.
    let mut wrong = ix::initialize(admin.pubkey(), admin.pubkey(), default_init_args());
    let program_index = wrong
        .accounts
        .iter()
        .position(|m| m.pubkey == io_compute::ID)
        .unwrap();
    wrong.accounts[program_index].pubkey = spl_token_interface::ID;
    env.rejects(wrong, &admin, &watch)
        .await
        .assert_anchor_error(AnchorError::ConstraintAddress);
}

/// Anyone can send lamports to a predictable PDA before it is created. That
/// must never block the protocol's launch, a provider or a stake position.
#[tokio::test]
async fn pre_funded_addresses_cannot_block_creation() {
    let mut env = TestEnv::new().await;
    // The cheapest grief: the rent-exempt minimum of an empty account.
    let grief = env
        .ctx
        .banks_client
        .get_rent()
        .await
        .unwrap()
        .minimum_balance(0);
    for key in [
        pda::config(),
        pda::gpu_models(),
        pda::io_mint(),
        pda::stake_vault(),
        pda::escrow_vault(),
        pda::rewards_iosd_vault(),
        pda::bond_vault(),
    ] {
        env.airdrop(&key, grief).await;
    }
    env.initialize(default_init_args()).await.assert_ok();
    assert_eq!(env.config().await.authority, env.admin.pubkey());
    let rent = env.ctx.banks_client.get_rent().await.unwrap();
    let config_len = env.raw_account(&pda::config()).await.unwrap().data.len();
    assert_eq!(
        env.lamports(&pda::config()).await,
        rent.minimum_balance(config_len),
        "only the shortfall is paid"
    );
    let admin = env.admin.insecure_clone();
    env.ok(
        ix::set_gpu_models(admin.pubkey(), gpu::default_models()),
        &admin,
    )
    .await;

    let owner = env.wallet().await;
    let provider = pda::provider(&owner.pubkey());
    env.airdrop(&provider, 5_000_000_000).await;
    env.ok(
        ix::register_provider(owner.pubkey(), profile("griefed")),
        &owner,
    )
    .await;
    assert_eq!(env.provider(&owner.pubkey()).await.name, "griefed");
    assert_eq!(
        env.lamports(&provider).await,
        5_000_000_000,
        "a rent surplus stays with the account"
    );

    env.airdrop(&pda::device(&provider, 0), grief).await;
    env.ok(
        ix::add_device(owner.pubkey(), 0, spec("RTX4090", 1, DeviceStatus::Offline)),
        &owner,
    )
    .await;
    env.airdrop(&pda::stake_position(&owner.pubkey(), &provider, 0), grief)
        .await;
    for key in [pda::tokenomics(), pda::epoch(0)] {
        env.airdrop(&key, grief).await;
    }
    env.ok(
        ix::init_tokenomics(admin.pubkey(), default_tokenomics()),
        &admin,
    )
    .await;
    let source = env.give_io(&owner.pubkey(), ONE_IO).await;
    env.ok(
        ix::stake(owner.pubkey(), source, stake_args(0, ONE_IO, 0)),
        &owner,
    )
    .await;
    assert_eq!(
        env.provider(&owner.pubkey()).await.stake.amount().unwrap(),
        ONE_IO
    );
}
