//! Governance parameter changes by name, for every `ParamChange` the
//! program accepts: `name=value`, where a group of fields is written
//! `field:value,field:value` with every field present. IO amounts are in
//! whole IO (up to 9 decimals); rates in basis points.

use crate::amount::Token;
use anchor_lang::prelude::Pubkey;
use io_compute::state::{
    EmissionParams, FeeSplit, GovernanceParams, GpuModel, OracleSource, ParamChange,
};
use std::{collections::BTreeMap, fmt, str::FromStr};

/// Every parameter name with the form of its value, in the order the
/// program declares them.
pub const PARAMS: &[(&str, &str)] = &[
    ("client_fee_bps", "bps"),
    ("client_fee_bps_io", "bps"),
    ("provider_fee_bps", "bps"),
    ("fee_split", "treasury:BPS,stakers:BPS,burn:BPS (summing to 10000)"),
    ("dispute_window_secs", "seconds"),
    ("min_dispute_bond", "IO"),
    ("dispute_slash_bps", "bps"),
    ("challenger_reward_bps", "bps"),
    ("min_stake_per_gpu", "IO"),
    ("min_keeper_bond", "IO"),
    (
        "emission",
        "monthly_decay_bps:BPS,net_emission_cap:IO,stakers_bps:BPS,io_emission_cap:IO,io_emission_window_secs:SECS",
    ),
    ("iosd_mint_cap", "cap:IOSD,window_secs:SECS"),
    ("oracle_limits", "max_age_secs:SECS,max_conf_bps:BPS,max_change_bps:BPS"),
    ("arbiter", "public key"),
    ("keeper_admin", "public key"),
    (
        "governance",
        "voting_period_secs:SECS,timelock_secs:SECS,quorum_bps:BPS,approval_bps:BPS,min_weight_to_propose:IO",
    ),
    ("price_authority", "public key"),
    ("oracle_source", "source:authority|pyth,feed_id:HEX32 (zeros for authority)"),
    ("epoch_length_secs", "seconds"),
    (
        "gpu_model",
        "code:NAME,multiplier:X10000,fp32_tflops_x100:N,bf16_tflops_x100:N",
    ),
];

/// Why a `name=value` text is not a parameter change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamError(String);

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParamError {}

/// The names, for error messages and help.
pub fn names() -> String {
    PARAMS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fields of a grouped value, each required exactly once.
struct Fields<'a> {
    param: &'a str,
    values: BTreeMap<&'a str, &'a str>,
}

impl<'a> Fields<'a> {
    fn parse(param: &'a str, text: &'a str) -> Result<Self, ParamError> {
        let mut values = BTreeMap::new();
        for part in text.split(',') {
            let (field, value) = part.split_once(':').ok_or_else(|| {
                ParamError(format!(
                    "{param}: {part:?} is not field:value ({})",
                    form(param)
                ))
            })?;
            if values.insert(field.trim(), value.trim()).is_some() {
                return Err(ParamError(format!("{param}: {field} given twice")));
            }
        }
        Ok(Self { param, values })
    }

    fn take(&mut self, field: &str) -> Result<&'a str, ParamError> {
        self.values.remove(field).ok_or_else(|| {
            ParamError(format!(
                "{}: missing {field} ({})",
                self.param,
                form(self.param)
            ))
        })
    }

    fn done(self) -> Result<(), ParamError> {
        match self.values.keys().next() {
            None => Ok(()),
            Some(extra) => Err(ParamError(format!(
                "{}: unknown field {extra} ({})",
                self.param,
                form(self.param)
            ))),
        }
    }
}

fn form(param: &str) -> &'static str {
    PARAMS
        .iter()
        .find(|(name, _)| *name == param)
        .map_or("", |(_, form)| form)
}

fn number<T: FromStr>(param: &str, text: &str, what: &str) -> Result<T, ParamError> {
    text.parse()
        .map_err(|_| ParamError(format!("{param}: {text:?} is not {what}")))
}

fn bps(param: &str, text: &str) -> Result<u16, ParamError> {
    number::<u16>(param, text, "bps (0-10000)").and_then(|v| {
        if v <= 10_000 {
            Ok(v)
        } else {
            Err(ParamError(format!("{param}: {v} is over 10000 bps")))
        }
    })
}

fn tokens(param: &str, text: &str, token: Token) -> Result<u64, ParamError> {
    token
        .parse(text)
        .map_err(|e| ParamError(format!("{param}: {e}")))
}

/// Parses `name=value` into the change the program takes.
pub fn parse_change(text: &str) -> Result<ParamChange, ParamError> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| ParamError(format!("{text:?} is not name=value")))?;
    let (name, value) = (name.trim(), value.trim());
    let secs = |v: &str| number::<i64>(name, v, "a whole number of seconds");
    let key = |v: &str| {
        Pubkey::from_str(v).map_err(|_| ParamError(format!("{name}: {v:?} is not a public key")))
    };
    let change = match name {
        "client_fee_bps" => ParamChange::ClientFeeBps(bps(name, value)?),
        "client_fee_bps_io" => ParamChange::ClientFeeBpsIo(bps(name, value)?),
        "provider_fee_bps" => ParamChange::ProviderFeeBps(bps(name, value)?),
        "dispute_window_secs" => ParamChange::DisputeWindowSecs(secs(value)?),
        "min_dispute_bond" => ParamChange::MinDisputeBond(tokens(name, value, Token::Io)?),
        "dispute_slash_bps" => ParamChange::DisputeSlashBps(bps(name, value)?),
        "challenger_reward_bps" => ParamChange::ChallengerRewardBps(bps(name, value)?),
        "min_stake_per_gpu" => ParamChange::MinStakePerGpu(tokens(name, value, Token::Io)?),
        "min_keeper_bond" => ParamChange::MinKeeperBond(tokens(name, value, Token::Io)?),
        "arbiter" => ParamChange::Arbiter(key(value)?),
        "keeper_admin" => ParamChange::KeeperAdmin(key(value)?),
        "price_authority" => ParamChange::PriceAuthority(key(value)?),
        "epoch_length_secs" => ParamChange::EpochLength(secs(value)?),
        "oracle_source" => {
            let mut f = Fields::parse(name, value)?;
            let source = match f.take("source")? {
                "authority" => OracleSource::Authority,
                "pyth" => OracleSource::Pyth,
                other => {
                    return Err(ParamError(format!(
                        "{name}: source {other:?} is not authority or pyth"
                    )))
                }
            };
            let hex = f.take("feed_id")?;
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| {
                    hex.get(i..i + 2)
                        .and_then(|b| u8::from_str_radix(b, 16).ok())
                })
                .collect::<Option<_>>()
                .filter(|b: &Vec<u8>| b.len() == 32)
                .ok_or_else(|| ParamError(format!("{name}: feed_id is not 64 hex digits")))?;
            f.done()?;
            ParamChange::OracleSource {
                source,
                pyth_feed_id: bytes.try_into().expect("32 bytes"),
            }
        }
        "gpu_model" => {
            let mut f = Fields::parse(name, value)?;
            let code = f.take("code")?;
            let model = GpuModel {
                code: crate::gpu::model_code(code)
                    .ok_or_else(|| ParamError(format!("{name}: code {code:?} is too long")))?,
                reward_multiplier: number(name, f.take("multiplier")?, "a whole number")?,
                ref_fp32_tflops_x100: number(name, f.take("fp32_tflops_x100")?, "a whole number")?,
                ref_bf16_tflops_x100: number(name, f.take("bf16_tflops_x100")?, "a whole number")?,
            };
            f.done()?;
            ParamChange::GpuModel(model)
        }
        "fee_split" => {
            let mut f = Fields::parse(name, value)?;
            let split = FeeSplit {
                treasury_bps: bps(name, f.take("treasury")?)?,
                stakers_bps: bps(name, f.take("stakers")?)?,
                burn_bps: bps(name, f.take("burn")?)?,
            };
            f.done()?;
            ParamChange::FeeSplit(split)
        }
        "emission" => {
            let mut f = Fields::parse(name, value)?;
            let emission = EmissionParams {
                // The program keeps the schedule's own starting emission.
                initial_monthly_emission: 0,
                monthly_decay_bps: bps(name, f.take("monthly_decay_bps")?)?,
                net_emission_cap: tokens(name, f.take("net_emission_cap")?, Token::Io)?,
                stakers_bps: bps(name, f.take("stakers_bps")?)?,
                io_emission_cap: tokens(name, f.take("io_emission_cap")?, Token::Io)?,
                io_emission_window_secs: number(
                    name,
                    f.take("io_emission_window_secs")?,
                    "a whole number of seconds",
                )?,
            };
            f.done()?;
            ParamChange::Emission(emission)
        }
        "iosd_mint_cap" => {
            let mut f = Fields::parse(name, value)?;
            let change = ParamChange::IosdMintCap {
                cap: tokens(name, f.take("cap")?, Token::Iosd)?,
                window_secs: number(name, f.take("window_secs")?, "a whole number of seconds")?,
            };
            f.done()?;
            change
        }
        "oracle_limits" => {
            let mut f = Fields::parse(name, value)?;
            let change = ParamChange::OracleLimits {
                max_age_secs: number(name, f.take("max_age_secs")?, "a whole number of seconds")?,
                max_conf_bps: bps(name, f.take("max_conf_bps")?)?,
                max_change_bps: bps(name, f.take("max_change_bps")?)?,
            };
            f.done()?;
            change
        }
        "governance" => {
            let mut f = Fields::parse(name, value)?;
            let params = GovernanceParams {
                voting_period_secs: secs(f.take("voting_period_secs")?)?,
                timelock_secs: secs(f.take("timelock_secs")?)?,
                quorum_bps: bps(name, f.take("quorum_bps")?)?,
                approval_bps: bps(name, f.take("approval_bps")?)?,
                min_weight_to_propose: tokens(name, f.take("min_weight_to_propose")?, Token::Io)?,
            };
            f.done()?;
            ParamChange::Governance(params)
        }
        other => {
            return Err(ParamError(format!(
                "unknown parameter {other:?}; one of: {}",
                names()
            )))
        }
    };
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One valid text per parameter, in `PARAMS` order.
    const EXAMPLES: &[&str] = &[
        "client_fee_bps=100",
        "client_fee_bps_io=0",
        "provider_fee_bps=300",
        "fee_split=treasury:5000,stakers:3000,burn:2000",
        "dispute_window_secs=3600",
        "min_dispute_bond=10.5",
        "dispute_slash_bps=500",
        "challenger_reward_bps=5000",
        "min_stake_per_gpu=100",
        "min_keeper_bond=1000",
        "emission=monthly_decay_bps:102,net_emission_cap:20000,stakers_bps:3000,io_emission_cap:300000,io_emission_window_secs:86400",
        "iosd_mint_cap=cap:1000000,window_secs:86400",
        "oracle_limits=max_age_secs:60,max_conf_bps:200,max_change_bps:1000",
        "arbiter=11111111111111111111111111111111",
        "keeper_admin=11111111111111111111111111111111",
        "governance=voting_period_secs:259200,timelock_secs:86400,quorum_bps:1000,approval_bps:5000,min_weight_to_propose:100",
        "price_authority=11111111111111111111111111111111",
        "oracle_source=source:pyth,feed_id:ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d",
        "epoch_length_secs=86400",
        "gpu_model=code:RTX5090,multiplier:12000,fp32_tflops_x100:10480,bf16_tflops_x100:20950",
    ];

    #[test]
    fn every_program_parameter_has_a_name_and_parses() {
        assert_eq!(EXAMPLES.len(), PARAMS.len());
        let mut variants = std::collections::HashSet::new();
        for (text, (name, _)) in EXAMPLES.iter().zip(PARAMS) {
            assert!(text.starts_with(&format!("{name}=")));
            let change = parse_change(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            variants.insert(std::mem::discriminant(&change));
        }
        // ParamChange has 20 variants; each name yields a different one.
        assert_eq!(variants.len(), 20);
    }

    #[test]
    fn values_parse_to_base_units() {
        assert_eq!(
            parse_change("fee_split=burn:2000, treasury:5000,stakers:3000").unwrap(),
            ParamChange::FeeSplit(FeeSplit {
                treasury_bps: 5_000,
                stakers_bps: 3_000,
                burn_bps: 2_000
            })
        );
        assert_eq!(
            parse_change("min_dispute_bond=10.5").unwrap(),
            ParamChange::MinDisputeBond(10_500_000_000)
        );
        assert_eq!(
            parse_change("iosd_mint_cap=cap:2,window_secs:60").unwrap(),
            ParamChange::IosdMintCap {
                cap: 2_000_000,
                window_secs: 60
            }
        );
    }

    #[test]
    fn bad_text_says_what_is_wrong() {
        let err = |t: &str| parse_change(t).unwrap_err().to_string();
        assert!(err("provider_fee_bps").contains("is not name=value"));
        assert!(err("provider_fee=3")
            .contains("unknown parameter \"provider_fee\"; one of: client_fee_bps"));
        assert!(err("provider_fee_bps=10001").contains("over 10000"));
        assert!(err("provider_fee_bps=-1").contains("is not bps"));
        assert!(err("fee_split=treasury:5000,stakers:5000").contains("missing burn"));
        assert!(err("fee_split=treasury:1,stakers:1,burn:1,x:1").contains("unknown field x"));
        assert!(err("fee_split=treasury:1,treasury:2").contains("given twice"));
        assert!(err("arbiter=nope").contains("not a public key"));
        assert!(err("min_keeper_bond=1.0000000001").starts_with("min_keeper_bond: "));
    }
}
