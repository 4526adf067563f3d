//! A small RPC client for the program: send instructions signed by a payer,
//! read and decode accounts, and turn failures into one-line errors that
//! name the RPC URL or the program error (`NotLeaseClient: Signer is not
//! the lease's client`).

use crate::{filters::Filter, token};
use anchor_lang::{AccountDeserialize, Discriminator};
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::{
    client_error::{Error as RpcError, ErrorKind},
    config::{RpcAccountInfoConfig, RpcProgramAccountsConfig},
    filter::{Memcmp, RpcFilterType},
    request::{RpcError as RequestError, RpcRequest, RpcResponseErrorData},
};
use solana_sdk::{
    account::Account,
    clock::Clock,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signature},
    signer::Signer,
    transaction::{Transaction, TransactionError},
};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The program refused the transaction (decoded from its logs).
    #[error("{name}: {message}")]
    Program { name: String, message: String },
    /// The transaction failed outside the program (fees, balances, ...).
    #[error("transaction failed: {0}")]
    Transaction(String),
    #[error("RPC request to {url} failed: {message}")]
    Rpc { url: String, message: String },
    #[error("cannot reach {url}: is the node running? (for a local chain: `ioc localnet`)")]
    Unreachable { url: String },
    #[error("account {0} does not exist")]
    MissingAccount(Pubkey),
    /// A protocol-wide account is missing: the program is not set up there.
    #[error("IO Compute is not set up on {url} yet: run `ioc migrate`")]
    NotSetUp { url: String },
    #[error("account {0} is not a {1}")]
    WrongAccountType(Pubkey, &'static str),
}

pub struct Client {
    pub rpc: RpcClient,
    pub payer: Keypair,
    url: String,
}

impl Client {
    pub fn new(url: &str, payer: Keypair) -> Self {
        Self {
            rpc: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()),
            payer,
            url: url.to_string(),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// `err` from this client's RPC, as the error a user can act on.
    pub fn rpc_error(&self, err: RpcError) -> ClientError {
        if let ErrorKind::RpcError(RequestError::RpcResponseError {
            data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
            message,
            ..
        }) = err.kind()
        {
            if let Some(decoded) = sim.logs.as_deref().and_then(program_error_from_logs) {
                return decoded;
            }
            return ClientError::Transaction(match &sim.err {
                Some(e) => self.refusal(&e.clone().into()),
                None => message.clone(),
            });
        }
        if let ErrorKind::TransactionError(e) = err.kind() {
            return ClientError::Transaction(self.refusal(e));
        }
        if is_unreachable(&err) {
            return ClientError::Unreachable {
                url: self.url.clone(),
            };
        }
        ClientError::Rpc {
            url: self.url.clone(),
            message: err.to_string(),
        }
    }

    /// The runtime's refusals that name no program, in words a user can act
    /// on.
    fn refusal(&self, err: &TransactionError) -> String {
        let payer = self.payer.pubkey();
        match err {
            TransactionError::AccountNotFound | TransactionError::InsufficientFundsForFee => {
                format!("{payer} has no SOL to pay the fee (on localnet: `ioc token airdrop`)")
            }
            TransactionError::AlreadyProcessed => "an identical transaction (same signer, \
                 accounts, amounts and recent blockhash) was processed moments ago; to do it \
                 again, run it again once the blockhash has moved on (about a second)"
                .to_string(),
            other => other.to_string(),
        }
    }

    /// Sends `instructions` paid and signed by the payer plus `signers`,
    /// with preflight, and waits for confirmation.
    pub async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Signature, ClientError> {
        let blockhash = self
            .rpc
            .get_latest_blockhash()
            .await
            .map_err(|e| self.rpc_error(e))?;
        let mut all: Vec<&Keypair> = vec![&self.payer];
        all.extend(signers.iter().filter(|s| s.pubkey() != self.payer.pubkey()));
        let tx = Transaction::new_signed_with_payer(
            instructions,
            Some(&self.payer.pubkey()),
            &all,
            blockhash,
        );
        self.rpc
            .send_and_confirm_transaction(&tx)
            .await
            .map_err(|e| self.rpc_error(e))
    }

    /// Sends `instructions` in one v0 transaction whose accounts among
    /// `addresses` are read from a new address lookup table (for
    /// instructions that name more accounts than a legacy transaction
    /// holds: `assign_devices` and `close_lease` of a wide lease). The
    /// table, owned and paid by the payer, is created and extended first,
    /// then used from the slot after; its rent stays with the payer, who
    /// may close it later. Returns the signature and the table.
    pub async fn send_with_lookup_table(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        addresses: &[Pubkey],
    ) -> Result<(Signature, Pubkey), ClientError> {
        use solana_sdk::{
            message::{v0, AddressLookupTableAccount, VersionedMessage},
            transaction::VersionedTransaction,
        };
        let slot = |c| async move {
            self.rpc
                .get_slot_with_commitment(c)
                .await
                .map_err(|e| self.rpc_error(e))
        };
        // The table's slot must be a finished one (in SlotHashes).
        let recent = slot(CommitmentConfig::finalized()).await?.saturating_sub(1);
        let payer = self.payer.pubkey();
        let (transactions, table) = crate::lookup::create_table(payer, payer, recent, addresses);
        for create in transactions {
            self.send(&create, &[]).await?;
        }
        // Extended addresses are usable from the next slot on.
        let extended = slot(CommitmentConfig::confirmed()).await?;
        for _ in 0..50 {
            if slot(CommitmentConfig::confirmed()).await? > extended {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let lookup = AddressLookupTableAccount {
            key: table,
            addresses: addresses.to_vec(),
        };
        let blockhash = self
            .rpc
            .get_latest_blockhash()
            .await
            .map_err(|e| self.rpc_error(e))?;
        let message = v0::Message::try_compile(&payer, instructions, &[lookup], blockhash)
            .map_err(|e| ClientError::Transaction(e.to_string()))?;
        let mut all: Vec<&Keypair> = vec![&self.payer];
        all.extend(signers.iter().filter(|s| s.pubkey() != payer));
        let tx = VersionedTransaction::try_new(VersionedMessage::V0(message), &all)
            .map_err(|e| ClientError::Transaction(e.to_string()))?;
        let signature = self
            .rpc
            .send_and_confirm_transaction(&tx)
            .await
            .map_err(|e| self.rpc_error(e))?;
        Ok((signature, table))
    }

    pub async fn raw_account(&self, key: &Pubkey) -> Result<Option<Vec<u8>>, ClientError> {
        Ok(self.fetch(key).await?.map(|a| a.data))
    }

    /// Asks the node's faucet (localnet, devnet) for `lamports`; returns the
    /// airdrop's signature. Errors keep their cause (the RPC client's own
    /// `request_airdrop` replaces every error with a rate-limit guess).
    pub async fn request_airdrop(
        &self,
        to: &Pubkey,
        lamports: u64,
    ) -> Result<Signature, ClientError> {
        let signature: String = self
            .rpc
            .send(
                RpcRequest::RequestAirdrop,
                serde_json::json!([to.to_string(), lamports]),
            )
            .await
            .map_err(|e| self.rpc_error(e))?;
        signature.parse().map_err(|_| ClientError::Rpc {
            url: self.url.clone(),
            message: format!("the airdrop answered {signature:?}, not a signature"),
        })
    }

    /// The cluster's time: the Clock sysvar's unix timestamp, which is what
    /// the program's time locks and epochs are measured against.
    pub async fn chain_time(&self) -> Result<i64, ClientError> {
        let id = solana_sdk::sysvar::clock::ID;
        let account = self
            .fetch(&id)
            .await?
            .ok_or(ClientError::MissingAccount(id))?;
        solana_sdk::account::from_account::<Clock, _>(&account)
            .map(|clock| clock.unix_timestamp)
            .ok_or(ClientError::WrongAccountType(id, "Clock sysvar"))
    }

    /// The payer buys IOSD with its IO at the price feed, in the current
    /// epoch (`ix::buy_iosd`).
    pub async fn buy_iosd(&self, args: io_compute::BurnArgs) -> Result<Signature, ClientError> {
        let epoch = self
            .expect_account::<io_compute::state::Tokenomics>(&crate::pda::tokenomics())
            .await?
            .current_epoch;
        self.send(&crate::ix::buy_iosd(self.payer.pubkey(), epoch, args), &[])
            .await
    }

    /// The account at `key` with its owner and lamports, `None` when absent.
    pub async fn fetch(&self, key: &Pubkey) -> Result<Option<Account>, ClientError> {
        let response = self
            .rpc
            .get_account_with_commitment(key, CommitmentConfig::confirmed())
            .await
            .map_err(|e| self.rpc_error(e))?;
        Ok(response.value)
    }

    /// A program account decoded as `T`, `None` when it does not exist.
    pub async fn account<T: AccountDeserialize + Discriminator>(
        &self,
        key: &Pubkey,
    ) -> Result<Option<T>, ClientError> {
        match self.raw_account(key).await? {
            None => Ok(None),
            Some(data) => crate::accounts::decode(&data)
                .map(Some)
                .map_err(|_| ClientError::WrongAccountType(*key, std::any::type_name::<T>())),
        }
    }

    /// Like `account`, failing when it does not exist.
    pub async fn expect_account<T: AccountDeserialize + Discriminator>(
        &self,
        key: &Pubkey,
    ) -> Result<T, ClientError> {
        self.account(key).await?.ok_or_else(|| {
            if crate::pda::protocol_singletons().contains(key) {
                ClientError::NotSetUp {
                    url: self.url.clone(),
                }
            } else {
                ClientError::MissingAccount(*key)
            }
        })
    }

    /// Every program account of type `T` whose data holds each `(offset,
    /// bytes)` (getProgramAccounts with memcmp filters).
    pub async fn program_accounts<T: AccountDeserialize + Discriminator>(
        &self,
        filters: &[Filter<T>],
    ) -> Result<Vec<(Pubkey, T)>, ClientError> {
        let mut memcmps = vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
            0,
            T::DISCRIMINATOR.to_vec(),
        ))];
        memcmps.extend(filters.iter().map(|filter| {
            RpcFilterType::Memcmp(Memcmp::new_raw_bytes(filter.offset, filter.bytes.clone()))
        }));
        let config = RpcProgramAccountsConfig {
            filters: Some(memcmps),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                ..Default::default()
            },
            ..Default::default()
        };
        let accounts = self
            .rpc
            .get_program_ui_accounts_with_config(&io_compute::ID, config)
            .await
            .map_err(|e| self.rpc_error(e))?;
        accounts
            .into_iter()
            .map(|(key, account)| {
                let data = account.data.decode().ok_or(ClientError::WrongAccountType(
                    key,
                    std::any::type_name::<T>(),
                ))?;
                crate::accounts::decode(&data)
                    .map(|value| (key, value))
                    .map_err(|_| ClientError::WrongAccountType(key, std::any::type_name::<T>()))
            })
            .collect()
    }

    /// SPL token balance in base units; 0 when the account does not exist.
    pub async fn token_balance(&self, key: &Pubkey) -> Result<u64, ClientError> {
        Ok(self
            .fetch(key)
            .await?
            .and_then(|a| token::token_account(&a.owner, &a.data))
            .map_or(0, |a| a.amount))
    }

    pub async fn mint_supply(&self, mint: &Pubkey) -> Result<u64, ClientError> {
        let account = self
            .fetch(mint)
            .await?
            .ok_or(ClientError::MissingAccount(*mint))?;
        token::mint(&account.owner, &account.data)
            .map(|m| m.supply)
            .ok_or(ClientError::WrongAccountType(*mint, "SPL mint"))
    }
}

/// Whether `err` means no node answered at all. The RPC client turns some
/// transport errors into text (`get_account*` wraps them in
/// `AccountNotFound: ...`), so the text is checked too.
fn is_unreachable(err: &RpcError) -> bool {
    match err.kind() {
        ErrorKind::Reqwest(e) => e.is_connect() || e.is_timeout(),
        other => other.to_string().contains("error sending request for url"),
    }
}

/// The program error in a failed transaction's logs, as Anchor logs it:
/// `AnchorError ... Error Code: Name. Error Number: N. Error Message: text.`
pub fn program_error_from_logs(logs: &[String]) -> Option<ClientError> {
    logs.iter().find_map(|line| {
        let rest = &line[line.find("Error Code: ")? + "Error Code: ".len()..];
        let (name, rest) = rest.split_once(". Error Number: ")?;
        let message = &rest[rest.find("Error Message: ")? + "Error Message: ".len()..];
        Some(ClientError::Program {
            name: name.to_string(),
            message: message.trim_end_matches('.').to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_anchor_error_lines() {
        let logs = vec![
            "Program BnF6 invoke [1]".to_string(),
            "Program log: AnchorError caused by account: lease. Error Code: NotLeaseClient. Error Number: 6081. Error Message: Signer is not the lease's client.".to_string(),
        ];
        assert_eq!(
            program_error_from_logs(&logs).unwrap().to_string(),
            "NotLeaseClient: Signer is not the lease's client"
        );
        assert!(program_error_from_logs(&["Program log: hi".to_string()]).is_none());
    }
}
