//! The integrators' API (`/api/v1`), in process: every endpoint with an API
//! token and with a bad credential, JWTs checked as the sign-in checks them,
//! refusals and bad bodies as JSON errors, and the OpenAPI document. The
//! meetings are the recording fake; plans and the record are kept in a
//! temporary SQLite database.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use app::meeting::{Command, Language, MeetingView, Refusal};
use app::plans::{PlannedPerson, PlannedRoom, Store as _};
use app::service::ServiceError;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use serde_json::{Value, json};
use server::api::tokens::ApiTokens;
use server::auth::Auth;
use server::record::{Entry, Journal as _, Stay};
use server::storage::sql::{Database, SqlStore};
use sha2::Digest as _;
use testbed::harness::TempDir;
use tower::ServiceExt;

mod support;

use support::Recorder;
use support::tokens::{SECRET, jwt_auth, kim, now};

/// The integration `lms`'s token, and another integration's.
const TOKEN: &str = "0f3c5e2a9b7d4c1e8f6a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70";
const OTHER_TOKEN: &str = "another integration's token";

fn sha256_hex(text: &str) -> String {
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn tokens() -> ApiTokens {
    ApiTokens::parse(&format!(
        "lms:{},crm:{}",
        sha256_hex(TOKEN),
        sha256_hex(OTHER_TOKEN)
    ))
    .unwrap()
}

/// A panel with the fake meetings, a database, and the integrations' tokens.
struct Panel {
    service: Arc<Recorder>,
    store: Arc<SqlStore>,
    auth: Arc<Auth>,
    keeps_record: bool,
    rate: Option<server::rate_limit::Limits>,
    _dir: TempDir,
}

impl Panel {
    async fn open() -> Self {
        let dir = TempDir::new("grupprum-api");
        let store = SqlStore::open(&Database::Sqlite(dir.path().join("panel.db")))
            .await
            .expect("the database opens");
        Self {
            service: Arc::new(Recorder::default()),
            store: Arc::new(store),
            auth: Auth::open(),
            keeps_record: true,
            rate: None,
            _dir: dir,
        }
    }

    async fn with_jwt() -> Self {
        Self {
            auth: jwt_auth(&[3u8; 32], None),
            ..Self::open().await
        }
    }

    fn router(&self) -> axum::Router {
        let options = LeptosOptions::builder()
            .output_name("grupprum")
            .site_root("target/site")
            .build();
        let mut site = server::http::Site {
            meetings: Some(self.service.clone()),
            auth: self.auth.clone(),
            store: Some(self.store.clone()),
            journal: self
                .keeps_record
                .then(|| self.store.clone() as Arc<dyn server::record::Journal>),
            api_tokens: Arc::new(tokens()),
            ..server::http::Site::new(options)
        };
        if let Some(limits) = self.rate {
            site.rate = server::rate_limit::Limiter::new(limits);
        }
        server::http::router(site)
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router().oneshot(request).await.unwrap();
        let status = response.status();
        let kind = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            kind,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A call as `curl` makes it: no `Origin`, no cookies.
    async fn call(
        &self,
        method: Method,
        path: &str,
        credential: Option<&str>,
        body: &str,
    ) -> Reply {
        self.send(request(method, path, credential, body)).await
    }

    async fn with_token(&self, method: Method, path: &str, body: &str) -> Reply {
        self.call(method, path, Some(TOKEN), body).await
    }

    fn calls(&self) -> Vec<Command> {
        self.service
            .calls
            .lock()
            .unwrap()
            .iter()
            .map(|(_, _, command)| command.clone())
            .collect()
    }
}

fn request(method: Method, path: &str, credential: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(credential) = credential {
        request = request.header("authorization", format!("Bearer {credential}"));
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    kind: String,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }

    /// The error code of a JSON error body.
    fn error(&self) -> String {
        assert!(self.kind.starts_with("application/json"), "{self:?}");
        self.json()["error"].as_str().unwrap_or_default().to_owned()
    }
}

/// Every endpoint but the document, with a body it takes.
const ENDPOINTS: [(&str, &str, &str); 14] = [
    ("GET", "/api/v1/meetings/demo", ""),
    ("POST", "/api/v1/meetings/demo/join", ""),
    ("GET", "/api/v1/meetings/demo/record?format=csv", ""),
    (
        "POST",
        "/api/v1/meetings/demo/rooms",
        r#"{"names": ["Kök"]}"#,
    ),
    (
        "POST",
        "/api/v1/meetings/demo/moves",
        r#"{"participants": ["aaaa"], "to": "r1@breakout.meet.test"}"#,
    ),
    (
        "POST",
        "/api/v1/meetings/demo/commands",
        r#""SendEveryoneBack""#,
    ),
    (
        "POST",
        "/api/v1/meetings/demo/messages",
        r#"{"text": "Fem minuter kvar"}"#,
    ),
    ("POST", "/api/v1/meetings/demo/timers", r#"{"minutes": 10}"#),
    ("DELETE", "/api/v1/meetings/demo/timers", ""),
    (
        "POST",
        "/api/v1/meetings/demo/plan",
        "name,room\nAnna,Röd\n",
    ),
    ("GET", "/api/v1/plans", ""),
    ("POST", "/api/v1/plans", r#"{"name": "Kurs", "rooms": []}"#),
    ("GET", "/api/v1/plans/p1", ""),
    ("DELETE", "/api/v1/plans/p1", ""),
];

fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).unwrap()
}

#[tokio::test]
async fn every_endpoint_refuses_a_missing_or_bad_credential() {
    let panel = Panel::with_jwt().await;
    let forged = kim("demo", true, now() + 3600, b"another secret");
    let hash = sha256_hex(TOKEN);
    for (verb, path, body) in ENDPOINTS {
        for credential in [
            None,
            Some("not-a-token"),
            Some(hash.as_str()),
            Some(forged.as_str()),
        ] {
            let reply = panel.call(method(verb), path, credential, body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{verb} {path}: {reply:?}"
            );
            assert_eq!(reply.error(), "unauthorized", "{verb} {path}");
            assert!(!reply.json()["message"].as_str().unwrap().is_empty());
        }
        // Another scheme is no credential either.
        let basic = Request::builder()
            .method(method(verb))
            .uri(path)
            .header("authorization", format!("Basic {TOKEN}"))
            .body(Body::from(body))
            .unwrap();
        assert_eq!(panel.send(basic).await.status, StatusCode::UNAUTHORIZED);
    }
    for (verb, path) in [
        (Method::GET, "/api/v1/nowhere"),
        (Method::GET, "/api/v1"),
        (Method::PUT, "/api/v1/plans"),
    ] {
        let unknown = panel.call(verb, path, None, "").await;
        assert_eq!(
            unknown.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {unknown:?}"
        );
        assert_eq!(unknown.error(), "unauthorized");
    }
    let unknown = panel.with_token(Method::GET, "/api/v1/nowhere", "").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.error(), "not-found");
    assert!(panel.calls().is_empty(), "nothing reached a meeting");
    assert_eq!(panel.service.joins.load(Ordering::SeqCst), 0);
    assert!(panel.store.plans("api:lms").await.unwrap().is_empty());
}

#[tokio::test]
async fn the_panel_s_sign_in_cookie_or_browser_id_is_no_credential() {
    let panel = Panel::open().await;
    let request = Request::get("/api/v1/meetings/demo")
        .header("cookie", "grupprum_id=0123456789abcdef0123456789abcdef")
        .header("sec-fetch-site", "same-origin")
        .body(Body::empty())
        .unwrap();
    let reply = panel.send(request).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
    assert_eq!(reply.error(), "unauthorized");
}

#[tokio::test]
async fn the_view_is_read_without_joining() {
    let panel = Panel::open().await;
    let reply = panel
        .with_token(Method::GET, "/api/v1/meetings/demo", "")
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{reply:?}");
    assert_eq!(reply.error(), "not-joined");
    assert_eq!(
        panel.service.joins.load(Ordering::SeqCst),
        0,
        "a GET never joins"
    );
    let mut view = MeetingView::placeholder(app::meeting::MeetingRef {
        room: "demo".into(),
        tenant: None,
    });
    view.status = app::meeting::LinkStatus::Online;
    view.rooms.push(app::meeting::RoomView {
        jid: "r1@breakout.meet.test".into(),
        name: Some("Kök".into()),
        ends: Some(1_800_000_000_000),
        ..Default::default()
    });
    *panel.service.present.lock().unwrap() = Some(view.clone());
    let reply = panel
        .with_token(Method::GET, "/api/v1/meetings/demo?tenant=", "")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let read: MeetingView = serde_json::from_str(&reply.text).unwrap();
    assert_eq!(read, view);
    assert_eq!(reply.json()["rooms"][0]["ends"], 1_800_000_000_000u64);
    assert_eq!(panel.service.joins.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn joining_puts_the_integration_into_the_meeting_as_itself() {
    let panel = Panel::open().await;
    let reply = panel
        .with_token(Method::POST, "/api/v1/meetings/demo/join?tenant=agency", "")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let view: MeetingView = serde_json::from_str(&reply.text).unwrap();
    assert_eq!(view.meeting.room, "demo");
    assert_eq!(view.meeting.tenant.as_deref(), Some("agency"));
    let joined = panel.service.joined.lock().unwrap().clone();
    assert_eq!(joined.len(), 1);
    assert_eq!(joined[0].id, "api:lms");
    assert_eq!(joined[0].display_name.as_deref(), Some("lms"));
    assert_eq!(joined[0].token, None);
    assert!(joined[0].signed_in);
}

#[tokio::test]
async fn room_move_message_and_timer_requests_become_commands() {
    let panel = Panel::open().await;
    let send = |verb: Method, path: &'static str, body: &'static str| {
        let panel = &panel;
        async move {
            let reply = panel.with_token(verb, path, body).await;
            assert_eq!(reply.status, StatusCode::ACCEPTED, "{path}: {reply:?}");
            assert_eq!(reply.json(), json!({"receipt": [1]}));
        }
    };
    send(
        Method::POST,
        "/api/v1/meetings/demo/rooms",
        r#"{"names": ["Kök", "Hall"], "count": 3, "language": "English"}"#,
    )
    .await;
    send(
        Method::POST,
        "/api/v1/meetings/demo/rooms",
        r#"{"names": ["Kök"]}"#,
    )
    .await;
    send(
        Method::POST,
        "/api/v1/meetings/demo/moves",
        r#"{"participants": ["aaaa", "bbbb"], "to": "r1@breakout.meet.test"}"#,
    )
    .await;
    send(
        Method::POST,
        "/api/v1/meetings/demo/messages",
        r#"{"text": "Fem minuter kvar", "rooms": ["r1@breakout.meet.test"]}"#,
    )
    .await;
    send(
        Method::POST,
        "/api/v1/meetings/demo/messages",
        r#"{"text": "Hej alla"}"#,
    )
    .await;
    send(
        Method::POST,
        "/api/v1/meetings/demo/timers",
        r#"{"minutes": 15, "warn": 2, "suffix": true, "rooms": ["r1@breakout.meet.test"], "language": "English"}"#,
    )
    .await;
    send(
        Method::POST,
        "/api/v1/meetings/demo/timers",
        r#"{"minutes": 5}"#,
    )
    .await;
    send(
        Method::DELETE,
        "/api/v1/meetings/demo/timers?room=r1%40breakout.meet.test&room=r2@breakout.meet.test",
        "",
    )
    .await;
    send(Method::DELETE, "/api/v1/meetings/demo/timers", "").await;
    send(
        Method::POST,
        "/api/v1/meetings/demo/commands",
        r#"{"RenameRoom": {"room": "r1@breakout.meet.test", "name": "Salong"}}"#,
    )
    .await;
    send(
        Method::POST,
        "/api/v1/meetings/demo/commands",
        r#""SendEveryoneBack""#,
    )
    .await;
    let r1 = || "r1@breakout.meet.test".to_owned();
    assert_eq!(
        panel.calls(),
        [
            Command::CreateRooms {
                count: 3,
                names: vec!["Kök".into(), "Hall".into()],
                language: Language::English,
            },
            Command::CreateRooms {
                count: 1,
                names: vec!["Kök".into()],
                language: Language::Swedish,
            },
            Command::Move {
                participants: vec!["aaaa".into(), "bbbb".into()],
                to: r1(),
            },
            Command::SendMessage {
                rooms: vec![r1()],
                text: "Fem minuter kvar".into(),
            },
            Command::SendMessage {
                rooms: vec![],
                text: "Hej alla".into(),
            },
            Command::SetTimer {
                rooms: vec![r1()],
                minutes: 15,
                warn: Some(2),
                suffix: true,
                language: Language::English,
            },
            Command::SetTimer {
                rooms: vec![],
                minutes: 5,
                warn: None,
                suffix: false,
                language: Language::Swedish,
            },
            Command::StopTimer {
                rooms: vec![r1(), "r2@breakout.meet.test".into()],
            },
            Command::StopTimer { rooms: vec![] },
            Command::RenameRoom {
                room: r1(),
                name: "Salong".into(),
            },
            Command::SendEveryoneBack,
        ]
    );
    let calls = panel.service.calls.lock().unwrap().clone();
    assert!(calls.iter().all(|(who, meeting, _)| who.id == "api:lms"
        && meeting.room == "demo"
        && meeting.tenant.is_none()));
}

#[tokio::test]
async fn a_plan_file_creates_the_rooms_and_moves_whoever_it_names() {
    let panel = Panel::open().await;
    let csv = "name,room\nAnna Lind,Grupp 1\nBo Ek,Grupp 2\nCia Berg,\n";
    let reply = panel
        .send(
            Request::post("/api/v1/meetings/demo/plan?tenant=agency")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-type", "text/csv")
                .body(Body::from(csv))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{reply:?}");
    assert_eq!(reply.json(), json!({"receipt": [1, 1]}));
    let person = |name: &str| PlannedPerson {
        name: name.into(),
        identity: None,
    };
    assert_eq!(
        panel.calls(),
        [
            Command::Prepare {
                plan: Some(vec![
                    PlannedRoom {
                        name: "Grupp 1".into(),
                        people: vec![person("Anna Lind")],
                    },
                    PlannedRoom {
                        name: "Grupp 2".into(),
                        people: vec![person("Bo Ek")],
                    },
                    PlannedRoom {
                        name: String::new(),
                        people: vec![person("Cia Berg")],
                    },
                ]),
            },
            Command::OpenRooms,
        ]
    );
    // JSON, as the plan's board exports it.
    let json_plan = r#"{"name": "Kurs", "rooms": [{"name": "A", "people": [{"name": "Anna"}]}]}"#;
    let reply = panel
        .with_token(Method::POST, "/api/v1/meetings/demo/plan", json_plan)
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{reply:?}");
    assert_eq!(panel.calls().len(), 4);
    // A file that cannot be read says where, and nothing is sent.
    let reply = panel
        .with_token(
            Method::POST,
            "/api/v1/meetings/demo/plan",
            "name,room\nAnna,A,extra\n",
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
    assert_eq!(reply.error(), "bad-plan");
    assert!(reply.json()["message"].as_str().unwrap().contains("line 2"));
    assert_eq!(panel.calls().len(), 4);
}

#[tokio::test]
async fn a_plan_file_may_be_larger_than_a_form_but_not_than_a_file() {
    let panel = Panel::open().await;
    let mut csv = String::from("name,room\n");
    for n in 0..5000 {
        csv.push_str(&format!("Deltagare nummer {n},Grupprum {}\n", n % 50));
    }
    assert!(csv.len() > server::http::MAX_BODY_BYTES, "{}", csv.len());
    let reply = panel
        .with_token(Method::POST, "/api/v1/meetings/demo/plan", &csv)
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{reply:?}");
    let huge = "x".repeat(server::plans::routes::MAX_IMPORT_BYTES + 1);
    let reply = panel
        .with_token(Method::POST, "/api/v1/meetings/demo/plan", &huge)
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{reply:?}");
    assert_eq!(reply.error(), "too-large");
    // Other endpoints keep the forms' limit.
    let long = format!(
        r#"{{"text": "{}"}}"#,
        "x".repeat(server::http::MAX_BODY_BYTES)
    );
    let reply = panel
        .with_token(Method::POST, "/api/v1/meetings/demo/messages", &long)
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{reply:?}");
    assert_eq!(reply.error(), "too-large", "the API's JSON error");
    assert_eq!(panel.calls().len(), 2, "only the file within the limit");
}

#[tokio::test]
async fn a_refusal_is_a_422_with_the_board_s_words() {
    let panel = Panel::open().await;
    let refusal = Refusal::NoSuchRoom("r9@breakout.meet.test".into());
    *panel.service.answer.lock().unwrap() = Some(ServiceError::Refused(refusal.clone()));
    let moves = r#"{"participants": ["aaaa"], "to": "r9@breakout.meet.test"}"#;
    let reply = panel
        .with_token(Method::POST, "/api/v1/meetings/demo/moves", moves)
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reply:?}");
    let body = reply.json();
    assert_eq!(body["error"], "no-such-room");
    assert_eq!(body["message"], app::i18n::Lang::En.refusal(&refusal));
    assert_eq!(
        serde_json::from_value::<Refusal>(body["refusal"].clone()).unwrap(),
        refusal
    );
    // In Swedish when the caller prefers it.
    let swedish = panel
        .send(
            Request::post("/api/v1/meetings/demo/moves")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("accept-language", "sv-SE,sv;q=0.9,en;q=0.5")
                .body(Body::from(moves))
                .unwrap(),
        )
        .await;
    assert_eq!(swedish.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        swedish.json()["message"],
        app::i18n::Lang::Sv.refusal(&refusal)
    );
    assert_ne!(swedish.json()["message"], body["message"]);
    // A plan refused at once is not opened.
    let reply = panel
        .with_token(
            Method::POST,
            "/api/v1/meetings/demo/plan",
            "name,room\nAnna,A\n",
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!panel.calls().contains(&Command::OpenRooms));
    let errors = [
        (
            Refusal::NotConnected.into(),
            StatusCode::CONFLICT,
            "not-connected",
        ),
        (
            ServiceError::Busy(100),
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
        ),
        (
            ServiceError::BadMeeting("x".into()),
            StatusCode::BAD_REQUEST,
            "bad-meeting",
        ),
        (
            Refusal::BadTimer { max: 1440 }.into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad-timer",
        ),
    ];
    for (error, status, code) in errors {
        *panel.service.answer.lock().unwrap() = Some(error);
        let reply = panel
            .with_token(
                Method::POST,
                "/api/v1/meetings/demo/timers",
                r#"{"minutes": 5}"#,
            )
            .await;
        assert_eq!(
            (reply.status, reply.error().as_str()),
            (status, code),
            "{reply:?}"
        );
    }
}

#[tokio::test]
async fn bad_json_and_bad_meetings_are_400s_in_words() {
    let panel = Panel::open().await;
    for body in [
        "{not json",
        "",
        r#"{"names": "Kök"}"#,
        r#"{"names": ["Kök"], "colour": "red"}"#,
        r#"{"names": ["Kök"], "count": -1}"#,
    ] {
        let reply = panel
            .with_token(Method::POST, "/api/v1/meetings/demo/rooms", body)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {reply:?}");
        assert_eq!(reply.error(), "bad-json");
        assert!(!reply.json()["message"].as_str().unwrap().is_empty());
    }
    let reply = panel
        .with_token(
            Method::POST,
            "/api/v1/meetings/demo/commands",
            r#"{"Explode": {}}"#,
        )
        .await;
    assert_eq!(reply.error(), "bad-json", "{reply:?}");
    for path in [
        "/api/v1/meetings/a%5Cb",
        "/api/v1/meetings/%20demo",
        "/api/v1/meetings/demo?tenant=a%2Fb",
    ] {
        let reply = panel.with_token(Method::GET, path, "").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}: {reply:?}");
        assert_eq!(reply.error(), "bad-meeting");
    }
    assert!(panel.calls().is_empty());
}

#[tokio::test]
async fn the_record_comes_as_csv_or_json() {
    let panel = Panel::open().await;
    panel
        .store
        .write(&[Entry::Enter {
            meeting: "/demo".into(),
            stay: Stay {
                person: "aaaa".into(),
                name: "Anna Lind".into(),
                identity: None,
                room: "Kök".into(),
                main_room: false,
                since_ms: 1_700_000_000_000,
                until_ms: None,
            },
        }])
        .await
        .unwrap();
    let reply = panel
        .with_token(Method::GET, "/api/v1/meetings/demo/record?format=csv", "")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert!(reply.kind.starts_with("text/csv"), "{reply:?}");
    assert!(
        reply.text.contains("Anna Lind") && reply.text.contains("Kök"),
        "{reply:?}"
    );
    let reply = panel
        .with_token(Method::GET, "/api/v1/meetings/demo/record?format=json", "")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.kind.starts_with("application/json"), "{reply:?}");
    assert!(reply.text.contains("Anna Lind"));
    let reply = panel
        .with_token(
            Method::GET,
            "/api/v1/meetings/demo/record?what=activity",
            "",
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert!(!reply.text.contains("Anna Lind"));
    let reply = panel
        .with_token(Method::GET, "/api/v1/meetings/demo/record?format=xml", "")
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error(), "bad-query");
    // Another meeting's record is its own.
    let reply = panel
        .with_token(Method::GET, "/api/v1/meetings/other/record", "")
        .await;
    assert!(!reply.text.contains("Anna Lind"));
    let without = Panel {
        keeps_record: false,
        ..Panel::open().await
    };
    let reply = without
        .with_token(Method::GET, "/api/v1/meetings/demo/record", "")
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{reply:?}");
    assert_eq!(reply.error(), "no-record");
}

#[tokio::test]
async fn plans_are_saved_for_the_integration_read_and_deleted() {
    let panel = Panel::open().await;
    let body = r#"{"name": " Kurs ", "rooms": [{"name": "A", "people": [{"name": "Anna", "identity": "anna@example.org"}]}]}"#;
    let reply = panel.with_token(Method::POST, "/api/v1/plans", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let saved = reply.json();
    let id = saved["id"].as_str().unwrap().to_owned();
    assert_eq!(saved["name"], "Kurs");
    assert_eq!(saved["mine"], true);
    assert_eq!(saved["shared"], false);
    assert!(saved.get("owner").is_none(), "owners are never sent");
    let kept = panel.store.plan("api:lms", &id).await.unwrap();
    assert_eq!(kept.owner, "api:lms");
    assert_eq!(
        kept.rooms[0].people[0].identity.as_deref(),
        Some("anna@example.org")
    );
    // Saved again under its name: replaced.
    let again = panel
        .with_token(
            Method::POST,
            "/api/v1/plans",
            r#"{"name": "Kurs", "shared": true, "rooms": []}"#,
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(again.json()["id"], id.as_str());
    let list = panel.with_token(Method::GET, "/api/v1/plans", "").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    assert_eq!(list.json()[0]["shared"], true);
    // Another integration sees the shared plan, not as its own, and cannot delete it.
    let path = format!("/api/v1/plans/{id}");
    let other = panel.call(Method::GET, &path, Some(OTHER_TOKEN), "").await;
    assert_eq!(other.status, StatusCode::OK, "{other:?}");
    assert_eq!(other.json()["mine"], false);
    let other = panel
        .call(Method::DELETE, &path, Some(OTHER_TOKEN), "")
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(other.error(), "no-such-plan");
    let deleted = panel.with_token(Method::DELETE, &path, "").await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{deleted:?}");
    let gone = panel.with_token(Method::GET, &path, "").await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.error(), "no-such-plan");
    let bad = panel
        .with_token(
            Method::POST,
            "/api/v1/plans",
            r#"{"name": " ", "rooms": []}"#,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error(), "bad-plan-name");
    let nameless = r#"{"name": "X", "rooms": [{"name": "A", "people": [{"name": " "}]}]}"#;
    let bad = panel
        .with_token(Method::POST, "/api/v1/plans", nameless)
        .await;
    assert_eq!(bad.error(), "bad-plan", "{bad:?}");
}

#[tokio::test]
async fn a_jwt_is_checked_as_the_sign_in_checks_it() {
    let panel = Panel::with_jwt().await;
    let moderator = kim("demo", true, now() + 3600, SECRET);
    let reply = panel
        .call(
            Method::POST,
            "/api/v1/meetings/Demo/rooms",
            Some(&moderator),
            r#"{"names": ["Kök"]}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{reply:?}");
    let calls = panel.service.calls.lock().unwrap().clone();
    assert_eq!(calls[0].0.id, "jwt:meet-test:kim");
    assert_eq!(calls[0].0.display_name.as_deref(), Some("Kim Lind"));
    assert_eq!(calls[0].0.token.as_deref(), Some(moderator.as_str()));
    // Another room's token opens nothing here.
    let elsewhere = kim("other", true, now() + 3600, SECRET);
    for (verb, path, body) in ENDPOINTS.iter().filter(|e| e.1.contains("/meetings/")) {
        let reply = panel.call(method(verb), path, Some(&elsewhere), body).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{verb} {path}: {reply:?}"
        );
        assert_eq!(reply.error(), "auth-other-room");
    }
    // A participant's token reads, but gives no commands.
    let participant = kim("demo", false, now() + 3600, SECRET);
    let reply = panel
        .call(Method::GET, "/api/v1/meetings/demo", Some(&participant), "")
        .await;
    assert_eq!(reply.error(), "not-joined", "{reply:?}");
    let reply = panel
        .call(
            Method::POST,
            "/api/v1/meetings/demo/rooms",
            Some(&participant),
            r#"{"names": ["Kök"]}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{reply:?}");
    assert_eq!(reply.error(), "auth-not-moderator");
    // Ended tokens are refused; the integrations' tokens still work.
    let ended = kim("demo", true, now() - 3600, SECRET);
    let reply = panel
        .call(Method::GET, "/api/v1/meetings/demo", Some(&ended), "")
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = panel
        .with_token(Method::GET, "/api/v1/meetings/demo", "")
        .await;
    assert_eq!(reply.error(), "not-joined");
    assert_eq!(panel.service.calls.lock().unwrap().len(), 1);
    // Without JWT sign-in, a JWT is no credential.
    let open = Panel::open().await;
    let reply = open
        .call(Method::GET, "/api/v1/meetings/demo", Some(&moderator), "")
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
}

#[tokio::test]
async fn scripts_pass_the_cross_site_guard_and_other_sites_pages_do_not() {
    let panel = Panel::open().await;
    let from = |headers: &[(&str, &str)]| {
        let mut request = Request::post("/api/v1/meetings/demo/rooms")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("host", "panel.example");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        request.body(Body::from(r#"{"names": ["Kök"]}"#)).unwrap()
    };
    assert_eq!(panel.send(from(&[])).await.status, StatusCode::ACCEPTED);
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("sec-fetch-site", "cross-site")][..],
    ] {
        let reply = panel.send(from(headers)).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{headers:?}: {reply:?}"
        );
    }
    assert_eq!(panel.calls().len(), 1);
}

#[tokio::test]
async fn an_integration_has_the_board_s_rate_limits() {
    let panel = Panel {
        rate: Some(server::rate_limit::Limits {
            commands_burst: 2,
            commands_per_minute: 1,
            ..server::rate_limit::Limits::default()
        }),
        ..Panel::open().await
    };
    let router = panel.router();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = router
            .clone()
            .oneshot(request(
                Method::POST,
                "/api/v1/meetings/demo/timers",
                Some(TOKEN),
                r#"{"minutes": 5}"#,
            ))
            .await
            .unwrap();
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().contains_key("retry-after"));
            let body = response.into_body().collect().await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["error"], "rate");
        }
    }
    assert_eq!(
        statuses,
        [
            StatusCode::ACCEPTED,
            StatusCode::ACCEPTED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // Reading is not limited.
    let reply = panel.with_token(Method::GET, "/api/v1/plans", "").await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint_and_its_credential() {
    let panel = Panel::with_jwt().await;
    let reply = panel
        .call(Method::GET, "/api/v1/openapi.json", None, "")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let doc = reply.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let listed: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
                .map(move |verb| (verb.to_uppercase(), path.clone()))
        })
        .collect();
    let mut expected: BTreeSet<(String, String)> = ENDPOINTS
        .iter()
        .map(|(verb, path, _)| {
            let path = path.split('?').next().unwrap();
            let path = path
                .replace("/meetings/demo", "/meetings/{room}")
                .replace("/plans/p1", "/plans/{id}");
            ((*verb).to_owned(), path)
        })
        .collect();
    expected.insert(("GET".into(), "/api/v1/openapi.json".into()));
    assert_eq!(listed, expected);
    for (verb, path) in &listed {
        let operation = &paths[path][verb.to_lowercase()];
        let responses = operation["responses"].as_object().unwrap();
        if path.ends_with("openapi.json") {
            assert!(!responses.contains_key("401"));
            continue;
        }
        assert!(responses.contains_key("401"), "{verb} {path}");
        assert_eq!(
            operation["security"],
            json!([{"bearer": []}]),
            "{verb} {path}"
        );
        if path.contains("{room}") {
            let names: Vec<&str> = operation["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert!(
                names.contains(&"room") && names.contains(&"tenant"),
                "{path}: {names:?}"
            );
        }
        if verb == "POST" && !path.ends_with("/join") {
            assert!(operation["requestBody"].is_object(), "{verb} {path}");
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let schemas = &doc["components"]["schemas"];
    for name in [
        "MeetingView",
        "Command",
        "ErrorBody",
        "Accepted",
        "SavedPlan",
        "Refusal",
    ] {
        assert!(schemas[name].is_object(), "{name}");
    }
    // Types that travel as short codes are documented as strings.
    assert_eq!(schemas["Outcome"]["properties"]["by"]["type"], "string");
    assert_eq!(
        schemas["MeetingView"]["properties"]["late"]["type"],
        "string"
    );
    assert_eq!(
        schemas["MeetingView"]["properties"]["progress"]["type"],
        json!(["string", "null"])
    );
    let plan = &paths["/api/v1/meetings/{room}/plan"]["post"]["requestBody"]["content"];
    assert!(plan["text/csv"].is_object() && plan["application/json"].is_object());
}
