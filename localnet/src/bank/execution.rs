//! Simulating and executing transactions, with the metadata getTransaction
//! reports (fees, balances, token balances, logs).

use super::*;

impl BankOwner {
    /// The fee the bank charges for `message`; `None` when its blockhash is
    /// unknown. The bank prices legacy messages only, and a fee depends on
    /// the signatures and compute-budget instructions alone (programs are
    /// never loaded from lookup tables), so a v0 message is priced as the
    /// legacy message with its static keys and a stand-in key for each
    /// address it loads.
    pub(super) async fn fee_for(&mut self, message: &VersionedMessage) -> Option<u64> {
        let legacy = match message {
            VersionedMessage::Legacy(message) => message.clone(),
            VersionedMessage::V0(message) => {
                let loaded: usize = message
                    .address_table_lookups
                    .iter()
                    .map(|l| l.writable_indexes.len() + l.readonly_indexes.len())
                    .sum();
                let mut account_keys = message.account_keys.clone();
                account_keys.extend((0..loaded).map(|_| Pubkey::new_unique()));
                Message {
                    header: message.header,
                    account_keys,
                    recent_blockhash: message.recent_blockhash,
                    instructions: message.instructions.clone(),
                }
            }
        };
        self.chain
            .banks_client
            .get_fee_for_message(legacy)
            .await
            .ok()
            .flatten()
    }

    pub(super) async fn simulate(
        &mut self,
        mut transaction: VersionedTransaction,
        sig_verify: bool,
        replace_blockhash: bool,
        accounts: Vec<Pubkey>,
    ) -> Result<Simulation, SendError> {
        if sig_verify && replace_blockhash {
            return Err(SendError::Invalid(
                "sigVerify may not be used with replaceRecentBlockhash".into(),
            ));
        }
        transaction
            .sanitize()
            .map_err(|e| SendError::Sanitize(e.to_string()))?;
        if sig_verify && !transaction.verify_with_results().iter().all(|ok| *ok) {
            return Err(SendError::SignatureVerification);
        }
        let mut replacement = None;
        if replace_blockhash {
            let (blockhash, last_valid_block_height) = self.latest_blockhash().await;
            transaction.message.set_recent_blockhash(blockhash);
            replacement = Some((blockhash, last_valid_block_height));
        }
        let result = self
            .chain
            .banks_client
            .simulate_transaction(transaction)
            .await
            .map_err(|e| SendError::Invalid(e.to_string()))?;
        let err = result.result.and_then(|r| r.err());
        let (logs, units_consumed, return_data) = match result.simulation_details {
            Some(d) => (d.logs, d.units_consumed, d.return_data.map(Into::into)),
            None => (vec![], 0, None),
        };
        // The bank did not keep the simulated state; report the accounts as
        // they are now (a real node reports them after the simulation).
        let post = self.fetch(&accounts).await;
        Ok(Simulation {
            slot: self.slot,
            err,
            logs,
            units_consumed,
            return_data,
            replacement_blockhash: replacement,
            accounts: post,
        })
    }

    pub(super) async fn send(
        &mut self,
        transaction: VersionedTransaction,
        skip_preflight: bool,
    ) -> Result<Signature, SendError> {
        transaction
            .sanitize()
            .map_err(|e| SendError::Sanitize(e.to_string()))?;
        if !transaction.verify_with_results().iter().all(|ok| *ok) {
            return Err(SendError::SignatureVerification);
        }
        if !skip_preflight {
            let simulation = self
                .simulate(transaction.clone(), false, false, vec![])
                .await?;
            if simulation.err.is_some() {
                return Err(SendError::Preflight(Box::new(simulation)));
            }
        }
        self.execute(transaction).await
    }

    /// Executes a verified transaction and records it.
    pub(super) async fn execute(
        &mut self,
        transaction: VersionedTransaction,
    ) -> Result<Signature, SendError> {
        let signature = transaction.signatures[0];
        let keys: Vec<Pubkey> = transaction.message.static_account_keys().to_vec();
        let fee = self.fee_for(&transaction.message).await.unwrap_or(0);
        let pre = self.fetch(&keys).await;
        let outcome = self
            .chain
            .banks_client
            .process_transaction_with_metadata(transaction.clone())
            .await
            .map_err(|e| SendError::Invalid(e.to_string()))?;
        let Some(metadata) = outcome.metadata else {
            // Refused before execution (expired blockhash, fee payer short of
            // SOL, already processed): nothing happened on chain.
            return Err(SendError::NotExecuted(
                outcome
                    .result
                    .err()
                    .unwrap_or(TransactionError::AccountNotFound),
            ));
        };
        let mut post = Vec::with_capacity(keys.len());
        for key in &keys {
            post.push(self.refresh(key).await);
        }
        self.transaction_count += 1;
        self.dirty = true;

        let mut decimals = HashMap::new();
        let pre_token_balances = self.token_balances(&pre, &mut decimals).await;
        let post_token_balances = self.token_balances(&post, &mut decimals).await;
        let meta = TransactionStatusMeta {
            status: outcome.result.clone(),
            fee,
            pre_balances: pre
                .iter()
                .map(|a| a.as_ref().map_or(0, |a| a.lamports))
                .collect(),
            post_balances: post
                .iter()
                .map(|a| a.as_ref().map_or(0, |a| a.lamports))
                .collect(),
            inner_instructions: None,
            log_messages: Some(metadata.log_messages.clone()),
            pre_token_balances: Some(pre_token_balances),
            post_token_balances: Some(post_token_balances),
            rewards: Some(vec![]),
            loaded_addresses: Default::default(),
            return_data: metadata.return_data,
            compute_units_consumed: Some(metadata.compute_units_consumed),
            cost_units: None,
        };
        let record = TxRecord {
            slot: self.slot,
            block_time: self.block_time().await,
            transaction,
            meta,
        };
        self.remember(signature, &keys, record);

        let _ = self.notifications.send(Notification::Transaction {
            signature,
            slot: self.slot,
            err: outcome.result.err(),
            logs: metadata.log_messages,
            mentions: keys.clone(),
        });
        for ((key, before), after) in keys.iter().zip(&pre).zip(&post) {
            if before != after {
                let account = after.clone().unwrap_or_default();
                let _ = self.notifications.send(Notification::Account {
                    pubkey: *key,
                    slot: self.slot,
                    account,
                });
            }
        }
        Ok(signature)
    }

    pub(super) async fn block_time(&mut self) -> i64 {
        let clock: Clock = self
            .chain
            .banks_client
            .get_sysvar()
            .await
            .unwrap_or_default();
        clock.unix_timestamp
    }

    /// Token balances of `accounts`; `decimals` caches mint lookups across
    /// the pre and post balances of one transaction.
    pub(super) async fn token_balances(
        &mut self,
        accounts: &[Option<Account>],
        decimals: &mut HashMap<Pubkey, Option<u8>>,
    ) -> Vec<TransactionTokenBalance> {
        let mut out = Vec::new();
        for (index, account) in accounts.iter().enumerate() {
            let Some(account) = account else { continue };
            let Some((mint, owner, amount)) = token_account_fields(account) else {
                continue;
            };
            let known = match decimals.get(&mint) {
                Some(known) => *known,
                None => {
                    let found = self.account(mint).await.as_ref().and_then(mint_decimals);
                    decimals.insert(mint, found);
                    found
                }
            };
            let Some(decimals) = known else {
                continue;
            };
            out.push(TransactionTokenBalance {
                account_index: index as u8,
                mint: mint.to_string(),
                ui_token_amount: token_amount_to_ui_amount_v3(
                    amount,
                    &SplTokenAdditionalDataV2::with_decimals(decimals),
                ),
                owner: owner.to_string(),
                program_id: account.owner.to_string(),
            });
        }
        out
    }
}
