use crate::{error::IoComputeError, state::*};
use anchor_lang::prelude::*;

/// A lease's devices and their providers, read from the remaining accounts
/// as `[device..., provider...]`: every device once, every provider of
/// those devices once (and no other). Each account is written back once by
/// `exit`, so a provider with several devices is never clobbered.
pub struct LeaseDevices<'info> {
    pub devices: Vec<Account<'info, Device>>,
    pub providers: Vec<Account<'info, Provider>>,
}

impl<'info> LeaseDevices<'info> {
    pub fn load(remaining: &'info [AccountInfo<'info>], device_count: usize) -> Result<Self> {
        require!(
            device_count > 0 && device_count < remaining.len(),
            IoComputeError::LeaseAccountMismatch
        );
        for (i, a) in remaining.iter().enumerate() {
            require!(
                remaining[..i].iter().all(|b| b.key != a.key),
                IoComputeError::DuplicateAccount
            );
        }
        let (devices, providers) = remaining.split_at(device_count);
        let devices = devices
            .iter()
            .map(Account::<Device>::try_from)
            .collect::<Result<Vec<_>>>()?;
        let providers = providers
            .iter()
            .map(Account::<Provider>::try_from)
            .collect::<Result<Vec<_>>>()?;
        for provider in &providers {
            require!(
                devices.iter().any(|d| d.provider == provider.key()),
                IoComputeError::LeaseAccountMismatch
            );
        }
        let loaded = Self { devices, providers };
        for i in 0..loaded.devices.len() {
            loaded.provider_index(i)?;
        }
        Ok(loaded)
    }

    /// Index in `providers` of device `i`'s provider.
    pub fn provider_index(&self, i: usize) -> Result<usize> {
        let provider = self.devices[i].provider;
        self.providers
            .iter()
            .position(|p| p.key() == provider)
            .ok_or_else(|| error!(IoComputeError::LeaseAccountMismatch))
    }

    /// Writes every changed device and provider back.
    pub fn exit(&self) -> Result<()> {
        for device in &self.devices {
            device.exit(&crate::ID)?;
        }
        for provider in &self.providers {
            provider.exit(&crate::ID)?;
        }
        Ok(())
    }
}
