//! The executor's side of the link: a connection attempt in the background, the signed-in
//! stream, and what a lost stream leaves to resume.

use tokio::task::JoinHandle;
use tokio_xmpp::parsers::jid::FullJid;
use tokio_xmpp::xmlstream::Timeouts;
use tokio_xmpp::Stanza;

use crate::config::AccountConfig;
use crate::core::account::{ConnectFailure, Connected, Input};
use crate::core::connect::{self, ConnectError};
use crate::core::session::{Incoming, Session, Started};
use crate::core::sm::{StreamManagement, Tracked};
use crate::secret::Secret;

/// How long binding or resuming may take before the attempt counts as failed.
const START_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

type Outcome = Result<(Session, Started), ConnectError>;
type Attempt = JoinHandle<Outcome>;

/// What happened on the link, before anything was done about it.
pub(super) enum Happened {
    /// Connection attempt `number` ended.
    Attempt(u64, Box<Result<Outcome, tokio::task::JoinError>>),
    /// The stream read something.
    Read(Incoming),
}

/// The link as the executor holds it.
#[derive(Default)]
pub(super) struct Stream {
    /// The attempt in progress and its number.
    attempt: Option<(u64, Attempt)>,
    /// The signed-in stream.
    session: Option<Session>,
    /// What a lost stream left to resume (XEP-0198).
    resumable: Option<(FullJid, StreamManagement)>,
}

impl Stream {
    /// Starts attempt `number`, dropping any attempt or stream there was.
    pub fn connect(
        &mut self,
        number: u64,
        account: AccountConfig,
        password: Secret,
        resource: String,
        resume: bool,
        timeouts: Timeouts,
    ) {
        if let Some((_, attempt)) = self.attempt.take() {
            attempt.abort();
        }
        self.session = None;
        let previous = match resume {
            true => self.resumable.take(),
            false => None,
        };
        self.resumable = None;
        let attempt = tokio::spawn(async move {
            let auth = connect::connect(&account, password.expose(), timeouts).await?;
            // Binding or resuming must not hang on a server that stops answering.
            tokio::time::timeout(START_TIMEOUT, Session::start(auth, previous, &resource))
                .await
                .map_err(|_| ConnectError::Timeout)?
        });
        self.attempt = Some((number, attempt));
    }

    /// Waits for the link: an attempt's outcome, or what the stream read. Cancel-safe: it
    /// only waits; [`Stream::settle`] acts on what it returns.
    pub async fn next(&mut self) -> Happened {
        if let Some((number, attempt)) = &mut self.attempt {
            let number = *number;
            let outcome = attempt.await;
            self.attempt = None;
            return Happened::Attempt(number, Box::new(outcome));
        }
        match &mut self.session {
            Some(session) => Happened::Read(session.read().await),
            None => std::future::pending().await,
        }
    }

    /// Acts on what [`Stream::next`] returned: keeps a new stream (resending what a resumed
    /// one had not delivered), answers ack requests; returns what the account must decide on.
    pub async fn settle(&mut self, happened: Happened) -> Option<Input> {
        let incoming = match happened {
            Happened::Attempt(number, outcome) => {
                return Some(match *outcome {
                    Ok(Ok((session, started))) => self.started(number, session, started).await,
                    Ok(Err(error)) => Input::ConnectFailed {
                        attempt: number,
                        failure: failure(error),
                    },
                    Err(error) => Input::ConnectFailed {
                        attempt: number,
                        failure: ConnectFailure::Retryable {
                            reason: format!("the connection attempt stopped ({error})"),
                        },
                    },
                })
            }
            Happened::Read(incoming) => incoming,
        };
        match incoming {
            Incoming::Stanza(stanza) => Some(Input::Stanza(stanza)),
            Incoming::Malformed(malformed) => Some(Input::Malformed(malformed)),
            Incoming::Acked(done) => Some(Input::Acked(done)),
            Incoming::AckRequested => {
                let session = self.session.as_mut()?;
                match session.send_ack().await {
                    Ok(()) => None,
                    Err(lost) => Some(self.lost(lost.to_string())),
                }
            }
            Incoming::Idle => Some(Input::Idle),
            Incoming::Closed(reason) => Some(self.lost(reason)),
        }
    }

    /// A new stream: resend what a resumed one had not delivered, then report it.
    async fn started(&mut self, number: u64, mut session: Session, started: Started) -> Input {
        let mut in_flight = Vec::new();
        let resumed = match started {
            Started::Fresh => false,
            Started::Resumed(resend) => {
                for (stanza, tracked) in resend {
                    if let Some(tracked) = &tracked {
                        in_flight.push(tracked.clone());
                    }
                    if let Err(lost) = session.send(stanza, tracked).await {
                        let reason = lost.to_string();
                        self.resumable = session.into_resumable();
                        return Input::ConnectFailed {
                            attempt: number,
                            failure: ConnectFailure::Retryable { reason },
                        };
                    }
                }
                true
            }
        };
        let connected = Connected {
            attempt: number,
            jid: session.jid.clone(),
            resumed,
            stream_management: session.sm.is_some(),
            in_flight,
        };
        self.session = Some(session);
        Input::Connected(connected)
    }

    /// The stream broke: keep what can resume it.
    fn lost(&mut self, reason: String) -> Input {
        if let Some(session) = self.session.take() {
            self.resumable = session.into_resumable();
        }
        Input::Disconnected { reason }
    }

    /// Writes a stanza; a broken stream is reported as lost. A tracked message written on a
    /// stream without stream management is reported as written at once.
    pub async fn send(&mut self, stanza: Stanza, tracked: Option<Tracked>) -> Option<Input> {
        let session = self.session.as_mut()?;
        let written = tracked.clone().filter(|_| session.sm.is_none());
        match session.send(stanza, tracked).await {
            Ok(()) => written.map(Input::Written),
            Err(lost) => Some(self.lost(lost.to_string())),
        }
    }

    /// Asks the server to acknowledge what it handled.
    pub async fn request_ack(&mut self) -> Option<Input> {
        let session = self.session.as_mut()?;
        match session.request_ack().await {
            Ok(()) => None,
            Err(lost) => Some(self.lost(lost.to_string())),
        }
    }

    /// Closes the stream politely (or drops the attempt); nothing is left to resume.
    pub async fn close(&mut self) {
        if let Some((_, attempt)) = self.attempt.take() {
            attempt.abort();
        }
        if let Some(session) = self.session.take() {
            session.close().await;
        }
        self.resumable = None;
    }
}

/// What a connection error means for deciding what next.
fn failure(error: ConnectError) -> ConnectFailure {
    match error {
        ConnectError::AuthFailed(message) => ConnectFailure::AuthFailed { message },
        ConnectError::CertificateRejected {
            fingerprint,
            message,
        } => ConnectFailure::CertificateRejected {
            fingerprint,
            message,
        },
        error if error.is_retryable() => ConnectFailure::Retryable {
            reason: error.to_string(),
        },
        error => ConnectFailure::Fatal {
            message: error.to_string(),
        },
    }
}
