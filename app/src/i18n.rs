//! Swedish and English. Swedish uses Jitsi's own words ("Grupprum", "Huvudrum").

use serde::{Deserialize, Serialize};

use crate::auth::AuthRefusal;
use crate::meeting::{
    FailReason, LinkReason, NameProblem, Nothing, OutcomeKind, Refusal, RoomName,
};

/// The board's language. On the wire its code, `sv` or `en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(into = "String", try_from = "String")]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl From<Lang> for String {
    fn from(lang: Lang) -> Self {
        lang.code().into()
    }
}

impl TryFrom<String> for Lang {
    type Error = String;

    fn try_from(code: String) -> Result<Self, String> {
        Lang::parse(&code).ok_or(code)
    }
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Sv => "sv",
            Self::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "sv" => Some(Self::Sv),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Sv => Self::En,
            Self::En => Self::Sv,
        }
    }

    /// The language a request asks for: `?lang=`, then the `lang` cookie,
    /// then `Accept-Language`.
    #[cfg(feature = "ssr")]
    pub fn of_request(uri: &http::Uri, headers: &http::HeaderMap) -> Self {
        let from_query = uri.query().and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("lang="))
                .and_then(Self::parse)
        });
        let from_cookie = headers
            .get_all(http::header::COOKIE)
            .iter()
            .find_map(|value| {
                value
                    .to_str()
                    .ok()?
                    .split(';')
                    .find_map(|c| c.trim().strip_prefix("lang="))
                    .and_then(Self::parse)
            });
        let from_header = || {
            headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map_or(Self::default(), Self::from_accept_language)
        };
        from_query.or(from_cookie).unwrap_or_else(from_header)
    }

    /// The preferred of Swedish and English in an `Accept-Language` header
    /// (Swedish when neither is named).
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = if tag.starts_with("sv") {
                Self::Sv
            } else if tag.starts_with("en") {
                Self::En
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Self::Sv, |(_, l)| l)
    }

    /// Why the link to the meeting was lost or given up, in words.
    pub fn link_reason(self, reason: &LinkReason) -> String {
        let t = self.t();
        let with = |words: &str, detail: &str| format!("{words} ({detail})");
        match reason {
            LinkReason::NoMeeting => t.no_meeting.to_owned(),
            LinkReason::TokenRequired => t.token_required.to_owned(),
            LinkReason::TokenExpired => t.token_expired.to_owned(),
            LinkReason::TokenNotYetValid => t.token_not_yet_valid.to_owned(),
            LinkReason::TokenSignature => t.token_signature.to_owned(),
            LinkReason::TokenIssuer => t.token_issuer.to_owned(),
            LinkReason::TokenRoom => t.token_room.to_owned(),
            // The server's own texts and errors are English or technical:
            // they go to the log, not the board.
            LinkReason::LoginRefused(_) => t.login_refused.to_owned(),
            LinkReason::Password => t.password.to_owned(),
            LinkReason::MembersOnly => t.members_only.to_owned(),
            LinkReason::Banned => t.banned.to_owned(),
            LinkReason::MeetingEnded => t.meeting_ended.to_owned(),
            LinkReason::Removed => t.removed.to_owned(),
            LinkReason::JoinRefused(condition) => with(t.join_refused, condition),
            LinkReason::NotLetIn => t.not_let_in.to_owned(),
            LinkReason::TooLarge(bytes) => t.too_large.replace("{n}", &bytes.to_string()),
            LinkReason::Unsupported(_) => t.unsupported.to_owned(),
            LinkReason::Network(_) => t.network.to_owned(),
        }
    }

    /// Why a sign-in or a signed-in user's action was refused, in words.
    pub fn auth_refusal(self, refusal: AuthRefusal) -> &'static str {
        let t = self.page();
        match refusal {
            AuthRefusal::SignInNeeded => t.auth_needed,
            AuthRefusal::Malformed => t.auth_malformed,
            AuthRefusal::Expired => t.auth_expired,
            AuthRefusal::NotYetValid => t.auth_not_yet_valid,
            AuthRefusal::Signature => t.auth_signature,
            AuthRefusal::Issuer => t.auth_issuer,
            AuthRefusal::Audience => t.auth_audience,
            AuthRefusal::NoRoom => t.auth_no_room,
            AuthRefusal::OtherRoom => t.auth_other_room,
            AuthRefusal::NotModerator => t.auth_not_moderator,
            AuthRefusal::NotAllowed => t.auth_not_allowed,
            AuthRefusal::ProviderFailed => t.auth_provider,
        }
    }

    /// A problem code from the server (`?problem=`, or an error's text) in
    /// words; `None` for a code it does not know.
    pub fn problem(self, code: &str) -> Option<&'static str> {
        let t = self.page();
        match code {
            "meeting" => Some(t.bad_meeting),
            "name" => Some(t.bad_name),
            "token" => Some(t.bad_token),
            "server" => Some(t.start_failed),
            "rate" => Some(t.rate),
            "too-large" => Some(t.request_too_large),
            "cross-site" => Some(t.cross_site),
            "internal" => Some(t.internal),
            "busy" => Some(t.busy),
            "incomplete" => Some(self.t().incomplete),
            "plan-name" => Some(t.bad_plan_name),
            "no-store" => Some(t.no_store),
            "plan-missing" => Some(t.plan_missing),
            "plan-taken" => Some(t.plan_taken),
            "storage" => Some(t.storage_failed),
            "import-not-text" => Some(t.import_not_text),
            "import-no-header" => Some(t.import_no_header),
            "import-too-many" => Some(t.import_too_many),
            "import-json" => Some(t.import_json),
            "import-too-big" => Some(t.import_too_big),
            crate::api::NO_SERVICE => Some(t.no_service),
            _ => AuthRefusal::from_code(code).map(|r| self.auth_refusal(r)),
        }
    }

    /// What the server said went wrong, in words: a known code, a refusal of
    /// a command, or (last) the text as it came.
    pub fn error_text(self, code: &str) -> String {
        if let Some(refusal) = Refusal::from_code(code) {
            return self.refusal(&refusal);
        }
        // A plan file's problem on a line: `import-<what>:<line>`.
        if let Some((what, line)) = code.split_once(':')
            && line.parse::<usize>().is_ok()
        {
            let t = self.page();
            let words = match what {
                "import-unclosed" => Some(t.import_unclosed),
                "import-fields" => Some(t.import_fields),
                "import-empty-name" => Some(t.import_empty_name),
                "import-too-long" => Some(t.import_too_long),
                _ => None,
            };
            if let Some(words) = words {
                return words.replace("{line}", line);
            }
        }
        self.problem(code)
            .map_or_else(|| code.to_owned(), str::to_owned)
    }

    /// Why a command was refused, in words.
    pub fn refusal(self, refusal: &Refusal) -> String {
        let t = self.page();
        match refusal {
            Refusal::NotModerator => t.refused_not_moderator.to_owned(),
            Refusal::NotConnected => t.refused_not_connected.to_owned(),
            Refusal::NoSuchRoom(_) => t.refused_no_room.to_owned(),
            Refusal::NoSuchParticipant(_) => t.refused_no_participant.to_owned(),
            Refusal::RoomOccupied(room) => t.refused_room_occupied.replace("{room}", room),
            Refusal::RenameUnsupported => t.refused_rename.to_owned(),
            Refusal::Queued { max } => t.queued.replace("{max}", &max.to_string()),
            Refusal::BadName { problem, .. } => match problem {
                NameProblem::Empty => t.name_empty.to_owned(),
                NameProblem::TooLong { max } => t.name_too_long.replace("{n}", &max.to_string()),
                NameProblem::Control => t.name_control.to_owned(),
                NameProblem::TextDirection => t.name_direction.to_owned(),
                NameProblem::Noncharacter => t.name_noncharacter.to_owned(),
                NameProblem::Taken => t.name_taken.to_owned(),
            },
            Refusal::NoDraft => t.refused_no_draft.to_owned(),
            Refusal::NothingToUndo => t.refused_nothing_to_undo.to_owned(),
            Refusal::UnknownName(name) => t.refused_unknown_name.replace("{name}", name),
            Refusal::GroupsImpossible => t.refused_groups.to_owned(),
            Refusal::PlanTooLarge { max } => {
                t.refused_plan_too_large.replace("{max}", &max.to_string())
            }
            Refusal::BadMessage(problem) => match problem {
                NameProblem::Empty => t.message_empty.to_owned(),
                NameProblem::TooLong { max } => t.message_too_long.replace("{n}", &max.to_string()),
                _ => t.message_characters.to_owned(),
            },
            Refusal::BadTimer { max } => t.refused_bad_timer.replace("{max}", &max.to_string()),
            Refusal::NoTimer => t.refused_no_timer.to_owned(),
            Refusal::Nothing(nothing) => match nothing {
                Nothing::NoParticipants => t.nothing_participants.to_owned(),
                Nothing::NoRooms => t.nothing_rooms.to_owned(),
                Nothing::NobodyToAssign => t.nothing_assign.to_owned(),
                Nothing::RoomCount { max, .. } => {
                    t.nothing_count.replace("{max}", &max.to_string())
                }
            },
        }
    }

    fn room_name(self, room: &RoomName) -> String {
        match room {
            RoomName::Main => self.t().main_room.to_owned(),
            RoomName::Named(name) => name.clone(),
        }
    }

    /// What a command item does, in words ("Flytta Erik till Grupprum 2").
    pub fn outcome(self, kind: &OutcomeKind) -> String {
        let t = self.t();
        match kind {
            OutcomeKind::Create(name) => t.outcome_create.replace("{name}", name),
            OutcomeKind::Rename(room, name) => t
                .outcome_rename
                .replace("{room}", &self.room_name(room))
                .replace("{name}", name),
            OutcomeKind::Remove(room) => t.outcome_remove.replace("{room}", &self.room_name(room)),
            OutcomeKind::Move(who, to) => t
                .outcome_move
                .replace("{who}", who)
                .replace("{room}", &self.room_name(to)),
            OutcomeKind::Message(room) => {
                t.outcome_message.replace("{room}", &self.room_name(room))
            }
            OutcomeKind::Timer(room, minutes) => match room {
                Some(room) => t.outcome_timer.replace("{room}", room),
                None => t.outcome_timer_all.to_owned(),
            }
            .replace("{n}", &minutes.to_string()),
            OutcomeKind::TimerStopped(Some(room)) => t.outcome_timer_stop.replace("{room}", room),
            OutcomeKind::TimerStopped(None) => t.outcome_timer_stop_all.to_owned(),
        }
    }

    /// Why a command item failed, in words.
    pub fn fail_reason(self, reason: &FailReason) -> String {
        let t = self.t();
        match reason {
            FailReason::NotConfirmed(seconds) => {
                t.fail_not_confirmed.replace("{n}", &seconds.to_string())
            }
            FailReason::Refused(condition) => format!("{} ({condition})", t.fail_refused),
            FailReason::LinkLost => t.fail_link_lost.to_owned(),
            FailReason::NotModerator => t.fail_not_moderator.to_owned(),
            FailReason::Left => t.fail_left.to_owned(),
            // The count agrees with its number: "1 person is", "2 people are".
            FailReason::StillOccupied(1) => t.fail_still_occupied_one.to_owned(),
            FailReason::StillOccupied(n) => {
                t.fail_still_occupied_many.replace("{n}", &n.to_string())
            }
            FailReason::NoRoom => t.fail_no_room.to_owned(),
            FailReason::Undone => t.fail_undone.to_owned(),
            FailReason::Empty => t.fail_empty.to_owned(),
        }
    }

    /// A timer's warning in the rooms' chat: "2 minutes left".
    pub fn timer_warning(self, minutes: u64) -> String {
        let t = self.page();
        match minutes {
            1 => t.timer_warning_one.to_owned(),
            n => t.timer_warning_many.replace("{n}", &n.to_string()),
        }
    }

    /// The words of the server-rendered pages in this language.
    pub fn page(self) -> &'static PageTexts {
        match self {
            Self::Sv => &SV_PAGE,
            Self::En => &EN_PAGE,
        }
    }

    /// The words of this language.
    pub fn t(self) -> &'static Texts {
        match self {
            Self::Sv => &SV,
            Self::En => &EN,
        }
    }
}

/// Every fixed text of the panel.
pub struct Texts {
    pub main_room: &'static str,
    pub nobody: &'static str,
    pub room_name: &'static str,
    pub rename: &'static str,
    pub new_name: &'static str,
    pub save: &'static str,
    pub close: &'static str,
    pub close_confirm: &'static str,
    pub remove: &'static str,
    pub move_to: &'static str,
    pub select: &'static str,
    pub move_selected_here: &'static str,
    pub moderator: &'static str,
    pub visitor: &'static str,
    pub you: &'static str,
    pub pending: &'static str,
    pub done: &'static str,
    pub failed: &'static str,
    pub not_moved: &'static str,
    pub connecting: &'static str,
    pub reconnecting: &'static str,
    pub resynced: &'static str,
    pub cannot_connect: &'static str,
    pub closed: &'static str,
    pub server_lost: &'static str,
    pub unreachable: &'static str,
    pub not_moderator: &'static str,
    pub moved: &'static str,
    pub did_not_move: &'static str,
    pub recent: &'static str,
    /// Before the names of the other moderators watching the board.
    pub also_here: &'static str,
    /// Who made a change that came from Jitsi rather than this panel.
    pub in_jitsi: &'static str,
    /// Who made a change that this board's session did not (Jitsi, or another panel).
    pub elsewhere: &'static str,
    pub rooms: &'static str,
    pub incomplete: &'static str,
    pub move_person_to: &'static str,
    pub move_selected_to: &'static str,
    pub cancel: &'static str,
    pub selection: &'static str,
    pub selected_count: &'static str,
    pub clear_selection: &'static str,
    pub no_rooms: &'static str,
    pub no_meeting: &'static str,
    pub not_joined: &'static str,
    pub join: &'static str,
    pub token_required: &'static str,
    pub token_expired: &'static str,
    pub token_not_yet_valid: &'static str,
    pub token_signature: &'static str,
    pub token_issuer: &'static str,
    pub token_room: &'static str,
    pub login_refused: &'static str,
    pub password: &'static str,
    pub members_only: &'static str,
    pub banned: &'static str,
    pub meeting_ended: &'static str,
    pub removed: &'static str,
    pub join_refused: &'static str,
    pub not_let_in: &'static str,
    pub too_large: &'static str,
    pub unsupported: &'static str,
    pub network: &'static str,
    pub outcome_create: &'static str,
    pub outcome_rename: &'static str,
    pub outcome_remove: &'static str,
    pub outcome_move: &'static str,
    pub fail_not_confirmed: &'static str,
    pub fail_refused: &'static str,
    pub fail_link_lost: &'static str,
    pub fail_not_moderator: &'static str,
    pub fail_left: &'static str,
    pub fail_still_occupied_one: &'static str,
    pub fail_still_occupied_many: &'static str,
    pub fail_no_room: &'static str,
    pub fail_undone: &'static str,
    pub not_here_yet: &'static str,
    pub undo: &'static str,
    pub undo_move: &'static str,
    pub undo_assign: &'static str,
    pub undo_close: &'static str,
    pub undo_send_back: &'static str,
    pub progress: &'static str,
    pub progress_failed: &'static str,
    pub not_here_count: &'static str,
    pub waiting: &'static str,
    pub outcome_message: &'static str,
    pub outcome_timer: &'static str,
    pub outcome_timer_all: &'static str,
    pub outcome_timer_stop: &'static str,
    pub outcome_timer_stop_all: &'static str,
    pub fail_empty: &'static str,
    pub timer_all: &'static str,
    pub pick_room: &'static str,
}

const SV: Texts = Texts {
    main_room: "Huvudrum",
    nobody: "Ingen här",
    room_name: "Namn",
    rename: "Byt namn",
    new_name: "Nytt namn",
    save: "Spara",
    close: "Stäng",
    close_confirm: "Deltagarna i rummet flyttas tillbaka till huvudrummet, sedan tas rummet bort.",
    remove: "Ta bort",
    move_to: "Flytta till",
    select: "Markera",
    move_selected_here: "Flytta markerade hit",
    moderator: "Moderator",
    visitor: "Besökare",
    you: "du",
    pending: "Väntar…",
    done: "Klart",
    failed: "Misslyckades",
    not_moved: "Flyttade inte",
    connecting: "Ansluter till mötet…",
    reconnecting: "Anslutningen till mötet bröts. Återansluter…",
    resynced: "Återansluten: visar mötet som det är nu.",
    cannot_connect: "Kan inte ansluta till mötet",
    closed: "Panelen har lämnat mötet.",
    server_lost: "Förbindelsen med Grupprum bröts. Återansluter…",
    unreachable: "Grupprum gick inte att nå. Försök igen.",
    not_moderator: "Panelen är inte moderator. I Jitsi öppnar en moderator deltagarlistan och gör {name} till moderator.",
    moved: "{name} flyttades till {room}",
    did_not_move: "{name} flyttade inte",
    recent: "Senaste händelser",
    also_here: "Också här",
    in_jitsi: "I Jitsi",
    elsewhere: "Någon annanstans",
    rooms: "Rum",
    incomplete: "Fyll i alla fält först.",
    move_person_to: "Flytta {name} till…",
    move_selected_to: "Flytta {n} markerade till…",
    cancel: "Avbryt",
    selection: "Markerade",
    selected_count: "{n} markerade",
    clear_selection: "Avmarkera alla",
    no_rooms: "Det finns inga grupprum än.",
    not_joined: "Panelen är inte med i mötet än. Den går med när tavlan öppnas.",
    join: "Gå med i mötet",
    no_meeting: "Det finns inget möte med det namnet just nu: ingen har startat det. Panelen startar inga möten; öppna tavlan igen när mötet har börjat.",
    token_required: "Mötet kräver en Jitsi-token.",
    token_expired: "Token har gått ut. Hämta en ny och öppna tavlan igen.",
    token_not_yet_valid: "Token gäller inte än (nbf ligger i framtiden).",
    token_signature: "Token har fel signatur: den är inte utfärdad för den här installationen.",
    token_issuer: "Token är utfärdad av någon som installationen inte litar på.",
    token_room: "Token gäller ett annat möte.",
    login_refused: "Inloggningen nekades",
    password: "Mötet har ett lösenord.",
    members_only: "Mötet har väntrum: en moderator måste släppa in panelen.",
    banned: "Panelen är utestängd från mötet.",
    meeting_ended: "Mötet har avslutats.",
    removed: "Panelen togs bort från mötet.",
    join_refused: "Mötet nekade panelen att gå med",
    not_let_in: "Mötet släppte inte in panelen i tid.",
    too_large: "Servern skickade ett meddelande som är större än panelen tar emot ({n} byte).",
    unsupported: "Installationen saknar det panelen behöver",
    network: "Förbindelsen med mötet bröts",
    outcome_create: "Skapa {name}",
    outcome_rename: "Byt namn på {room} till {name}",
    outcome_remove: "Ta bort {room}",
    outcome_move: "Flytta {who} till {room}",
    fail_not_confirmed: "mötet bekräftade det inte inom {n} s",
    fail_refused: "mötet nekade det",
    fail_link_lost: "förbindelsen med mötet bröts",
    fail_not_moderator: "panelen är inte längre moderator",
    fail_left: "deltagaren lämnade mötet",
    fail_still_occupied_one: "1 person är kvar i rummet, så det behölls",
    fail_still_occupied_many: "{n} personer är kvar i rummet, så det behölls",
    fail_no_room: "rummet skapades inte",
    fail_undone: "ångrat innan det skickades",
    not_here_yet: "Inte här än",
    undo: "Ångra",
    undo_move: "flytten",
    undo_assign: "fördelningen",
    undo_close: "stängningen",
    undo_send_back: "alla tillbaka",
    progress: "{n} av {total} klara",
    progress_failed: "{n} misslyckades",
    not_here_count: "{n} inte här än",
    waiting: "{n} väntar i huvudrummet",
    outcome_message: "Meddelande till {room}",
    outcome_timer: "Timer på {n} min för {room}",
    outcome_timer_all: "Timer på {n} min för alla rum",
    outcome_timer_stop: "Stoppa timern för {room}",
    outcome_timer_stop_all: "Stoppa timern för alla rum",
    fail_empty: "ingen i rummet",
    timer_all: "Alla rum",
    pick_room: "Välj rummet för timer och meddelanden",
};

const EN: Texts = Texts {
    main_room: "Main room",
    nobody: "Nobody here",
    room_name: "Name",
    rename: "Rename",
    new_name: "New name",
    save: "Save",
    close: "Close",
    close_confirm: "Its participants go back to the main room, then the room is removed.",
    remove: "Remove",
    move_to: "Move to",
    select: "Select",
    move_selected_here: "Move selected here",
    moderator: "Moderator",
    visitor: "Visitor",
    you: "you",
    pending: "Pending…",
    done: "Done",
    failed: "Failed",
    not_moved: "Not moved",
    connecting: "Connecting to the meeting…",
    reconnecting: "The link to the meeting was lost. Reconnecting…",
    resynced: "Reconnected: showing the meeting as it is now.",
    cannot_connect: "Cannot connect to the meeting",
    closed: "The panel has left the meeting.",
    server_lost: "The connection to Grupprum was lost. Reconnecting…",
    unreachable: "Grupprum could not be reached. Try again.",
    not_moderator: "The panel is not a moderator. In Jitsi, a moderator opens the participants list and grants moderator to {name}.",
    moved: "{name} moved to {room}",
    did_not_move: "{name} did not move",
    recent: "Recent events",
    also_here: "Also here",
    in_jitsi: "In Jitsi",
    elsewhere: "Elsewhere",
    rooms: "Rooms",
    incomplete: "Fill in every field first.",
    move_person_to: "Move {name} to…",
    move_selected_to: "Move {n} selected to…",
    cancel: "Cancel",
    selection: "Selected",
    selected_count: "{n} selected",
    clear_selection: "Clear selection",
    no_rooms: "There are no breakout rooms yet.",
    not_joined: "The panel is not in the meeting yet. It joins when the board opens.",
    join: "Join the meeting",
    no_meeting: "There is no meeting by that name right now: nobody has started it. The panel does not start meetings; open the board again once the meeting has begun.",
    token_required: "The meeting requires a Jitsi token.",
    token_expired: "The token has expired. Get a new one and open the board again.",
    token_not_yet_valid: "The token is not valid yet (its nbf is in the future).",
    token_signature: "The token has a wrong signature: it was not issued for this deployment.",
    token_issuer: "The token was issued by someone this deployment does not trust.",
    token_room: "The token is for another meeting.",
    login_refused: "The login was refused",
    password: "The meeting has a password.",
    members_only: "The meeting has a lobby: a moderator must let the panel in.",
    banned: "The panel is banned from the meeting.",
    meeting_ended: "The meeting has ended.",
    removed: "The panel was removed from the meeting.",
    join_refused: "The meeting refused to let the panel join",
    not_let_in: "The meeting did not let the panel in in time.",
    too_large: "The server sent a message larger than the panel accepts ({n} bytes).",
    unsupported: "The deployment lacks what the panel needs",
    network: "The link to the meeting failed",
    outcome_create: "Create {name}",
    outcome_rename: "Rename {room} to {name}",
    outcome_remove: "Remove {room}",
    outcome_move: "Move {who} to {room}",
    fail_not_confirmed: "the meeting did not confirm it within {n} s",
    fail_refused: "the meeting refused it",
    fail_link_lost: "the link to the meeting was lost",
    fail_not_moderator: "the panel is no longer a moderator",
    fail_left: "the participant left the meeting",
    fail_still_occupied_one: "1 person is still in the room, so it was kept",
    fail_still_occupied_many: "{n} people are still in the room, so it was kept",
    fail_no_room: "the room was not created",
    fail_undone: "undone before it was sent",
    not_here_yet: "Not here yet",
    undo: "Undo",
    undo_move: "the move",
    undo_assign: "the assignment",
    undo_close: "the close",
    undo_send_back: "everyone back",
    progress: "{n} of {total} done",
    progress_failed: "{n} failed",
    not_here_count: "{n} not here yet",
    waiting: "{n} waiting in the main room",
    outcome_message: "Message to {room}",
    outcome_timer: "Timer of {n} min for {room}",
    outcome_timer_all: "Timer of {n} min for every room",
    outcome_timer_stop: "Stop the timer of {room}",
    outcome_timer_stop_all: "Stop the timer for every room",
    fail_empty: "nobody in the room",
    timer_all: "All rooms",
    pick_room: "Choose the room for timers and messages",
};

/// The texts of the pages rendered on the server only (the start page, and
/// refusals the server words): kept apart from [`Texts`], so that the board's
/// WebAssembly does not carry them.
pub struct PageTexts {
    pub tagline: &'static str,
    pub meeting_label: &'static str,
    pub meeting_hint: &'static str,
    pub open: &'static str,
    pub bad_meeting: &'static str,
    pub name_label: &'static str,
    pub name_hint: &'static str,
    pub token_label: &'static str,
    pub token_hint: &'static str,
    pub bad_name: &'static str,
    pub bad_token: &'static str,
    pub start_failed: &'static str,
    pub no_service: &'static str,
    pub auth_needed: &'static str,
    pub auth_malformed: &'static str,
    pub auth_expired: &'static str,
    pub auth_not_yet_valid: &'static str,
    pub auth_signature: &'static str,
    pub auth_issuer: &'static str,
    pub auth_audience: &'static str,
    pub auth_no_room: &'static str,
    pub auth_other_room: &'static str,
    pub auth_not_moderator: &'static str,
    pub auth_not_allowed: &'static str,
    pub auth_provider: &'static str,
    pub open_notice: &'static str,
    pub signed_in_as: &'static str,
    pub sign_out: &'static str,
    pub sign_in_token_label: &'static str,
    pub sign_in_token_hint: &'static str,
    /// The way to the organisation's OpenID Connect sign-in.
    pub sign_in_oidc: &'static str,
    pub sign_in_first: &'static str,
    pub go_sign_in: &'static str,
    pub rate: &'static str,
    pub request_too_large: &'static str,
    pub cross_site: &'static str,
    pub internal: &'static str,
    pub busy: &'static str,
    pub refused_not_moderator: &'static str,
    pub refused_not_connected: &'static str,
    pub refused_no_room: &'static str,
    pub refused_no_participant: &'static str,
    pub refused_room_occupied: &'static str,
    pub refused_rename: &'static str,
    pub name_empty: &'static str,
    pub name_too_long: &'static str,
    pub name_control: &'static str,
    pub name_direction: &'static str,
    pub name_noncharacter: &'static str,
    pub name_taken: &'static str,
    pub refused_no_draft: &'static str,
    pub refused_nothing_to_undo: &'static str,
    pub refused_unknown_name: &'static str,
    pub refused_groups: &'static str,
    pub refused_plan_too_large: &'static str,
    pub library: &'static str,
    pub no_plans: &'static str,
    /// `{rooms}` and `{people}`.
    pub plan_summary: &'static str,
    pub shared: &'static str,
    pub use_plan: &'static str,
    pub delete_plan: &'static str,
    pub plan_name: &'static str,
    pub shared_with_all: &'static str,
    pub save_plan: &'static str,
    pub import_plan: &'static str,
    pub import: &'static str,
    pub import_hint: &'static str,
    pub export_draft: &'static str,
    pub bad_plan_name: &'static str,
    pub no_store: &'static str,
    pub plan_missing: &'static str,
    pub plan_taken: &'static str,
    pub storage_failed: &'static str,
    pub import_not_text: &'static str,
    pub import_no_header: &'static str,
    /// `{line}`.
    pub import_unclosed: &'static str,
    pub import_fields: &'static str,
    pub import_empty_name: &'static str,
    pub import_too_long: &'static str,
    pub import_too_many: &'static str,
    pub import_json: &'static str,
    pub import_too_big: &'static str,
    pub nothing_participants: &'static str,
    pub nothing_rooms: &'static str,
    pub nothing_assign: &'static str,
    pub nothing_count: &'static str,
    pub queued: &'static str,
    pub switch_language: &'static str,
    pub create_room: &'static str,
    pub create: &'static str,
    pub create_many: &'static str,
    pub auto_assign: &'static str,
    pub include_moderators: &'static str,
    pub send_back: &'static str,
    pub send_back_confirm: &'static str,
    pub actions: &'static str,
    pub plan: &'static str,
    pub prepare: &'static str,
    pub plan_note: &'static str,
    pub live_board: &'static str,
    pub start_draft: &'static str,
    pub open_rooms: &'static str,
    pub add_people: &'static str,
    pub add: &'static str,
    pub discard: &'static str,
    pub review_several: &'static str,
    pub review_nobody: &'static str,
    pub late_joiners: &'static str,
    pub late_plan: &'static str,
    pub late_stay: &'static str,
    pub late_smallest: &'static str,
    pub groups: &'static str,
    pub groups_hint: &'static str,
    pub room_size: &'static str,
    pub moderator_per_room: &'static str,
    pub together: &'static str,
    pub apart: &'static str,
    pub by_panel: &'static str,
    pub message_empty: &'static str,
    pub message_too_long: &'static str,
    pub message_characters: &'static str,
    pub refused_bad_timer: &'static str,
    pub refused_no_timer: &'static str,
    pub timer_warning_one: &'static str,
    pub timer_warning_many: &'static str,
    pub time_title: &'static str,
    pub rooms_hint: &'static str,
    pub timer_minutes: &'static str,
    pub timer_warn: &'static str,
    pub timer_suffix: &'static str,
    pub start_timer: &'static str,
    pub stop_timer: &'static str,
    pub message_label: &'static str,
    pub send_message: &'static str,
    pub record_title: &'static str,
    pub record_stays: &'static str,
    pub record_activity: &'static str,
    pub record_json: &'static str,
    pub record_kept: &'static str,
    pub record_not_kept: &'static str,
}

const SV_PAGE: PageTexts = PageTexts {
    tagline: "Moderatorpanel för grupprum i Jitsi Meet",
    meeting_label: "Mötets namn eller adress",
    meeting_hint: "Till exempel Veckomote eller https://meet.example.se/Veckomote",
    open: "Öppna",
    bad_meeting: "Skriv mötets namn eller hela adressen.",
    name_label: "Panelens namn i mötet",
    name_hint: "En moderator i Jitsi gör det här namnet till moderator. Tomt: panelens standardnamn.",
    token_label: "Jitsi-token (valfritt)",
    token_hint: "Bara för installationer som kräver token. Sparas tills webbläsaren stängs och visas aldrig.",
    bad_name: "Namnet får ha högst 64 tecken och inga styrtecken.",
    bad_token: "Det här är ingen Jitsi-token (JWT: tre delar med punkter emellan).",
    start_failed: "Det gick inte att öppna mötet. Försök igen.",
    no_service: "Grupprum är inte anslutet till någon Jitsi-installation.",
    auth_needed: "Logga in först.",
    auth_malformed: "Det här är ingen giltig Jitsi-token.",
    auth_expired: "Token har gått ut. Hämta en ny och logga in igen.",
    auth_not_yet_valid: "Token gäller inte än.",
    auth_signature: "Token har fel signatur: den är inte utfärdad för den här installationen.",
    auth_issuer: "Token är utfärdad av någon som panelen inte litar på.",
    auth_audience: "Token är inte avsedd för den här installationen.",
    auth_no_room: "Token saknar mötesnamn (room).",
    auth_other_room: "Din token gäller ett annat möte.",
    auth_not_moderator: "Din token gör dig inte till moderator: tavlan är skrivskyddad.",
    auth_not_allowed: "Ditt konto får inte använda panelen.",
    auth_provider: "Inloggningen kunde inte slutföras. Försök igen.",
    open_notice: "Öppen panel: alla som når den här adressen kan använda den.",
    signed_in_as: "Inloggad som {name}",
    sign_out: "Logga ut",
    sign_in_token_label: "Jitsi-token",
    sign_in_token_hint: "Din token (JWT) loggar in dig; ditt namn kommer från den. Den visas aldrig.",
    sign_in_oidc: "Logga in med din organisations konto",
    sign_in_first: "Logga in för att öppna tavlan.",
    go_sign_in: "Till inloggningen",
    rate: "För många förfrågningar på kort tid: vänta en stund och försök igen.",
    request_too_large: "Det som skickades är för stort för Grupprum.",
    cross_site: "Grupprum tar inte emot förfrågningar från andra webbplatser.",
    internal: "Något gick fel i Grupprum. Inget ändrades; försök igen.",
    busy: "Panelen modererar så många möten den får just nu. Försök igen om en stund.",
    refused_not_moderator: "Panelen är inte moderator i mötet.",
    refused_not_connected: "Panelen är inte ansluten till mötet.",
    refused_no_room: "Rummet finns inte (längre) i mötet.",
    refused_no_participant: "Deltagaren finns inte (längre) i mötet.",
    refused_room_occupied: "Det finns folk i {room}: stäng rummet i stället.",
    refused_rename: "Den här installationen kan inte byta namn på rum.",
    name_empty: "Namnet är tomt.",
    name_too_long: "Namnet får ha högst {n} tecken.",
    name_control: "Namnet innehåller styrtecken.",
    name_direction: "Namnet innehåller tecken som vänder textriktningen.",
    name_noncharacter: "Namnet innehåller Unicode-icketecken.",
    name_taken: "Planen har redan ett rum med det namnet.",
    refused_no_draft: "Det finns ingen plan under arbete. Välj Förbered först.",
    refused_nothing_to_undo: "Det finns inget att ångra från den senaste minuten.",
    refused_unknown_name: "Ingen här heter {name}.",
    refused_groups: "Grupperna går inte att hålla: för stora för rummen, eller fler åtskilda än det finns rum.",
    refused_plan_too_large: "Planen är för stor (högst {max}).",
    library: "Sparade planer",
    no_plans: "Inga sparade planer än.",
    plan_summary: "rum: {rooms}, personer: {people}",
    shared: "delad",
    use_plan: "Använd",
    delete_plan: "Ta bort",
    plan_name: "Spara planen som",
    shared_with_all: "Dela med alla som använder panelen",
    save_plan: "Spara",
    import_plan: "Läs in en fil (CSV eller JSON)",
    import: "Läs in",
    import_hint: "CSV: rubrikraden name,room (eller name;room från Excel), sedan en person per rad.",
    export_draft: "Planen under arbete som fil:",
    bad_plan_name: "Ge planen ett namn (högst 100 tecken).",
    no_store: "Panelen har ingen databas för planer.",
    plan_missing: "Planen finns inte, eller är inte din.",
    plan_taken: "Du har redan en plan med det namnet.",
    storage_failed: "Databasen svarade inte. Försök igen.",
    import_not_text: "Filen är inte text i UTF-8.",
    import_no_header: "Första raden ska vara rubrikerna name,room (eller name;room).",
    import_unclosed: "Rad {line}: ett citattecken stängs aldrig.",
    import_fields: "Rad {line}: det ska vara två fält, namn och rum.",
    import_empty_name: "Rad {line}: namnet saknas.",
    import_too_long: "Rad {line}: ett fält är för långt.",
    import_too_many: "Filen har för många personer.",
    import_json: "Filen är ingen plan i JSON.",
    import_too_big: "Filen är för stor.",
    nothing_participants: "Ingen är vald.",
    nothing_rooms: "Det finns inga grupprum.",
    nothing_assign: "Ingen i huvudrummet att fördela.",
    nothing_count: "Skapa 1 till {max} rum åt gången.",
    queued: "Så mycket väntar redan på att skickas (högst {max}) att det här skulle dröja för länge. Vänta lite.",
    switch_language: "In English",
    create_room: "Nytt grupprum",
    create: "Skapa",
    create_many: "Skapa flera grupprum",
    auto_assign: "Fördela automatiskt",
    include_moderators: "Ta med moderatorer",
    send_back: "Skicka tillbaka alla",
    send_back_confirm: "Alla flyttas tillbaka till huvudrummet och grupprummen tas bort.",
    actions: "Åtgärder",
    plan: "Plan",
    prepare: "Förbered en plan",
    plan_note: "Planen under arbete: inget skickas till mötet förrän du öppnar rummen.",
    live_board: "Till mötet",
    start_draft: "Börja från rummen som de är nu",
    open_rooms: "Öppna rummen",
    add_people: "Personer som inte har kommit än, en per rad",
    add: "Lägg till",
    discard: "Släng planen",
    review_several: "passar flera här. Vem är det?",
    review_nobody: "passar ingen här. Vem är det?",
    late_joiners: "Den som kommer sent",
    late_plan: "placeras enligt planen",
    late_stay: "stannar i huvudrummet",
    late_smallest: "går till minsta rummet",
    groups: "Storlek och grupper",
    groups_hint: "Anna, Erik (en grupp per rad)",
    room_size: "Rum med så många var",
    moderator_per_room: "En moderator i varje rum",
    together: "Håll ihop",
    apart: "Håll isär",
    by_panel: "Panelen",
    message_empty: "Skriv ett meddelande.",
    message_too_long: "Meddelandet är längre än {n} tecken.",
    message_characters: "Meddelandet innehåller tecken som inte kan skickas.",
    refused_bad_timer: "En timer går 1 till {max} minuter, och varningen kommer före slutet.",
    refused_no_timer: "Det finns ingen timer att stoppa.",
    timer_warning_one: "1 minut kvar",
    timer_warning_many: "{n} minuter kvar",
    time_title: "Tid och meddelanden",
    rooms_hint: "Kryssa i rum på tavlan för att välja dem. Utan kryss gäller det alla rum.",
    timer_minutes: "Minuter",
    timer_warn: "Varna så många minuter före slutet",
    timer_suffix: "Visa minuterna i rummens namn",
    start_timer: "Starta timer",
    stop_timer: "Stoppa timer",
    message_label: "Meddelande till rummen",
    send_message: "Skicka meddelandet",
    record_title: "Mötets logg",
    record_stays: "Vem var var (CSV)",
    record_activity: "Händelser (CSV)",
    record_json: "Allt (JSON)",
    record_kept: "Loggen sparas {n} dagar efter mötet.",
    record_not_kept: "Loggen sparas inte efter mötet.",
};

const EN_PAGE: PageTexts = PageTexts {
    tagline: "Moderator panel for Jitsi Meet breakout rooms",
    meeting_label: "Meeting name or address",
    meeting_hint: "For example WeeklyMeeting or https://meet.example.com/WeeklyMeeting",
    open: "Open",
    bad_meeting: "Type the meeting's name or its whole address.",
    name_label: "The panel's name in the meeting",
    name_hint: "A moderator in Jitsi grants moderator to this name. Empty: the panel's default name.",
    token_label: "Jitsi token (optional)",
    token_hint: "Only for deployments that require a token. Kept until the browser closes, never shown.",
    bad_name: "The name may have at most 64 characters and no control characters.",
    bad_token: "This is not a Jitsi token (a JWT: three parts with dots between them).",
    start_failed: "The meeting could not be opened. Try again.",
    no_service: "Grupprum is not connected to a Jitsi deployment.",
    auth_needed: "Sign in first.",
    auth_malformed: "This is not a valid Jitsi token.",
    auth_expired: "The token has expired. Get a new one and sign in again.",
    auth_not_yet_valid: "The token is not valid yet.",
    auth_signature: "The token has a wrong signature: it was not issued for this deployment.",
    auth_issuer: "The token was issued by someone the panel does not trust.",
    auth_audience: "The token is not meant for this deployment.",
    auth_no_room: "The token names no meeting (room).",
    auth_other_room: "Your token is for another meeting.",
    auth_not_moderator: "Your token does not make you a moderator: the board is read-only.",
    auth_not_allowed: "Your account may not use the panel.",
    auth_provider: "The sign-in could not be completed. Try again.",
    open_notice: "Open panel: anyone who reaches this address can use it.",
    signed_in_as: "Signed in as {name}",
    sign_out: "Sign out",
    sign_in_token_label: "Jitsi token",
    sign_in_token_hint: "Your token (JWT) signs you in; your name comes from it. It is never shown.",
    sign_in_oidc: "Sign in with your organisation's account",
    sign_in_first: "Sign in to open the board.",
    go_sign_in: "Go to sign-in",
    rate: "Too many requests in a short time: wait a moment and try again.",
    request_too_large: "What was sent is too large for Grupprum.",
    cross_site: "Grupprum does not take requests from other sites.",
    internal: "Something went wrong in Grupprum. Nothing was changed; try again.",
    busy: "The panel is moderating as many meetings as it may right now. Try again in a while.",
    refused_not_moderator: "The panel is not a moderator in this meeting.",
    refused_not_connected: "The panel is not connected to the meeting.",
    refused_no_room: "That room is not (or no longer) in the meeting.",
    refused_no_participant: "That participant is not (or no longer) in the meeting.",
    refused_room_occupied: "There are people in {room}: close the room instead.",
    refused_rename: "This deployment cannot rename rooms.",
    name_empty: "The name is empty.",
    name_too_long: "The name may have at most {n} characters.",
    name_control: "The name contains control characters.",
    name_direction: "The name contains text-direction override characters.",
    name_noncharacter: "The name contains Unicode noncharacters.",
    name_taken: "The plan already has a room of that name.",
    refused_no_draft: "No plan is being prepared. Choose Prepare first.",
    refused_nothing_to_undo: "Nothing from the last minute can be undone.",
    refused_unknown_name: "Nobody here is called {name}.",
    refused_groups: "The groups cannot be kept: too large for the rooms, or more kept apart than there are rooms.",
    refused_plan_too_large: "The plan is too large (at most {max}).",
    library: "Saved plans",
    no_plans: "No saved plans yet.",
    plan_summary: "rooms: {rooms}, people: {people}",
    shared: "shared",
    use_plan: "Use",
    delete_plan: "Delete",
    plan_name: "Save the plan as",
    shared_with_all: "Share with everyone who uses the panel",
    save_plan: "Save",
    import_plan: "Read a file (CSV or JSON)",
    import: "Read",
    import_hint: "CSV: the header line name,room (or name;room from Excel), then one person a line.",
    export_draft: "The plan being prepared as a file:",
    bad_plan_name: "Give the plan a name (at most 100 characters).",
    no_store: "The panel has no database for plans.",
    plan_missing: "The plan does not exist, or is not yours.",
    plan_taken: "You already have a plan of that name.",
    storage_failed: "The database did not answer. Try again.",
    import_not_text: "The file is not UTF-8 text.",
    import_no_header: "The first line must be the header name,room (or name;room).",
    import_unclosed: "Line {line}: a quote is never closed.",
    import_fields: "Line {line}: there must be two fields, a name and a room.",
    import_empty_name: "Line {line}: the name is missing.",
    import_too_long: "Line {line}: a field is too long.",
    import_too_many: "The file has too many people.",
    import_json: "The file is not a plan in JSON.",
    import_too_big: "The file is too large.",
    nothing_participants: "Nobody is chosen.",
    nothing_rooms: "There are no breakout rooms.",
    nothing_assign: "Nobody in the main room to assign.",
    nothing_count: "Create 1 to {max} rooms at a time.",
    queued: "So much is already waiting to be sent (at most {max}) that this would wait too long. Wait a little.",
    switch_language: "På svenska",
    create_room: "New breakout room",
    create: "Create",
    create_many: "Create several rooms",
    auto_assign: "Assign automatically",
    include_moderators: "Include moderators",
    send_back: "Send everyone back",
    send_back_confirm: "Everyone goes back to the main room and the breakout rooms are removed.",
    actions: "Actions",
    plan: "Plan",
    prepare: "Prepare a plan",
    plan_note: "The plan being prepared: nothing is sent to the meeting until you open the rooms.",
    live_board: "To the meeting",
    start_draft: "Start from the rooms as they are",
    open_rooms: "Open rooms",
    add_people: "People not here yet, one a line",
    add: "Add",
    discard: "Discard the plan",
    review_several: "fits several people here. Who is it?",
    review_nobody: "fits nobody here. Who is it?",
    late_joiners: "Who joins late",
    late_plan: "is placed by the plan",
    late_stay: "stays in the main room",
    late_smallest: "goes to the smallest room",
    groups: "Size and groups",
    groups_hint: "Anna, Erik (one group a line)",
    room_size: "Rooms of this many",
    moderator_per_room: "One moderator in each room",
    together: "Keep together",
    apart: "Keep apart",
    by_panel: "The panel",
    message_empty: "Write a message.",
    message_too_long: "The message is longer than {n} characters.",
    message_characters: "The message has characters that cannot be sent.",
    refused_bad_timer: "A timer runs 1 to {max} minutes, and its warning comes before its end.",
    refused_no_timer: "There is no timer to stop.",
    timer_warning_one: "1 minute left",
    timer_warning_many: "{n} minutes left",
    time_title: "Time and messages",
    rooms_hint: "Tick rooms on the board to choose them. With none ticked, it is for every room.",
    timer_minutes: "Minutes",
    timer_warn: "Warn this many minutes before the end",
    timer_suffix: "Show the minutes in the rooms' names",
    start_timer: "Start timer",
    stop_timer: "Stop timer",
    message_label: "Message to the rooms",
    send_message: "Send the message",
    record_title: "Record of the meeting",
    record_stays: "Who was where (CSV)",
    record_activity: "Activity (CSV)",
    record_json: "Everything (JSON)",
    record_kept: "The record is kept {n} days after the meeting.",
    record_not_kept: "The record is not kept after the meeting.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_preferred_language() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("sv-SE,sv;q=0.9,en;q=0.8"),
            Lang::Sv
        );
        assert_eq!(
            Lang::from_accept_language("de-DE,en;q=0.5,sv;q=0.7"),
            Lang::Sv
        );
        assert_eq!(Lang::from_accept_language("fi"), Lang::Sv);
        assert_eq!(Lang::from_accept_language(""), Lang::Sv);
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::Sv.t().main_room, "Huvudrum");
    }

    #[test]
    fn problem_codes_are_worded_and_unknown_ones_are_not_guessed() {
        assert_eq!(
            Lang::En.problem("auth-other-room"),
            Some("Your token is for another meeting.")
        );
        assert_eq!(
            Lang::Sv.problem("auth-expired"),
            Some("Token har gått ut. Hämta en ny och logga in igen.")
        );
        assert_eq!(
            Lang::En.problem("meeting"),
            Some(Lang::En.page().bad_meeting)
        );
        assert_eq!(Lang::En.problem("whatever"), None);
    }

    #[test]
    fn refusals_come_back_in_words() {
        let long = Refusal::BadName {
            name: "x".into(),
            problem: NameProblem::TooLong { max: 64 },
        };
        assert_eq!(
            Lang::Sv.error_text(&long.code()),
            "Namnet får ha högst 64 tecken."
        );
        assert_eq!(
            Lang::En.error_text(&long.code()),
            "The name may have at most 64 characters."
        );
        assert_eq!(Lang::En.error_text("busy"), Lang::En.page().busy);
        assert_eq!(Lang::En.error_text("odd text"), "odd text");
    }

    #[test]
    fn outcomes_are_worded_and_counts_agree_with_their_number() {
        let to_room = OutcomeKind::Move("Erik".into(), RoomName::Named("Grupprum 2".into()));
        assert_eq!(Lang::Sv.outcome(&to_room), "Flytta Erik till Grupprum 2");
        let back = OutcomeKind::Move("Erik".into(), RoomName::Main);
        assert_eq!(Lang::En.outcome(&back), "Move Erik to Main room");
        assert_eq!(Lang::Sv.outcome(&back), "Flytta Erik till Huvudrum");
        let kept = |n| FailReason::StillOccupied(n);
        assert_eq!(
            Lang::En.fail_reason(&kept(1)),
            "1 person is still in the room, so it was kept"
        );
        assert_eq!(
            Lang::En.fail_reason(&kept(2)),
            "2 people are still in the room, so it was kept"
        );
        assert_eq!(
            Lang::Sv.fail_reason(&kept(1)),
            "1 person är kvar i rummet, så det behölls"
        );
        assert_eq!(
            Lang::Sv.fail_reason(&kept(3)),
            "3 personer är kvar i rummet, så det behölls"
        );
    }

    #[test]
    fn link_reasons_are_worded_in_both_languages() {
        assert_eq!(
            Lang::En.link_reason(&LinkReason::TokenRoom),
            "The token is for another meeting."
        );
        assert_eq!(
            Lang::Sv.link_reason(&LinkReason::TokenRoom),
            "Token gäller ett annat möte."
        );
        assert_eq!(
            Lang::En.link_reason(&LinkReason::TooLarge(5)),
            "The server sent a message larger than the panel accepts (5 bytes)."
        );
        assert_eq!(
            Lang::Sv.link_reason(&LinkReason::Network("reset by peer".into())),
            "Förbindelsen med mötet bröts"
        );
        assert_eq!(
            Lang::Sv.link_reason(&LinkReason::LoginRefused("not-authorized".into())),
            Lang::Sv.t().login_refused
        );
    }
}
