//! Typed `getProgramAccounts` filters: each selects program accounts of one
//! type by one field. Offsets follow the account layouts (an 8-byte
//! discriminator, then the fields in declaration order, Borsh-encoded) and
//! are tested against serialized accounts, so a layout change cannot
//! silently break a query.

use anchor_lang::{prelude::Pubkey, Discriminator};
use io_compute::state::{Device, Lease, StakePosition, UsageProof};
use std::marker::PhantomData;

const DISCRIMINATOR_LEN: usize = 8;
const PUBKEY_LEN: usize = 32;

/// Accounts of type `T` whose bytes at `offset` equal `bytes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter<T> {
    pub offset: usize,
    pub bytes: Vec<u8>,
    account: PhantomData<T>,
}

impl<T: Discriminator> Filter<T> {
    fn key_at(offset: usize, key: &Pubkey) -> Self {
        Self {
            offset,
            bytes: key.to_bytes().to_vec(),
            account: PhantomData,
        }
    }

    /// Whether `data` (a whole account) passes this filter.
    pub fn matches(&self, data: &[u8]) -> bool {
        data.starts_with(T::DISCRIMINATOR)
            && data.get(self.offset..self.offset + self.bytes.len()) == Some(&self.bytes[..])
    }
}

/// Leases rented by `client` (`Lease { id: u64, client, .. }`).
pub fn leases_by_client(client: &Pubkey) -> Filter<Lease> {
    Filter::key_at(DISCRIMINATOR_LEN + size_of::<u64>(), client)
}

/// Usage proofs of `lease` (`UsageProof { lease, .. }`).
pub fn proofs_by_lease(lease: &Pubkey) -> Filter<UsageProof> {
    Filter::key_at(DISCRIMINATOR_LEN, lease)
}

/// Usage proofs of `device` (`UsageProof { lease, device, .. }`).
pub fn proofs_by_device(device: &Pubkey) -> Filter<UsageProof> {
    Filter::key_at(DISCRIMINATOR_LEN + PUBKEY_LEN, device)
}

/// Usage proofs posted by `keeper_authority`
/// (`UsageProof { lease, device, provider, keeper_authority, .. }`).
pub fn proofs_by_keeper(keeper_authority: &Pubkey) -> Filter<UsageProof> {
    Filter::key_at(DISCRIMINATOR_LEN + 3 * PUBKEY_LEN, keeper_authority)
}

/// Devices of the provider account `provider` (`Device { provider, .. }`).
pub fn devices_by_provider(provider: &Pubkey) -> Filter<Device> {
    Filter::key_at(DISCRIMINATOR_LEN, provider)
}

/// Devices whose worker signs with `worker` (`Device { provider, index,
/// model, gpu_count, vram_gb, price_per_gpu_hour, status, current_lease,
/// stake_requirement, reliability_bps, worker, .. }`).
pub fn devices_by_worker(worker: &Pubkey) -> Filter<Device> {
    const OFFSET: usize = DISCRIMINATOR_LEN
        + PUBKEY_LEN
        + size_of::<u32>()
        + io_compute::constants::GPU_MODEL_CODE_LEN
        + size_of::<u8>()
        + size_of::<u16>()
        + size_of::<u64>()
        + 1 // DeviceStatus, a fieldless enum: one byte
        + PUBKEY_LEN
        + size_of::<u64>()
        + size_of::<u16>();
    Filter::key_at(OFFSET, worker)
}

/// Stake positions owned by `owner` (`StakePosition { owner, .. }`).
pub fn positions_by_owner(owner: &Pubkey) -> Filter<StakePosition> {
    Filter::key_at(DISCRIMINATOR_LEN, owner)
}

/// Stake positions behind the provider account `provider`
/// (`StakePosition { owner, provider, .. }`).
pub fn positions_by_provider(provider: &Pubkey) -> Filter<StakePosition> {
    Filter::key_at(DISCRIMINATOR_LEN + PUBKEY_LEN, provider)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;
    use io_compute::{receipt::UsageAttestation, state::*};

    fn bytes<T: AccountSerialize>(account: &T) -> Vec<u8> {
        let mut data = Vec::new();
        account.try_serialize(&mut data).unwrap();
        data
    }

    #[test]
    fn lease_filter_finds_the_client() {
        let client = Pubkey::new_unique();
        let spec = LeaseSpec {
            model: [7; 16],
            gpu_count: 2,
            region: "us-east".into(),
            hours: 3,
            max_price_per_gpu_hour: 5,
            min_reliability_bps: 0,
        };
        let data = bytes(&Lease::open(
            u64::MAX,
            client,
            spec,
            Payment::Iosd,
            1,
            2,
            3,
            4,
        ));
        assert!(leases_by_client(&client).matches(&data));
        assert!(!leases_by_client(&Pubkey::new_unique()).matches(&data));
    }

    #[test]
    fn proof_filters_find_lease_device_and_keeper() {
        let keys: [Pubkey; 4] = std::array::from_fn(|_| Pubkey::new_unique());
        let period = UsageAttestation {
            lease: keys[0],
            device: keys[1],
            seq: 1,
            period_start: 2,
            period_end: 3,
            device_time_us: 4,
            job_count: 5,
            receipts_root: [6; 32],
        };
        let proof = UsageProof::new(
            &period,
            keys[2],
            keys[3],
            Pubkey::new_unique(),
            7,
            8,
            9,
            10,
            11,
        );
        let data = bytes(&proof);
        assert!(proofs_by_lease(&keys[0]).matches(&data));
        assert!(proofs_by_device(&keys[1]).matches(&data));
        assert!(proofs_by_keeper(&keys[3]).matches(&data));
        assert!(!proofs_by_keeper(&keys[2]).matches(&data));
        assert!(!proofs_by_lease(&keys[1]).matches(&data));
    }

    #[test]
    fn stake_and_device_filters_find_their_owner_and_provider() {
        let (owner, provider) = (Pubkey::new_unique(), Pubkey::new_unique());
        let position = StakePosition::new(
            owner,
            provider,
            &ProviderRewards::default(),
            3,
            StakeKind::CoStake,
            10,
            10,
            0,
            0,
            255,
        )
        .unwrap();
        let data = bytes(&position);
        assert!(positions_by_owner(&owner).matches(&data));
        assert!(positions_by_provider(&provider).matches(&data));
        assert!(!positions_by_owner(&provider).matches(&data));

        let mut device_data = Device::DISCRIMINATOR.to_vec();
        device_data.extend(provider.to_bytes());
        device_data.extend([0; 64]);
        assert!(devices_by_provider(&provider).matches(&device_data));
        assert!(!devices_by_provider(&owner).matches(&device_data));
        assert!(
            !devices_by_provider(&provider).matches(&data),
            "another account type at the same offset"
        );
    }

    #[test]
    fn device_filter_finds_its_worker_key() {
        let keys: [Pubkey; 3] = std::array::from_fn(|_| Pubkey::new_unique());
        let device = Device {
            provider: keys[0],
            index: 1,
            model: [2; 16],
            gpu_count: 3,
            vram_gb: 4,
            price_per_gpu_hour: 5,
            status: DeviceStatus::Leased,
            current_lease: keys[1],
            stake_requirement: 6,
            reliability_bps: 7,
            worker: keys[2],
            open_proofs: 8,
            last_check_epoch: Some(9),
            failed_checks: 10,
            created_at: 11,
            bump: 12,
        };
        let data = bytes(&device);
        assert!(devices_by_worker(&keys[2]).matches(&data));
        assert!(!devices_by_worker(&keys[1]).matches(&data));
        assert!(!devices_by_worker(&keys[0]).matches(&data));
    }
}
