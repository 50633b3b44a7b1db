//! Who may use the session methods on a connection: the three ways to unlock, and the scope each
//! one grants.
//!
//! Pure code. A connection starts [`Access::Locked`]; one successful `unlock` turns it into
//! [`Access::Unlocked`] with a [`Scope`], and a second `unlock` is refused (the seeds'
//! `MSGR_E_API_ALREADY_UNLOCKED`). The secrets compared here (launch cookies, the ctl token, the
//! app-key response) never appear in error messages.

use std::collections::BTreeSet;

pub use nudge_api::key::{key_response, key_response_matches, usable_key};

use crate::event::Event;
use crate::invite::InviteSession;

pub use nudge_api::client::{ctl_token_path, CTL_TOKEN_FILE};

/// A fresh random secret as 64 lowercase hex digits (244 random bits from the OS generator,
/// as in [`crate::invite::cookies`]).
pub fn random_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Compares two secrets without stopping at the first difference.
pub fn secrets_match(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What an unlocked connection may act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The user's own `nudge ctl` (ctl token): every session.
    Everything,
    /// A registered application that proved its key: every session of its GUID.
    App {
        /// The application's GUID, canonical (uppercase, braces).
        guid: String,
    },
    /// A program Nudge launched (launch cookie): its session and those it created itself.
    Launched {
        /// The session it was launched for.
        launching: String,
        /// Every session it may act on, the launching one included.
        own: BTreeSet<String>,
    },
}

impl Scope {
    /// The scope a launch cookie grants.
    pub fn launched(session: &str) -> Self {
        Self::Launched {
            launching: session.to_string(),
            own: BTreeSet::from([session.to_string()]),
        }
    }

    /// Whether the connection may see and act on `session`.
    pub fn covers(&self, session: &InviteSession) -> bool {
        self.covers_id(&session.id, Some(&session.app_guid))
    }

    /// Like [`Scope::covers`] for a session known only by id and, when known, its app GUID.
    pub fn covers_id(&self, id: &str, app_guid: Option<&str>) -> bool {
        match self {
            Self::Everything => true,
            Self::App { guid } => app_guid.is_some_and(|g| g.eq_ignore_ascii_case(guid)),
            Self::Launched { own, .. } => own.contains(id),
        }
    }

    /// Takes a session the connection created into its scope (only launched programs keep a
    /// list; the other scopes cover it already).
    pub fn adopt(&mut self, id: &str) {
        if let Self::Launched { own, .. } = self {
            own.insert(id.to_string());
        }
    }

    /// The `origin` of invitations this connection sends: the user's ctl acts like the Invite
    /// menu (Nudge launches the inviter's copy too); applications get the events instead.
    pub fn origin(&self) -> crate::invite::Origin {
        match self {
            Self::Everything => crate::invite::Origin::Menu,
            Self::App { .. } | Self::Launched { .. } => crate::invite::Origin::Application,
        }
    }
}

/// A connection's access to the API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Access {
    /// Not unlocked yet: only `apps`, `challenge` and `unlock`.
    #[default]
    Locked,
    /// Unlocked once, for good.
    Unlocked(Scope),
}

/// Why a method is refused on a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// The connection is not unlocked yet.
    Locked,
    /// The connection is unlocked for something narrower.
    Forbidden,
}

impl Access {
    /// The scope, once unlocked.
    pub fn scope(&self) -> Option<&Scope> {
        match self {
            Self::Locked => None,
            Self::Unlocked(scope) => Some(scope),
        }
    }

    /// Whether the connection may use the user's account: status, contacts, messages and
    /// history, presence, the display picture. Only the user's own ctl token grants it: a
    /// program Nudge launched (which a remote invitation can cause) or an application with a
    /// key is unlocked for its Session Invite sessions only, and must not read the user's
    /// conversations over a second connection.
    pub fn account(&self) -> Result<(), Denied> {
        match self {
            Self::Locked => Err(Denied::Locked),
            Self::Unlocked(Scope::Everything) => Ok(()),
            Self::Unlocked(_) => Err(Denied::Forbidden),
        }
    }

    /// Whether the connection may subscribe to events: once unlocked (it then receives what
    /// [`Access::admits`]).
    pub fn events(&self) -> Result<(), Denied> {
        match self {
            Self::Locked => Err(Denied::Locked),
            Self::Unlocked(_) => Ok(()),
        }
    }

    /// Whether a subscriber with this access receives `event`. The ctl token's connections
    /// get everything; a scoped connection gets only the session events of its sessions, and
    /// a locked one nothing. `app_guid_of` finds the GUID of a session known only by id.
    pub fn admits(&self, event: &Event, app_guid_of: impl FnOnce(&str) -> Option<String>) -> bool {
        match (self, event) {
            (Self::Locked, _) => false,
            (Self::Unlocked(Scope::Everything), _) => true,
            (Self::Unlocked(scope), Event::SessionUpdated { session }) => scope.covers(session),
            (Self::Unlocked(scope), Event::SessionEvent { session, .. }) => match scope {
                Scope::App { .. } => scope.covers_id(session, app_guid_of(session).as_deref()),
                _ => scope.covers_id(session, None),
            },
            (Self::Unlocked(_), _) => false,
        }
    }
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
