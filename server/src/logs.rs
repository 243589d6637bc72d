//! The server's log lines: text (one line per event, every value's control
//! characters escaped, so that a name or text from a participant cannot
//! forge a line) or JSON lines.

use std::fmt::Write as _;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::{self, Writer};

/// The log's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `GRUPPRUM_LOG_FORMAT`: `text` (the default) or `json`.
    pub fn parse(setting: Option<&str>) -> Result<Self, String> {
        match setting {
            None | Some("text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(format!(
                "bad configuration: GRUPPRUM_LOG_FORMAT is {other:?}, not text or json"
            )),
        }
    }
}

/// `text` with its control characters escaped (`\n` for a newline), and the
/// characters that break or reorder a line (Unicode's line and paragraph
/// separators, text-direction controls).
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}')
                || app::meeting::is_bidi_control(c) =>
            {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Field formatting for text lines: `name=value`, values escaped. The fields
/// of records from the `log` crate (`log.target` and the rest) are left out,
/// as the default format leaves them: the line names the target already.
fn one_line_fields() -> impl for<'w> tracing_subscriber::fmt::FormatFields<'w> + 'static {
    format::debug_fn(|writer: &mut Writer<'_>, field, value| {
        if field.name().starts_with("log.") {
            return Ok(());
        }
        let value = escaped(&format!("{value:?}"));
        if field.name() == "message" {
            write!(writer, "{value}")
        } else {
            write!(writer, "{field}={value}")
        }
    })
    .delimited(" ")
}

/// Installs the process's logger.
pub fn init(format: LogFormat, filter: EnvFilter) {
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.fmt_fields(one_line_fields()).init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_hostile_value_stays_on_its_own_line() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .fmt_fields(one_line_fields())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let name = "Eve\n2026-11-30T12:00:00Z  INFO server: the panel was stopped\r\u{1b}[2J\u{2028}\u{202e}";
            tracing::info!(subject = %name, "OpenID Connect user not admitted");
            tracing::warn!(detail = ?name, "shown as Debug too");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].contains("OpenID Connect user not admitted subject=Eve\\n2026"),
            "{text}"
        );
        assert!(lines[0].contains("stopped\\r\\u{1b}[2J"), "{text}");
        assert!(lines[0].ends_with("[2J\\u{2028}\\u{202e}"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(lines[1].contains("detail=\"Eve\\n2026"), "{text}");
    }

    #[test]
    fn the_format_is_text_or_json() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
        assert!(
            LogFormat::parse(Some("xml"))
                .unwrap_err()
                .contains("not text or json")
        );
    }
}
