//! API tokens, one per integration (`GRUPPRUM_API_TOKENS`): the operator
//! lists `name:sha256hex` pairs, the SHA-256 of each token in hexadecimal,
//! never the token itself. A request's token is hashed and compared with
//! every listed hash in constant time.
//!
//! An operator makes a token with `openssl rand -hex 32`, gives it to the
//! integration, and lists `name:` followed by the output of
//! `printf %s "$TOKEN" | sha256sum`.

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// Longest integration name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// Bad `GRUPPRUM_API_TOKENS`; the server does not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("entry {0} is not name:sha256hex")]
    Shape(usize),
    #[error("entry {0} has an empty name")]
    EmptyName(usize),
    #[error(
        "the name {0:?} may have only letters, digits, '-', '_' and '.', at most {MAX_NAME_CHARS}"
    )]
    BadName(String),
    #[error(
        "the hash of {0:?} is not 64 hexadecimal digits (the SHA-256 of the token, as sha256sum prints it)"
    )]
    BadHash(String),
    #[error("{0:?} is listed twice")]
    Duplicate(String),
}

/// One integration's name and the SHA-256 of its token.
#[derive(Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    hash: [u8; 32],
}

/// The integrations that may call the API.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApiTokens {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for ApiTokens {
    /// The names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl ApiTokens {
    /// Reads the setting: none or empty, no integrations.
    pub fn from_setting(value: Option<&str>) -> Result<Self, TokenError> {
        value.map_or_else(|| Ok(Self::default()), Self::parse)
    }

    /// Reads `name:sha256hex` pairs separated by commas (or lines, as a
    /// secret file may hold them).
    pub fn parse(text: &str) -> Result<Self, TokenError> {
        let mut entries: Vec<Entry> = Vec::new();
        let items = text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|item| !item.is_empty());
        for (index, item) in items.enumerate() {
            let number = index + 1;
            let (name, hex) = item.split_once(':').ok_or(TokenError::Shape(number))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(TokenError::EmptyName(number));
            }
            if name.chars().count() > MAX_NAME_CHARS
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                return Err(TokenError::BadName(name.to_owned()));
            }
            let hash = decode_hash(hex.trim()).ok_or_else(|| TokenError::BadHash(name.into()))?;
            if entries.iter().any(|e| e.name == name) {
                return Err(TokenError::Duplicate(name.to_owned()));
            }
            entries.push(Entry {
                name: name.to_owned(),
                hash,
            });
        }
        Ok(Self { entries })
    }

    /// The integration whose token this is. Every listed hash is compared,
    /// each in constant time.
    pub fn find(&self, token: &str) -> Option<&str> {
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = None;
        for entry in &self.entries {
            if bool::from(entry.hash.ct_eq(&hash)) {
                found = Some(entry.name.as_str());
            }
        }
        found
    }

    /// The integrations' names, as listed.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// 64 hexadecimal digits, either case.
fn decode_hash(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    // `from_str_radix` alone would take a sign ("+f").
    if bytes.len() != 64 || !bytes.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut hash = [0u8; 32];
    for (out, pair) in hash.iter_mut().zip(bytes.chunks_exact(2)) {
        let digits = std::str::from_utf8(pair).ok()?;
        *out = u8::from_str_radix(digits, 16).ok()?;
    }
    Some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `printf %s "$token" | sha256sum`.
    fn sha256_hex(token: &str) -> String {
        Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn tokens_are_found_by_their_hash() {
        let setting = format!(
            " lms:{} ,\nbooking.v2:{}\n",
            sha256_hex("token-one"),
            sha256_hex("token-two").to_uppercase()
        );
        let tokens = ApiTokens::parse(&setting).unwrap();
        assert_eq!(tokens.names().collect::<Vec<_>>(), ["lms", "booking.v2"]);
        assert_eq!(tokens.find("token-one"), Some("lms"));
        assert_eq!(tokens.find("token-two"), Some("booking.v2"));
        assert_eq!(tokens.find("token-three"), None);
        assert_eq!(tokens.find(""), None);
        // The hash itself is not a token.
        assert_eq!(tokens.find(&sha256_hex("token-one")), None);
        assert_eq!(format!("{tokens:?}"), r#"["lms", "booking.v2"]"#);
    }

    #[test]
    fn no_setting_is_no_integrations() {
        assert!(ApiTokens::from_setting(None).unwrap().is_empty());
        assert!(ApiTokens::from_setting(Some(" , ")).unwrap().is_empty());
        assert_eq!(ApiTokens::default().find("anything"), None);
    }

    #[test]
    fn bad_settings_are_clear_errors() {
        let hash = sha256_hex("t");
        assert_eq!(ApiTokens::parse("lms"), Err(TokenError::Shape(1)));
        assert_eq!(
            ApiTokens::parse(&format!("a:{hash},{hash}")),
            Err(TokenError::Shape(2)),
            "a hash without a name"
        );
        assert_eq!(
            ApiTokens::parse(&format!(" :{hash}")),
            Err(TokenError::EmptyName(1))
        );
        assert_eq!(
            ApiTokens::parse(&format!("my lms:{hash}")),
            Err(TokenError::BadName("my lms".into()))
        );
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            ApiTokens::parse(&format!("{long}:{hash}")),
            Err(TokenError::BadName(long))
        );
        assert_eq!(
            ApiTokens::parse("lms:abc"),
            Err(TokenError::BadHash("lms".into())),
            "too short"
        );
        assert_eq!(
            ApiTokens::parse(&format!("lms:{}", "g".repeat(64))),
            Err(TokenError::BadHash("lms".into())),
            "not hexadecimal"
        );
        assert_eq!(
            ApiTokens::parse(&format!("lms:+{}", &hash[1..])),
            Err(TokenError::BadHash("lms".into())),
            "a sign is not a digit"
        );
        assert_eq!(
            ApiTokens::parse(&format!("lms:{hash}0")),
            Err(TokenError::BadHash("lms".into())),
            "too long"
        );
        assert_eq!(
            ApiTokens::parse(&format!("lms:{}", "é".repeat(32))),
            Err(TokenError::BadHash("lms".into())),
            "64 bytes, not 64 digits"
        );
        assert_eq!(
            ApiTokens::parse(&format!("lms:{hash},lms:{}", sha256_hex("u"))),
            Err(TokenError::Duplicate("lms".into()))
        );
        assert!(
            !TokenError::BadHash("lms".into())
                .to_string()
                .contains(&hash),
            "the message names the integration"
        );
    }
}
