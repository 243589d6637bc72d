//! The plans in SQL, one code path for SQLite and PostgreSQL (sqlx's `Any`
//! driver). Migrations come from `server/migrations/`, built in, and run at
//! open. A plan's rooms and people are one JSON text column; placeholders are
//! `$1…` in order of first use, which both databases read the same.

use app::plans::{Plan, PlannedRoom};
use futures::future::BoxFuture;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use super::{StorageError, Store};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Where the plans are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created when missing.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL URL (`postgres://…`).
    Postgres(String),
}

impl Database {
    /// `DATABASE_URL` when set (PostgreSQL), else the SQLite file `path`.
    pub fn from_settings(url: Option<String>, path: std::path::PathBuf) -> Result<Self, String> {
        match url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Self::Postgres(url))
            }
            Some(_) => Err("DATABASE_URL must be a postgres:// URL".into()),
            None => Ok(Self::Sqlite(path)),
        }
    }

    fn url(&self) -> String {
        match self {
            // The file name is percent-decoded: `%`, `?` and `#` are written encoded.
            Self::Sqlite(path) => {
                let mut encoded = String::new();
                for c in path.to_string_lossy().chars() {
                    match c {
                        '%' => encoded.push_str("%25"),
                        '?' => encoded.push_str("%3F"),
                        '#' => encoded.push_str("%23"),
                        c => encoded.push(c),
                    }
                }
                format!("sqlite://{encoded}?mode=rwc")
            }
            Self::Postgres(url) => url.clone(),
        }
    }
}

/// What logs and messages name: the file, or the server without its user or
/// password.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "SQLite {}", path.display()),
            Self::Postgres(url) => match url::Url::parse(url) {
                Ok(u) => write!(
                    f,
                    "PostgreSQL postgres://{}{}",
                    u.host_str().unwrap_or(""),
                    u.path()
                ),
                Err(_) => f.write_str("PostgreSQL"),
            },
        }
    }
}

/// Plans in a SQL database.
pub struct SqlStore {
    pub(super) pool: AnyPool,
}

impl SqlStore {
    /// Opens the database (creating a SQLite file if needed) and brings its
    /// schema up to date.
    pub async fn open(database: &Database) -> Result<Self, StorageError> {
        sqlx::any::install_default_drivers();
        let max = match database {
            // One writer at a time is what SQLite has anyway.
            Database::Sqlite(_) => 1,
            Database::Postgres(_) => 8,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(&database.url())
            .await
            .map_err(|e| StorageError::Open {
                target: database.to_string(),
                reason: e.to_string(),
            })?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StorageError::Migrate(e.to_string()))?;
        Ok(Self { pool })
    }
}

pub(super) fn query_error(e: sqlx::Error) -> StorageError {
    StorageError::Query(e.to_string())
}

fn plan_of(row: &AnyRow) -> Result<Plan, StorageError> {
    let read = |e: sqlx::Error| StorageError::Corrupt(e.to_string());
    let body: String = row.try_get("body").map_err(read)?;
    let rooms: Vec<PlannedRoom> =
        serde_json::from_str(&body).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    Ok(Plan {
        id: row.try_get("id").map_err(read)?,
        owner: row.try_get("owner").map_err(read)?,
        name: row.try_get("name").map_err(read)?,
        shared: row.try_get::<i64, _>("shared").map_err(read)? != 0,
        rooms,
        updated: row.try_get("updated").map_err(read)?,
    })
}

impl SqlStore {
    async fn save_plan(&self, plan: &Plan) -> Result<(), StorageError> {
        let body =
            serde_json::to_string(&plan.rooms).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let taken = |e: sqlx::Error| match e.as_database_error() {
            Some(db) if db.is_unique_violation() => StorageError::NameTaken(plan.name.clone()),
            _ => query_error(e),
        };
        let updated = sqlx::query(
            "UPDATE plans SET name = $1, shared = $2, body = $3, updated = $4 \
             WHERE id = $5 AND owner = $6",
        )
        .bind(&plan.name)
        .bind(i64::from(plan.shared))
        .bind(&body)
        .bind(plan.updated)
        .bind(&plan.id)
        .bind(&plan.owner)
        .execute(&self.pool)
        .await
        .map_err(taken)?;
        if updated.rows_affected() > 0 {
            return Ok(());
        }
        // Not the user's: a plan of someone else's with this id is not theirs to replace.
        let exists = sqlx::query("SELECT id FROM plans WHERE id = $1")
            .bind(&plan.id)
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error)?;
        if exists.is_some() {
            return Err(StorageError::NotFound);
        }
        sqlx::query(
            "INSERT INTO plans (id, owner, name, shared, body, updated) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&plan.id)
        .bind(&plan.owner)
        .bind(&plan.name)
        .bind(i64::from(plan.shared))
        .bind(&body)
        .bind(plan.updated)
        .execute(&self.pool)
        .await
        .map_err(taken)?;
        Ok(())
    }

    async fn list(&self, user: &str) -> Result<Vec<Plan>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, owner, name, shared, body, updated FROM plans \
             WHERE owner = $1 OR shared = 1 ORDER BY name, id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await
        .map_err(query_error)?;
        rows.iter().map(plan_of).collect()
    }

    async fn one(&self, user: &str, id: &str) -> Result<Plan, StorageError> {
        let row = sqlx::query(
            "SELECT id, owner, name, shared, body, updated FROM plans \
             WHERE id = $1 AND (owner = $2 OR shared = 1)",
        )
        .bind(id)
        .bind(user)
        .fetch_optional(&self.pool)
        .await
        .map_err(query_error)?
        .ok_or(StorageError::NotFound)?;
        plan_of(&row)
    }

    async fn remove(&self, user: &str, id: &str) -> Result<(), StorageError> {
        let done = sqlx::query("DELETE FROM plans WHERE id = $1 AND owner = $2")
            .bind(id)
            .bind(user)
            .execute(&self.pool)
            .await
            .map_err(query_error)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }
}

impl crate::health::Readiness for SqlStore {
    fn probe(&self) -> BoxFuture<'static, Result<(), String>> {
        let pool = self.pool.clone();
        Box::pin(async move {
            sqlx::query("SELECT 1")
                .execute(&pool)
                .await
                .map(|_| ())
                .map_err(|e| format!("the database: {e}"))
        })
    }
}

impl Store for SqlStore {
    fn save<'a>(&'a self, plan: &'a Plan) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(self.save_plan(plan))
    }

    fn plans<'a>(&'a self, user: &'a str) -> BoxFuture<'a, Result<Vec<Plan>, StorageError>> {
        Box::pin(self.list(user))
    }

    fn plan<'a>(&'a self, user: &'a str, id: &'a str) -> BoxFuture<'a, Result<Plan, StorageError>> {
        Box::pin(self.one(user, id))
    }

    fn delete<'a>(&'a self, user: &'a str, id: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(self.remove(user, id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_postgres_urls_are_taken_and_none_is_shown_with_its_password() {
        let file = std::path::PathBuf::from("plans.db");
        assert_eq!(
            Database::from_settings(None, file.clone()),
            Ok(Database::Sqlite(file.clone()))
        );
        assert!(Database::from_settings(Some("mysql://db/plans".into()), file.clone()).is_err());
        let db =
            Database::from_settings(Some("postgres://kim:s3cret@db.example/plans".into()), file)
                .unwrap();
        assert_eq!(db.to_string(), "PostgreSQL postgres://db.example/plans");
    }
}
