//! One client connection: reads request lines, answers them, and pushes events once subscribed.
//!
//! Requests are handled in the order they arrive, so commands reach the core in the order the
//! client sent them. Only waiting for the core's answer (`history`) runs beside the loop; its
//! response may therefore come after later responses, which the ids tell apart.
//!
//! The connection is any pair of byte-stream halves: a Unix socket's, or a named pipe's on
//! Windows; everything here is the same code for both.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufWriter};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinSet;

use super::access::Denied;
use super::methods::{Method, RosterView, StatusView};
use super::protocol::{
    ErrorBody, ErrorCode, Frame, LineDecoder, Request, RequestId, Response, MAX_LINE_BYTES,
};
use super::server::Shared;
use super::session_desk::{AccessHandle, SessionDesk};
use crate::command::{new_message_id, Command};
use crate::core::EventReceiver;
use crate::event::Event;
use crate::model::BareJid;

/// Lines waiting for a slow client; a subscriber this far behind is disconnected.
const OUTBOX_LINES: usize = 1024;

struct Connection {
    shared: Arc<Shared>,
    out: mpsc::Sender<String>,
    /// Set when the subscriber fell too far behind.
    lagged: Arc<Notify>,
    subscribed: bool,
    /// The event forwarder: aborted when the client goes.
    forwarder: JoinSet<()>,
    /// Requests waiting for the core (history): allowed to finish after the client's EOF.
    pending: JoinSet<()>,
    /// The session methods, with the connection's lock and scope.
    desk: SessionDesk,
}

/// Serves one client, which sends on `reader` and is answered on `writer`, until it
/// disconnects or the server stops.
pub(super) async fn run(
    mut reader: impl AsyncRead + Unpin,
    writer: impl AsyncWrite + Unpin + Send + 'static,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let (out, lines) = mpsc::channel(OUTBOX_LINES);
    let writer = tokio::spawn(write_lines(writer, lines));
    let mut connection = Connection {
        desk: SessionDesk::new(shared.clone()),
        shared,
        out,
        lagged: Arc::new(Notify::new()),
        subscribed: false,
        forwarder: JoinSet::new(),
        pending: JoinSet::new(),
    };
    let lagged = connection.lagged.clone();
    let mut decoder = LineDecoder::new(MAX_LINE_BYTES);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut frames = Vec::new();
    loop {
        let mut finished_reading = false;
        tokio::select! {
            _ = stopped.changed() => break,
            () = lagged.notified() => {
                tracing::info!("closing an API subscriber that stopped reading");
                break;
            }
            read = reader.read(&mut chunk) => match read {
                Ok(0) | Err(_) => {
                    frames.extend(decoder.finish());
                    finished_reading = true;
                }
                Ok(n) => decoder.feed(&chunk[..n], &mut frames),
            },
        }
        for frame in frames.drain(..) {
            connection.handle(frame).await;
        }
        if finished_reading {
            // The client is gone or half-closed: stop its events, let pending answers go out.
            connection.forwarder.abort_all();
            while connection.pending.join_next().await.is_some() {}
            drop(connection);
            let _ = writer.await;
            return;
        }
    }
    // Stopping, or a client that does not read: a write blocked on its full socket must not
    // keep the connection alive.
    writer.abort();
}

async fn write_lines(writer: impl AsyncWrite + Unpin, mut lines: mpsc::Receiver<String>) {
    let mut writer = BufWriter::new(writer);
    while let Some(line) = lines.recv().await {
        let written = async {
            writer.write_all(line.as_bytes()).await?;
            writer.write_all(b"\n").await?;
            // Flush only when nothing else waits, so bursts of events go out together.
            if lines.is_empty() {
                writer.flush().await?;
            }
            std::io::Result::Ok(())
        };
        if written.await.is_err() {
            return;
        }
    }
    let _ = writer.shutdown().await;
}

impl Connection {
    async fn handle(&mut self, frame: Frame) {
        let response = match frame {
            Frame::TooLong => Some(Response::error(
                None,
                ErrorBody::new(
                    ErrorCode::LineTooLong,
                    format!("the line is longer than {MAX_LINE_BYTES} bytes and was skipped"),
                ),
            )),
            // Blank lines are harmless (e.g. a trailing newline from a shell); ignore them.
            Frame::Line(line) if line.iter().all(u8::is_ascii_whitespace) => None,
            Frame::Line(line) => match Request::parse(&line) {
                Err(rejection) => Some(Response::error(rejection.id, rejection.error)),
                Ok(request) => match Method::from_request(&request) {
                    Err(error) => Some(Response::error(Some(request.id), error)),
                    Ok(method) => self.dispatch(request.id, method).await,
                },
            },
        };
        if let Some(response) = response {
            let _ = self.out.send(response.to_line()).await;
        }
    }

    /// Carries out a method; `None` when the response is sent later or already was.
    async fn dispatch(&mut self, id: RequestId, method: Method) -> Option<Response> {
        let access = self.desk.access().get();
        let allowed = match &method {
            // The session methods check the lock and the scope themselves.
            Method::Session(_) => Ok(()),
            Method::Subscribe => access.events(),
            _ => access.account(),
        };
        if let Err(denied) = allowed {
            return Some(Response::error(Some(id), refusal(denied)));
        }
        let outcome = match method {
            Method::Status => Ok(to_value(self.shared.with_state(StatusView::of))),
            Method::Roster => Ok(to_value(self.shared.with_state(RosterView::of))),
            Method::Send { to, body } => {
                let message_id = new_message_id();
                let command = Command::SendMessage {
                    id: message_id.clone(),
                    to,
                    body,
                };
                self.command(command).map(|_| json!({ "id": message_id }))
            }
            Method::Presence {
                availability,
                status,
            } => self.command(Command::SetPresence {
                availability,
                status,
            }),
            Method::ContactAdd { jid, name, groups } => {
                self.command(Command::AddContact { jid, name, groups })
            }
            Method::ContactRemove { jid } => self.command(Command::RemoveContact { jid }),
            Method::ContactApprove { jid } => self.command(Command::ApproveSubscription { jid }),
            Method::ContactDeny { jid } => self.command(Command::DenySubscription { jid }),
            Method::History { peer, limit } => return self.history(id, peer, limit),
            Method::Avatar(command) => self.command(command),
            Method::Open { link } => self.command(Command::Open { link }),
            Method::Subscribe => return self.subscribe(id).await,
            Method::Session(method) => self.desk.call(method),
        };
        Some(match outcome {
            Ok(result) => Response::result(id, result),
            Err(error) => Response::error(Some(id), error),
        })
    }

    /// Queues a command for the core; the result `{}` means "queued", not "done".
    fn command(&self, command: Command) -> Result<Value, ErrorBody> {
        if self.shared.commands.send(command) {
            Ok(json!({}))
        } else {
            Err(ErrorBody::new(
                ErrorCode::CoreStopped,
                "Nudge's core has stopped, so the request was not carried out",
            ))
        }
    }

    fn history(&mut self, id: RequestId, peer: BareJid, limit: usize) -> Option<Response> {
        // Subscribe before asking, so the answer cannot slip past.
        let receiver = self.shared.events.subscribe(None);
        let command = Command::LoadHistory {
            peer: peer.clone(),
            limit,
        };
        if let Err(error) = self.command(command) {
            return Some(Response::error(Some(id), error));
        }
        let timeout = self.shared.options.history_timeout;
        let out = self.out.clone();
        self.pending.spawn(async move {
            let waited = tokio::time::timeout(timeout, history_for(receiver, &peer)).await;
            let response = match waited {
                Ok(Some(mut messages)) => {
                    // Another client may have asked for more of the same conversation.
                    let excess = messages.len().saturating_sub(limit);
                    messages.drain(..excess);
                    Response::result(id, json!({ "peer": peer, "messages": messages }))
                }
                Ok(None) => Response::error(
                    Some(id),
                    ErrorBody::new(ErrorCode::CoreStopped, "Nudge's core has stopped"),
                ),
                Err(_) => Response::error(
                    Some(id),
                    ErrorBody::new(
                        ErrorCode::Timeout,
                        format!(
                            "the history of {peer} did not arrive within {} s",
                            timeout.as_secs_f32()
                        ),
                    ),
                ),
            };
            let _ = out.send(response.to_line()).await;
        });
        None
    }

    async fn subscribe(&mut self, id: RequestId) -> Option<Response> {
        if self.subscribed {
            return Some(Response::result(id, json!({})));
        }
        self.subscribed = true;
        // Subscribe before answering and queue the answer first: no event is lost, and none
        // arrives before the answer.
        let receiver = self.shared.events.subscribe(None);
        let _ = self
            .out
            .send(Response::result(id, json!({})).to_line())
            .await;
        let out = self.out.clone();
        let lagged = self.lagged.clone();
        let access = self.desk.access();
        self.forwarder
            .spawn(forward_events(receiver, out, lagged, access));
        None
    }
}

async fn history_for(
    mut receiver: EventReceiver,
    peer: &BareJid,
) -> Option<Vec<crate::model::ChatMessage>> {
    while let Some(event) = receiver.next().await {
        if let Event::HistoryLoaded {
            peer: loaded,
            messages,
        } = event
        {
            if loaded == *peer {
                return Some(messages);
            }
        }
    }
    None
}

async fn forward_events(
    mut receiver: EventReceiver,
    out: mpsc::Sender<String>,
    lagged: Arc<Notify>,
    access: AccessHandle,
) {
    while let Some(event) = receiver.next().await {
        // Checked per event: the connection may unlock (and narrow its view) after subscribing.
        if !access.admits(&event) {
            continue;
        }
        let Some(line) = super::event_line(&event) else {
            continue;
        };
        match out.try_send(line) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                lagged.notify_one();
                return;
            }
            Err(mpsc::error::TrySendError::Closed(_)) => return,
        }
    }
}

/// The answer to a method the connection's access does not allow.
fn refusal(denied: Denied) -> ErrorBody {
    match denied {
        Denied::Locked => ErrorBody::new(
            ErrorCode::Locked,
            "unlock the connection first: messages, contacts, presence and events need the \
             user's ctl token (nudge ctl unlocks by itself)",
        ),
        Denied::Forbidden => ErrorBody::new(
            ErrorCode::Forbidden,
            "this connection is unlocked for Session Invite only; messages, contacts, presence \
             and the user's other events need the user's ctl token",
        ),
    }
}

fn to_value(view: impl serde::Serialize) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

#[cfg(test)]
#[path = "connection_tests.rs"]
mod tests;
