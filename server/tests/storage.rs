//! The storage suites (plans; the record of meetings and their timers), the
//! same on SQLite and on PostgreSQL (Debian's, started by the test on loopback).

use app::plans::{Plan, PlannedPerson, PlannedRoom};
use server::storage::sql::{Database, SqlStore};
use server::storage::{StorageError, Store};
use testbed::harness::TempDir;

fn plan(id: &str, owner: &str, name: &str, shared: bool) -> Plan {
    let person = |name: &str, identity: Option<&str>| PlannedPerson {
        name: name.into(),
        identity: identity.map(Into::into),
    };
    Plan {
        id: id.into(),
        owner: owner.into(),
        name: name.into(),
        shared,
        rooms: vec![
            PlannedRoom {
                name: "Grupp 1".into(),
                people: vec![
                    person("Anna Lindqvist", None),
                    person("Åsa Öberg", Some("asa@myndighet.example")),
                ],
            },
            PlannedRoom {
                name: "Robert'); DROP TABLE plans;--".into(),
                people: Vec::new(),
            },
        ],
        updated: 1_700_000_000,
    }
}

async fn names(store: &dyn Store, user: &str) -> Vec<String> {
    store
        .plans(user)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

async fn suite(store: &SqlStore) {
    use server::health::Readiness;
    assert_eq!(store.probe().await, Ok(()), "ready: the database answers");
    let store: &dyn Store = store;
    assert!(store.plans("kim").await.unwrap().is_empty());
    let kurs = plan("p1", "kim", "Kurs", false);
    store.save(&kurs).await.unwrap();
    assert_eq!(
        store.plan("kim", "p1").await.unwrap(),
        kurs,
        "kept as saved"
    );
    // Private to its owner until shared.
    assert_eq!(store.plan("ali", "p1").await, Err(StorageError::NotFound));
    let delad = plan("p2", "ali", "Delad", true);
    store.save(&delad).await.unwrap();
    assert_eq!(names(store, "kim").await, ["Delad", "Kurs"]);
    assert_eq!(names(store, "ali").await, ["Delad"]);
    assert_eq!(store.plan("kim", "p2").await.unwrap(), delad);
    // The owner updates their plan by its id.
    let mut renamed = kurs.clone();
    renamed.name = "Kurs B".into();
    renamed.rooms.pop();
    renamed.updated += 60;
    store.save(&renamed).await.unwrap();
    assert_eq!(store.plan("kim", "p1").await.unwrap(), renamed);
    // Nobody else can replace it, nor a shared one of someone else's.
    let hijack = Plan {
        owner: "ali".into(),
        ..kurs.clone()
    };
    assert_eq!(store.save(&hijack).await, Err(StorageError::NotFound));
    let mut taken_over = delad.clone();
    taken_over.owner = "kim".into();
    assert_eq!(store.save(&taken_over).await, Err(StorageError::NotFound));
    assert_eq!(store.plan("kim", "p1").await.unwrap(), renamed);
    // One name a plan, per owner; another owner may use it.
    assert_eq!(
        store.save(&plan("p3", "kim", "Kurs B", false)).await,
        Err(StorageError::NameTaken("Kurs B".into()))
    );
    store
        .save(&plan("p4", "ali", "Kurs B", false))
        .await
        .unwrap();
    // Only the owner deletes.
    assert_eq!(store.delete("ali", "p1").await, Err(StorageError::NotFound));
    store.delete("kim", "p1").await.unwrap();
    assert_eq!(store.plan("kim", "p1").await, Err(StorageError::NotFound));
    assert_eq!(store.delete("kim", "p1").await, Err(StorageError::NotFound));
    assert_eq!(names(store, "kim").await, ["Delad"]);
}

/// The record and the timers: written, read back, retention applied.
async fn record_suite(store: &SqlStore) {
    use app::meeting::{By, Language, MeetingRef};
    use server::jitsi::timer::Timer;
    use server::record::{Activity, Entry, Journal, Owner, Stay};

    let stay = |person: &str, room: &str, since_ms: u64| Stay {
        person: person.into(),
        name: format!("Namn {person} <b>"),
        identity: (person == "p1").then(|| "anna@example.org".into()),
        room: room.into(),
        main_room: room.is_empty(),
        since_ms,
        until_ms: None,
    };
    let meeting = MeetingRef {
        room: "veckomöte".into(),
        tenant: Some("myndighet".into()),
    };
    let key = meeting.path();
    let owner = Owner {
        id: "kim@example.org".into(),
        display_name: Some("Kim".into()),
        signed_in: true,
    };
    let timer = Timer {
        room: None,
        ends_ms: 5_000,
        warn: Some(2),
        warned: false,
        suffix: true,
        language: Language::Swedish,
        by: By::Moderator("Kim".into()),
    };
    let entries = vec![
        Entry::Enter {
            meeting: key.clone(),
            stay: stay("p1", "", 1_000),
        },
        Entry::Enter {
            meeting: key.clone(),
            stay: stay("p2", "", 1_100),
        },
        Entry::Leave {
            meeting: key.clone(),
            person: "p1".into(),
            at_ms: 2_000,
        },
        Entry::Enter {
            meeting: key.clone(),
            stay: stay("p1", "Röd", 2_000),
        },
        Entry::Activity {
            meeting: key.clone(),
            activity: Activity {
                at_ms: 2_000,
                by: "by:Kim".into(),
                what: r#""move\u001fp1\u001f=Röd""#.into(),
                state: "\"done\"".into(),
            },
        },
        Entry::Timers {
            meeting: meeting.clone(),
            owner: owner.clone(),
            timers: vec![timer.clone()],
        },
        Entry::Enter {
            meeting: "/other".into(),
            stay: stay("p9", "", 1_500),
        },
    ];
    store.write(&entries).await.expect("written");
    let record = store.record(&key).await.expect("read");
    assert_eq!(record.stays.len(), 3);
    assert_eq!(record.stays[0].person, "p1");
    assert_eq!(record.stays[0].until_ms, Some(2_000));
    assert_eq!(
        record.stays[0].identity.as_deref(),
        Some("anna@example.org")
    );
    assert!(record.stays[0].main_room);
    assert_eq!(record.stays[2].room, "Röd");
    assert_eq!(record.stays[2].until_ms, None);
    assert_eq!(record.activity.len(), 1);
    assert_eq!(record.activity[0].by, "by:Kim");
    let timers = store.timers().await.expect("timers");
    assert_eq!(timers.len(), 1);
    assert_eq!(timers[0].meeting, meeting);
    assert_eq!(timers[0].owner, owner);
    assert_eq!(timers[0].timers, vec![timer]);

    // The panel leaves: open stays end; the timers go when there are none.
    store
        .write(&[
            Entry::Left {
                meeting: key.clone(),
                at_ms: 3_000,
                forget: false,
            },
            Entry::Timers {
                meeting: meeting.clone(),
                owner,
                timers: vec![],
            },
        ])
        .await
        .expect("written");
    let record = store.record(&key).await.expect("read");
    assert!(record.stays.iter().all(|s| s.until_ms.is_some()));
    assert!(store.timers().await.expect("timers").is_empty());
    // Retention: what ended before 2,500 goes; the other meeting's open stay ends at start.
    assert_eq!(store.purge(2_500, false, Some(4_000)).await, Ok(2));
    let record = store.record(&key).await.expect("read");
    assert_eq!(record.stays.len(), 2, "{record:?}");
    assert!(record.activity.is_empty());
    assert_eq!(
        store.record("/other").await.unwrap().stays[0].until_ms,
        Some(4_000)
    );
    // Forgetting a meeting takes its record; 0 days takes everything.
    store
        .write(&[Entry::Left {
            meeting: key.clone(),
            at_ms: 5_000,
            forget: true,
        }])
        .await
        .expect("written");
    assert!(store.record(&key).await.unwrap().stays.is_empty());
    store.purge(0, true, None).await.expect("purged");
    assert!(store.record("/other").await.unwrap().stays.is_empty());
}

#[tokio::test]
async fn plans_are_kept_in_sqlite_created_and_migrated_at_open() {
    let dir = TempDir::new("grupprum-sqlite");
    let database = Database::Sqlite(dir.path().join("plans #1?.db"));
    let store = SqlStore::open(&database).await.expect("opens");
    suite(&store).await;
    record_suite(&store).await;
    drop(store);
    // Opened again (the migrations already run): what was saved is there.
    let again = SqlStore::open(&database).await.expect("opens again");
    assert_eq!(names(&again, "ali").await, ["Delad", "Kurs B"]);
}

#[tokio::test]
async fn plans_are_kept_in_postgresql() {
    let dir = TempDir::new("grupprum-postgres");
    let postgres = testbed::postgres::Postgres::start(&dir.path().join("pg"))
        .await
        .expect("PostgreSQL starts");
    let database = Database::Postgres(postgres.url());
    let store = SqlStore::open(&database).await.expect("opens");
    suite(&store).await;
    record_suite(&store).await;
    drop(store);
    let again = SqlStore::open(&database).await.expect("opens again");
    assert_eq!(names(&again, "ali").await, ["Delad", "Kurs B"]);
    drop(again);
    postgres.stop().await;
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_says_which() {
    let dir = TempDir::new("grupprum-sqlite-bad");
    let missing = Database::Sqlite(dir.path().join("no such dir").join("plans.db"));
    match SqlStore::open(&missing).await {
        Err(StorageError::Open { target, .. }) => assert!(target.ends_with("plans.db"), "{target}"),
        other => panic!("{:?}", other.map(|_| ())),
    }
    let refused = Database::Postgres("postgres://grupprum:s3cret@127.0.0.1:1/plans".into());
    match SqlStore::open(&refused).await {
        Err(e @ StorageError::Open { .. }) => {
            assert!(!e.to_string().contains("s3cret"), "{e}");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}
