//! Session Invite: every builder round-trips through the readers, and hostile input is refused
//! or kept literal.

mod docs;
mod hostile;
mod jmi;
mod session;

use jid::{BareJid, FullJid, Jid};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::Message;

use super::{iq, message, wire};
use crate::xmpp::invite::Invitation;

/// The sid of the sample invitation.
pub(crate) const SID: &str = "5f0c6c1e-8e55-4e43-9d0a-4c7a1b6f2b10";
/// The GUID of the sample application.
pub(crate) const GUID: &str = "{6B29FC40-CA47-1067-B31D-00DD010662DA}";

/// Alice's device running Nudge (the user the tests sign in as).
pub(crate) fn alice_device() -> FullJid {
    FullJid::new("alice@example.org/nudge-4f2a").unwrap()
}

/// Alice's other device.
pub(crate) fn alice_phone() -> FullJid {
    FullJid::new("alice@example.org/phone").unwrap()
}

/// Bob's device.
pub(crate) fn bob_device() -> FullJid {
    FullJid::new("bob@example.net/laptop").unwrap()
}

/// Bob's account.
pub(crate) fn bob() -> BareJid {
    BareJid::new("bob@example.net").unwrap()
}

/// A complete invitation to Tic-Tac-Toe.
pub(crate) fn invitation() -> Invitation {
    Invitation {
        sid: SID.into(),
        guid: GUID.into(),
        name: "Tic-Tac-Toe".into(),
        download_url: "https://apps.example.com/tictactoe?os=linux".into(),
        context: Some("{\"board\":\"X..O.....\",\"turn\":\"O\"}".into()),
        address: Some("192.0.2.7:4000".into()),
    }
}

/// A message as it arrives: serialised, stamped with `from` by the server and parsed again.
pub(crate) fn arriving(mut stanza: Message, from: &str) -> Message {
    stanza.from = Some(Jid::new(from).unwrap());
    message(&wire(stanza))
}

/// An iq as it arrives from `from`.
pub(crate) fn arriving_iq(stanza: Iq, from: &str) -> Iq {
    let mut arrived = iq(&wire(stanza));
    if let Iq::Set { from: sender, .. } = &mut arrived {
        *sender = Some(Jid::new(from).unwrap());
    }
    arrived
}
