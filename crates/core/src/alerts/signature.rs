//! The webhook signature: `Handshake-Signature: t=<unix seconds>,v1=<hex
//! HMAC-SHA256 of "<t>.<raw body>" with the channel's secret>`. The
//! timestamp inside the signed text lets a receiver refuse a replay of an
//! old delivery; comparing in constant time keeps the secret from leaking
//! through timing. docs/alerts.md shows the receiver's check.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a signature header does not check.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not `t=<seconds>,v1=<64 hex digits>`.
    #[error("the signature header is not t=<unix seconds>,v1=<hex HMAC-SHA256>")]
    Malformed,
    /// The timestamp is further from now than the tolerance.
    #[error("the signature is {age} s from now; at most {tolerance} s is accepted")]
    Stale {
        /// Seconds between the signature's time and now.
        age: i64,
        /// The most accepted.
        tolerance: i64,
    },
    /// The HMAC does not match the body and secret.
    #[error("the signature does not match the body")]
    Mismatch,
}

/// The `Handshake-Signature` header value for `body` sent at `t` (unix
/// seconds) with `secret`.
///
/// # Example
/// ```
/// use handshake_core::alerts::{sign, verify};
/// let header = sign(b"s3cret", 1_800_000_000, br#"{"kind":"test"}"#);
/// assert!(header.starts_with("t=1800000000,v1="));
/// assert!(verify(b"s3cret", &header, br#"{"kind":"test"}"#, 1_800_000_010, 300).is_ok());
/// ```
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", hex(&mac(secret, t, body)))
}

fn mac(secret: &[u8], t: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut m = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a `Handshake-Signature` header against `body`, as a receiver
/// does: the HMAC in constant time, and the timestamp within `tolerance`
/// seconds of `now`.
///
/// # Errors
/// [`SignatureError`] saying which part failed.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return Err(SignatureError::Malformed);
    };
    let given: Option<Vec<u8>> = (v1.len() == 64)
        .then(|| {
            (0..32)
                .map(|i| u8::from_str_radix(&v1[i * 2..i * 2 + 2], 16).ok())
                .collect()
        })
        .flatten();
    let Some(given) = given else {
        return Err(SignatureError::Malformed);
    };
    let age = (now - t).abs();
    if age > tolerance {
        return Err(SignatureError::Stale { age, tolerance });
    }
    let mut m = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m.verify_slice(&given).map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test case 2: HMAC-SHA256 of "what do ya want for nothing?"
    /// with key "Jefe": the primitive the signature rests on.
    #[test]
    fn the_hmac_is_rfc_4231s() {
        let mut m = HmacSha256::new_from_slice(b"Jefe").unwrap();
        m.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// The header's v1 is the HMAC of "<t>.<body>", computed here with the
    /// primitive checked above.
    #[test]
    fn v1_signs_the_timestamp_a_dot_and_the_body() {
        let mut m = HmacSha256::new_from_slice(b"ops-secret").unwrap();
        m.update(b"1800000000.{\"kind\":\"test\"}");
        let expected = hex(&m.finalize().into_bytes());
        assert_eq!(
            sign(b"ops-secret", 1_800_000_000, b"{\"kind\":\"test\"}"),
            format!("t=1800000000,v1={expected}")
        );
    }

    #[test]
    fn a_signature_checks_and_any_change_breaks_it() {
        let header = sign(b"k", 100, b"body");
        assert_eq!(verify(b"k", &header, b"body", 100, 300), Ok(()));
        assert_eq!(
            verify(b"k", &header, b"body!", 100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", &header, b"body", 100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"k", &header, b"body", 1_000, 300),
            Err(SignatureError::Stale {
                age: 900,
                tolerance: 300
            })
        );
        // The timestamp is signed: moving it breaks the signature.
        let moved = header.replace("t=100", "t=101");
        assert_eq!(
            verify(b"k", &moved, b"body", 100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"k", "v1=zz", b"body", 100, 300),
            Err(SignatureError::Malformed)
        );
    }
}
