//! Room plans: rooms and who goes where, prepared before a meeting and opened
//! in one go. Plain data, shared by the server (which keeps plans) and the
//! pages.

use serde::{Deserialize, Serialize};

/// A saved plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct PlannedRoom {
    pub name: String,
    pub people: Vec<PlannedPerson>,
}

/// Someone a plan places: by display name, and by identity (a token's
/// `context.user.id` or e-mail) where the deployment sends one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPerson {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}
