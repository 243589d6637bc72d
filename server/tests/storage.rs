//! The plan storage suite, the same on SQLite and on PostgreSQL (Debian's,
//! started by the test on loopback).

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

#[tokio::test]
async fn plans_are_kept_in_sqlite_created_and_migrated_at_open() {
    let dir = TempDir::new("grupprum-sqlite");
    let database = Database::Sqlite(dir.path().join("plans #1?.db"));
    let store = SqlStore::open(&database).await.expect("opens");
    suite(&store).await;
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
