//! What the panel shows and asks for: a meeting's rooms and people, the link's
//! status, and the moderator's commands with their outcomes. Plain data, shared
//! by the server and the browser.

use serde::{Deserialize, Serialize};

/// Which meeting, on which tenant, as whom.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MeetingRef {
    /// The room name, as in the meeting's address.
    pub room: String,
    /// The tenant (`https://host/<tenant>/<room>`), if any.
    pub tenant: Option<String>,
}

impl MeetingRef {
    /// The board's path: `/<room>` or `/<tenant>/<room>`, every character but
    /// the unreserved ones percent-encoded, so that it is always a safe
    /// same-site `Location`: plain ASCII, one leading slash, no `\\`.
    pub fn path(&self) -> String {
        match &self.tenant {
            Some(tenant) => format!("/{}/{}", percent_encode(tenant), percent_encode(&self.room)),
            None => format!("/{}", percent_encode(&self.room)),
        }
    }

    /// Reads what a moderator typed: a room name, or a meeting address such as
    /// `https://meet.example/tenant/Room?x#y`. Names with control characters,
    /// backslashes or Unicode noncharacters are refused.
    pub fn from_input(input: &str) -> Option<Self> {
        let input = input.trim();
        let path = match input.split_once("://") {
            Some((_, rest)) => rest.split_once('/').map(|(_, p)| p).unwrap_or(""),
            None => input,
        };
        let path = path.split(['?', '#']).next().unwrap_or("");
        let parts: Vec<&str> = path
            .split('/')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let meeting = match parts.as_slice() {
            [room] => Self {
                room: (*room).to_owned(),
                tenant: None,
            },
            [tenant, room] => Self {
                room: (*room).to_owned(),
                tenant: Some((*tenant).to_owned()),
            },
            _ => return None,
        };
        meeting.is_valid().then_some(meeting)
    }

    /// Room and tenant are 1 to [`MAX_ROOM_CHARS`] characters, with no control
    /// characters, backslashes, text-direction controls or noncharacters.
    pub fn is_valid(&self) -> bool {
        let fine = |s: &str| {
            let count = s.chars().count();
            (1..=MAX_ROOM_CHARS).contains(&count)
                && s.trim() == s
                && !s.chars().any(|c| {
                    c.is_control()
                        || c == '\\'
                        || c == '/'
                        || is_bidi_control(c)
                        || is_noncharacter(c)
                })
        };
        fine(&self.room) && self.tenant.as_deref().is_none_or(fine)
    }
}

/// Longest room or tenant name, in characters.
pub const MAX_ROOM_CHARS: usize = 200;

/// Unreserved URI characters as they are, everything else `%XX`: fit for a
/// path segment, a query value or a cookie.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The state of the panel's link to the meeting. On the wire a short code
/// (see [`crate::codes`]): `online`, `reconnecting:2:network:reset`, ….
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum LinkStatus {
    /// The panel is not in the meeting: it joins when the board opens (its
    /// live connection, or the "Join" button without scripts).
    NotJoined,
    Connecting,
    Online,
    /// The link was lost; trying again.
    Reconnecting {
        attempt: u32,
        reason: LinkReason,
    },
    /// Back after a loss: the state was rebuilt from scratch.
    Resynced,
    /// Given up, for a reason reconnecting cannot fix. Opening the board again
    /// tries again.
    Failed {
        reason: LinkReason,
    },
    /// Left the meeting on purpose.
    Closed,
}

/// Why the link to the meeting was lost or given up. The board puts each in
/// words; `detail` fields are technical and shown after them as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum LinkReason {
    /// The meeting's room does not exist: nobody has started it.
    NoMeeting,
    /// The deployment wants a token and none was given.
    TokenRequired,
    TokenExpired,
    TokenNotYetValid,
    TokenSignature,
    TokenIssuer,
    /// The token is for another meeting (Jitsi: "Room and token mismatched").
    TokenRoom,
    /// Another refusal of the login, with the server's words.
    LoginRefused(String),
    /// The meeting has a password.
    Password,
    /// The meeting is members-only (a lobby): someone must let the panel in.
    MembersOnly,
    Banned,
    /// The meeting ended (its room was destroyed).
    MeetingEnded,
    /// The panel was removed from the meeting.
    Removed,
    /// The meeting refused the join for another reason.
    JoinRefused(String),
    /// The join was not answered in time.
    NotLetIn,
    /// The server sent a stanza larger than the panel accepts.
    TooLarge(usize),
    /// The deployment lacks what the panel needs (a breakout-rooms component).
    Unsupported(String),
    /// The connection failed or went quiet; trying again may help.
    Network(String),
}

/// An occupant's MUC role, as the panel shows it. On the wire `moderator`,
/// `participant` or `visitor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum RoleView {
    Moderator,
    Participant,
    Visitor,
}

/// One person in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ParticipantView {
    /// Stable across rooms: the occupant nick (Jitsi's endpoint id).
    pub id: String,
    /// As the participant set it: untrusted text.
    pub display_name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub role: Option<RoleView>,
    /// The panel itself.
    pub is_me: bool,
    /// In a draft: someone the plan places who has not joined yet.
    #[serde(default, skip_serializing_if = "is_false")]
    pub absent: bool,
}

fn is_false(value: &bool) -> bool {
    !value
}

/// A room and who is in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoomView {
    pub jid: String,
    /// Breakout rooms: their name; the main room: its subject, if set.
    pub name: Option<String>,
    pub is_main: bool,
    pub participants: Vec<ParticipantView>,
    /// When the room's timer ends (its own, or the one for every room), in
    /// milliseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<u64>,
}

/// What the panel itself is in the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SelfView {
    pub id: String,
    pub display_name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub role: Option<RoleView>,
    pub is_moderator: bool,
}

/// How a command (or one item of a bulk command) went. On the wire
/// `pending`, `done`, `not-moved` or `failed:<reason>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum OutcomeState {
    /// Sent or queued; not yet confirmed by the meeting.
    Pending,
    Done,
    Failed {
        reason: FailReason,
    },
    /// The participant got the move but did not follow it.
    NotMoved,
}

/// Why a command item failed after it was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum FailReason {
    /// The meeting did not show the change in time.
    NotConfirmed(u64),
    /// The breakout component refused it, with this condition.
    Refused(String),
    /// The link to the meeting was lost before the change was confirmed.
    LinkLost,
    /// The panel stopped being a moderator before it was sent.
    NotModerator,
    /// The participant left the meeting.
    Left,
    /// People stayed in a room being closed, so it was kept.
    StillOccupied(usize),
    /// The room a move waited for was not created.
    NoRoom,
    /// Undone before it was sent.
    Undone,
    /// Nobody was in the room to read the message.
    Empty,
}

/// How [`LinkReason`] and [`FailReason`] travel: a short code, then `:` and the
/// detail where there is one (`network:connection reset`). Compact on the wire
/// and in the board's WebAssembly; typed at both ends.
const CODES: [&str; 18] = [
    "no-meeting",
    "token-required",
    "token-expired",
    "token-not-yet-valid",
    "token-signature",
    "token-issuer",
    "token-room",
    "login-refused",
    "password",
    "members-only",
    "banned",
    "meeting-ended",
    "removed",
    "join-refused",
    "not-let-in",
    "too-large",
    "unsupported",
    "network",
];

impl From<LinkReason> for String {
    fn from(reason: LinkReason) -> Self {
        use LinkReason as R;
        let (index, detail) = match reason {
            R::NoMeeting => (0, None),
            R::TokenRequired => (1, None),
            R::TokenExpired => (2, None),
            R::TokenNotYetValid => (3, None),
            R::TokenSignature => (4, None),
            R::TokenIssuer => (5, None),
            R::TokenRoom => (6, None),
            R::LoginRefused(d) => (7, Some(d)),
            R::Password => (8, None),
            R::MembersOnly => (9, None),
            R::Banned => (10, None),
            R::MeetingEnded => (11, None),
            R::Removed => (12, None),
            R::JoinRefused(d) => (13, Some(d)),
            R::NotLetIn => (14, None),
            R::TooLarge(n) => (15, Some(n.to_string())),
            R::Unsupported(d) => (16, Some(d)),
            R::Network(d) => (17, Some(d)),
        };
        match detail {
            Some(detail) => format!("{}:{detail}", CODES[index]),
            None => CODES[index].to_owned(),
        }
    }
}

impl TryFrom<String> for LinkReason {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        use LinkReason as R;
        let (code, detail) = text.split_once(':').unwrap_or((&text, ""));
        let detail = detail.to_owned();
        let index = CODES.iter().position(|c| *c == code);
        Ok(match index {
            Some(0) => R::NoMeeting,
            Some(1) => R::TokenRequired,
            Some(2) => R::TokenExpired,
            Some(3) => R::TokenNotYetValid,
            Some(4) => R::TokenSignature,
            Some(5) => R::TokenIssuer,
            Some(6) => R::TokenRoom,
            Some(7) => R::LoginRefused(detail),
            Some(8) => R::Password,
            Some(9) => R::MembersOnly,
            Some(10) => R::Banned,
            Some(11) => R::MeetingEnded,
            Some(12) => R::Removed,
            Some(13) => R::JoinRefused(detail),
            Some(14) => R::NotLetIn,
            Some(15) => R::TooLarge(detail.parse().map_err(|_| text.clone())?),
            Some(16) => R::Unsupported(detail),
            Some(17) => R::Network(detail),
            _ => return Err(text),
        })
    }
}

impl From<FailReason> for String {
    fn from(reason: FailReason) -> Self {
        match reason {
            FailReason::NotConfirmed(s) => format!("not-confirmed:{s}"),
            FailReason::Refused(c) => format!("refused:{c}"),
            FailReason::LinkLost => "link-lost".into(),
            FailReason::NotModerator => "not-moderator".into(),
            FailReason::Left => "left".into(),
            FailReason::StillOccupied(n) => format!("still-occupied:{n}"),
            FailReason::NoRoom => "no-room".into(),
            FailReason::Undone => "undone".into(),
            FailReason::Empty => "empty".into(),
        }
    }
}

impl TryFrom<String> for FailReason {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let (code, detail) = text.split_once(':').unwrap_or((&text, ""));
        let number = || detail.parse().map_err(|_| text.clone());
        Ok(match code {
            "not-confirmed" => FailReason::NotConfirmed(number()?),
            "refused" => FailReason::Refused(detail.to_owned()),
            "link-lost" => FailReason::LinkLost,
            "not-moderator" => FailReason::NotModerator,
            "left" => FailReason::Left,
            "still-occupied" => FailReason::StillOccupied(number()? as usize),
            "no-room" => FailReason::NoRoom,
            "undone" => FailReason::Undone,
            "empty" => FailReason::Empty,
            _ => return Err(text),
        })
    }
}

/// A room as an outcome names it, as it was when the command was given. On
/// the wire: `null` for the main room, else the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Option<String>", from = "Option<String>")]
pub enum RoomName {
    Main,
    Named(String),
}

impl From<RoomName> for Option<String> {
    fn from(room: RoomName) -> Self {
        match room {
            RoomName::Main => None,
            RoomName::Named(name) => Some(name),
        }
    }
}

impl From<Option<String>> for RoomName {
    fn from(name: Option<String>) -> Self {
        name.map_or(Self::Main, Self::Named)
    }
}

/// What a command item does; the board puts it in words. On the wire a
/// short code: the kind, then its fields, each after a U+001F (see
/// [`crate::codes`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum OutcomeKind {
    /// The new room's name.
    Create(String),
    /// The room, and its new name.
    Rename(RoomName, String),
    Remove(RoomName),
    /// Who (the participant's display name, their id if they have none), and where to.
    Move(String, RoomName),
    /// A chat message to the room.
    Message(RoomName),
    /// A timer of so many minutes set: for one room, or for every room (`None`).
    Timer(Option<String>, u32),
    /// A timer stopped: of one room, or the one for every room (`None`).
    TimerStopped(Option<String>),
}

/// Who an outcome's change came from. On the wire a short code: `here`,
/// `jitsi`, or `by:<name>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum By {
    /// This board's own session: the moderator reading it.
    #[default]
    Here,
    /// A moderator of a board shared by several, by name.
    Moderator(String),
    /// Someone in Jitsi itself, not through this panel.
    Jitsi,
    /// Not this board's session: in Jitsi, or another moderator's own panel.
    Elsewhere,
}

impl From<By> for String {
    fn from(by: By) -> Self {
        match by {
            By::Here => "here".into(),
            By::Moderator(name) => format!("by:{name}"),
            By::Jitsi => "jitsi".into(),
            By::Elsewhere => "elsewhere".into(),
        }
    }
}

impl TryFrom<String> for By {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        match text.as_str() {
            "here" => Ok(By::Here),
            "jitsi" => Ok(By::Jitsi),
            "elsewhere" => Ok(By::Elsewhere),
            _ => match text.strip_prefix("by:") {
                Some(name) => Ok(By::Moderator(name.to_owned())),
                None => Err(text),
            },
        }
    }
}

/// One tracked outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Outcome {
    pub id: u64,
    /// `create␟<name>`, `move␟<who>␟=<room>` (an empty room: the main
    /// room), `message␟=<room>`, `timer␟=<room>␟<minutes>`, … (␟ is U+001F).
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub kind: OutcomeKind,
    /// What it acts on: a participant's id, a room's JID, or a new room's name.
    pub subject: Option<String>,
    /// `pending`, `done`, `not-moved` or `failed:<reason>`.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub state: OutcomeState,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub by: By,
}

/// Everything the board shows, always the latest state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MeetingView {
    pub meeting: MeetingRef,
    /// `not-joined`, `connecting`, `online`, `resynced`, `closed`,
    /// `reconnecting:<attempt>:<reason>` or `failed:<reason>`.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub status: LinkStatus,
    pub me: Option<SelfView>,
    /// The deployment supports renaming rooms.
    pub can_rename: bool,
    pub main: RoomView,
    /// Breakout rooms, by name.
    pub rooms: Vec<RoomView>,
    /// Recent outcomes, oldest first.
    pub outcomes: Vec<Outcome>,
    /// The other moderators watching this board now, by name.
    pub also_here: Vec<String>,
    /// The plan being prepared, when there is one: shared by every board of
    /// the meeting, and sent nowhere until it is opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<DraftView>,
    /// What happens to people who join once the rooms are open.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub late: LateJoiners,
    /// People left in the main room while breakout rooms are open.
    #[serde(default)]
    pub waiting: usize,
    /// The last command that can still be undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub undo: Option<UndoView>,
    /// How far the last opened plan has come.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub progress: Option<Progress>,
    /// When the timer for every room ends, in milliseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<u64>,
}

/// A plan being prepared, shown as rooms: its breakout rooms (with addresses
/// of their own, `draft:<n>`) and its main room (the meeting's main room's
/// address) hold the people present and those it places who have not joined
/// yet (`absent`, with ids `planned:<n>`).
///
/// On the wire a pair, `[main, rooms]`: the board reads it with the reader it
/// already has for rooms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DraftView(pub RoomView, pub Vec<RoomView>);

impl DraftView {
    /// The draft's main room: who it places nowhere.
    pub fn main(&self) -> &RoomView {
        &self.0
    }

    /// The draft's breakout rooms.
    pub fn rooms(&self) -> &[RoomView] {
        &self.1
    }
}

/// A planned person to match by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// The planned person's id in the draft (`planned:<n>`).
    pub id: String,
    pub name: String,
    /// Who it could be: everyone its name fits, or, when it fits nobody,
    /// everyone present whom the plan does not place.
    pub candidates: Vec<ParticipantView>,
    /// Its name fits several people (else nobody).
    pub ambiguous: bool,
}

/// What happens to people who join while the rooms are open. On the wire a
/// short code: `stay`, `plan` or `smallest`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum LateJoiners {
    /// They stay in the main room; the board counts them.
    Stay,
    /// The opened plan places those it names.
    #[default]
    ByPlan,
    /// Each goes to the breakout room with fewest people.
    Smallest,
}

impl From<LateJoiners> for String {
    fn from(late: LateJoiners) -> Self {
        match late {
            LateJoiners::Stay => "stay",
            LateJoiners::ByPlan => "plan",
            LateJoiners::Smallest => "smallest",
        }
        .into()
    }
}

impl TryFrom<String> for LateJoiners {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        match text.as_str() {
            "stay" => Ok(Self::Stay),
            "plan" => Ok(Self::ByPlan),
            "smallest" => Ok(Self::Smallest),
            _ => Err(text),
        }
    }
}

/// A command that can be undone for [`UNDO_SECONDS`] after it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undoable {
    Move,
    AutoAssign,
    Close,
    SendEveryoneBack,
}

/// How long a command can be undone.
pub const UNDO_SECONDS: u64 = 60;

/// The command the board offers to undo. On the wire a short code: what
/// (`move`, `assign`, `close`, `back`), a space, and who (as [`By`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct UndoView {
    pub what: Undoable,
    pub by: By,
}

impl From<UndoView> for String {
    fn from(undo: UndoView) -> Self {
        let what = match undo.what {
            Undoable::Move => "move",
            Undoable::AutoAssign => "assign",
            Undoable::Close => "close",
            Undoable::SendEveryoneBack => "back",
        };
        format!("{what} {}", String::from(undo.by))
    }
}

impl TryFrom<String> for UndoView {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let (what, by) = text.split_once(' ').ok_or_else(|| text.clone())?;
        let what = match what {
            "move" => Undoable::Move,
            "assign" => Undoable::AutoAssign,
            "close" => Undoable::Close,
            "back" => Undoable::SendEveryoneBack,
            _ => return Err(text),
        };
        Ok(Self {
            what,
            by: By::try_from(by.to_owned())?,
        })
    }
}

/// An opened plan's moves: how many were sent and how they went, and how many
/// wait for people who have not joined. On the wire a short code:
/// `total/done/failed/absent`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Progress {
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    pub absent: usize,
}

impl From<Progress> for String {
    fn from(p: Progress) -> Self {
        format!("{}/{}/{}/{}", p.total, p.done, p.failed, p.absent)
    }
}

impl TryFrom<String> for Progress {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let mut numbers = text.split('/').map(str::parse::<usize>);
        let mut next = || {
            numbers
                .next()
                .and_then(Result::ok)
                .ok_or_else(|| text.clone())
        };
        Ok(Self {
            total: next()?,
            done: next()?,
            failed: next()?,
            absent: next()?,
        })
    }
}

impl MeetingView {
    /// A meeting not joined yet: nobody in it, connecting.
    pub fn placeholder(meeting: MeetingRef) -> Self {
        Self {
            meeting,
            status: LinkStatus::Connecting,
            me: None,
            can_rename: false,
            main: RoomView {
                jid: String::new(),
                name: None,
                is_main: true,
                participants: Vec::new(),
                ends: None,
            },
            rooms: Vec::new(),
            outcomes: Vec::new(),
            also_here: Vec::new(),
            draft: None,
            late: LateJoiners::default(),
            waiting: 0,
            undo: None,
            progress: None,
            ends: None,
        }
    }

    /// Every participant in every room.
    pub fn participant_count(&self) -> usize {
        self.main.participants.len()
            + self
                .rooms
                .iter()
                .map(|r| r.participants.len())
                .sum::<usize>()
    }

    /// The room a participant is in.
    pub fn room_of(&self, participant: &str) -> Option<&RoomView> {
        std::iter::once(&self.main)
            .chain(self.rooms.iter())
            .find(|r| r.participants.iter().any(|p| p.id == participant))
    }
}

/// Default room names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Language {
    #[default]
    Swedish,
    English,
}

/// A moderator's command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Command {
    CreateRoom {
        name: String,
    },
    /// `count` rooms named from `names`, or "Grupprum 1…N" / "Room 1…N".
    CreateRooms {
        count: usize,
        names: Vec<String>,
        language: Language,
    },
    RenameRoom {
        room: String,
        name: String,
    },
    /// Move everyone to the main room, then remove the room.
    CloseRoom {
        room: String,
    },
    /// Remove an empty room.
    RemoveRoom {
        room: String,
    },
    /// Move participants (by id) to a room (by JID; the main room's JID sends them back).
    Move {
        participants: Vec<String>,
        to: String,
    },
    /// Close every breakout room.
    SendEveryoneBack,
    /// Spread the main room's participants evenly over `rooms` (all rooms when empty).
    AutoAssign {
        rooms: Vec<String>,
        include_moderators: bool,
        #[serde(default)]
        grouping: Grouping,
    },
    /// Starts a draft plan: from the rooms as they are now, or from `plan`'s
    /// rooms (a saved or imported plan). A draft already there is replaced.
    Prepare {
        plan: Option<Vec<crate::plans::PlannedRoom>>,
    },
    /// A change to the draft, given with the board's usual gestures and
    /// commands: nothing is sent to the meeting.
    #[cfg_attr(feature = "ssr", schema(no_recursion))]
    Draft(Box<Command>),
    /// In a draft: people not here yet, by name, in the draft's main room.
    AddPeople {
        names: Vec<String>,
    },
    /// In a draft: who a planned person (`planned:<n>`) is, or that they
    /// have not joined yet (`None`).
    Match {
        planned: String,
        participant: Option<String>,
    },
    /// Drops the draft.
    Discard,
    /// Applies the draft in one go: rooms created (and those it lacks
    /// closed), then the moves; people not here yet are placed as they join.
    OpenRooms,
    /// What happens to people who join while the rooms are open.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    SetLateJoiners(LateJoiners),
    /// Undoes the last move, auto-assign, close or "send everyone back".
    Undo,
    /// A timer of `minutes` for the rooms named by JID (none: every room).
    /// At zero the rooms close. With `warn`, a chat message that many minutes
    /// before the end; with `suffix`, the minutes left after each room's name.
    SetTimer {
        #[serde(default)]
        rooms: Vec<String>,
        minutes: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        warn: Option<u32>,
        #[serde(default, skip_serializing_if = "is_false")]
        suffix: bool,
        #[serde(default)]
        language: Language,
    },
    /// Stops the timers of the rooms named by JID (none: the one for every room).
    StopTimer {
        #[serde(default)]
        rooms: Vec<String>,
    },
    /// A chat message to the rooms named by JID (none: every breakout room).
    SendMessage {
        #[serde(default)]
        rooms: Vec<String>,
        text: String,
    },
}

/// Longest timer, in minutes.
pub const MAX_TIMER_MINUTES: u32 = 24 * 60;
/// Longest chat message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// How auto-assign groups people, beyond spreading them evenly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Grouping {
    /// Rooms of this many people: as many rooms as needed are created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<usize>,
    /// Groups of people, by name, who go to the same room.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub together: Vec<Vec<String>>,
    /// Groups of people, by name, who go to different rooms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apart: Vec<Vec<String>>,
    /// The moderators are spread first, one to each room.
    #[serde(default, skip_serializing_if = "is_false")]
    pub moderator_per_room: bool,
    /// How rooms created for a size are named.
    #[serde(default)]
    pub language: Language,
}

/// Why a command was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Refusal {
    NotModerator,
    NotConnected,
    NoSuchRoom(String),
    NoSuchParticipant(String),
    BadName {
        name: String,
        problem: NameProblem,
    },
    /// The room (by name) has people in it: close it instead.
    RoomOccupied(String),
    RenameUnsupported,
    Nothing(Nothing),
    /// So many items wait to be sent that this command would wait too long.
    Queued {
        max: usize,
    },
    /// A draft command with no draft, or a draft-only command outside one.
    NoDraft,
    /// Nothing was done in the last minute that can be undone.
    NothingToUndo,
    /// A name in a keep-together or keep-apart group fits nobody present.
    UnknownName(String),
    /// The groups cannot all be kept: together too large for the rooms, or
    /// apart in more pieces than there are rooms.
    GroupsImpossible,
    /// A plan too large to keep or open.
    PlanTooLarge {
        max: usize,
    },
    /// A chat message that cannot be sent as it is.
    BadMessage(NameProblem),
    /// A timer's minutes (or its warning's) outside 1 to the maximum, or a
    /// warning not before the end.
    BadTimer {
        max: u32,
    },
    /// No timer to stop.
    NoTimer,
}

/// What is wrong with a room name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum NameProblem {
    Empty,
    TooLong {
        max: usize,
    },
    Control,
    TextDirection,
    Noncharacter,
    /// Another room of the plan has this name.
    Taken,
}

/// Why a command would do nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Nothing {
    NoParticipants,
    NoRooms,
    NobodyToAssign,
    /// Rooms are created 1 to `max` at a time.
    RoomCount {
        max: usize,
        asked: usize,
    },
}

impl Refusal {
    /// The refusal as the server sends it to the page: a tagged code the page
    /// turns back into this value and puts into words.
    pub fn code(&self) -> String {
        format!(
            "{REFUSAL_PREFIX}{}",
            serde_json::to_string(self).unwrap_or_default()
        )
    }

    /// The refusal in a code made by [`Refusal::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        serde_json::from_str(code.strip_prefix(REFUSAL_PREFIX)?).ok()
    }
}

/// How a refusal's code starts.
pub const REFUSAL_PREFIX: &str = "refusal:";

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code())
    }
}

impl std::error::Error for Refusal {}

/// The outcome ids a command was given, one per item.
pub type Receipt = Vec<u64>;

/// Unicode noncharacters (U+FDD0..U+FDEF and the last two code points of every
/// plane): never valid in text exchanged with others.
pub fn is_noncharacter(c: char) -> bool {
    let c = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&c) || (c & 0xFFFE) == 0xFFFE
}

/// Text-direction embeddings, overrides and isolates (not the plain LRM/RLM
/// marks): refused in names the panel sends, since they can disguise them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_input_and_paths() {
        let plain = MeetingRef::from_input(" Veckomöte ").unwrap();
        assert_eq!(
            plain,
            MeetingRef {
                room: "Veckomöte".into(),
                tenant: None
            }
        );
        assert_eq!(plain.path(), "/Veckom%C3%B6te");
        let url = MeetingRef::from_input("https://meet.example/agency/Demo?jwt=x#config").unwrap();
        assert_eq!(
            url,
            MeetingRef {
                room: "Demo".into(),
                tenant: Some("agency".into())
            }
        );
        assert_eq!(url.path(), "/agency/Demo");
        assert_eq!(
            MeetingRef::from_input("https://meet.example/Demo")
                .unwrap()
                .tenant,
            None
        );
        assert_eq!(MeetingRef::from_input("a/b/c"), None);
        assert_eq!(MeetingRef::from_input("   "), None);
        assert_eq!(
            MeetingRef {
                room: "a/b?c".into(),
                tenant: None
            }
            .path(),
            "/a%2Fb%3Fc"
        );
    }

    #[test]
    fn meeting_input_that_could_leave_the_site_is_refused() {
        for bad in [
            "\\evil.example",
            "a\\b",
            "x\u{1}y",
            "\u{FFFE}",
            "a/\u{10FFFF}",
            "\u{202E}abc",
        ] {
            assert_eq!(MeetingRef::from_input(bad), None, "{bad:?}");
        }
        let long = "x".repeat(MAX_ROOM_CHARS + 1);
        assert_eq!(MeetingRef::from_input(&long), None);
        // Whatever a room is called, its path stays on this site.
        let odd = MeetingRef {
            room: "//evil.example\\x?y#z ö".into(),
            tenant: None,
        };
        let path = odd.path();
        assert!(path.starts_with('/') && !path.starts_with("//"), "{path}");
        assert!(path.bytes().all(|b| b.is_ascii_graphic()), "{path}");
        assert_eq!(path, "/%2F%2Fevil.example%5Cx%3Fy%23z%20%C3%B6");
    }

    #[test]
    fn link_and_fail_reasons_and_authors_travel_as_short_codes() {
        for reason in [
            LinkReason::NoMeeting,
            LinkReason::TokenRoom,
            LinkReason::LoginRefused("not-allowed: x:y".into()),
            LinkReason::TooLarge(5_000_000),
            LinkReason::Network("reset".into()),
        ] {
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(
                serde_json::from_str::<LinkReason>(&json).unwrap(),
                reason,
                "{json}"
            );
        }
        assert_eq!(
            serde_json::to_string(&LinkReason::TokenRoom).unwrap(),
            "\"token-room\""
        );
        for reason in [
            FailReason::NotConfirmed(2),
            FailReason::Refused("forbidden".into()),
            FailReason::StillOccupied(3),
            FailReason::Left,
        ] {
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(
                serde_json::from_str::<FailReason>(&json).unwrap(),
                reason,
                "{json}"
            );
        }
        assert!(serde_json::from_str::<LinkReason>("\"explode\"").is_err());
        for room in [RoomName::Main, RoomName::Named("main".into())] {
            let json = serde_json::to_string(&room).unwrap();
            assert_eq!(
                serde_json::from_str::<RoomName>(&json).unwrap(),
                room,
                "{json}"
            );
        }
        assert!(serde_json::from_str::<FailReason>("\"still-occupied:x\"").is_err());
        for by in [
            By::Here,
            By::Jitsi,
            By::Elsewhere,
            By::Moderator("jitsi".into()),
            By::Moderator("by:x".into()),
        ] {
            let json = serde_json::to_string(&by).unwrap();
            assert_eq!(serde_json::from_str::<By>(&json).unwrap(), by, "{json}");
        }
        assert!(serde_json::from_str::<By>("\"someone\"").is_err());
    }

    #[test]
    fn refusals_travel_as_codes() {
        for refusal in [
            Refusal::NotModerator,
            Refusal::BadName {
                name: "x".into(),
                problem: NameProblem::TooLong { max: 64 },
            },
            Refusal::Nothing(Nothing::RoomCount { max: 100, asked: 0 }),
        ] {
            assert_eq!(Refusal::from_code(&refusal.code()), Some(refusal));
        }
        assert_eq!(Refusal::from_code("auth-expired"), None);
    }

    #[test]
    fn noncharacters_are_recognised() {
        for c in [
            '\u{FDD0}',
            '\u{FDEF}',
            '\u{FFFE}',
            '\u{FFFF}',
            '\u{1FFFE}',
            '\u{10FFFF}',
        ] {
            assert!(is_noncharacter(c), "{c:?}");
        }
        for c in ['a', 'ö', '\u{FDCF}', '\u{FFFD}', '\u{1F600}'] {
            assert!(!is_noncharacter(c), "{c:?}");
        }
    }
}
