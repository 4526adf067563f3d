//! Token amounts as people type and read them: IO has 9 decimals, IOSD 6.

use io_compute::constants::{IOSD_DECIMALS, IO_DECIMALS};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Io,
    Iosd,
}

impl Token {
    pub fn decimals(self) -> u8 {
        match self {
            Token::Io => IO_DECIMALS,
            Token::Iosd => IOSD_DECIMALS,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Token::Io => "IO",
            Token::Iosd => "IOSD",
        }
    }

    /// Parses a decimal amount ("12", "0.5", "1_000.25") into base units.
    pub fn parse(self, text: &str) -> Result<u64, AmountError> {
        parse_amount(text, self.decimals())
    }

    /// Base units as a decimal without trailing zeros ("1.5", "0").
    pub fn format(self, base_units: u64) -> String {
        format_amount(base_units, self.decimals())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    Negative(String),
    Malformed(String),
    TooPrecise { text: String, decimals: u8 },
    TooLarge(String),
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Empty => write!(f, "amount is empty"),
            AmountError::Negative(t) => write!(f, "amount {t:?} is negative"),
            AmountError::Malformed(t) => write!(f, "amount {t:?} is not a decimal number"),
            AmountError::TooPrecise { text, decimals } => {
                write!(f, "amount {text:?} has more than {decimals} decimals")
            }
            AmountError::TooLarge(t) => write!(f, "amount {t:?} is too large"),
        }
    }
}

impl std::error::Error for AmountError {}

pub fn parse_amount(text: &str, decimals: u8) -> Result<u64, AmountError> {
    let cleaned: String = text.trim().chars().filter(|c| *c != '_').collect();
    if cleaned.is_empty() {
        return Err(AmountError::Empty);
    }
    if cleaned.starts_with('-') {
        return Err(AmountError::Negative(text.to_string()));
    }
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(AmountError::Malformed(text.to_string()));
    }
    if fraction.len() > decimals as usize {
        return Err(AmountError::TooPrecise {
            text: text.to_string(),
            decimals,
        });
    }
    let scale = 10u128.pow(decimals as u32);
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .map_err(|_| AmountError::TooLarge(text.to_string()))?
    };
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse::<u128>().expect("digits")
            * 10u128.pow((decimals as usize - fraction.len()) as u32)
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction))
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| AmountError::TooLarge(text.to_string()))
}

pub fn format_amount(base_units: u64, decimals: u8) -> String {
    let scale = 10u64.pow(decimals as u32);
    let (whole, fraction) = (base_units / scale, base_units % scale);
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0width$}", width = decimals as usize);
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_both_tokens() {
        assert_eq!(Token::Io.parse("1").unwrap(), 1_000_000_000);
        assert_eq!(Token::Io.parse("0.000000001").unwrap(), 1);
        assert_eq!(Token::Iosd.parse("2.5").unwrap(), 2_500_000);
        assert_eq!(Token::Iosd.parse(".5").unwrap(), 500_000);
        assert_eq!(Token::Io.parse("1_000").unwrap(), 1_000 * 1_000_000_000);
        assert_eq!(
            Token::Iosd.parse("18446744073709.551615").unwrap(),
            u64::MAX
        );
        assert_eq!(Token::Io.format(1_500_000_000), "1.5");
        assert_eq!(Token::Iosd.format(1), "0.000001");
        assert_eq!(Token::Iosd.format(0), "0");
        for bad in [
            "",
            "-1",
            "1.2.3",
            "abc",
            "1e9",
            ".",
            "0.0000001",
            "18446744073709.551616",
        ] {
            assert!(Token::Iosd.parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Token::Iosd.parse("0.0000001").unwrap_err().to_string(),
            "amount \"0.0000001\" has more than 6 decimals"
        );
    }
}
