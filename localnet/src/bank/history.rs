//! Transaction history: the records getTransaction, getSignatureStatuses and
//! getSignaturesForAddress read, bounded by `HISTORY_LIMIT`.

use super::*;

impl BankOwner {
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
