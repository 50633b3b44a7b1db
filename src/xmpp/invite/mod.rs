//! Session Invite on the wire: XEP-0353 Jingle Message Initiation rings every device of a contact,
//! then a XEP-0166 Jingle session carries Nudge's application description, both sides' addresses
//! and the context data, relayed by the server. `docs/session-invite.md` is the full protocol.
//!
//! Pure functions only: builders that validate what Nudge sends and readers that validate what
//! arrives, so nothing from the network reaches a launched program unchecked.
//! - [`jmi`]: the ringing phase, in `<message>` stanzas;
//! - [`session`]: the Jingle session, in `<iq>` stanzas;
//! - [`validate`]: the limits and formats of every value (GUID, https URL, context, ...).

pub mod jmi;
pub mod session;
pub mod validate;
mod wire;

use jid::{FullJid, Jid};

pub use jmi::{
    accept_elsewhere, app_not_present, classify_message, proceed, propose, reject, retract, ringing,
};
pub use session::{
    ack, classify_jingle, out_of_order, refuse, session_accept, session_info, session_initiate,
    session_terminate, unknown_session,
};
pub use validate::{
    validate_address, validate_context, validate_download_url, validate_guid, validate_name,
    validate_sid, MAX_ADDRESS_CHARS, MAX_CONTEXT_BYTES, MAX_NAME_CHARS, MAX_REASON_TEXT_CHARS,
    MAX_SID_LEN, MAX_URL_LEN,
};

/// Nudge's namespace: the application description, context data and its own conditions.
pub const NS: &str = "urn:nudge:session-invite:0";
/// The Jingle transport meaning "the XMPP server relays the data as `session-info`".
pub const NS_RELAY: &str = "urn:nudge:session-invite:relay:0";
/// The name of the one content of every Session Invite Jingle session.
pub const CONTENT_NAME: &str = "app";

/// The disco feature every Nudge client with Session Invite advertises.
pub const FEATURE: &str = NS;

/// The disco feature that says a client can launch the application `guid`.
pub fn app_feature(guid: &str) -> String {
    format!("{NS}:app:{guid}")
}

/// The application GUIDs a contact's client advertises among its disco features.
pub fn apps_in_features<'a>(features: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let prefix = format!("{NS}:app:");
    let mut guids: Vec<String> = features
        .into_iter()
        .filter_map(|f| f.strip_prefix(&prefix))
        .filter(|guid| validate_guid(guid).is_ok())
        .map(str::to_string)
        .collect();
    guids.sort();
    guids.dedup();
    guids
}

/// An invitation to run an application together, as proposed and as offered in the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    /// Session id chosen by the inviter (a UUID), shared by every stanza of the session.
    pub sid: String,
    /// The application's GUID, `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` in capitals.
    pub guid: String,
    /// The application's name, shown to the recipient.
    pub name: String,
    /// Where the recipient can get the application (https only).
    pub download_url: String,
    /// Data for the application, as text; at most [`MAX_CONTEXT_BYTES`] bytes.
    pub context: Option<String>,
    /// The inviter application's address (whatever the application uses, e.g. `host:port`).
    pub address: Option<String>,
}

impl Invitation {
    /// Checks every field against the limits in [`validate`]; builders call this too.
    pub fn validate(&self) -> Result<(), InviteError> {
        validate_sid(&self.sid)?;
        validate_guid(&self.guid)?;
        validate_name(&self.name)?;
        validate_download_url(&self.download_url)?;
        if let Some(context) = &self.context {
            validate_context(context)?;
        }
        if let Some(address) = &self.address {
            validate_address(address)?;
        }
        Ok(())
    }
}

pub use crate::invite::EndReason;

/// Why an invitation or session ended: a `<reason/>` element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// The machine-readable condition.
    pub condition: EndReason,
    /// Words from the other side, cut to [`MAX_REASON_TEXT_CHARS`] and freed of control characters.
    pub text: Option<String>,
    /// The recipient is not accepting invitations (a policy refusal, seeds' "not accepting").
    pub not_accepting: bool,
    /// Set when the wire carried no condition Nudge knows (or several): its name, and
    /// `condition` is then the safe default for the stanza. Builders ignore it.
    pub unrecognised: Option<String>,
}

impl Reason {
    /// A reason with only a condition.
    pub fn new(condition: EndReason) -> Reason {
        Reason {
            condition,
            text: None,
            not_accepting: false,
            unrecognised: None,
        }
    }

    /// The policy refusal: `<decline/>` plus Nudge's `<not-accepting/>`.
    pub fn not_accepting() -> Reason {
        Reason {
            not_accepting: true,
            ..Reason::new(EndReason::Decline)
        }
    }

    /// The same reason with human-readable words.
    pub fn with_text(mut self, text: &str) -> Reason {
        self.text = Some(text.to_owned());
        self
    }
}

/// What an incoming `<message>` means to an invitation (see [`classify_message`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InviteFact {
    /// A contact invites the user: ring (send [`ringing`]) if policy allows.
    Proposed {
        /// The inviting device; answers go there.
        from: FullJid,
        /// What is proposed.
        invitation: Invitation,
    },
    /// The contact's client is showing the invitation.
    Ringing {
        /// The device that rings.
        from: FullJid,
        /// Session id.
        sid: String,
    },
    /// Another of the user's own devices accepted the invitation: stop ringing here.
    AcceptedElsewhere {
        /// That device (ignore it when it is this device: the server echoes to the sender).
        from: Jid,
        /// Session id.
        sid: String,
    },
    /// Another of the user's own devices declined the invitation: stop ringing here.
    DeclinedElsewhere {
        /// That device (ignore it when it is this device).
        from: Jid,
        /// Session id.
        sid: String,
    },
    /// The contact accepted: start the Jingle session with `from`.
    Proceeded {
        /// The device that accepted.
        from: FullJid,
        /// Session id.
        sid: String,
    },
    /// The contact declined (or refused by policy, see [`Reason::not_accepting`]).
    Rejected {
        /// The device that declined.
        from: FullJid,
        /// Session id.
        sid: String,
        /// Why.
        reason: Reason,
    },
    /// The inviter withdrew the invitation (cancel or timeout).
    Retracted {
        /// The inviter's device.
        from: FullJid,
        /// Session id.
        sid: String,
        /// Why.
        reason: Reason,
    },
    /// The contact does not have the application yet (OnAppNotPresent); it may still accept.
    AppNotPresent {
        /// The contact's device.
        from: FullJid,
        /// Session id.
        sid: String,
    },
    /// A Session Invite message Nudge sent bounced (OnSendError).
    SendFailed {
        /// Who the server could not deliver to.
        to: Jid,
        /// Session id.
        sid: String,
        /// Why, in plain words.
        reason: String,
    },
    /// A Session Invite message that breaks the protocol: nothing to show; answer with a
    /// `security-error` reject when `sid` is known and it was a proposal, else just log it.
    Invalid {
        /// Who sent it.
        from: Jid,
        /// The session id, when it could be read.
        sid: Option<String>,
        /// What is wrong.
        error: InviteError,
    },
}

/// What an incoming Jingle `<iq type='set'>` means to a session (see [`classify_jingle`]).
/// Every one must be answered: [`ack`] when the session is known, [`unknown_session`] if not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JingleFact {
    /// The inviter starts the session it proposed (after the user's `proceed`).
    Initiate {
        /// The inviter's device.
        from: FullJid,
        /// What the session is about, with the inviter's address.
        invitation: Invitation,
    },
    /// The recipient accepted the session and gives its address.
    Accept {
        /// The recipient's device.
        from: FullJid,
        /// Session id.
        sid: String,
        /// The application, repeated for checking.
        guid: String,
        /// The recipient application's address.
        address: Option<String>,
    },
    /// Context data from the other side (OnContextData); `None` is a XEP-0166 ping.
    Info {
        /// The other side's device.
        from: FullJid,
        /// Session id.
        sid: String,
        /// The data.
        context: Option<String>,
    },
    /// The other side ended the session.
    Terminate {
        /// The other side's device.
        from: FullJid,
        /// Session id.
        sid: String,
        /// Why.
        reason: Reason,
    },
}

/// What is wrong with an invitation value or stanza, in words the user can be shown.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InviteError {
    /// The application id is not a GUID in the required form.
    #[error("the application id {found:?} is not a GUID like {{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}} in capital letters")]
    BadGuid {
        /// What was given (shortened, printable).
        found: String,
    },
    /// The download address is unusable.
    #[error("the download address is not usable: {why}")]
    BadDownloadUrl {
        /// Why, in words.
        why: &'static str,
    },
    /// The context data is over the limit.
    #[error("the context data is {bytes} bytes; at most {max} are allowed")]
    ContextTooLarge {
        /// Its size in bytes (UTF-8).
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// A text value is longer than allowed.
    #[error("the {what} is longer than {max} characters")]
    TooLong {
        /// Which value.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A required text value is empty.
    #[error("the {what} is empty")]
    Empty {
        /// Which value.
        what: &'static str,
    },
    /// A value holds characters it may not (control characters, or ones XML cannot carry).
    #[error("the {what} contains characters that are not allowed (control characters)")]
    ForbiddenCharacters {
        /// Which value.
        what: &'static str,
    },
    /// The session id is missing or not a usable id.
    #[error("the invitation has no usable session id")]
    BadSid,
    /// A required part is missing.
    #[error("the invitation has no {what}")]
    Missing {
        /// Which part.
        what: &'static str,
    },
    /// A part that may appear once appears several times.
    #[error("the invitation has more than one {what}")]
    Duplicate {
        /// Which part.
        what: &'static str,
    },
    /// Something Nudge does not support (another transport, an unknown session request).
    #[error("the invitation uses {what}, which Nudge does not support")]
    Unsupported {
        /// What, in words.
        what: &'static str,
    },
    /// The stanza came from an address that cannot take part (no device, or a stranger
    /// claiming to be the user's own device).
    #[error("an invitation message came from {from}, which cannot take part in a session")]
    UnexpectedSender {
        /// The address, as sent.
        from: String,
    },
}
