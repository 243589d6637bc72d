//! The record as files: CSV (one row a stay, or one row an item of the
//! activity feed) and JSON (both), with times in RFC 3339 (UTC) and the
//! feed's items also in words, in the reader's language.

use app::i18n::Lang;
use app::meeting::{By, OutcomeKind, OutcomeState};
use serde::Serialize;

use super::{Activity, Record, Stay};
use crate::plans::csv::cell;

/// A time for people: `2026-11-30T14:05:09.123Z`.
pub fn time(ms: u64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn room_of(stay: &Stay, lang: Lang) -> String {
    if stay.main_room && stay.room.is_empty() {
        lang.t().main_room.to_owned()
    } else {
        stay.room.clone()
    }
}

/// Who gave a feed item, in words.
fn by_words(by: &str, lang: Lang) -> String {
    let t = lang.t();
    match By::try_from(by.to_owned()) {
        Ok(By::Moderator(name)) => name,
        Ok(By::Jitsi) => t.in_jitsi.to_owned(),
        Ok(By::Elsewhere) => t.elsewhere.to_owned(),
        Ok(By::Here) | Err(_) => lang.page().by_panel.to_owned(),
    }
}

/// A feed item's change and how it went, in words.
fn words(activity: &Activity, lang: Lang) -> (String, String) {
    let t = lang.t();
    let what = serde_json::from_str::<OutcomeKind>(&activity.what)
        .map(|kind| lang.outcome(&kind))
        .unwrap_or_default();
    let state = match serde_json::from_str::<OutcomeState>(&activity.state) {
        Ok(OutcomeState::Done) => t.done.to_owned(),
        Ok(OutcomeState::NotMoved) => t.not_moved.to_owned(),
        Ok(OutcomeState::Failed { reason }) => {
            format!("{}: {}", t.failed, lang.fail_reason(&reason))
        }
        Ok(OutcomeState::Pending) | Err(_) => t.pending.to_owned(),
    };
    (what, state)
}

/// Who was in which room from when to when.
pub fn stays_csv(record: &Record, lang: Lang) -> String {
    let mut out = String::from("person,name,identity,room,from,to\r\n");
    for stay in &record.stays {
        let row = [
            cell(&stay.person),
            cell(&stay.name),
            cell(stay.identity.as_deref().unwrap_or("")),
            cell(&room_of(stay, lang)),
            time(stay.since_ms),
            stay.until_ms.map(time).unwrap_or_default(),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The activity feed: when, who, what, and how it went.
pub fn activity_csv(record: &Record, lang: Lang) -> String {
    let mut out = String::from("at,by,what,outcome\r\n");
    for activity in &record.activity {
        let (what, state) = words(activity, lang);
        let row = [
            time(activity.at_ms),
            cell(&by_words(&activity.by, lang)),
            cell(&what),
            cell(&state),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[derive(Serialize)]
struct JsonStay<'a> {
    person: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<&'a str>,
    room: String,
    main_room: bool,
    from: String,
    to: Option<String>,
}

#[derive(Serialize)]
struct JsonActivity {
    at: String,
    by: String,
    what: String,
    outcome: String,
    /// The change and its outcome as the board's types.
    kind: serde_json::Value,
    state: serde_json::Value,
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    meeting: &'a str,
    stays: Vec<JsonStay<'a>>,
    activity: Vec<JsonActivity>,
}

/// The whole record of `meeting`.
pub fn json(meeting: &str, record: &Record, lang: Lang) -> String {
    let document = JsonRecord {
        meeting,
        stays: record
            .stays
            .iter()
            .map(|s| JsonStay {
                person: &s.person,
                name: &s.name,
                identity: s.identity.as_deref(),
                room: room_of(s, lang),
                main_room: s.main_room,
                from: time(s.since_ms),
                to: s.until_ms.map(time),
            })
            .collect(),
        activity: record
            .activity
            .iter()
            .map(|a| {
                let (what, outcome) = words(a, lang);
                JsonActivity {
                    at: time(a.at_ms),
                    by: by_words(&a.by, lang),
                    what,
                    outcome,
                    kind: serde_json::from_str(&a.what).unwrap_or_default(),
                    state: serde_json::from_str(&a.state).unwrap_or_default(),
                }
            })
            .collect(),
    };
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::meeting::RoomName;

    fn record() -> Record {
        Record {
            stays: vec![
                Stay {
                    person: "aaaa0001".into(),
                    name: "=HYPERLINK(\"x\")".into(),
                    identity: None,
                    room: String::new(),
                    main_room: true,
                    since_ms: 1_764_511_509_123,
                    until_ms: Some(1_764_511_569_123),
                },
                Stay {
                    person: "aaaa0001".into(),
                    name: "=HYPERLINK(\"x\")".into(),
                    identity: Some("anna@example.org".into()),
                    room: "Grupp, 1".into(),
                    main_room: false,
                    since_ms: 1_764_511_569_123,
                    until_ms: None,
                },
            ],
            activity: vec![Activity {
                at_ms: 1_764_511_569_000,
                by: "by:Kim".into(),
                what: serde_json::to_string(&OutcomeKind::Move(
                    "Anna".into(),
                    RoomName::Named("Grupp, 1".into()),
                ))
                .unwrap(),
                state: serde_json::to_string(&OutcomeState::Done).unwrap(),
            }],
        }
    }

    #[test]
    fn stays_as_csv_with_no_formulas_and_times_in_utc() {
        let csv = stays_csv(&record(), Lang::En);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "person,name,identity,room,from,to");
        assert_eq!(
            lines[1],
            "aaaa0001,\"'=HYPERLINK(\"\"x\"\")\",,Main room,2025-11-30T14:05:09.123Z,2025-11-30T14:06:09.123Z"
        );
        assert!(lines[2].ends_with(",anna@example.org,\"Grupp, 1\",2025-11-30T14:06:09.123Z,"));
    }

    #[test]
    fn the_feed_in_words_in_either_language() {
        let en = activity_csv(&record(), Lang::En);
        assert!(en.contains("Kim,"), "{en}");
        assert!(en.contains("Anna"), "{en}");
        let sv = json("/demo", &record(), Lang::Sv);
        let value: serde_json::Value = serde_json::from_str(&sv).unwrap();
        assert_eq!(value["meeting"], "/demo");
        assert_eq!(value["stays"][0]["room"], "Huvudrum");
        assert_eq!(value["stays"][1]["to"], serde_json::Value::Null);
        assert_eq!(value["activity"][0]["by"], "Kim");
        assert_eq!(value["activity"][0]["state"], "done");
    }
}
