//! API tokens: made of a public id and a random secret, stored only as an
//! argon2 hash of the secret. The whole token is shown once, at creation.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

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

fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| StoreError::Invalid(format!("no randomness available: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

impl NewToken {
    /// A fresh random token and the argon2 hash of its secret. Slow on
    /// purpose (argon2): call it off the async executor.
    pub fn generate() -> Result<NewToken, StoreError> {
        let token = TokenSecret {
            id: random_hex(6)?,
            secret: random_hex(20)?,
        };
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)
            .map_err(|e| StoreError::Invalid(format!("no randomness available: {e}")))?;
        let hash = Argon2::default()
            .hash_password_with_salt(token.secret.as_bytes(), &salt)
            .map_err(|e| StoreError::Invalid(format!("hashing the token failed: {e}")))?
            .to_string();
        Ok(NewToken { token, hash })
    }
}

/// Whether `secret` matches the stored argon2 `hash`.
pub(crate) fn verify(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok()
    })
}
