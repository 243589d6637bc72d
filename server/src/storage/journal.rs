//! The record of meetings and their timers in SQL ([`Journal`] for
//! [`SqlStore`]): stays, activity and timers tables (`0002_record.sql`).

use app::meeting::MeetingRef;
use futures::future::BoxFuture;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::StorageError;
use super::sql::{SqlStore, query_error};
use crate::record::{Activity, Entry, Journal, Owner, Record, Stay, StoredTimers};

fn ms(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

fn stay_of(row: &AnyRow) -> Result<Stay, StorageError> {
    Ok(Stay {
        person: row.try_get("person").map_err(corrupt)?,
        name: row.try_get("name").map_err(corrupt)?,
        identity: row.try_get("identity").map_err(corrupt)?,
        room: row.try_get("room").map_err(corrupt)?,
        main_room: row.try_get::<i64, _>("main_room").map_err(corrupt)? != 0,
        since_ms: row
            .try_get::<i64, _>("since_ms")
            .map_err(corrupt)?
            .max(0)
            .cast_unsigned(),
        until_ms: row
            .try_get::<Option<i64>, _>("until_ms")
            .map_err(corrupt)?
            .map(|t| t.max(0).cast_unsigned()),
    })
}

fn activity_of(row: &AnyRow) -> Result<Activity, StorageError> {
    Ok(Activity {
        at_ms: row
            .try_get::<i64, _>("at_ms")
            .map_err(corrupt)?
            .max(0)
            .cast_unsigned(),
        by: row.try_get("actor").map_err(corrupt)?,
        what: row.try_get("what").map_err(corrupt)?,
        state: row.try_get("state").map_err(corrupt)?,
    })
}

impl SqlStore {
    async fn write_entries(&self, entries: &[Entry]) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await.map_err(query_error)?;
        for entry in entries {
            match entry {
                Entry::Enter { meeting, stay } => {
                    sqlx::query(
                        "INSERT INTO stays (meeting, person, name, identity, room, main_room, since_ms, until_ms) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
                    )
                    .bind(meeting)
                    .bind(&stay.person)
                    .bind(&stay.name)
                    .bind(stay.identity.clone())
                    .bind(&stay.room)
                    .bind(i64::from(stay.main_room))
                    .bind(ms(stay.since_ms))
                    .execute(&mut *tx)
                    .await
                    .map_err(query_error)?;
                }
                Entry::Leave {
                    meeting,
                    person,
                    at_ms,
                } => {
                    sqlx::query(
                        "UPDATE stays SET until_ms = $1 \
                         WHERE meeting = $2 AND person = $3 AND until_ms IS NULL",
                    )
                    .bind(ms(*at_ms))
                    .bind(meeting)
                    .bind(person)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_error)?;
                }
                Entry::Activity { meeting, activity } => {
                    sqlx::query(
                        "INSERT INTO activity (meeting, at_ms, actor, what, state) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(meeting)
                    .bind(ms(activity.at_ms))
                    .bind(&activity.by)
                    .bind(&activity.what)
                    .bind(&activity.state)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_error)?;
                }
                Entry::Timers {
                    meeting,
                    owner,
                    timers,
                } => {
                    let key = meeting.path();
                    sqlx::query("DELETE FROM timers WHERE meeting = $1")
                        .bind(&key)
                        .execute(&mut *tx)
                        .await
                        .map_err(query_error)?;
                    if !timers.is_empty() {
                        sqlx::query(
                            "INSERT INTO timers (meeting, room, tenant, owner, body) \
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(&key)
                        .bind(&meeting.room)
                        .bind(meeting.tenant.clone())
                        .bind(serde_json::to_string(owner).map_err(corrupt)?)
                        .bind(serde_json::to_string(timers).map_err(corrupt)?)
                        .execute(&mut *tx)
                        .await
                        .map_err(query_error)?;
                    }
                }
                Entry::Left {
                    meeting,
                    at_ms,
                    forget,
                } => {
                    if *forget {
                        for table in [
                            "DELETE FROM stays WHERE meeting = $1",
                            "DELETE FROM activity WHERE meeting = $1",
                        ] {
                            sqlx::query(table)
                                .bind(meeting)
                                .execute(&mut *tx)
                                .await
                                .map_err(query_error)?;
                        }
                    } else {
                        sqlx::query(
                            "UPDATE stays SET until_ms = $1 WHERE meeting = $2 AND until_ms IS NULL",
                        )
                        .bind(ms(*at_ms))
                        .bind(meeting)
                        .execute(&mut *tx)
                        .await
                        .map_err(query_error)?;
                    }
                }
            }
        }
        tx.commit().await.map_err(query_error)
    }

    async fn read_record(&self, meeting: &str) -> Result<Record, StorageError> {
        let stays = sqlx::query(
            "SELECT person, name, identity, room, main_room, since_ms, until_ms FROM stays \
             WHERE meeting = $1 ORDER BY since_ms, person",
        )
        .bind(meeting)
        .fetch_all(&self.pool)
        .await
        .map_err(query_error)?;
        let activity = sqlx::query(
            "SELECT at_ms, actor, what, state FROM activity WHERE meeting = $1 ORDER BY at_ms",
        )
        .bind(meeting)
        .fetch_all(&self.pool)
        .await
        .map_err(query_error)?;
        Ok(Record {
            stays: stays.iter().map(stay_of).collect::<Result<_, _>>()?,
            activity: activity.iter().map(activity_of).collect::<Result<_, _>>()?,
        })
    }

    async fn read_timers(&self) -> Result<Vec<StoredTimers>, StorageError> {
        let rows = sqlx::query("SELECT room, tenant, owner, body FROM timers ORDER BY meeting")
            .fetch_all(&self.pool)
            .await
            .map_err(query_error)?;
        rows.iter()
            .map(|row| {
                let owner: String = row.try_get("owner").map_err(corrupt)?;
                let body: String = row.try_get("body").map_err(corrupt)?;
                Ok(StoredTimers {
                    meeting: MeetingRef {
                        room: row.try_get("room").map_err(corrupt)?,
                        tenant: row.try_get("tenant").map_err(corrupt)?,
                    },
                    owner: serde_json::from_str::<Owner>(&owner).map_err(corrupt)?,
                    timers: serde_json::from_str(&body).map_err(corrupt)?,
                })
            })
            .collect()
    }

    async fn purge_before(
        &self,
        before_ms: u64,
        all: bool,
        close_open_at: Option<u64>,
    ) -> Result<u64, StorageError> {
        let mut tx = self.pool.begin().await.map_err(query_error)?;
        let mut gone = 0;
        if all {
            for statement in ["DELETE FROM stays", "DELETE FROM activity"] {
                gone += sqlx::query(statement)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_error)?
                    .rows_affected();
            }
        } else {
            if let Some(at) = close_open_at {
                // Stays left open by a panel that stopped without leaving end then.
                sqlx::query("UPDATE stays SET until_ms = $1 WHERE until_ms IS NULL")
                    .bind(ms(at))
                    .execute(&mut *tx)
                    .await
                    .map_err(query_error)?;
            }
            gone += sqlx::query("DELETE FROM stays WHERE until_ms < $1")
                .bind(ms(before_ms))
                .execute(&mut *tx)
                .await
                .map_err(query_error)?
                .rows_affected();
            gone += sqlx::query("DELETE FROM activity WHERE at_ms < $1")
                .bind(ms(before_ms))
                .execute(&mut *tx)
                .await
                .map_err(query_error)?
                .rows_affected();
        }
        tx.commit().await.map_err(query_error)?;
        Ok(gone)
    }
}

impl Journal for SqlStore {
    fn write<'a>(&'a self, entries: &'a [Entry]) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(self.write_entries(entries))
    }

    fn record<'a>(&'a self, meeting: &'a str) -> BoxFuture<'a, Result<Record, StorageError>> {
        Box::pin(self.read_record(meeting))
    }

    fn timers(&self) -> BoxFuture<'_, Result<Vec<StoredTimers>, StorageError>> {
        Box::pin(self.read_timers())
    }

    fn purge(
        &self,
        before_ms: u64,
        all: bool,
        close_open_at: Option<u64>,
    ) -> BoxFuture<'_, Result<u64, StorageError>> {
        Box::pin(self.purge_before(before_ms, all, close_open_at))
    }
}
