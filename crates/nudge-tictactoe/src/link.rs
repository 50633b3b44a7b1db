//! The game's link to Nudge as two channel ends: the window holds a [`Link`], and the API
//! worker (or a test) holds the [`LinkEnd`]. The window never touches the socket.

use std::sync::Arc;

use tokio::sync::mpsc;

use nudge_api::{EndReason, InviteSession, SessionEvent, SessionNotice};

use super::protocol::Message;

/// Called whenever the link reports an event, so a sleeping window repaints.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// What the link reports to the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkEvent {
    /// Unlocked and subscribed: the game can greet the opponent.
    Joined {
        /// The session as Nudge knows it (boxed: it is much larger than the other reports).
        session: Box<InviteSession>,
    },
    /// The opponent sent context data (not checked yet).
    Data(String),
    /// The session ended on Nudge's side (the opponent left, or it failed).
    Ended {
        /// Why, when Nudge said.
        reason: Option<EndReason>,
    },
    /// Something the game sent was refused or did not arrive; the game goes on.
    SendFailed(String),
    /// The link to Nudge is gone or never came up; a full sentence for the player.
    Lost(String),
}

/// What the window asks the link to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkRequest {
    /// Send this context data to the opponent.
    Send(String),
    /// End the session and close the connection.
    End,
}

/// The window's end of the link.
#[derive(Debug)]
pub struct Link {
    requests: mpsc::UnboundedSender<LinkRequest>,
    events: mpsc::UnboundedReceiver<LinkEvent>,
}

impl Link {
    /// Sends a protocol message to the opponent; `false` when the link is gone.
    pub fn send(&self, message: Message) -> bool {
        self.requests
            .send(LinkRequest::Send(message.to_string()))
            .is_ok()
    }

    /// Ends the session; `false` when the link is already gone.
    pub fn end(&self) -> bool {
        self.requests.send(LinkRequest::End).is_ok()
    }

    /// The next report waiting, without blocking.
    pub fn try_next(&mut self) -> Option<LinkEvent> {
        self.events.try_recv().ok()
    }
}

/// The worker's end of the link: it reports events (waking the window) and takes requests.
pub struct LinkEnd {
    requests: mpsc::UnboundedReceiver<LinkRequest>,
    events: mpsc::UnboundedSender<LinkEvent>,
    wake: Waker,
}

impl std::fmt::Debug for LinkEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkEnd").finish_non_exhaustive()
    }
}

impl LinkEnd {
    /// Reports `event` to the window and wakes it; `false` when the window is gone.
    pub fn emit(&self, event: LinkEvent) -> bool {
        let delivered = self.events.send(event).is_ok();
        if delivered {
            (self.wake)();
        }
        delivered
    }

    /// The window's next request; `None` once the window dropped its [`Link`].
    pub async fn next_request(&mut self) -> Option<LinkRequest> {
        self.requests.recv().await
    }

    /// A request already waiting, without blocking (for tests).
    pub fn try_request(&mut self) -> Option<LinkRequest> {
        self.requests.try_recv().ok()
    }
}

/// A connected pair; `wake` is called whenever an event is reported (give it
/// `ctx.request_repaint`, so an idle window sleeps until something arrives).
pub fn link(wake: Waker) -> (Link, LinkEnd) {
    let (request_tx, requests) = mpsc::unbounded_channel();
    let (event_tx, events) = mpsc::unbounded_channel();
    (
        Link {
            requests: request_tx,
            events,
        },
        LinkEnd {
            requests,
            events: event_tx,
            wake,
        },
    )
}

/// What an event line from the API means for the game in session `session_id`, if anything.
/// Events of other sessions and of other kinds are dropped.
pub fn translate(line: serde_json::Value, session_id: &str) -> Option<LinkEvent> {
    match SessionNotice::read(line)? {
        SessionNotice::SessionEvent { session, detail } if session == session_id => match detail {
            SessionEvent::OnContextData { data } => Some(LinkEvent::Data(data)),
            SessionEvent::OnTermination { reason } => Some(LinkEvent::Ended {
                reason: Some(reason),
            }),
            SessionEvent::OnCancelled => Some(LinkEvent::Ended {
                reason: Some(EndReason::Cancel),
            }),
            SessionEvent::OnSendError { message } => Some(LinkEvent::SendFailed(message)),
            _ => None,
        },
        SessionNotice::SessionUpdated { session }
            if session.id == session_id && session.state.is_final() =>
        {
            Some(LinkEvent::Ended {
                reason: session.end_reason,
            })
        }
        _ => None,
    }
}
