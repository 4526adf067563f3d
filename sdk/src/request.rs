//! Signed HTTP requests between clients, keepers and workers: the body is
//! bound to the method, path and a timestamp and signed with the sender's
//! Solana key, so a request cannot be replayed elsewhere or later.

use anchor_lang::prelude::Pubkey;
use sha2::{Digest, Sha256};
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use std::fmt;

/// What travels with a request (as headers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    pub signer: Pubkey,
    /// Unix seconds when it was signed.
    pub timestamp: i64,
    pub signature: Signature,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The timestamp is further than the allowed skew from now.
    Expired {
        timestamp: i64,
        now: i64,
    },
    BadSignature,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Expired { timestamp, now } => {
                write!(
                    f,
                    "request signed at {timestamp} is too far from now ({now})"
                )
            }
            RequestError::BadSignature => write!(f, "request signature does not verify"),
        }
    }
}

impl std::error::Error for RequestError {}

fn message(method: &str, path: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let digest = Sha256::digest(body);
    format!(
        "io-compute-request\n{}\n{path}\n{timestamp}\n{}",
        method.to_ascii_uppercase(),
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
    .into_bytes()
}

impl SignedRequest {
    pub fn sign(keypair: &Keypair, method: &str, path: &str, body: &[u8], timestamp: i64) -> Self {
        Self {
            signer: keypair.pubkey(),
            timestamp,
            signature: keypair.sign_message(&message(method, path, timestamp, body)),
        }
    }

    /// Checks the signature over exactly this request, signed within
    /// `max_skew_secs` of `now`.
    pub fn verify(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
        now: i64,
        max_skew_secs: i64,
    ) -> Result<(), RequestError> {
        if (now - self.timestamp).abs() > max_skew_secs {
            return Err(RequestError::Expired {
                timestamp: self.timestamp,
                now,
            });
        }
        let message = message(method, path, self.timestamp, body);
        if self.signature.verify(self.signer.as_ref(), &message) {
            Ok(())
        } else {
            Err(RequestError::BadSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_method_path_body_and_time() {
        let keypair = Keypair::new();
        let body = br#"{"lease":7}"#;
        let signed = SignedRequest::sign(&keypair, "post", "/jobs", body, 1_000);
        signed.verify("POST", "/jobs", body, 1_030, 60).unwrap();
        assert_eq!(
            signed.verify("POST", "/jobs", body, 1_061, 60),
            Err(RequestError::Expired {
                timestamp: 1_000,
                now: 1_061
            })
        );
        for (method, path, body) in [
            ("GET", "/jobs", &body[..]),
            ("POST", "/jobs/1", &body[..]),
            ("POST", "/jobs", &br#"{"lease":8}"#[..]),
        ] {
            assert_eq!(
                signed.verify(method, path, body, 1_000, 60),
                Err(RequestError::BadSignature)
            );
        }
        let forged = SignedRequest {
            signer: Keypair::new().pubkey(),
            ..signed
        };
        assert_eq!(
            forged.verify("POST", "/jobs", body, 1_000, 60),
            Err(RequestError::BadSignature)
        );
    }
}
