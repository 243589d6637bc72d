//! SASL (RFC 4422) for the panel's login: ANONYMOUS for guests and Jitsi token
//! login, PLAIN and SCRAM-SHA-1 (RFC 5802) for an operator-provided account.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};

/// How the panel logs in.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// SASL ANONYMOUS; with a Jitsi `token` in the URL this is token login.
    Anonymous,
    /// An account: SCRAM-SHA-1 when offered, PLAIN otherwise.
    Password { user: String, password: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Anonymous => f.write_str("Anonymous"),
            Self::Password { user, .. } => {
                write!(f, "Password {{ user: {user:?}, password: <hidden> }}")
            }
        }
    }
}

/// A SASL mechanism the panel speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Anonymous,
    Plain,
    ScramSha1,
}

impl Mechanism {
    pub fn name(self) -> &'static str {
        match self {
            Self::Anonymous => "ANONYMOUS",
            Self::Plain => "PLAIN",
            Self::ScramSha1 => "SCRAM-SHA-1",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaslError {
    #[error("the server offers none of {wanted} (it offers {offered})")]
    NoMechanism {
        wanted: &'static str,
        offered: String,
    },
    #[error("the server's SCRAM challenge is malformed: {0}")]
    BadChallenge(&'static str),
    #[error("the server's SCRAM nonce does not extend ours")]
    NonceMismatch,
    #[error("the server could not prove it knows the password")]
    BadServerSignature,
}

/// Picks the best offered mechanism for `credentials`.
pub fn choose(offered: &[String], credentials: &Credentials) -> Result<Mechanism, SaslError> {
    let has = |m: Mechanism| offered.iter().any(|o| o == m.name());
    let (preferences, wanted): (&[Mechanism], _) = match credentials {
        Credentials::Anonymous => (&[Mechanism::Anonymous], "ANONYMOUS"),
        Credentials::Password { .. } => (
            &[Mechanism::ScramSha1, Mechanism::Plain],
            "SCRAM-SHA-1 or PLAIN",
        ),
    };
    preferences
        .iter()
        .copied()
        .find(|m| has(*m))
        .ok_or_else(|| SaslError::NoMechanism {
            wanted,
            offered: offered.join(", "),
        })
}

/// The PLAIN message (RFC 4616), base64-encoded.
pub fn plain(user: &str, password: &str) -> String {
    let mut message = Vec::with_capacity(user.len() + password.len() + 2);
    message.push(0);
    message.extend_from_slice(user.as_bytes());
    message.push(0);
    message.extend_from_slice(password.as_bytes());
    B64.encode(message)
}

/// A SCRAM-SHA-1 exchange in progress.
pub struct Scram {
    password: String,
    client_first_bare: String,
    nonce: String,
    expected_server_signature: Option<Vec<u8>>,
}

impl Scram {
    /// Starts an exchange; `nonce` must be fresh and random.
    pub fn new(user: &str, password: &str, nonce: &str) -> Self {
        let user = user.replace('=', "=3D").replace(',', "=2C");
        Self {
            password: password.to_owned(),
            client_first_bare: format!("n={user},r={nonce}"),
            nonce: nonce.to_owned(),
            expected_server_signature: None,
        }
    }

    /// The client-first message, base64-encoded (no channel binding).
    pub fn client_first(&self) -> String {
        B64.encode(format!("n,,{}", self.client_first_bare))
    }

    /// Answers the server-first challenge (base64) with the client-final message (base64).
    pub fn client_final(&mut self, challenge_b64: &str) -> Result<String, SaslError> {
        let challenge = B64
            .decode(challenge_b64.trim())
            .map_err(|_| SaslError::BadChallenge("not base64"))?;
        let server_first =
            String::from_utf8(challenge).map_err(|_| SaslError::BadChallenge("not UTF-8"))?;
        let mut nonce = None;
        let mut salt = None;
        let mut iterations = None;
        for part in server_first.split(',') {
            match part.split_once('=') {
                Some(("r", v)) => nonce = Some(v.to_owned()),
                Some(("s", v)) => {
                    salt = Some(
                        B64.decode(v)
                            .map_err(|_| SaslError::BadChallenge("salt is not base64"))?,
                    )
                }
                Some(("i", v)) => {
                    iterations = Some(
                        v.parse::<u32>()
                            .map_err(|_| SaslError::BadChallenge("bad iteration count"))?,
                    )
                }
                Some(("m", _)) => return Err(SaslError::BadChallenge("mandatory extension")),
                _ => {}
            }
        }
        let nonce = nonce.ok_or(SaslError::BadChallenge("no nonce"))?;
        let salt = salt.ok_or(SaslError::BadChallenge("no salt"))?;
        let iterations = iterations
            .filter(|i| (1..=1_000_000).contains(i))
            .ok_or(SaslError::BadChallenge("bad iteration count"))?;
        if !nonce.starts_with(&self.nonce) || nonce.len() == self.nonce.len() {
            return Err(SaslError::NonceMismatch);
        }
        let mut salted = [0u8; 20];
        pbkdf2::pbkdf2_hmac::<Sha1>(self.password.as_bytes(), &salt, iterations, &mut salted);
        let client_key = hmac(&salted, b"Client Key");
        let stored_key = Sha1::digest(client_key);
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let signature = hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(signature.iter())
            .map(|(k, s)| k ^ s)
            .collect();
        let server_key = hmac(&salted, b"Server Key");
        self.expected_server_signature = Some(hmac(&server_key, auth_message.as_bytes()).to_vec());
        Ok(B64.encode(format!("{without_proof},p={}", B64.encode(proof))))
    }

    /// Checks the server-final message (base64) that comes with success.
    pub fn verify(&self, success_b64: &str) -> Result<(), SaslError> {
        let text = B64
            .decode(success_b64.trim())
            .map_err(|_| SaslError::BadServerSignature)?;
        let text = String::from_utf8(text).map_err(|_| SaslError::BadServerSignature)?;
        let signature = text
            .strip_prefix("v=")
            .and_then(|v| B64.decode(v).ok())
            .ok_or(SaslError::BadServerSignature)?;
        match &self.expected_server_signature {
            Some(expected) if *expected == signature => Ok(()),
            _ => Err(SaslError::BadServerSignature),
        }
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 20] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scram_sha1_follows_the_rfc_5802_example() {
        let mut scram = Scram::new("user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
        assert_eq!(
            B64.decode(scram.client_first()).unwrap(),
            b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
        );
        let server_first =
            B64.encode("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
        let client_final = scram.client_final(&server_first).unwrap();
        assert_eq!(
            B64.decode(client_final).unwrap(),
            b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
        );
        assert_eq!(
            scram.verify(&B64.encode("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")),
            Ok(())
        );
        assert_eq!(
            scram.verify(&B64.encode("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
            Err(SaslError::BadServerSignature)
        );
    }

    #[test]
    fn scram_refuses_bad_challenges() {
        let mut scram = Scram::new("u", "p", "abc");
        assert_eq!(
            scram.client_final("%%%"),
            Err(SaslError::BadChallenge("not base64"))
        );
        assert_eq!(
            scram.client_final(&B64.encode("r=xyz123,s=QSXC,i=1")),
            Err(SaslError::NonceMismatch)
        );
        assert_eq!(
            scram.client_final(&B64.encode("r=abcdef,s=QSXC")),
            Err(SaslError::BadChallenge("bad iteration count"))
        );
        assert_eq!(
            scram.client_final(&B64.encode("r=abcdef,i=10")),
            Err(SaslError::BadChallenge("no salt"))
        );
        assert_eq!(
            scram.client_final(&B64.encode("m=x,r=abcdef,s=QSXC,i=1")),
            Err(SaslError::BadChallenge("mandatory extension"))
        );
    }

    #[test]
    fn chooses_the_strongest_offered_mechanism() {
        let offered = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let account = Credentials::Password {
            user: "u".into(),
            password: "p".into(),
        };
        assert_eq!(
            choose(&offered(&["PLAIN", "SCRAM-SHA-1"]), &account),
            Ok(Mechanism::ScramSha1)
        );
        assert_eq!(choose(&offered(&["PLAIN"]), &account), Ok(Mechanism::Plain));
        assert_eq!(
            choose(&offered(&["ANONYMOUS"]), &Credentials::Anonymous),
            Ok(Mechanism::Anonymous)
        );
        assert_eq!(
            choose(&offered(&["PLAIN"]), &Credentials::Anonymous),
            Err(SaslError::NoMechanism {
                wanted: "ANONYMOUS",
                offered: "PLAIN".into()
            })
        );
        assert_eq!(
            B64.decode(plain("focus", "s3cret")).unwrap(),
            b"\0focus\0s3cret"
        );
        assert_eq!(
            format!("{account:?}"),
            "Password { user: \"u\", password: <hidden> }"
        );
    }
}
