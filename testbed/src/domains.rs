//! The test meeting's XMPP domains, all derived from one base domain.

/// The localpart of the panel's account.
pub const PANEL_USER: &str = "panel";

/// The addresses of one Jitsi-like deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domains {
    /// Anonymous login (`meet.test`).
    pub xmpp: String,
    /// Accounts, the focus among them (`auth.meet.test`).
    pub auth: String,
    /// Main MUC (`conference.meet.test`).
    pub muc: String,
    /// Breakout MUC (`breakout.meet.test`).
    pub breakout: String,
    /// Where conference requests go (`focus.meet.test`).
    pub focus: String,
    /// The hidden domain (Jitsi's `hiddenDomain`, `recorder.meet.test`): its
    /// accounts are not shown to participants; the panel's account lives here.
    pub hidden: String,
}

impl Domains {
    pub fn new(base: &str) -> Self {
        Self {
            xmpp: base.to_owned(),
            auth: format!("auth.{base}"),
            muc: format!("conference.{base}"),
            breakout: format!("breakout.{base}"),
            focus: format!("focus.{base}"),
            hidden: format!("recorder.{base}"),
        }
    }

    /// The focus account.
    pub fn focus_jid(&self) -> String {
        format!("focus@{}", self.auth)
    }

    /// The panel's account on the hidden domain, admin of the MUC components.
    pub fn panel_jid(&self) -> String {
        format!("{PANEL_USER}@{}", self.hidden)
    }

    /// The main room's JID for a meeting name (lowercased, as Jitsi does).
    pub fn room_jid(&self, room: &str) -> String {
        format!("{}@{}", room.to_lowercase(), self.muc)
    }
}
