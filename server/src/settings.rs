//! Where the server's settings come from: the environment, and a TOML file
//! named by `GRUPPRUM_CONFIG` (see `server/grupprum.example.toml`). Each key of the
//! file stands for one environment variable, which wins when both are set.
//! Secrets may also come from files: `<NAME>_FILE` (or `…_file` in the TOML
//! file) names a file that holds the value, read once at start.

use std::collections::HashMap;

/// The file's keys, and the variable each stands for.
pub const KEYS: &[(&str, &str)] = &[
    ("server.address", "LEPTOS_SITE_ADDR"),
    ("server.site_root", "LEPTOS_SITE_ROOT"),
    ("server.output_name", "LEPTOS_OUTPUT_NAME"),
    ("server.frame_ancestors", "GRUPPRUM_FRAME_ANCESTORS"),
    ("server.public_url", "GRUPPRUM_PUBLIC_URL"),
    ("server.max_sessions", "GRUPPRUM_MAX_SESSIONS"),
    ("log.filter", "RUST_LOG"),
    ("log.format", "GRUPPRUM_LOG_FORMAT"),
    ("auth.mode", "GRUPPRUM_AUTH"),
    ("auth.allow_open", "GRUPPRUM_ALLOW_OPEN"),
    ("auth.cookie_key", "GRUPPRUM_COOKIE_KEY"),
    ("auth.cookie_key_file", "GRUPPRUM_COOKIE_KEY_FILE"),
    ("auth.jwt_header", "GRUPPRUM_JWT_HEADER"),
    ("jwt.app_id", "JWT_APP_ID"),
    ("jwt.app_secret", "JWT_APP_SECRET"),
    ("jwt.app_secret_file", "JWT_APP_SECRET_FILE"),
    ("jwt.public_key_file", "JWT_PUBLIC_KEY_FILE"),
    ("jwt.asap_key_server", "JWT_ASAP_KEY_SERVER"),
    ("jwt.accepted_issuers", "JWT_ACCEPTED_ISSUERS"),
    ("jwt.accepted_audiences", "JWT_ACCEPTED_AUDIENCES"),
    ("oidc.issuer", "OIDC_ISSUER"),
    ("oidc.client_id", "OIDC_CLIENT_ID"),
    ("oidc.client_secret", "OIDC_CLIENT_SECRET"),
    ("oidc.client_secret_file", "OIDC_CLIENT_SECRET_FILE"),
    ("oidc.scopes", "OIDC_SCOPES"),
    ("oidc.allowed_email_domains", "OIDC_ALLOWED_EMAIL_DOMAINS"),
    ("oidc.allowed_groups", "OIDC_ALLOWED_GROUPS"),
    ("oidc.groups_claim", "OIDC_GROUPS_CLAIM"),
    ("database.path", "GRUPPRUM_DATABASE"),
    ("database.url", "DATABASE_URL"),
    ("database.url_file", "DATABASE_URL_FILE"),
    ("record.days", "GRUPPRUM_RECORD_DAYS"),
    ("api.tokens", "GRUPPRUM_API_TOKENS"),
    ("api.tokens_file", "GRUPPRUM_API_TOKENS_FILE"),
    ("jitsi.ws_url", "XMPP_WS_URL"),
    ("jitsi.domain", "XMPP_DOMAIN"),
    ("jitsi.muc_domain", "MUC_DOMAIN"),
    ("jitsi.focus_domain", "FOCUS_DOMAIN"),
    ("jitsi.user", "XMPP_USER"),
    ("jitsi.password", "XMPP_PASSWORD"),
    ("jitsi.password_file", "XMPP_PASSWORD_FILE"),
    ("jitsi.token", "JITSI_TOKEN"),
    ("jitsi.token_file", "JITSI_TOKEN_FILE"),
    ("jitsi.display_name", "GRUPPRUM_DISPLAY_NAME"),
    ("jitsi.ca_file", "XMPP_CA_FILE"),
];

/// Settings that may be read from a file named by `<NAME>_FILE`.
pub const SECRETS: &[&str] = &[
    "GRUPPRUM_COOKIE_KEY",
    "JWT_APP_SECRET",
    "OIDC_CLIENT_SECRET",
    "DATABASE_URL",
    "XMPP_PASSWORD",
    "JITSI_TOKEN",
    "GRUPPRUM_API_TOKENS",
];

/// The variable that names the configuration file.
pub const CONFIG_VAR: &str = "GRUPPRUM_CONFIG";

/// A configuration file that cannot be used; the server does not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is not valid TOML: {reason}")]
    Syntax { path: String, reason: String },
    #[error("{path}: unknown setting {key:?} (known: {known})")]
    Unknown {
        path: String,
        key: String,
        known: String,
    },
    #[error("{path}: {key} must be a string, number, true/false or a list of strings")]
    Shape { path: String, key: String },
}

/// The settings in force: the environment over the file.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    env: HashMap<String, String>,
    file: HashMap<String, String>,
}

impl Settings {
    /// Reads the environment (through `env`) and the file it names, and the
    /// secrets' files.
    pub fn load(env: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let mut settings = Self {
            env: HashMap::new(),
            file: HashMap::new(),
        };
        for (_, name) in KEYS {
            if let Some(value) = env(name) {
                settings.env.insert((*name).to_owned(), value);
            }
        }
        if let Some(path) = env(CONFIG_VAR).filter(|p| !p.is_empty()) {
            let text = std::fs::read_to_string(&path).map_err(|e| SettingsError::Read {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            settings.file = parse(&path, &text)?;
        }
        for name in SECRETS {
            if settings.var(name).is_some() {
                continue;
            }
            let Some(path) = settings.var(&format!("{name}_FILE")) else {
                continue;
            };
            let value = std::fs::read_to_string(&path).map_err(|e| SettingsError::Read {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            settings.file.insert(
                (*name).to_owned(),
                value.trim_end_matches(['\n', '\r']).to_owned(),
            );
        }
        Ok(settings)
    }

    /// A setting: the environment's value, else the file's.
    pub fn var(&self, name: &str) -> Option<String> {
        self.env
            .get(name)
            .or_else(|| self.file.get(name))
            .filter(|v| !v.is_empty())
            .cloned()
    }
}

/// The file's keys as the variables they stand for.
fn parse(path: &str, text: &str) -> Result<HashMap<String, String>, SettingsError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| SettingsError::Syntax {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    let mut flat = Vec::new();
    flatten("", &toml::Value::Table(table), &mut flat);
    let mut vars = HashMap::new();
    for (key, value) in flat {
        let Some((_, name)) = KEYS.iter().find(|(k, _)| *k == key) else {
            return Err(SettingsError::Unknown {
                path: path.to_owned(),
                key,
                known: KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "),
            });
        };
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Array(items) => {
                let strings: Option<Vec<String>> = items
                    .into_iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect();
                strings
                    .ok_or_else(|| SettingsError::Shape {
                        path: path.to_owned(),
                        key: key.clone(),
                    })?
                    .join(",")
            }
            _ => {
                return Err(SettingsError::Shape {
                    path: path.to_owned(),
                    key,
                });
            }
        };
        vars.insert((*name).to_owned(), text);
    }
    Ok(vars)
}

fn flatten(prefix: &str, value: &toml::Value, out: &mut Vec<(String, toml::Value)>) {
    match value {
        toml::Value::Table(table) => {
            for (k, v) in table {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => out.push((prefix.to_owned(), other.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn file(text: &str) -> tempfile_like::File {
        tempfile_like::File::new(text)
    }

    /// A file that removes itself.
    mod tempfile_like {
        pub struct File(pub std::path::PathBuf);
        impl File {
            pub fn new(text: &str) -> Self {
                let path = std::env::temp_dir().join(format!(
                    "grupprum-settings-{}-{:08x}",
                    std::process::id(),
                    rand::random::<u32>()
                ));
                std::fs::write(&path, text).unwrap();
                Self(path)
            }
            pub fn path(&self) -> String {
                self.0.display().to_string()
            }
        }
        impl Drop for File {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    #[test]
    fn the_file_fills_in_what_the_environment_does_not_say() {
        let secret = file("s3cret\n");
        let config = file(&format!(
            "[server]\naddress = \"127.0.0.1:8080\"\n[auth]\nmode = \"jwt\"\nallow_open = false\n\
             [jwt]\napp_id = \"meet\"\napp_secret_file = \"{}\"\naccepted_audiences = [\"a\", \"b\"]\n\
             [jitsi]\ndomain = \"meet.example\"\n",
            secret.path()
        ));
        let settings = Settings::load(env(&[
            (CONFIG_VAR, &config.path()),
            ("XMPP_DOMAIN", "from.env"),
        ]))
        .unwrap();
        assert_eq!(
            settings.var("LEPTOS_SITE_ADDR").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(settings.var("GRUPPRUM_AUTH").as_deref(), Some("jwt"));
        assert_eq!(
            settings.var("GRUPPRUM_ALLOW_OPEN").as_deref(),
            Some("false")
        );
        assert_eq!(settings.var("JWT_APP_SECRET").as_deref(), Some("s3cret"));
        assert_eq!(
            settings.var("JWT_ACCEPTED_AUDIENCES").as_deref(),
            Some("a,b")
        );
        assert_eq!(
            settings.var("XMPP_DOMAIN").as_deref(),
            Some("from.env"),
            "the environment wins"
        );
        assert_eq!(settings.var("XMPP_USER"), None);
    }

    #[test]
    fn a_bad_file_is_a_clear_error() {
        let unknown = file("[jitsi]\nws_ulr = \"wss://x\"\n");
        let err = Settings::load(env(&[(CONFIG_VAR, &unknown.path())])).unwrap_err();
        assert!(
            matches!(&err, SettingsError::Unknown { key, .. } if key == "jitsi.ws_ulr"),
            "{err}"
        );
        let broken = file("[jitsi\n");
        assert!(matches!(
            Settings::load(env(&[(CONFIG_VAR, &broken.path())])),
            Err(SettingsError::Syntax { .. })
        ));
        let shape = file("[jitsi]\ndomain = 1.5\n");
        assert!(matches!(
            Settings::load(env(&[(CONFIG_VAR, &shape.path())])),
            Err(SettingsError::Shape { .. })
        ));
        assert!(matches!(
            Settings::load(env(&[(CONFIG_VAR, "/nonexistent/grupprum.toml")])),
            Err(SettingsError::Read { .. })
        ));
        assert!(matches!(
            Settings::load(env(&[("XMPP_PASSWORD_FILE", "/nonexistent/secret")])),
            Err(SettingsError::Read { .. })
        ));
    }

    #[test]
    fn api_tokens_come_as_a_list_or_from_a_file() {
        let config = file("[api]\ntokens = [\"lms:aa\", \"crm:bb\"]\n");
        let settings = Settings::load(env(&[(CONFIG_VAR, &config.path())])).unwrap();
        assert_eq!(
            settings.var("GRUPPRUM_API_TOKENS").as_deref(),
            Some("lms:aa,crm:bb")
        );
        let secret = file("lms:aa\ncrm:bb\n");
        let settings =
            Settings::load(env(&[("GRUPPRUM_API_TOKENS_FILE", &secret.path())])).unwrap();
        assert_eq!(
            settings.var("GRUPPRUM_API_TOKENS").as_deref(),
            Some("lms:aa\ncrm:bb")
        );
    }

    #[test]
    fn the_example_configuration_is_valid() {
        let example = include_str!("../grupprum.example.toml");
        let vars = parse("grupprum.example.toml", example).unwrap();
        assert!(vars.contains_key("XMPP_WS_URL"), "{vars:?}");
    }
}
