//! Signed HTTP requests from clients and workers to a keeper. The signature
//! binds the method, path, body, the keeper it is meant for (audience), the
//! time and a nonce, so a request cannot be replayed to another keeper,
//! later, or with another body:
//!
//! | request | keeper's answer |
//! |---|---|
//! | signature does not verify (forged, or any field changed) | 401 |
//! | signed further than the skew from now | 401 |
//! | for another keeper | 403 |
//! | by a key that may not do this (not the lease's client) | 403, checked by the keeper |
//! | the same (signer, nonce) and body again | the first answer again |
//! | the same (signer, nonce) with another body | 409 |
//!
//! `NonceBook` keeps the nonces seen within the skew window, which is all a
//! replay can use.

use anchor_lang::prelude::Pubkey;
use sha2::{Digest, Sha256};
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use std::{
    collections::{HashMap, VecDeque},
    fmt,
    str::FromStr,
};

/// What travels with a request (as the `x-ioc-*` headers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    pub signer: Pubkey,
    /// The keeper authority the request is for.
    pub audience: Pubkey,
    /// Unix seconds when it was signed.
    pub timestamp: i64,
    /// Unique per request of this signer (random 128 bits).
    pub nonce: u128,
    pub signature: Signature,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The timestamp is further than the allowed skew from now.
    Expired {
        timestamp: i64,
        now: i64,
    },
    /// Signed for another keeper.
    WrongAudience {
        audience: Pubkey,
    },
    BadSignature,
    /// A header is missing or unreadable.
    BadHeader(&'static str),
}

impl RequestError {
    /// The HTTP status a keeper answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::WrongAudience { .. } => 403,
            Self::BadHeader(_) => 400,
            Self::Expired { .. } | Self::BadSignature => 401,
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Expired { timestamp, now } => {
                write!(
                    f,
                    "request signed at {timestamp} is too far from now ({now})"
                )
            }
            Self::WrongAudience { audience } => {
                write!(f, "request is signed for keeper {audience}, not this one")
            }
            Self::BadSignature => write!(f, "request signature does not verify"),
            Self::BadHeader(name) => write!(f, "header {name} is missing or unreadable"),
        }
    }
}

impl std::error::Error for RequestError {}

/// The header names, in `to_headers` order.
pub const HEADERS: [&str; 5] = [
    "x-ioc-signer",
    "x-ioc-audience",
    "x-ioc-timestamp",
    "x-ioc-nonce",
    "x-ioc-signature",
];

fn body_hash(body: &[u8]) -> [u8; 32] {
    Sha256::digest(body).into()
}

fn message(
    method: &str,
    path: &str,
    audience: &Pubkey,
    timestamp: i64,
    nonce: u128,
    body: &[u8],
) -> Vec<u8> {
    let digest: String = body_hash(body).iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "io-compute-request/v2\n{}\n{path}\n{audience}\n{timestamp}\n{nonce:032x}\n{digest}",
        method.to_ascii_uppercase()
    )
    .into_bytes()
}

impl SignedRequest {
    /// Signs a request to keeper `audience` with a fresh random nonce.
    pub fn sign(
        keypair: &Keypair,
        audience: &Pubkey,
        method: &str,
        path: &str,
        body: &[u8],
        timestamp: i64,
    ) -> Self {
        Self::sign_with_nonce(
            keypair,
            audience,
            method,
            path,
            body,
            timestamp,
            rand::random(),
        )
    }

    pub fn sign_with_nonce(
        keypair: &Keypair,
        audience: &Pubkey,
        method: &str,
        path: &str,
        body: &[u8],
        timestamp: i64,
        nonce: u128,
    ) -> Self {
        Self {
            signer: keypair.pubkey(),
            audience: *audience,
            timestamp,
            nonce,
            signature: keypair
                .sign_message(&message(method, path, audience, timestamp, nonce, body)),
        }
    }

    /// Checks the signature over exactly this request, for keeper `me`,
    /// signed within `max_skew_secs` of `now`.
    pub fn verify(
        &self,
        me: &Pubkey,
        method: &str,
        path: &str,
        body: &[u8],
        now: i64,
        max_skew_secs: i64,
    ) -> Result<(), RequestError> {
        let message = message(
            method,
            path,
            &self.audience,
            self.timestamp,
            self.nonce,
            body,
        );
        if !self.signature.verify(self.signer.as_ref(), &message) {
            return Err(RequestError::BadSignature);
        }
        if self.audience != *me {
            return Err(RequestError::WrongAudience {
                audience: self.audience,
            });
        }
        if (now - self.timestamp).abs() > max_skew_secs {
            return Err(RequestError::Expired {
                timestamp: self.timestamp,
                now,
            });
        }
        Ok(())
    }

    /// The headers that carry it.
    pub fn to_headers(&self) -> [(&'static str, String); 5] {
        [
            (HEADERS[0], self.signer.to_string()),
            (HEADERS[1], self.audience.to_string()),
            (HEADERS[2], self.timestamp.to_string()),
            (HEADERS[3], format!("{:032x}", self.nonce)),
            (HEADERS[4], self.signature.to_string()),
        ]
    }

    /// Reads it back from headers (`get` looks one up by name).
    pub fn from_headers<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, RequestError> {
        let field = |i: usize| get(HEADERS[i]).ok_or(RequestError::BadHeader(HEADERS[i]));
        Ok(Self {
            signer: Pubkey::from_str(field(0)?).map_err(|_| RequestError::BadHeader(HEADERS[0]))?,
            audience: Pubkey::from_str(field(1)?)
                .map_err(|_| RequestError::BadHeader(HEADERS[1]))?,
            timestamp: field(2)?
                .parse()
                .map_err(|_| RequestError::BadHeader(HEADERS[2]))?,
            nonce: u128::from_str_radix(field(3)?, 16)
                .map_err(|_| RequestError::BadHeader(HEADERS[3]))?,
            signature: Signature::from_str(field(4)?)
                .map_err(|_| RequestError::BadHeader(HEADERS[4]))?,
        })
    }
}

/// What a verified request's (signer, nonce) means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Not seen before: act on it.
    Fresh,
    /// Seen with this very body: answer as the first time, do nothing new.
    Replay,
    /// Seen with another body: refuse (409).
    Conflict,
}

/// The nonces of verified requests within the skew window.
#[derive(Default)]
pub struct NonceBook {
    seen: HashMap<(Pubkey, u128), [u8; 32]>,
    /// Admission times in order, to forget the oldest first: a request's
    /// own time is within the window of its admission, so two windows after
    /// it no replay of it can verify any more.
    admitted: VecDeque<(i64, (Pubkey, u128))>,
}

impl NonceBook {
    /// Admits `request` (already verified, so within `window_secs` of
    /// `now`) with `body`; nonces admitted more than two windows ago are
    /// forgotten, a few at a time (a busy keeper admits thousands a second).
    pub fn admit(
        &mut self,
        request: &SignedRequest,
        body: &[u8],
        now: i64,
        window_secs: i64,
    ) -> Admission {
        while let Some(&(at, key)) = self.admitted.front() {
            if now - at <= 2 * window_secs {
                break;
            }
            self.admitted.pop_front();
            self.seen.remove(&key);
        }
        let hash = body_hash(body);
        let key = (request.signer, request.nonce);
        match self.seen.get(&key) {
            Some(seen) if *seen == hash => Admission::Replay,
            Some(_) => Admission::Conflict,
            None => {
                self.seen.insert(key, hash);
                self.admitted.push_back((now, key));
                Admission::Fresh
            }
        }
    }

    /// Nonces remembered now.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The request table of the module docs, row by row.
    #[test]
    fn forged_expired_foreign_replayed_and_reused_requests() {
        let client = Keypair::new();
        let keeper = Keypair::new().pubkey();
        let body = br#"{"lease":7}"#;
        let signed =
            SignedRequest::sign_with_nonce(&client, &keeper, "post", "/v1/jobs", body, 1_000, 42);
        assert_eq!(
            signed.verify(&keeper, "POST", "/v1/jobs", body, 1_030, 60),
            Ok(())
        );
        // Expired.
        let late = signed
            .verify(&keeper, "POST", "/v1/jobs", body, 1_061, 60)
            .unwrap_err();
        assert_eq!(
            (late.clone(), late.status()),
            (
                RequestError::Expired {
                    timestamp: 1_000,
                    now: 1_061
                },
                401
            )
        );
        // Forged: any field changed, or another key's signature.
        for (method, path, body) in [
            ("GET", "/v1/jobs", &body[..]),
            ("POST", "/v1/jobs/1", &body[..]),
            ("POST", "/v1/jobs", &br#"{"lease":8}"#[..]),
        ] {
            assert_eq!(
                signed.verify(&keeper, method, path, body, 1_000, 60),
                Err(RequestError::BadSignature)
            );
        }
        for forged in [
            SignedRequest {
                nonce: 43,
                ..signed.clone()
            },
            SignedRequest {
                timestamp: 1_001,
                ..signed.clone()
            },
            SignedRequest {
                signer: Keypair::new().pubkey(),
                ..signed.clone()
            },
            SignedRequest {
                audience: Keypair::new().pubkey(),
                ..signed.clone()
            },
        ] {
            let err = forged
                .verify(&keeper, "POST", "/v1/jobs", body, 1_000, 60)
                .unwrap_err();
            assert_eq!(
                (err.clone(), err.status()),
                (RequestError::BadSignature, 401)
            );
        }
        // For another keeper: verifies, but not here.
        let other = Keypair::new().pubkey();
        let err = signed
            .verify(&other, "POST", "/v1/jobs", body, 1_000, 60)
            .unwrap_err();
        assert_eq!(
            (err.clone(), err.status()),
            (RequestError::WrongAudience { audience: keeper }, 403)
        );
        // Replays and reused nonces.
        let mut book = NonceBook::default();
        assert_eq!(book.admit(&signed, body, 1_000, 60), Admission::Fresh);
        assert_eq!(book.admit(&signed, body, 1_010, 60), Admission::Replay);
        let reused =
            SignedRequest::sign_with_nonce(&client, &keeper, "post", "/v1/jobs", b"{}", 1_005, 42);
        assert_eq!(book.admit(&reused, b"{}", 1_010, 60), Admission::Conflict);
        let another = SignedRequest::sign_with_nonce(
            &Keypair::new(),
            &keeper,
            "post",
            "/v1/jobs",
            b"{}",
            1_005,
            42,
        );
        assert_eq!(
            book.admit(&another, b"{}", 1_010, 60),
            Admission::Fresh,
            "nonces are per signer"
        );
        // Two windows after its admission a nonce is forgotten (no replay
        // of it verifies by then); later ones are kept.
        assert_eq!(book.len(), 2);
        let later =
            SignedRequest::sign_with_nonce(&client, &keeper, "post", "/v1/jobs", b"{}", 1_115, 7);
        assert_eq!(book.admit(&later, b"{}", 1_121, 60), Admission::Fresh);
        assert_eq!(book.len(), 2, "the nonce admitted at 1,000 is forgotten");
        assert_eq!(book.admit(&another, b"{}", 1_121, 60), Admission::Replay);
        // Headers round-trip; a bad one is named.
        let headers: HashMap<&str, String> = signed.to_headers().into_iter().collect();
        let back =
            SignedRequest::from_headers(|name| headers.get(name).map(String::as_str)).unwrap();
        assert_eq!(back, signed);
        let err = SignedRequest::from_headers(|name| {
            (name != "x-ioc-nonce").then(|| headers[name].as_str())
        })
        .unwrap_err();
        assert_eq!(
            (err.clone(), err.status()),
            (RequestError::BadHeader("x-ioc-nonce"), 400)
        );
    }
}
