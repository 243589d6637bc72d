//! What the panel keeps: room plans, behind one port ([`Store`]). The SQL
//! implementation ([`sql::SqlStore`]) serves SQLite (the default: a file,
//! created and migrated at start, nothing to install) and PostgreSQL
//! (`DATABASE_URL`: one database shared by several panel servers).

pub mod sql;

use app::plans::Plan;
use futures::future::BoxFuture;

/// Why a storage operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("cannot open the database {target}: {reason}")]
    Open { target: String, reason: String },
    #[error("cannot bring the database up to date: {0}")]
    Migrate(String),
    #[error("the database failed: {0}")]
    Query(String),
    /// A row that no longer reads as a plan (the detail is for logs).
    #[error("a stored plan cannot be read: {0}")]
    Corrupt(String),
    /// No such plan, or not one this user may see or change.
    #[error("no such plan")]
    NotFound,
    /// The user has another plan of this name.
    #[error("a plan named {0:?} exists")]
    NameTaken(String),
}

/// Keeps room plans. A user sees their own plans and the shared ones, and
/// changes only their own.
pub trait Store: Send + Sync + 'static {
    /// Saves `plan` (new, or an update of the owner's plan with its id).
    fn save<'a>(&'a self, plan: &'a Plan) -> BoxFuture<'a, Result<(), StorageError>>;

    /// The plans `user` may use: their own and the shared ones, by name.
    fn plans<'a>(&'a self, user: &'a str) -> BoxFuture<'a, Result<Vec<Plan>, StorageError>>;

    /// One plan `user` may use.
    fn plan<'a>(&'a self, user: &'a str, id: &'a str) -> BoxFuture<'a, Result<Plan, StorageError>>;

    /// Deletes one of `user`'s own plans.
    fn delete<'a>(&'a self, user: &'a str, id: &'a str) -> BoxFuture<'a, Result<(), StorageError>>;
}
