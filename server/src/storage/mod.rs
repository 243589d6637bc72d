//! What the panel keeps: room plans, behind one port ([`Store`]). The SQL
//! implementation ([`sql::SqlStore`]) serves SQLite (the default: a file,
//! created and migrated at start, nothing to install) and PostgreSQL
//! (`DATABASE_URL`: one database shared by several panel servers).

pub mod journal;
pub mod sql;

pub use app::plans::{StorageError, Store};
