//! Room plans: rooms and who goes where, prepared before a meeting and opened
//! in one go. Plain data, shared by the server (which keeps plans) and the
//! pages; and (feature `ssr`) the port through which the server keeps them.

use serde::{Deserialize, Serialize};

/// A saved plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Plan {
    pub id: String,
    /// The signed-in user who saved it (their stable subject).
    pub owner: String,
    pub name: String,
    /// Every signed-in user may use it, not only its owner.
    pub shared: bool,
    pub rooms: Vec<PlannedRoom>,
    /// When it was last saved, in seconds since 1970.
    pub updated: i64,
}

/// A breakout room of a plan, and who goes there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlannedRoom {
    pub name: String,
    pub people: Vec<PlannedPerson>,
}

/// Someone a plan places: by display name, and by identity (a token's
/// `context.user.id` or e-mail) where the deployment sends one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlannedPerson {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

/// The plan being prepared in a meeting, as the server reads it for the
/// plan's page: its rooms to keep or export, and the imported names to
/// match by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftPlan {
    pub rooms: Vec<PlannedRoom>,
    pub review: Vec<crate::meeting::ReviewItem>,
}

#[cfg(feature = "ssr")]
pub use store::{StorageError, Store, store};

#[cfg(feature = "ssr")]
mod store {
    use futures::future::BoxFuture;

    use super::Plan;

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
        fn plan<'a>(
            &'a self,
            user: &'a str,
            id: &'a str,
        ) -> BoxFuture<'a, Result<Plan, StorageError>>;

        /// Deletes one of `user`'s own plans.
        fn delete<'a>(
            &'a self,
            user: &'a str,
            id: &'a str,
        ) -> BoxFuture<'a, Result<(), StorageError>>;
    }

    /// The store, from the server's context.
    pub fn store() -> Option<std::sync::Arc<dyn Store>> {
        leptos::prelude::use_context::<std::sync::Arc<dyn Store>>()
    }
}
