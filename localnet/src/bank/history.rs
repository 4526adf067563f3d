//! Transaction history: the records getTransaction, getSignatureStatuses and
//! getSignaturesForAddress read, bounded by `HISTORY_LIMIT`.

use super::*;

impl BankOwner {
    /// Records `slot` as finished: its final blockhash (the child bank starts
    /// from it) and its block height.
    pub(super) async fn record_block(&mut self, slot: Slot, block_time: i64) {
        let (blockhash, _) = self.latest_blockhash().await;
        let block_height = self
            .chain
            .banks_client
            .get_root_block_height()
            .await
            .unwrap_or(0);
        let (parent_slot, previous_blockhash) = self
            .blocks
            .back()
            .map_or((slot.saturating_sub(1), self.genesis_hash), |b| {
                (b.slot, b.blockhash)
            });
        if self.blocks.len() == HISTORY_LIMIT {
            self.blocks.pop_front();
        }
        self.blocks.push_back(BlockRecord {
            slot,
            parent_slot,
            blockhash,
            previous_blockhash,
            block_time,
            block_height,
        });
    }

    /// The finished block at `slot`, without its transactions.
    pub(super) fn block_record(&self, slot: Slot) -> Result<BlockRecord, BlockMissing> {
        match self.blocks.binary_search_by_key(&slot, |b| b.slot) {
            Ok(index) => Ok(self.blocks[index].clone()),
            Err(_) if slot >= self.slot => Err(BlockMissing::NotYet),
            Err(_) => match self.blocks.front() {
                Some(first) if slot < first.slot => Err(BlockMissing::CleanedUp {
                    first_available: first.slot,
                }),
                _ => Err(BlockMissing::Skipped),
            },
        }
    }

    /// The finished block at `slot` with its transactions.
    pub(super) fn block(&self, slot: Slot) -> Result<Block, BlockMissing> {
        let record = self.block_record(slot)?;
        let transactions = self
            .history_order
            .iter()
            .filter_map(|signature| {
                let record = self.history.get(signature)?;
                (record.slot == slot).then(|| (*signature, record.clone()))
            })
            .collect();
        Ok(Block {
            record,
            transactions,
        })
    }

    pub(super) fn remember(&mut self, signature: Signature, keys: &[Pubkey], record: TxRecord) {
        self.history.insert(signature, record);
        self.history_order.push_back(signature);
        for key in keys {
            self.by_address
                .entry(*key)
                .or_default()
                .push_back(signature);
        }
        while self.history_order.len() > HISTORY_LIMIT {
            let Some(old) = self.history_order.pop_front() else {
                break;
            };
            if let Some(record) = self.history.remove(&old) {
                for key in record.transaction.message.static_account_keys() {
                    // Lists are in execution order, so the oldest is first.
                    if let Some(list) = self.by_address.get_mut(key) {
                        if list.front() == Some(&old) {
                            list.pop_front();
                        }
                        if list.is_empty() {
                            self.by_address.remove(key);
                        }
                    }
                }
            }
        }
    }

    pub(super) fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> Vec<SignatureInfo> {
        let Some(list) = self.by_address.get(address) else {
            return vec![];
        };
        // Newest first, starting after `before`, stopping at `until`.
        let mut started = before.is_none();
        let mut out = Vec::new();
        for signature in list.iter().rev() {
            if !started {
                started = Some(*signature) == before;
                continue;
            }
            if Some(*signature) == until || out.len() >= limit {
                break;
            }
            if let Some(record) = self.history.get(signature) {
                out.push(SignatureInfo {
                    signature: *signature,
                    slot: record.slot,
                    block_time: record.block_time,
                    err: record.meta.status.clone().err(),
                });
            }
        }
        out
    }
}
