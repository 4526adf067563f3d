use crate::{constants::*, error::IoComputeError, state::Bps};
use anchor_lang::prelude::*;

/// Provider profile fields, validated together by register and update.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ProviderProfile {
    pub name: String,
    pub region: String,
    pub endpoint: String,
    pub co_stake_share_bps: u16,
}

impl ProviderProfile {
    pub fn validate(&self) -> Result<()> {
        require!(
            !self.name.is_empty()
                && self.name.len() <= MAX_PROVIDER_NAME_LEN
                && self.name.chars().all(|c| !c.is_control()),
            IoComputeError::InvalidProviderName
        );
        validate_region(&self.region)?;
        validate_endpoint(&self.endpoint)?;
        require!(
            Bps(self.co_stake_share_bps).is_valid(),
            IoComputeError::InvalidCoStakeShare
        );
        Ok(())
    }
}

/// An http(s) URL of at most `MAX_ENDPOINT_LEN` printable ASCII bytes.
pub fn validate_endpoint(endpoint: &str) -> Result<()> {
    let rest = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"));
    require!(
        endpoint.len() <= MAX_ENDPOINT_LEN
            && rest.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_graphic())),
        IoComputeError::InvalidEndpoint
    );
    Ok(())
}

/// Region codes are 1-16 characters of `a-z`, `0-9` or `-` (e.g. `us-east`).
pub fn validate_region(region: &str) -> Result<()> {
    require!(
        !region.is_empty()
            && region.len() <= MAX_REGION_LEN
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        IoComputeError::InvalidRegion
    );
    Ok(())
}
