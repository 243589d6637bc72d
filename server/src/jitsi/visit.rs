//! Messages to breakout rooms. MUC only takes a groupchat message from an
//! occupant, so the panel enters each room as a moderator's Jitsi client
//! does (a conference request to the focus for the room, then the join; the
//! focus's Jingle offer is declined like any other), says the message, waits
//! for the room to send it back (delivered), and leaves. One room at a time,
//! on the session's own connection, under the same nick as in the main room.
//! Plain logic: the session sends what it is given and hands it what comes back.

use std::collections::VecDeque;
use std::time::Duration;

use app::meeting::{
    FailReason, MAX_MESSAGE_CHARS, NameProblem, OutcomeState, Refusal, is_bidi_control,
    is_noncharacter,
};
use tokio::time::Instant;

use crate::xmpp::jid;
use crate::xmpp::stanza;
use crate::xmpp::stanza::focus::{self, ConferenceReply};
use crate::xmpp::stanza::iq::{Iq, IqKind};
use crate::xmpp::stanza::muc::{self, MucPresence};
use crate::xmpp::xml::Element;

/// How long one room's visit may take, from the conference request to the
/// message coming back.
pub const VISIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Who visits: the panel's nick, name and whether it joins as a robot.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub nick: String,
    pub display_name: String,
    pub robot: bool,
    pub focus: String,
}

/// One message for one room, tracked as an outcome.
#[derive(Debug, Clone)]
struct Visit {
    outcome: u64,
    room: String,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The conference request is out.
    Asking,
    /// The join is out.
    Joining,
    /// The message is out.
    Saying,
}

#[derive(Debug)]
struct Current {
    visit: Visit,
    step: Step,
    deadline: Instant,
}

/// What the session must do for a visit.
#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    Send(Element),
    /// The message's outcome is settled.
    Settle(u64, OutcomeState),
}

/// The messages waiting and the room being visited.
#[derive(Debug, Default)]
pub struct Visits {
    queue: VecDeque<Visit>,
    current: Option<Current>,
}

impl Visits {
    pub fn push(&mut self, outcome: u64, room: String, text: String) {
        self.queue.push_back(Visit {
            outcome,
            room,
            text,
        });
    }

    /// Messages not yet delivered, the current one included.
    pub fn len(&self) -> usize {
        self.queue.len() + usize::from(self.current.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when stanzas from `room` (a bare JID) belong to a visit.
    pub fn is_visiting(&self, room: &str) -> bool {
        self.current.as_ref().is_some_and(|c| c.visit.room == room)
    }

    /// Starts the next visit when none is under way. `occupied` says whether
    /// anyone is in a room: an empty room gets no message.
    pub fn next(
        &mut self,
        visitor: &Visitor,
        occupied: impl Fn(&str) -> bool,
        now: Instant,
    ) -> Vec<Act> {
        let mut acts = Vec::new();
        if self.current.is_some() {
            return acts;
        }
        while let Some(visit) = self.queue.pop_front() {
            if !occupied(&visit.room) {
                acts.push(Act::Settle(
                    visit.outcome,
                    OutcomeState::Failed {
                        reason: FailReason::Empty,
                    },
                ));
                continue;
            }
            let uid = format!("{:032x}", rand::random::<u128>());
            acts.push(Act::Send(Iq::request(
                "set",
                &ask_id(visit.outcome),
                Some(&visitor.focus),
                focus::conference_request(&visit.room, &uid),
            )));
            self.current = Some(Current {
                visit,
                step: Step::Asking,
                deadline: now + VISIT_TIMEOUT,
            });
            break;
        }
        acts
    }

    /// An IQ came: the focus's answer to the conference request. True when it
    /// was the visit's.
    pub fn on_iq(&mut self, visitor: &Visitor, element: &Element, acts: &mut Vec<Act>) -> bool {
        let Some(current) = self.current.as_mut() else {
            return false;
        };
        if current.step != Step::Asking
            || element.get_attr("id") != Some(ask_id(current.visit.outcome).as_str())
        {
            return false;
        }
        let ready = match Iq::parse(element) {
            Ok(Iq {
                kind: IqKind::Result(Some(payload)),
                ..
            }) => ConferenceReply::parse(&payload)
                .map(|r| r.ready)
                .map_err(|e| e.to_string()),
            Ok(iq) => Err(iq.error_condition().unwrap_or_else(|| "no answer".into())),
            Err(e) => Err(e.to_string()),
        };
        match ready {
            Ok(true) => {
                let occupant = format!("{}/{}", current.visit.room, visitor.nick);
                let join = muc::join(&occupant, Some(&visitor.display_name));
                acts.push(Act::Send(if visitor.robot {
                    muc::as_robot(join)
                } else {
                    join
                }));
                current.step = Step::Joining;
            }
            Ok(false) => self.fail("not-ready".into(), visitor, acts),
            Err(condition) => self.fail(condition, visitor, acts),
        }
        true
    }

    /// A presence from the room being visited.
    pub fn on_presence(&mut self, visitor: &Visitor, element: &Element, acts: &mut Vec<Act>) {
        let Some(current) = self.current.as_mut() else {
            return;
        };
        let from = element.get_attr("from").unwrap_or_default();
        if jid::resource(from) != Some(visitor.nick.as_str()) {
            return; // Someone else in the room.
        }
        if element.get_attr("type") == Some("error") {
            let condition = stanza::error_condition(element);
            // Not in the room: nothing to leave.
            let visit = self.current.take().map(|c| c.visit);
            if let Some(visit) = visit {
                acts.push(Act::Settle(visit.outcome, refused(condition)));
            }
            return;
        }
        let Ok(presence) = MucPresence::parse(element) else {
            return;
        };
        if current.step == Step::Joining && presence.is_self() && presence.available {
            acts.push(Act::Send(muc::groupchat(
                &current.visit.room,
                &say_id(current.visit.outcome),
                &current.visit.text,
                &visitor.display_name,
            )));
            current.step = Step::Saying;
        } else if presence.is_self() && !presence.available {
            // Put out of the room (it was removed, say) before the message came back.
            if let Some(visit) = self.current.take().map(|c| c.visit) {
                acts.push(Act::Settle(
                    visit.outcome,
                    OutcomeState::Failed {
                        reason: FailReason::NoRoom,
                    },
                ));
            }
        }
    }

    /// A message: the room sending ours back (delivered), or refusing it.
    /// True when it was the visit's.
    pub fn on_message(
        &mut self,
        visitor: &Visitor,
        element: &Element,
        acts: &mut Vec<Act>,
    ) -> bool {
        let Some(current) = self.current.as_ref() else {
            return false;
        };
        let from = element.get_attr("from").unwrap_or_default();
        if current.step != Step::Saying
            || jid::bare(from) != current.visit.room
            || element.get_attr("id") != Some(say_id(current.visit.outcome).as_str())
        {
            return false;
        }
        if element.get_attr("type") == Some("error") {
            let condition = stanza::error_condition(element);
            self.fail(condition, visitor, acts);
        } else if jid::resource(from) == Some(visitor.nick.as_str()) {
            let outcome = current.visit.outcome;
            self.leave(visitor, acts);
            acts.push(Act::Settle(outcome, OutcomeState::Done));
        }
        true
    }

    /// Gives up on a visit that took too long.
    pub fn expire(&mut self, visitor: &Visitor, now: Instant, acts: &mut Vec<Act>) {
        if self.current.as_ref().is_some_and(|c| now >= c.deadline) {
            let outcome = self.current.as_ref().map(|c| c.visit.outcome);
            self.leave(visitor, acts);
            if let Some(outcome) = outcome {
                acts.push(Act::Settle(
                    outcome,
                    OutcomeState::Failed {
                        reason: FailReason::NotConfirmed(VISIT_TIMEOUT.as_secs()),
                    },
                ));
            }
        }
    }

    /// The link was lost: every message not delivered fails. Their outcomes.
    pub fn drop_all(&mut self) -> Vec<u64> {
        self.current
            .take()
            .map(|c| c.visit)
            .into_iter()
            .chain(self.queue.drain(..))
            .map(|v| v.outcome)
            .collect()
    }

    fn fail(&mut self, condition: String, visitor: &Visitor, acts: &mut Vec<Act>) {
        let outcome = self.current.as_ref().map(|c| c.visit.outcome);
        self.leave(visitor, acts);
        if let Some(outcome) = outcome {
            acts.push(Act::Settle(outcome, refused(condition)));
        }
    }

    /// Ends the current visit, leaving the room if the join went out.
    fn leave(&mut self, visitor: &Visitor, acts: &mut Vec<Act>) {
        if let Some(current) = self.current.take()
            && current.step != Step::Asking
        {
            let occupant = format!("{}/{}", current.visit.room, visitor.nick);
            acts.push(Act::Send(muc::leave(&occupant, None)));
        }
    }
}

/// Trims and checks a message's text: 1 to [`MAX_MESSAGE_CHARS`] characters,
/// lines and tabs but no other control characters, no text-direction
/// controls or noncharacters.
pub fn message_text(raw: &str) -> Result<String, Refusal> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(Refusal::BadMessage(NameProblem::Empty));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(Refusal::BadMessage(NameProblem::TooLong {
            max: MAX_MESSAGE_CHARS,
        }));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Refusal::BadMessage(NameProblem::Control));
    }
    if text.chars().any(is_bidi_control) {
        return Err(Refusal::BadMessage(NameProblem::TextDirection));
    }
    if text.chars().any(is_noncharacter) {
        return Err(Refusal::BadMessage(NameProblem::Noncharacter));
    }
    Ok(text.to_owned())
}

fn refused(condition: String) -> OutcomeState {
    OutcomeState::Failed {
        reason: FailReason::Refused(condition),
    }
}

fn ask_id(outcome: u64) -> String {
    format!("visit{outcome}")
}

fn say_id(outcome: u64) -> String {
    format!("say{outcome}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOM: &str = "5539da70@breakout.meet.test";

    fn visitor() -> Visitor {
        Visitor {
            nick: "31b355df".into(),
            display_name: "Moderator Panel".into(),
            robot: true,
            focus: "focus.meet.test".into(),
        }
    }

    fn sent(acts: &[Act]) -> Vec<String> {
        acts.iter()
            .filter_map(|a| match a {
                Act::Send(e) => Some(e.to_xml()),
                Act::Settle(..) => None,
            })
            .collect()
    }

    fn settled(acts: &[Act]) -> Vec<(u64, OutcomeState)> {
        acts.iter()
            .filter_map(|a| match a {
                Act::Settle(id, state) => Some((*id, state.clone())),
                Act::Send(_) => None,
            })
            .collect()
    }

    fn stanza(xml: &str) -> Element {
        Element::parse(xml).unwrap()
    }

    #[test]
    fn enters_says_and_leaves_when_the_room_sends_the_message_back() {
        let v = visitor();
        let mut visits = Visits::default();
        visits.push(7, ROOM.into(), "2 minutes left".into());
        let now = Instant::now();
        let acts = visits.next(&v, |_| true, now);
        let out = sent(&acts);
        assert!(out[0].contains("<conference xmlns=\"http://jitsi.org/protocol/focus\""));
        assert!(out[0].contains(&format!("room=\"{ROOM}\"")));
        assert!(visits.is_visiting(ROOM));

        let mut acts = Vec::new();
        let answer = stanza(
            "<iq xmlns='jabber:client' type='result' id='visit7' from='focus.meet.test'>\
             <conference xmlns='http://jitsi.org/protocol/focus' ready='true' room='5539da70@breakout.meet.test'/></iq>",
        );
        assert!(visits.on_iq(&v, &answer, &mut acts));
        assert!(sent(&acts)[0].contains(&format!("to=\"{ROOM}/31b355df\"")));
        assert!(sent(&acts)[0].contains("robot=\"true\""));

        let mut acts = Vec::new();
        // Someone else's presence is not ours.
        visits.on_presence(
            &v,
            &stanza(&format!(
                "<presence xmlns='jabber:client' from='{ROOM}/aaaa0001'>\
                 <x xmlns='http://jabber.org/protocol/muc#user'><item role='participant'/></x></presence>"
            )),
            &mut acts,
        );
        assert!(acts.is_empty());
        visits.on_presence(
            &v,
            &stanza(&format!(
                "<presence xmlns='jabber:client' from='{ROOM}/31b355df'>\
                 <x xmlns='http://jabber.org/protocol/muc#user'><item role='moderator' affiliation='owner'/>\
                 <status code='110'/></x></presence>"
            )),
            &mut acts,
        );
        let out = sent(&acts);
        assert!(
            out[0].contains("type=\"groupchat\"") && out[0].contains("<body>2 minutes left</body>")
        );

        let mut acts = Vec::new();
        let echo = stanza(&format!(
            "<message xmlns='jabber:client' type='groupchat' id='say7' from='{ROOM}/31b355df'>\
             <body>2 minutes left</body></message>"
        ));
        assert!(visits.on_message(&v, &echo, &mut acts));
        assert!(sent(&acts)[0].contains("type=\"unavailable\""));
        assert_eq!(settled(&acts), vec![(7, OutcomeState::Done)]);
        assert!(visits.is_empty());
    }

    #[test]
    fn an_empty_room_gets_nothing_and_a_refusal_or_silence_fails_the_message() {
        let v = visitor();
        let mut visits = Visits::default();
        visits.push(1, "empty@breakout.meet.test".into(), "hi".into());
        visits.push(2, ROOM.into(), "hi".into());
        let now = Instant::now();
        let acts = visits.next(&v, |room| room == ROOM, now);
        assert_eq!(
            settled(&acts),
            vec![(
                1,
                OutcomeState::Failed {
                    reason: FailReason::Empty
                }
            )]
        );
        let mut acts = Vec::new();
        let refusal = stanza(
            "<iq xmlns='jabber:client' type='error' id='visit2' from='focus.meet.test'>\
             <error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        );
        assert!(visits.on_iq(&v, &refusal, &mut acts));
        // Not joined: nothing to leave.
        assert!(sent(&acts).is_empty());
        assert_eq!(
            settled(&acts),
            vec![(
                2,
                OutcomeState::Failed {
                    reason: FailReason::Refused("not-allowed".into())
                }
            )]
        );

        visits.push(3, ROOM.into(), "hi".into());
        visits.next(&v, |_| true, now);
        let mut acts = Vec::new();
        visits.expire(&v, now + VISIT_TIMEOUT, &mut acts);
        assert_eq!(
            settled(&acts),
            vec![(
                3,
                OutcomeState::Failed {
                    reason: FailReason::NotConfirmed(VISIT_TIMEOUT.as_secs())
                }
            )]
        );
        visits.push(4, ROOM.into(), "hi".into());
        visits.push(5, ROOM.into(), "hi".into());
        visits.next(&v, |_| true, now);
        assert_eq!(visits.drop_all(), vec![4, 5]);
    }

    #[test]
    fn message_texts_are_checked() {
        assert_eq!(
            message_text("  Two minutes left\r\nPick a speaker "),
            Ok("Two minutes left\nPick a speaker".into())
        );
        assert_eq!(
            message_text(" "),
            Err(Refusal::BadMessage(NameProblem::Empty))
        );
        assert!(matches!(
            message_text(&"x".repeat(MAX_MESSAGE_CHARS + 1)),
            Err(Refusal::BadMessage(NameProblem::TooLong { .. }))
        ));
        assert_eq!(
            message_text("a\u{7}b"),
            Err(Refusal::BadMessage(NameProblem::Control))
        );
        assert_eq!(
            message_text("a\u{202E}b"),
            Err(Refusal::BadMessage(NameProblem::TextDirection))
        );
        assert_eq!(
            message_text("a\u{FFFF}b"),
            Err(Refusal::BadMessage(NameProblem::Noncharacter))
        );
    }
}
