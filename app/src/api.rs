//! Server functions: how the browser reads a meeting and sends commands. Each
//! one is thin: it finds the meeting service and calls it.

// The form server function takes one argument per form field, and the client
// code the `#[server]` macro generates for it cannot carry an item attribute.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos::server_fn::BoxedStream;
use leptos::server_fn::Websocket;
use leptos::server_fn::codec::{Json, JsonEncoding};

use crate::meeting::{Command, Grouping, Language, LateJoiners, MeetingRef, MeetingView, Receipt};

/// The error text when the server has no Jitsi deployment configured.
pub const NO_SERVICE: &str = "no-service";

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::sync::Arc;

    use leptos::prelude::ServerFnError;

    use crate::auth::{self, AuthRefusal, SignedIn};
    use crate::identity;
    use crate::meeting::{Command, MeetingRef, Receipt};
    use crate::service::{MeetingService, Moderator};

    pub fn service() -> Result<Arc<dyn MeetingService>, ServerFnError> {
        crate::service::service().ok_or_else(|| ServerFnError::new(super::NO_SERVICE))
    }

    /// The moderator behind this request (see [`identity`]).
    pub fn moderator() -> Result<Moderator, ServerFnError> {
        identity::moderator().map_err(|e| ServerFnError::new(e.code()))
    }

    /// An error in words, in the page's language: what the board's scripts show
    /// as it comes.
    pub fn worded(error: ServerFnError) -> ServerFnError {
        let code = crate::board::clean_error(&error.to_string());
        ServerFnError::new(crate::shell::request_lang().error_text(&code))
    }

    fn refused(refusal: AuthRefusal) -> ServerFnError {
        ServerFnError::new(refusal.code())
    }

    /// The moderator behind this request, if they may open `meeting` (a
    /// signed-in user's token may be for one room only).
    pub fn allowed(meeting: &MeetingRef) -> Result<Moderator, ServerFnError> {
        let who = moderator()?;
        if let Some(user) = auth::signed_in() {
            user.may_open(meeting).map_err(refused)?;
        }
        Ok(who)
    }

    /// As [`allowed`], and the user may give commands.
    pub fn commander(meeting: &MeetingRef) -> Result<Moderator, ServerFnError> {
        let who = allowed(meeting)?;
        if auth::signed_in().is_some_and(|u| !u.may_command) {
            return Err(refused(AuthRefusal::NotModerator));
        }
        Ok(who)
    }

    /// Signs in with a token from the start page (keeping the sign-in in its
    /// cookie), or takes the sign-in the request already has.
    pub async fn sign_in_with(token: Option<&str>) -> Result<SignedIn, AuthRefusal> {
        let service = auth::sign_in().ok_or(AuthRefusal::SignInNeeded)?;
        match token {
            Some(token) => {
                let (user, cookie) = service.with_token(token, identity::over_https()).await?;
                identity::append_set_cookie(cookie);
                Ok(user)
            }
            None => auth::signed_in().ok_or(AuthRefusal::SignInNeeded),
        }
    }

    /// Puts the panel into the meeting (a signed-in user's `POST` does this; a
    /// page load never does). The session stays for its grace period.
    pub fn join(meeting: &MeetingRef) -> Result<(), ServerFnError> {
        join_as(&allowed(meeting)?, meeting)
    }

    /// Joins `target` as `who` and sends the browser to its board; the board
    /// shows the meeting at once, and says why if the panel could not join.
    pub fn to_board(who: &Moderator, target: &MeetingRef) -> String {
        if let Err(e) = join_as(who, target) {
            tracing::info!("the board opens without a session: {e}");
        }
        let path = target.path();
        crate::redirect::to(&path);
        path
    }

    /// [`join`] as `who`: the moderator the start page has just remembered.
    pub fn join_as(who: &Moderator, meeting: &MeetingRef) -> Result<(), ServerFnError> {
        service()?
            .watch(who, meeting)
            .map(drop)
            .map_err(|e| ServerFnError::new(e.to_string()))
    }

    pub async fn execute(meeting: MeetingRef, command: Command) -> Result<Receipt, ServerFnError> {
        service()?
            .command(&commander(&meeting)?, &meeting, command)
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))
    }
}

/// The start page's form: on an open panel keeps the moderator's display name
/// and token (in `HttpOnly` cookies); with JWT sign-in, signs in with the token
/// given. Then joins the meeting and sends the browser to its board. A plain form
/// post is redirected: to the board, or back to the start page with
/// `?problem=meeting|name|token` and what was typed; from scripts a problem is
/// an error with that code.
#[server(prefix = "/api", endpoint = "open")]
pub async fn open_meeting(
    meeting: String,
    display_name: Option<String>,
    token: Option<String>,
) -> Result<String, ServerFnError> {
    use crate::auth::AuthMode;
    use crate::identity;
    let token_given = token.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let problem: &'static str = match (MeetingRef::from_input(&meeting), identity::mode()) {
        (None, _) => "meeting",
        // Signed in by the panel: with the token given now, or as before.
        (Some(target), AuthMode::Jwt | AuthMode::Oidc) => {
            match ssr::sign_in_with(token_given).await {
                Ok(user) => match user.may_open(&target) {
                    Ok(()) => {
                        return Ok(ssr::to_board(
                            &crate::service::Moderator::from(&user),
                            &target,
                        ));
                    }
                    Err(refusal) => refusal.code(),
                },
                Err(refusal) => refusal.code(),
            }
        }
        (Some(target), _) => {
            let checked = identity::check_name(display_name.as_deref().unwrap_or_default())
                .and_then(|name| {
                    Ok((
                        name,
                        identity::check_token(token.as_deref().unwrap_or_default())?,
                    ))
                });
            match checked
                .and_then(|(name, token)| identity::remember(name.as_deref(), token.as_deref()))
            {
                Ok(who) => return Ok(ssr::to_board(&who, &target)),
                Err(e) => e.code(),
            }
        }
    };
    if identity::wants_html() {
        let back = url_query(&[
            ("meeting", meeting.as_str()),
            ("name", display_name.as_deref().unwrap_or_default()),
            ("problem", problem),
        ]);
        crate::redirect::to(&format!("/?{back}"));
        return Ok(String::new());
    }
    Err(ServerFnError::new(problem))
}

/// `a=b&c=d`, every value percent-encoded.
#[cfg(feature = "ssr")]
fn url_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::identity::percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The meeting's latest state, for the page load: it never joins the meeting.
/// Without a session the board says so (its live connection joins, or the
/// "Join" button without scripts). A session that has just started (the start
/// page or the button started it) gets a few seconds to join, and the focus a
/// moment to make it moderator, so that a page rendered without JavaScript
/// shows the meeting, not "connecting". One already in the meeting answers at once.
#[server(prefix = "/api", endpoint = "meeting")]
pub async fn get_meeting(meeting: MeetingRef) -> Result<MeetingView, ServerFnError> {
    use futures::StreamExt;
    if !meeting.is_valid() {
        return Err(ServerFnError::new("meeting"));
    }
    let Some(mut views) = ssr::service()?.existing(&ssr::allowed(&meeting)?, &meeting) else {
        let mut view = MeetingView::placeholder(meeting);
        view.status = crate::meeting::LinkStatus::NotJoined;
        return Ok(view);
    };
    let mut latest = views
        .next()
        .await
        .ok_or_else(|| ServerFnError::new("the meeting's session ended"))?;
    let deadline = tokio::time::sleep(std::time::Duration::from_secs(3));
    tokio::pin!(deadline);
    let fresh = latest.status == crate::meeting::LinkStatus::Connecting;
    let waiting = |v: &MeetingView| {
        v.status == crate::meeting::LinkStatus::Connecting
            || (fresh
                && v.status == crate::meeting::LinkStatus::Online
                && v.me.as_ref().is_some_and(|m| !m.is_moderator))
    };
    while waiting(&latest) {
        tokio::select! {
            () = &mut deadline => break,
            next = views.next() => match next {
                Some(view) => latest = view,
                None => break,
            },
        }
    }
    Ok(latest)
}

/// Every new state of the meeting, pushed over a WebSocket. The browser names the
/// meeting in its first message; the latest state follows at once, then every
/// change (a slow browser skips states, it never holds the meeting up).
///
/// Grupprum's server answers this path itself (`server::live`), in this
/// function's wire format, with limits a server function cannot set (message
/// size, the latest view only, the watcher's name for "Also here"). The
/// function gives the board its client; its own body only says that no such
/// server is in front of it.
#[server(protocol = Websocket<JsonEncoding, JsonEncoding>, prefix = "/api", endpoint = "watch")]
pub async fn watch_meeting(
    input: BoxedStream<MeetingRef, ServerFnError>,
) -> Result<BoxedStream<MeetingView, ServerFnError>, ServerFnError> {
    drop(input);
    Err(ServerFnError::new(NO_SERVICE))
}

/// The header the server puts on its own "sign in first" answers (401), so
/// that the board tells them from another's (a proxy's) 401.
pub const SIGN_IN_REFUSED: &str = "x-grupprum-sign-in";

/// A refusal on the live connection, in words: `Final` when nothing but a
/// change by the user (a new sign-in, another meeting) can alter the answer,
/// `Later` when it may pass by itself (the panel at its cap on sessions). On
/// the wire a final refusal is the server function's `ServerError` and a
/// later one its `MiddlewareError`; the socket's own failures are neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveRefusal {
    Final(String),
    Later(String),
}

impl LiveRefusal {
    pub fn into_error(self) -> ServerFnError {
        match self {
            Self::Final(words) => ServerFnError::ServerError(words),
            Self::Later(words) => ServerFnError::MiddlewareError(words),
        }
    }

    /// The refusal an error from the live connection carries, if any.
    pub fn from_error(error: ServerFnError) -> Option<Self> {
        match error {
            ServerFnError::ServerError(words) => Some(Self::Final(words)),
            ServerFnError::MiddlewareError(words) => Some(Self::Later(words)),
            _ => None,
        }
    }
}

/// Ends the sign-in and goes back to the start page.
#[server(prefix = "/api", endpoint = "signout")]
pub async fn sign_out() -> Result<(), ServerFnError> {
    if let Some(service) = crate::auth::sign_in() {
        for cookie in service.sign_out(crate::identity::over_https()) {
            crate::identity::append_set_cookie(cookie);
        }
    }
    crate::redirect::to("/");
    Ok(())
}

/// A command, from the board's scripts.
#[server(prefix = "/api", endpoint = "command", input = Json)]
pub async fn run_command(meeting: MeetingRef, command: Command) -> Result<Receipt, ServerFnError> {
    ssr::execute(meeting, command).await.map_err(ssr::worded)
}

/// A command from a plain form: every action of the board works without
/// JavaScript. People picked for a move come as `picked[p<id>]=<id>`.
#[server(prefix = "/api", endpoint = "action")]
pub async fn board_action(
    room: String,
    tenant: Option<String>,
    action: String,
    name: Option<String>,
    count: Option<usize>,
    target: Option<String>,
    picked: Option<std::collections::BTreeMap<String, String>>,
    include_moderators: Option<String>,
    language: Option<String>,
    size: Option<String>,
    together: Option<String>,
    apart: Option<String>,
    moderator_per_room: Option<String>,
    names: Option<String>,
    participant: Option<String>,
    late: Option<String>,
    draft: Option<String>,
    minutes: Option<String>,
    warn: Option<String>,
    suffix: Option<String>,
    text: Option<String>,
    rooms: Option<std::collections::BTreeMap<String, String>>,
) -> Result<Receipt, ServerFnError> {
    let meeting = MeetingRef {
        room,
        tenant: tenant.filter(|t| !t.is_empty()),
    };
    if !meeting.is_valid() {
        return Err(ServerFnError::new("meeting"));
    }
    if action == "join" {
        let joined = ssr::join(&meeting);
        if crate::identity::wants_html() {
            crate::redirect::to(&meeting.path());
            return Ok(Vec::new());
        }
        return joined.map(|()| Vec::new());
    }
    let fields = FormFields {
        action,
        name,
        count,
        target,
        participants: picked.unwrap_or_default().into_values().collect(),
        include_moderators: include_moderators.is_some(),
        language,
        size: size.and_then(|s| s.trim().parse().ok()),
        together,
        apart,
        moderator_per_room: moderator_per_room.is_some(),
        names,
        participant,
        late,
        draft: draft.is_some(),
        minutes: minutes.and_then(|m| m.trim().parse().ok()),
        warn: warn.and_then(|w| w.trim().parse().ok()),
        suffix: suffix.is_some(),
        text,
        rooms: rooms.unwrap_or_default().into_values().collect(),
    };
    let result = match form_command(&fields) {
        Some(command) => ssr::execute(meeting.clone(), command).await,
        None => Err(ServerFnError::new("incomplete")),
    };
    // A plain form goes back to the board it came from (whatever the browser
    // says of where it was), with the reason when the command was refused.
    if crate::identity::wants_html() {
        let board = if fields.draft {
            format!("{}?plan&", meeting.path())
        } else {
            format!("{}?", meeting.path())
        };
        let back = match &result {
            Ok(_) => board.trim_end_matches(['?', '&']).to_owned(),
            Err(e) => format!(
                "{board}{}",
                url_query(&[(
                    "problem",
                    crate::board::clean_error(&e.to_string()).as_str()
                )])
            ),
        };
        crate::redirect::to(&back);
        return Ok(Vec::new());
    }
    // The board's scripts show a refusal as it comes: in words.
    result.map_err(ssr::worded)
}

/// What a board form says, however it was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormFields {
    pub action: String,
    pub name: Option<String>,
    pub count: Option<usize>,
    /// A room's JID.
    pub target: Option<String>,
    pub participants: Vec<String>,
    pub include_moderators: bool,
    /// `en` for English default room names; Swedish otherwise.
    pub language: Option<String>,
    /// Auto-assign: rooms of this many people.
    pub size: Option<usize>,
    /// Auto-assign: groups kept together, one a line, names apart by commas.
    pub together: Option<String>,
    /// Auto-assign: groups kept apart, as `together`.
    pub apart: Option<String>,
    pub moderator_per_room: bool,
    /// People not here yet, one a line.
    pub names: Option<String>,
    /// Review: who a planned person is (empty: not here yet).
    pub participant: Option<String>,
    /// `stay`, `plan` or `smallest`.
    pub late: Option<String>,
    /// The form acts on the draft.
    pub draft: bool,
    /// A timer's minutes, and its warning's.
    pub minutes: Option<u32>,
    pub warn: Option<u32>,
    /// The minutes left after the rooms' names.
    pub suffix: bool,
    /// A message to the rooms.
    pub text: Option<String>,
    /// The rooms (JIDs) a timer or message is for; none: every room.
    pub rooms: Vec<String>,
}

/// Groups of names: one group a line, names apart by commas; lines with
/// fewer than two names say nothing and are left out.
pub fn name_groups(text: Option<&str>) -> Vec<Vec<String>> {
    text.unwrap_or_default()
        .lines()
        .map(|line| {
            line.split([',', ';'])
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|group| group.len() > 1)
        .collect()
}

/// Reads a board form into a command: on the draft, wrapped as a change to it.
pub fn form_command(form: &FormFields) -> Option<Command> {
    let command = form_action(form)?;
    Some(match command {
        Command::AddPeople { .. } | Command::Match { .. } => Command::Draft(Box::new(command)),
        command if form.draft && is_board_command(&command) => Command::Draft(Box::new(command)),
        command => command,
    })
}

/// A command the board gives, live or on the draft.
pub fn is_board_command(command: &Command) -> bool {
    matches!(
        command,
        Command::CreateRoom { .. }
            | Command::CreateRooms { .. }
            | Command::RenameRoom { .. }
            | Command::CloseRoom { .. }
            | Command::RemoveRoom { .. }
            | Command::Move { .. }
            | Command::SendEveryoneBack
            | Command::AutoAssign { .. }
    )
}

fn form_action(form: &FormFields) -> Option<Command> {
    let language = match form.language.as_deref() {
        Some("en") => Language::English,
        _ => Language::Swedish,
    };
    let name = || form.name.clone().filter(|n| !n.trim().is_empty());
    let target = || form.target.clone().filter(|t| !t.is_empty());
    Some(match form.action.as_str() {
        "create" => Command::CreateRoom { name: name()? },
        "create_many" => Command::CreateRooms {
            count: form.count?,
            names: Vec::new(),
            language,
        },
        "rename" => Command::RenameRoom {
            room: target()?,
            name: name()?,
        },
        "close" => Command::CloseRoom { room: target()? },
        "remove" => Command::RemoveRoom { room: target()? },
        "move" if !form.participants.is_empty() => Command::Move {
            participants: form.participants.clone(),
            to: target()?,
        },
        "send_back" => Command::SendEveryoneBack,
        "auto_assign" => Command::AutoAssign {
            rooms: Vec::new(),
            include_moderators: form.include_moderators,
            grouping: Grouping {
                size: form.size.filter(|s| *s > 0),
                together: name_groups(form.together.as_deref()),
                apart: name_groups(form.apart.as_deref()),
                moderator_per_room: form.moderator_per_room,
                language,
            },
        },
        "prepare" => Command::Prepare { plan: None },
        "discard" => Command::Discard,
        "open_rooms" => Command::OpenRooms,
        "undo" => Command::Undo,
        "timer" => Command::SetTimer {
            rooms: form.rooms.clone(),
            minutes: form.minutes?,
            warn: form.warn,
            suffix: form.suffix,
            language,
        },
        "stop_timer" => Command::StopTimer {
            rooms: form.rooms.clone(),
        },
        "message" => Command::SendMessage {
            rooms: form.rooms.clone(),
            text: form.text.clone()?,
        },
        "add_people" => Command::AddPeople {
            names: form
                .names
                .as_deref()?
                .lines()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        "match" => Command::Match {
            planned: target()?,
            participant: form.participant.clone().filter(|p| !p.is_empty()),
        },
        "late" => Command::SetLateJoiners(match form.late.as_deref()? {
            "stay" => LateJoiners::Stay,
            "plan" => LateJoiners::ByPlan,
            "smallest" => LateJoiners::Smallest,
            _ => return None,
        }),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(action: &str) -> FormFields {
        FormFields {
            action: action.into(),
            ..FormFields::default()
        }
    }

    #[test]
    fn forms_become_commands() {
        assert_eq!(
            form_command(&FormFields {
                target: Some("r@b".into()),
                participants: vec!["abc".into(), "def".into()],
                ..form("move")
            }),
            Some(Command::Move {
                participants: vec!["abc".into(), "def".into()],
                to: "r@b".into()
            })
        );
        assert_eq!(
            form_command(&FormFields {
                count: Some(3),
                language: Some("en".into()),
                ..form("create_many")
            }),
            Some(Command::CreateRooms {
                count: 3,
                names: vec![],
                language: Language::English
            })
        );
        assert_eq!(
            form_command(&FormFields {
                include_moderators: true,
                ..form("auto_assign")
            }),
            Some(Command::AutoAssign {
                rooms: vec![],
                include_moderators: true,
                grouping: Grouping::default(),
            })
        );
        assert_eq!(
            form_command(&FormFields {
                size: Some(4),
                together: Some("Anna, Bo\nCia\n Dan ; Eva ,\n".into()),
                apart: Some("Anna,Cia".into()),
                moderator_per_room: true,
                language: Some("en".into()),
                draft: true,
                ..form("auto_assign")
            }),
            Some(Command::Draft(Box::new(Command::AutoAssign {
                rooms: vec![],
                include_moderators: false,
                grouping: Grouping {
                    size: Some(4),
                    together: vec![
                        vec!["Anna".into(), "Bo".into()],
                        vec!["Dan".into(), "Eva".into()]
                    ],
                    apart: vec![vec!["Anna".into(), "Cia".into()]],
                    moderator_per_room: true,
                    language: Language::English,
                },
            }))),
            "a draft's auto-assign, with its groups; a lone name is no group"
        );
        assert_eq!(
            form_command(&FormFields {
                names: Some("Anna\n\n  Bo  \n".into()),
                ..form("add_people")
            }),
            Some(Command::Draft(Box::new(Command::AddPeople {
                names: vec!["Anna".into(), "Bo".into()]
            }))),
            "people are only ever added to a draft"
        );
        assert_eq!(
            form_command(&FormFields {
                late: Some("smallest".into()),
                draft: true,
                ..form("late")
            }),
            Some(Command::SetLateJoiners(LateJoiners::Smallest)),
            "the late-joiner policy is the meeting's, not the draft's"
        );
        assert_eq!(
            form_command(&FormFields {
                late: Some("x".into()),
                ..form("late")
            }),
            None
        );
        assert_eq!(
            form_command(&FormFields {
                participants: vec!["abc".into()],
                ..form("move")
            }),
            None,
            "a move needs a room"
        );
        assert_eq!(
            form_command(&FormFields {
                target: Some("r@b".into()),
                ..form("move")
            }),
            None,
            "a move needs people"
        );
        assert_eq!(
            form_command(&FormFields {
                name: Some("   ".into()),
                ..form("create")
            }),
            None
        );
        assert_eq!(form_command(&form("explode")), None);
    }
}
