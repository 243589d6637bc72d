//! Server functions: how the browser reads a meeting and sends commands. Each
//! one is thin: it finds the meeting service and calls it.

// The form server function takes one argument per form field, and the client
// code the `#[server]` macro generates for it cannot carry an item attribute.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos::server_fn::BoxedStream;
use leptos::server_fn::Websocket;
use leptos::server_fn::codec::{Json, JsonEncoding};

use crate::meeting::{Command, Language, MeetingRef, MeetingView, Receipt};

/// The error text when the server has no Jitsi deployment configured.
pub const NO_SERVICE: &str = "no-service";

#[cfg(feature = "ssr")]
mod ssr {
    use std::sync::Arc;

    use leptos::prelude::ServerFnError;

    use crate::meeting::{Command, MeetingRef, Receipt};
    use crate::service::MeetingService;

    pub fn service() -> Result<Arc<dyn MeetingService>, ServerFnError> {
        crate::service::service().ok_or_else(|| ServerFnError::new(super::NO_SERVICE))
    }

    pub async fn execute(meeting: MeetingRef, command: Command) -> Result<Receipt, ServerFnError> {
        service()?
            .command(&meeting, command)
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))
    }
}

/// The meeting's latest state. A fresh session gets a few seconds to join, so that
/// a page rendered without JavaScript shows the meeting, not "connecting".
#[server(prefix = "/api", endpoint = "meeting")]
pub async fn get_meeting(meeting: MeetingRef) -> Result<MeetingView, ServerFnError> {
    use futures::StreamExt;
    let mut views = ssr::service()?
        .watch(&meeting)
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let mut latest = views
        .next()
        .await
        .ok_or_else(|| ServerFnError::new("the meeting's session ended"))?;
    let deadline = tokio::time::sleep(std::time::Duration::from_secs(3));
    tokio::pin!(deadline);
    // Until it has joined, and then a moment for the focus to grant moderator.
    let waiting = |v: &MeetingView| {
        v.status == crate::meeting::LinkStatus::Connecting
            || (v.status == crate::meeting::LinkStatus::Online
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
/// meeting in its first message. The answer goes out at once and the states follow
/// through a small buffer; a slow browser skips states, it never holds the meeting up.
#[server(protocol = Websocket<JsonEncoding, JsonEncoding>, prefix = "/api", endpoint = "watch")]
pub async fn watch_meeting(
    input: BoxedStream<MeetingRef, ServerFnError>,
) -> Result<BoxedStream<MeetingView, ServerFnError>, ServerFnError> {
    use futures::{SinkExt, StreamExt};
    let service = ssr::service()?;
    let (mut tx, rx) = futures::channel::mpsc::channel(4);
    tokio::spawn(async move {
        let mut input = input;
        let Some(Ok(meeting)) = input.next().await else {
            return;
        };
        let mut views = match service.watch(&meeting) {
            Ok(views) => views,
            Err(e) => {
                let _ = tx.send(Err(ServerFnError::new(e.to_string()))).await;
                return;
            }
        };
        while let Some(view) = views.next().await {
            if tx.send(Ok(view)).await.is_err() {
                break;
            }
        }
    });
    Ok(rx.into())
}

/// A command, from the board's scripts.
#[server(prefix = "/api", endpoint = "command", input = Json)]
pub async fn run_command(meeting: MeetingRef, command: Command) -> Result<Receipt, ServerFnError> {
    ssr::execute(meeting, command).await
}

/// A command from a plain form: every action of the board works without JavaScript.
#[server(prefix = "/api", endpoint = "action")]
pub async fn board_action(
    room: String,
    tenant: Option<String>,
    action: String,
    name: Option<String>,
    count: Option<usize>,
    target: Option<String>,
    participant: Option<String>,
    include_moderators: Option<String>,
    language: Option<String>,
) -> Result<Receipt, ServerFnError> {
    let meeting = MeetingRef {
        room,
        tenant: tenant.filter(|t| !t.is_empty()),
    };
    let command = form_command(
        &action,
        name,
        count,
        target,
        participant,
        include_moderators,
        language,
    )
    .ok_or_else(|| ServerFnError::new(format!("unknown or incomplete action {action:?}")))?;
    ssr::execute(meeting, command).await
}

/// Reads a board form into a command.
pub fn form_command(
    action: &str,
    name: Option<String>,
    count: Option<usize>,
    target: Option<String>,
    participant: Option<String>,
    include_moderators: Option<String>,
    language: Option<String>,
) -> Option<Command> {
    let language = match language.as_deref() {
        Some("en") => Language::English,
        _ => Language::Swedish,
    };
    Some(match action {
        "create" => Command::CreateRoom { name: name? },
        "create_many" => Command::CreateRooms {
            count: count?,
            names: Vec::new(),
            language,
        },
        "rename" => Command::RenameRoom {
            room: target?,
            name: name?,
        },
        "close" => Command::CloseRoom { room: target? },
        "remove" => Command::RemoveRoom { room: target? },
        "move" => Command::Move {
            participants: vec![participant?],
            to: target?,
        },
        "send_back" => Command::SendEveryoneBack,
        "auto_assign" => Command::AutoAssign {
            rooms: Vec::new(),
            include_moderators: include_moderators.is_some(),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_become_commands() {
        assert_eq!(
            form_command(
                "move",
                None,
                None,
                Some("r@b".into()),
                Some("abc".into()),
                None,
                None
            ),
            Some(Command::Move {
                participants: vec!["abc".into()],
                to: "r@b".into()
            })
        );
        assert_eq!(
            form_command(
                "create_many",
                None,
                Some(3),
                None,
                None,
                None,
                Some("en".into())
            ),
            Some(Command::CreateRooms {
                count: 3,
                names: vec![],
                language: Language::English
            })
        );
        assert_eq!(
            form_command(
                "auto_assign",
                None,
                None,
                None,
                None,
                Some("on".into()),
                None
            ),
            Some(Command::AutoAssign {
                rooms: vec![],
                include_moderators: true
            })
        );
        assert_eq!(
            form_command("move", None, None, None, Some("abc".into()), None, None),
            None
        );
        assert_eq!(
            form_command("explode", None, None, None, None, None, None),
            None
        );
    }
}
