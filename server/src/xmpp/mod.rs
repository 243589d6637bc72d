//! XMPP for talking to a Jitsi deployment: elements, addresses and namespaces.

pub mod jid;
pub mod ns;
pub mod sasl;
pub mod stanza;
pub mod transport;
pub mod xml;
