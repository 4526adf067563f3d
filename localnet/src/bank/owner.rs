//! The owner task: its loop (commands, slots, snapshots), the clock, the
//! account index and the localnet faucet.

use super::*;

impl BankOwner {
    pub(super) async fn new(
        chain: Chain,
        restored: Option<Snapshot>,
        config: BankConfig,
        notifications: broadcast::Sender<Notification>,
    ) -> Self {
        // A restarted chain reports the genesis hash it was born with.
        let genesis_hash = restored
            .as_ref()
            .and_then(|s| s.genesis_hash)
            .unwrap_or(chain.genesis_hash);
        let mut owner = Self {
            chain,
            identity: Keypair::new().pubkey(),
            genesis_hash,
            epoch_schedule: EpochSchedule::default(),
            slot: 0,
            clock_offset: restored.as_ref().map_or(0, |s| s.clock_offset),
            transaction_count: 0,
            index: HashMap::new(),
            genesis_keys: HashSet::new(),
            history: HashMap::new(),
            blocks: VecDeque::new(),
            history_order: VecDeque::new(),
            by_address: HashMap::new(),
            notifications,
            config,
            dirty: false,
        };
        owner.slot = owner.chain.banks_client.get_root_slot().await.unwrap_or(0);
        // ... and goes on past any slot it could have reached: the saved one
        // plus one per slot duration since (after a kill -9 the last slots
        // were never saved, and slots never go back).
        if let Some(saved) = restored.as_ref() {
            // A version 1 snapshot has no save time: it counts from its slot.
            // Save times are whole seconds: count one more, so that the
            // truncation can never put the slot behind one already served.
            let since_secs = match saved.saved_at {
                0 => 0,
                at => wall_clock().saturating_sub(at).max(0) + 1,
            };
            let since_ms = since_secs as u128 * 1_000;
            let slot_ms = owner.config.slot_duration.as_millis().max(1);
            let next = saved.slot + (since_ms / slot_ms) as u64 + 1;
            if next > owner.slot {
                owner.chain.advance_to(next);
                owner.slot = next;
            }
        }
        owner.epoch_schedule = owner
            .chain
            .banks_client
            .get_sysvar()
            .await
            .unwrap_or_default();
        let genesis: Vec<Pubkey> = crate::snapshot::genesis_keys()
            .into_iter()
            .chain([owner.chain.faucet.pubkey()])
            .collect();
        for key in &genesis {
            owner.genesis_keys.insert(*key);
            owner.refresh(key).await;
        }
        for (key, _) in restored.map(|s| s.accounts).unwrap_or_default() {
            owner.refresh(&key).await;
        }
        owner.set_clock().await;
        owner
    }

    pub(super) async fn run(
        &mut self,
        mut commands: mpsc::Receiver<Command>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut slots = tokio::time::interval(self.config.slot_duration);
        slots.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut snapshots = tokio::time::interval(self.config.snapshot_interval);
        snapshots.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.handle(command).await,
                    None => break,
                },
                _ = slots.tick() => self.advance_slot().await,
                _ = snapshots.tick() => {
                    if self.dirty {
                        if let Err(err) = self.save_snapshot() {
                            tracing::warn!(%err, "ledger snapshot failed");
                        }
                    }
                }
                _ = shutdown.changed() => break,
            }
        }
        if let Err(err) = self.save_snapshot() {
            tracing::warn!(%err, "final ledger snapshot failed");
        }
    }

    pub(super) async fn handle(&mut self, command: Command) {
        // A dropped reply means the caller gave up (client disconnected).
        match command {
            Command::Info(reply) => {
                let _ = reply.send(self.info().await);
            }
            Command::Accounts(keys, reply) => {
                let out = self.fetch(&keys).await;
                let _ = reply.send((self.slot, out));
            }
            Command::ProgramAccounts(owner, filters, reply) => {
                let mut found: Vec<(Pubkey, Account)> = self
                    .index
                    .iter()
                    .filter(|(_, a)| a.owner == owner && a.lamports > 0)
                    .filter(|(_, a)| filters.iter().all(|f| filter_allows(f, a)))
                    .map(|(k, a)| (*k, a.clone()))
                    .collect();
                found.sort_by_key(|(k, _)| *k);
                let _ = reply.send((self.slot, found));
            }
            Command::IsBlockhashValid(hash, reply) => {
                let message =
                    Message::new_with_blockhash(&[], Some(&self.chain.faucet.pubkey()), &hash);
                let valid = self
                    .chain
                    .banks_client
                    .get_fee_for_message(message)
                    .await
                    .ok()
                    .flatten()
                    .is_some();
                let _ = reply.send((self.slot, valid));
            }
            Command::FeeForMessage(message, reply) => {
                let fee = self.fee_for(&message).await;
                let _ = reply.send((self.slot, fee));
            }
            Command::MinimumBalance(len, reply) => {
                let rent = self.chain.banks_client.get_rent().await.unwrap_or_default();
                let _ = reply.send(rent.minimum_balance(len));
            }
            Command::Simulate {
                transaction,
                sig_verify,
                replace_blockhash,
                accounts,
                reply,
            } => {
                let _ = reply.send(
                    self.simulate(transaction, sig_verify, replace_blockhash, accounts)
                        .await,
                );
            }
            Command::Send {
                transaction,
                skip_preflight,
                reply,
            } => {
                let _ = reply.send(self.send(transaction, skip_preflight).await);
            }
            Command::Statuses(signatures, reply) => {
                let statuses = signatures
                    .iter()
                    .map(|s| {
                        self.history
                            .get(s)
                            .map(|r| (r.slot, r.meta.status.clone().err()))
                    })
                    .collect();
                let _ = reply.send((self.slot, statuses));
            }
            Command::Transaction(signature, reply) => {
                let _ = reply.send(self.history.get(&signature).cloned());
            }
            Command::BlockRecord(slot, reply) => {
                let _ = reply.send(self.block_record(slot));
            }
            Command::Block(slot, reply) => {
                let _ = reply.send(self.block(slot));
            }
            Command::SignaturesForAddress {
                address,
                before,
                until,
                limit,
                reply,
            } => {
                let _ = reply.send(self.signatures_for_address(&address, before, until, limit));
            }
            Command::Airdrop(to, lamports, reply) => {
                let _ = reply.send(self.airdrop(to, lamports).await);
            }
            Command::WarpClock(seconds, reply) => {
                self.clock_offset = self.clock_offset.saturating_add(seconds);
                self.dirty = true;
                let now = self.set_clock().await;
                let _ = reply.send(now);
            }
            Command::SetAccount(pubkey, account, reply) => {
                self.chain.set_account(&pubkey, &account);
                self.index.insert(pubkey, account.clone());
                self.dirty = true;
                let _ = self.notifications.send(Notification::Account {
                    pubkey,
                    slot: self.slot,
                    account,
                });
                let _ = reply.send(self.slot);
            }
            Command::Snapshot(reply) => {
                let _ = reply.send(self.save_snapshot());
            }
        }
    }

    /// The newest blockhash and the last block height it is valid for.
    pub(super) async fn latest_blockhash(&mut self) -> (Hash, u64) {
        self.chain
            .banks_client
            .get_latest_blockhash_with_commitment(
                solana_commitment_config::CommitmentLevel::Processed,
            )
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    pub(super) async fn info(&mut self) -> ChainInfo {
        let (blockhash, last_valid_block_height) = self.latest_blockhash().await;
        let block_height = self
            .chain
            .banks_client
            .get_root_block_height()
            .await
            .unwrap_or(0);
        let schedule = &self.epoch_schedule;
        let (epoch, slot_index) = schedule.get_epoch_and_slot_index(self.slot);
        ChainInfo {
            slot: self.slot,
            block_height,
            blockhash,
            last_valid_block_height,
            epoch_info: EpochInfo {
                epoch,
                slot_index,
                slots_in_epoch: schedule.get_slots_in_epoch(epoch),
                absolute_slot: self.slot,
                block_height,
                transaction_count: Some(self.transaction_count),
            },
            genesis_hash: self.genesis_hash,
            identity: self.identity,
        }
    }

    /// One slot forward; the clock follows wall time plus any warp. Every
    /// `MAINTENANCE_SLOTS` the accounts cache is flushed and cleaned.
    pub(super) async fn advance_slot(&mut self) {
        let parent = self.slot;
        let block_time = self.block_time().await;
        self.chain.advance_to(parent + 1);
        self.slot = parent + 1;
        self.record_block(parent, block_time).await;
        if self.slot.is_multiple_of(MAINTENANCE_SLOTS) {
            self.chain.maintain();
        }
        self.set_clock().await;
        let _ = self.notifications.send(Notification::Slot {
            slot: self.slot,
            parent,
            root: parent,
        });
    }

    pub(super) async fn set_clock(&mut self) -> i64 {
        let clock: Clock = self
            .chain
            .banks_client
            .get_sysvar()
            .await
            .unwrap_or_default();
        let unix_timestamp = wall_clock().saturating_add(self.clock_offset);
        self.chain.set_sysvar(&Clock {
            unix_timestamp,
            ..clock
        });
        unix_timestamp
    }

    pub(super) async fn account(
        &mut self,
        key: impl std::borrow::Borrow<Pubkey>,
    ) -> Option<Account> {
        let key = *key.borrow();
        self.chain
            .banks_client
            .get_account(key)
            .await
            .ok()
            .flatten()
    }

    pub(super) async fn fetch(&mut self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.account(key).await);
        }
        out
    }

    /// Re-reads `key` from the bank into the index.
    pub(super) async fn refresh(&mut self, key: &Pubkey) -> Option<Account> {
        let account = self.account(key).await;
        match &account {
            Some(account) => {
                self.index.insert(*key, account.clone());
            }
            None => {
                self.index.remove(key);
            }
        }
        account
    }

    pub(super) async fn airdrop(
        &mut self,
        to: Pubkey,
        lamports: u64,
    ) -> Result<Signature, SendError> {
        if lamports == 0 || lamports > MAX_AIRDROP_LAMPORTS {
            return Err(SendError::Invalid(format!(
                "airdrop must be between 1 and {MAX_AIRDROP_LAMPORTS} lamports"
            )));
        }
        let (blockhash, _) = self.latest_blockhash().await;
        let transfer = solana_system_interface::instruction::transfer(
            &self.chain.faucet.pubkey(),
            &to,
            lamports,
        );
        let tx = solana_sdk::transaction::Transaction::new_signed_with_payer(
            &[transfer],
            Some(&self.chain.faucet.pubkey()),
            &[&self.chain.faucet],
            blockhash,
        );
        self.execute(tx.into()).await
    }
}
