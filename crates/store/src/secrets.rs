//! API tokens: a public id and a random secret. The secret has 160 random
//! bits, so a fast hash is enough to store it safely (nobody can guess their
//! way back from a SHA-256 digest of 160 random bits), and checking a guess
//! costs a microsecond and no memory. argon2 is for low-entropy passwords;
//! tokens made before this scheme carry an argon2 hash, which is checked one
//! at a time (bounded memory) and replaced by the fast hash on first use.

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::StoreError;

/// A token as the client presents it: `hs_<id>_<secret>`.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret {
    pub(crate) id: String,
    pub(crate) secret: String,
}

impl std::fmt::Debug for TokenSecret {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenSecret(hs_{}_…)", self.id)
    }
}

impl TokenSecret {
    /// Parses `hs_<id>_<secret>`; `None` when it is not of that shape.
    pub fn parse(text: &str) -> Option<TokenSecret> {
        let rest = text.strip_prefix("hs_")?;
        let (id, secret) = rest.split_once('_')?;
        let hex = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_hexdigit());
        (hex(id, 12) && hex(secret, 40)).then(|| TokenSecret {
            id: id.to_string(),
            secret: secret.to_string(),
        })
    }

    /// The public id (safe to log and show).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The whole token text, to show once.
    pub fn reveal(&self) -> String {
        format!("hs_{}_{}", self.id, self.secret)
    }
}

/// A token just created: its secret (shown once) and what is stored.
pub struct NewToken {
    /// The token to hand to the client.
    pub token: TokenSecret,
    pub(crate) hash: String,
}

pub(crate) fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| StoreError::Invalid(format!("no randomness available: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// The prefix of a stored fast hash.
const FAST: &str = "sha256:";

/// The stored form of a secret: `sha256:` and the hex digest of the secret
/// under this scheme's domain tag.
pub(crate) fn fast_hash(secret: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"handshake-token-v1\0")
        .chain_update(secret.as_bytes())
        .finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{FAST}{hex}")
}

impl NewToken {
    /// A fresh random token and the hash of its secret.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the OS has no source of randomness.
    pub fn generate() -> Result<NewToken, StoreError> {
        let token = TokenSecret {
            id: random_hex(6)?,
            secret: random_hex(20)?,
        };
        let hash = fast_hash(&token.secret);
        Ok(NewToken { token, hash })
    }
}

/// How a stored hash is checked.
pub(crate) enum Check {
    /// Decided already, in constant time.
    Done(bool),
    /// An argon2 hash from before the fast scheme: check it off the executor,
    /// one at a time.
    Legacy,
}

/// Compares `secret` with the stored `hash` (`None` when no token has the
/// id: the same work is done against a hash nobody has, so the answer takes
/// as long whether or not the id exists).
pub(crate) fn check(secret: &str, hash: Option<&str>) -> Check {
    let given = fast_hash(secret);
    match hash {
        Some(h) if h.starts_with(FAST) => Check::Done(given.as_bytes().ct_eq(h.as_bytes()).into()),
        Some(_) => Check::Legacy,
        None => {
            let nobody = format!("{FAST}{}", "0".repeat(64));
            let _ = given.as_bytes().ct_eq(nobody.as_bytes());
            Check::Done(false)
        }
    }
}

/// Whether `secret` matches a legacy argon2 `hash`. Slow and memory-hungry
/// (19 MiB) on purpose: callers run it one at a time, off the executor.
pub(crate) fn verify_legacy(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHasher;

    #[test]
    fn the_fast_hash_accepts_its_secret_only() {
        let t = NewToken::generate().unwrap();
        assert!(t.hash.starts_with("sha256:"));
        assert!(!t.hash.contains(&t.token.secret));
        assert!(matches!(
            check(&t.token.secret, Some(&t.hash)),
            Check::Done(true)
        ));
        let mut other = t.token.secret.clone();
        other.replace_range(0..1, if other.starts_with('0') { "1" } else { "0" });
        assert!(matches!(check(&other, Some(&t.hash)), Check::Done(false)));
        assert!(matches!(check(&t.token.secret, None), Check::Done(false)));
    }

    #[test]
    fn argon2_hashes_from_before_are_still_recognised() {
        let salt = [7u8; 16];
        let hash = Argon2::default()
            .hash_password_with_salt(b"abc", &salt)
            .unwrap()
            .to_string();
        assert!(matches!(check("abc", Some(&hash)), Check::Legacy));
        assert!(verify_legacy("abc", &hash));
        assert!(!verify_legacy("abd", &hash));
    }
}
