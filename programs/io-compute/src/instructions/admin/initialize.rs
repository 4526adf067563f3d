use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProtocolInitialized},
    pda_create,
    state::*,
};
use anchor_lang::{prelude::*, solana_program::bpf_loader_upgradeable};
use anchor_spl::{
    associated_token::{self, AssociatedToken},
    token::{self, MintTo, Token},
};

/// Owner of builtin programs. Only a validator's own genesis can create one;
/// no transaction on a public cluster can deploy a program under it.
const NATIVE_LOADER_ID: Pubkey = pubkey!("NativeLoader1111111111111111111111111111111");

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeArgs {
    /// IO minted to the genesis account now.
    pub genesis_supply: u64,
    /// Hard cap on IO supply, genesis and all future emissions together.
    pub io_max_supply: u64,
    pub staking: StakingParams,
    pub market: MarketParams,
}

/// Every account with a predictable address is created by the handler
/// through `crate::pda_create`, so pre-funding an address cannot block the launch.
#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    /// CHECK: created as `Config` by the handler.
    #[account(mut, seeds = [CONFIG_SEED], bump)]
    pub config: UncheckedAccount<'info>,
    /// CHECK: created as `GpuModels` by the handler.
    #[account(mut, seeds = [GPU_MODELS_SEED], bump)]
    pub gpu_models: UncheckedAccount<'info>,
    /// CHECK: created as `Market` by the handler.
    #[account(mut, seeds = [MARKET_SEED], bump)]
    pub market: UncheckedAccount<'info>,
    /// CHECK: data-less PDA that signs for the mints and the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// CHECK: created as the IO mint by the handler.
    #[account(mut, seeds = [IO_MINT_SEED], bump)]
    pub io_mint: UncheckedAccount<'info>,
    /// CHECK: created as the IOSD mint by the handler.
    #[account(mut, seeds = [IOSD_MINT_SEED], bump)]
    pub iosd_mint: UncheckedAccount<'info>,
    /// CHECK: created as an IO vault by the handler.
    #[account(mut, seeds = [STAKE_VAULT_SEED], bump)]
    pub stake_vault: UncheckedAccount<'info>,
    /// CHECK: created as an IO vault by the handler.
    #[account(mut, seeds = [REWARDS_VAULT_SEED], bump)]
    pub rewards_vault: UncheckedAccount<'info>,
    /// CHECK: created as an IO vault by the handler.
    #[account(mut, seeds = [TREASURY_IO_SEED], bump)]
    pub treasury_io_vault: UncheckedAccount<'info>,
    /// CHECK: created as an IOSD vault by the handler.
    #[account(mut, seeds = [ESCROW_VAULT_SEED], bump)]
    pub escrow_vault: UncheckedAccount<'info>,
    /// CHECK: created as an IOSD vault by the handler.
    #[account(mut, seeds = [TREASURY_IOSD_SEED], bump)]
    pub treasury_iosd_vault: UncheckedAccount<'info>,
    /// CHECK: created as an IOSD vault by the handler.
    #[account(mut, seeds = [REWARDS_IOSD_SEED], bump)]
    pub rewards_iosd_vault: UncheckedAccount<'info>,
    /// CHECK: created as an IO vault by the handler.
    #[account(mut, seeds = [BOND_VAULT_SEED], bump)]
    pub bond_vault: UncheckedAccount<'info>,
    /// CHECK: any wallet chosen by the deployer; it receives the genesis supply.
    pub genesis_owner: UncheckedAccount<'info>,
    /// CHECK: the genesis owner's IO associated token account, created by the
    /// ATA program (which tolerates pre-funding) and checked by it.
    #[account(mut)]
    pub genesis_token: UncheckedAccount<'info>,
    /// CHECK: this program's account; its loader decides how the deployer is checked.
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
    /// CHECK: the program's ProgramData, checked in `validate` (unused for builtins).
    pub program_data: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

/// Only the program's upgrade authority may initialize, so nobody can
/// front-run the deployment with their own parameters.
///
/// - Upgradeable loader (every real cluster): `program_data` must be the
///   program's ProgramData and its upgrade authority must be the signer.
/// - Native loader: the program is a builtin compiled into a local runtime
///   (the native test bank, `ioc localnet`). That only happens in a validator
///   someone runs for themselves, which initializes before serving anyone.
/// - Any other loader (immutable deployments): refused, there is no
///   authority to check.
pub fn require_deployer(
    program: &AccountInfo,
    program_data: &AccountInfo,
    signer: &Pubkey,
) -> Result<()> {
    if *program.owner == NATIVE_LOADER_ID {
        return Ok(());
    }
    require_keys_eq!(
        *program.owner,
        bpf_loader_upgradeable::ID,
        IoComputeError::ProgramNotUpgradeable
    );
    let (expected, _) =
        Pubkey::find_program_address(&[program.key.as_ref()], &bpf_loader_upgradeable::ID);
    require_keys_eq!(
        *program_data.key,
        expected,
        IoComputeError::InvalidProgramData
    );
    require_keys_eq!(
        *program_data.owner,
        bpf_loader_upgradeable::ID,
        IoComputeError::InvalidProgramData
    );
    let data = program_data.try_borrow_data()?;
    let state = ProgramData::try_deserialize(&mut &data[..])
        .map_err(|_| error!(IoComputeError::InvalidProgramData))?;
    require!(
        state.upgrade_authority_address == Some(*signer),
        IoComputeError::NotUpgradeAuthority
    );
    Ok(())
}

impl InitializeArgs {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.genesis_supply > 0 && self.genesis_supply <= self.io_max_supply,
            IoComputeError::InvalidGenesisSupply
        );
        self.staking.validate()?;
        self.market.validate()
    }
}

impl Initialize<'_> {
    pub fn validate(&self, args: &InitializeArgs) -> Result<()> {
        require_deployer(&self.program, &self.program_data, self.authority.key)?;
        args.validate()
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: InitializeArgs) -> Result<()> {
        let a = &*ctx.accounts;
        let b = &ctx.bumps;
        let payer = a.authority.to_account_info();
        let vault_authority = a.vault_authority.key();

        let config = Config {
            authority: a.authority.key(),
            arbiter: a.authority.key(),
            keeper_admin: a.authority.key(),
            io_mint: a.io_mint.key(),
            iosd_mint: a.iosd_mint.key(),
            stake_vault: a.stake_vault.key(),
            rewards_vault: a.rewards_vault.key(),
            treasury_io_vault: a.treasury_io_vault.key(),
            escrow_vault: a.escrow_vault.key(),
            treasury_iosd_vault: a.treasury_iosd_vault.key(),
            rewards_iosd_vault: a.rewards_iosd_vault.key(),
            bond_vault: a.bond_vault.key(),
            io_max_supply: args.io_max_supply,
            genesis_supply: args.genesis_supply,
            staking: args.staking,
            market_params: args.market,
            oracle: OracleConfig::default_for(a.authority.key()),
            tokenomics_params: TokenomicsParams::default(),
            total_slashed: 0,
            created_at: Clock::get()?.unix_timestamp,
            bump: b.config,
            vault_authority_bump: b.vault_authority,
            io_mint_bump: b.io_mint,
            iosd_mint_bump: b.iosd_mint,
        };
        pda_create::create_program_account(
            &payer,
            &a.config,
            8 + Config::INIT_SPACE,
            &[CONFIG_SEED, &[b.config]],
            &config,
        )?;
        pda_create::create_program_account(
            &payer,
            &a.gpu_models,
            8 + GpuModels::INIT_SPACE,
            &[GPU_MODELS_SEED, &[b.gpu_models]],
            &GpuModels {
                models: Vec::new(),
                bump: b.gpu_models,
            },
        )?;
        pda_create::create_program_account(
            &payer,
            &a.market,
            8 + Market::INIT_SPACE,
            &[MARKET_SEED, &[b.market]],
            &Market {
                next_lease_id: 0,
                escrow_total: 0,
                total_paid_to_providers: 0,
                total_fees: 0,
                total_refunded: 0,
                bump: b.market,
            },
        )?;

        pda_create::create_mint(
            &payer,
            &a.io_mint,
            &[IO_MINT_SEED, &[b.io_mint]],
            IO_DECIMALS,
            &vault_authority,
            None,
        )?;
        // IOSD keeps a (program-controlled) freeze authority so that the
        // tokenomics can restrict transfers if governance ever decides to.
        pda_create::create_mint(
            &payer,
            &a.iosd_mint,
            &[IOSD_MINT_SEED, &[b.iosd_mint]],
            IOSD_DECIMALS,
            &vault_authority,
            Some(&vault_authority),
        )?;
        let io_mint = a.io_mint.to_account_info();
        let iosd_mint = a.iosd_mint.to_account_info();
        let owner = a.vault_authority.to_account_info();
        for (vault, seed, bump, mint) in [
            (&a.stake_vault, STAKE_VAULT_SEED, b.stake_vault, &io_mint),
            (
                &a.rewards_vault,
                REWARDS_VAULT_SEED,
                b.rewards_vault,
                &io_mint,
            ),
            (
                &a.treasury_io_vault,
                TREASURY_IO_SEED,
                b.treasury_io_vault,
                &io_mint,
            ),
            (
                &a.escrow_vault,
                ESCROW_VAULT_SEED,
                b.escrow_vault,
                &iosd_mint,
            ),
            (
                &a.treasury_iosd_vault,
                TREASURY_IOSD_SEED,
                b.treasury_iosd_vault,
                &iosd_mint,
            ),
            (
                &a.rewards_iosd_vault,
                REWARDS_IOSD_SEED,
                b.rewards_iosd_vault,
                &iosd_mint,
            ),
            (&a.bond_vault, BOND_VAULT_SEED, b.bond_vault, &io_mint),
        ] {
            pda_create::create_token_account(&payer, vault, &[seed, &[bump]], mint, &owner)?;
        }

        associated_token::create(CpiContext::new(
            a.associated_token_program.key(),
            associated_token::Create {
                payer: payer.clone(),
                associated_token: a.genesis_token.to_account_info(),
                authority: a.genesis_owner.to_account_info(),
                mint: io_mint.clone(),
                system_program: a.system_program.to_account_info(),
                token_program: a.token_program.to_account_info(),
            },
        ))?;
        token::mint_to(
            CpiContext::new_with_signer(
                a.token_program.key(),
                MintTo {
                    mint: io_mint,
                    to: a.genesis_token.to_account_info(),
                    authority: owner,
                },
                &[&config.vault_authority_seeds()],
            ),
            args.genesis_supply,
        )?;

        emit_event(ProtocolInitialized {
            authority: a.authority.key(),
            io_mint: a.io_mint.key(),
            iosd_mint: a.iosd_mint.key(),
            genesis_destination: a.genesis_token.key(),
            genesis_supply: args.genesis_supply,
            io_max_supply: args.io_max_supply,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Acc {
        key: Pubkey,
        owner: Pubkey,
        lamports: u64,
        data: Vec<u8>,
    }

    impl Acc {
        fn new(key: Pubkey, owner: Pubkey, data: Vec<u8>) -> Self {
            Self {
                key,
                owner,
                lamports: 1,
                data,
            }
        }
        fn info(&mut self) -> AccountInfo<'_> {
            AccountInfo::new(
                &self.key,
                false,
                false,
                &mut self.lamports,
                &mut self.data,
                &self.owner,
                true,
            )
        }
    }

    fn program_data(authority: Option<Pubkey>) -> Vec<u8> {
        // UpgradeableLoaderState::ProgramData: u32 tag 3, u64 slot, Option<Pubkey>.
        let mut data = 3u32.to_le_bytes().to_vec();
        data.extend_from_slice(&7u64.to_le_bytes());
        match authority {
            Some(key) => {
                data.push(1);
                data.extend_from_slice(key.as_ref());
            }
            None => data.push(0),
        }
        data
    }

    #[test]
    fn deployer_check_by_loader() {
        let deployer = Pubkey::new_unique();
        let stranger = Pubkey::new_unique();
        let loader = bpf_loader_upgradeable::ID;
        let pd_key = Pubkey::find_program_address(&[crate::ID.as_ref()], &loader).0;
        let mut program = Acc::new(crate::ID, loader, vec![]);
        let mut pd = Acc::new(pd_key, loader, program_data(Some(deployer)));

        assert!(require_deployer(&program.info(), &pd.info(), &deployer).is_ok());
        let err = require_deployer(&program.info(), &pd.info(), &stranger).unwrap_err();
        assert_eq!(err, IoComputeError::NotUpgradeAuthority.into());

        // Frozen program (no upgrade authority): nobody may initialize.
        let mut frozen = Acc::new(pd_key, loader, program_data(None));
        let err = require_deployer(&program.info(), &frozen.info(), &deployer).unwrap_err();
        assert_eq!(err, IoComputeError::NotUpgradeAuthority.into());

        // Another program's ProgramData naming the attacker.
        let mut other = Acc::new(Pubkey::new_unique(), loader, program_data(Some(stranger)));
        let err = require_deployer(&program.info(), &other.info(), &stranger).unwrap_err();
        assert_eq!(err, IoComputeError::InvalidProgramData.into());

        // Right address, forged data owned by someone else.
        let mut forged = Acc::new(pd_key, Pubkey::new_unique(), program_data(Some(stranger)));
        let err = require_deployer(&program.info(), &forged.info(), &stranger).unwrap_err();
        assert_eq!(err, IoComputeError::InvalidProgramData.into());

        // Immutable loaders have no authority to check.
        let mut immutable = Acc::new(crate::ID, Pubkey::new_unique(), vec![]);
        let err = require_deployer(&immutable.info(), &pd.info(), &deployer).unwrap_err();
        assert_eq!(err, IoComputeError::ProgramNotUpgradeable.into());

        // Builtin in a local runtime.
        let mut builtin = Acc::new(crate::ID, NATIVE_LOADER_ID, vec![]);
        assert!(require_deployer(&builtin.info(), &pd.info(), &stranger).is_ok());
    }
}
