//! The API worker: connects to Nudge's local API, unlocks the launched session, and moves
//! requests and events between the socket and the window's [`Link`](super::link::Link).

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use super::launch::Launch;
use super::link::{translate, LinkEnd, LinkEvent, LinkRequest};
use nudge_api::client::ApiClient;
use nudge_api::{ApiError, InviteSession};

/// How long one request may wait for Nudge's answer before the link counts as lost.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// How long ending the session may take when the game closes.
const END_TIMEOUT: Duration = Duration::from_secs(3);

/// Runs the worker on its own thread (with a small runtime) until the session ends, the link
/// is lost, or the window drops its `Link`.
pub fn spawn(launch: Launch, end: LinkEnd) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("nudge-api".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    end.emit(LinkEvent::Lost(format!(
                        "The game could not start its connection to Nudge: {error}."
                    )));
                    return;
                }
            };
            runtime.block_on(run(&launch.api_socket, &launch.cookie, end));
        })
}

/// Connects, unlocks with `cookie`, fetches the session, subscribes, then serves the link.
pub async fn run(socket: &Path, cookie: &str, mut end: LinkEnd) {
    let (mut client, session) = match open(socket, cookie).await {
        Ok(opened) => opened,
        Err(error) => {
            end.emit(LinkEvent::Lost(starting_words(&error)));
            return;
        }
    };
    let id = session.id.clone();
    let already_over = session.state.is_final().then_some(session.end_reason);
    end.emit(LinkEvent::Joined {
        session: Box::new(session),
    });
    if let Some(reason) = already_over {
        end.emit(LinkEvent::Ended { reason });
    }
    loop {
        tokio::select! {
            request = end.next_request() => match request {
                Some(LinkRequest::Send(data)) => {
                    let params = json!({"session": id, "data": data});
                    match timed(client.call("send_context_data", params)).await {
                        Ok(_) => {}
                        Err(ApiError::Remote { message, .. }) => {
                            end.emit(LinkEvent::SendFailed(message));
                        }
                        Err(error) => {
                            end.emit(LinkEvent::Lost(lost_words(&error)));
                            return;
                        }
                    }
                }
                Some(LinkRequest::End) | None => {
                    // The session may already be over (the opponent left): then Nudge says
                    // invalid_state, which changes nothing for a game that is closing.
                    let params = json!({"session": id});
                    let ended = tokio::time::timeout(END_TIMEOUT, client.call("end_session", params));
                    if let Ok(Err(error)) = ended.await {
                        tracing::info!("ending the session: {error}");
                    }
                    return;
                }
            },
            line = client.next_event() => match line {
                Ok(Some(line)) => {
                    if let Some(event) = translate(line, &id) {
                        end.emit(event);
                    }
                }
                Ok(None) => {
                    end.emit(LinkEvent::Lost(lost_words(&ApiError::Closed)));
                    return;
                }
                Err(error) => {
                    end.emit(LinkEvent::Lost(lost_words(&error)));
                    return;
                }
            },
        }
    }
}

/// The steps before the game can start: connect, unlock, fetch the session, subscribe.
async fn open(socket: &Path, cookie: &str) -> Result<(ApiClient, InviteSession), ApiError> {
    let mut client = timed(ApiClient::connect(socket)).await?;
    timed(client.call("unlock", json!({ "cookie": cookie }))).await?;
    let session = timed(client.call("get_launching_session", Value::Null)).await?;
    let session: InviteSession = serde_json::from_value(session)
        .map_err(|e| ApiError::Protocol(format!("the session Nudge sent is not readable: {e}")))?;
    timed(client.subscribe()).await?;
    Ok((client, session))
}

/// Runs an API step with [`CALL_TIMEOUT`]; running out counts as a lost connection.
async fn timed<T>(
    step: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::time::timeout(CALL_TIMEOUT, step)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::Protocol(format!(
                "Nudge did not answer within {} seconds",
                CALL_TIMEOUT.as_secs()
            )))
        })
}

/// Plain words for a failure before the game started.
pub fn starting_words(error: &ApiError) -> String {
    match error {
        ApiError::NotRunning { .. } | ApiError::NotRunningForProfile { .. } => {
            "Nudge is not running, so the game cannot reach your opponent. Start Nudge and \
             invite them again."
                .into()
        }
        ApiError::Remote { code, .. } if code == "unlock_failed" => {
            "Nudge did not accept this game's launch ticket (it is used up or too old). Start \
             the game again from Nudge's Invite menu."
                .into()
        }
        ApiError::Remote { message, .. } => format!("Nudge refused to start the game: {message}."),
        other => format!("The game could not connect to Nudge: {other}."),
    }
}

/// Plain words for a connection that was lost during the game.
pub fn lost_words(error: &ApiError) -> String {
    match error {
        ApiError::Closed => "Lost the connection to Nudge: Nudge was closed or restarted. The \
                             game cannot go on."
            .into(),
        other => format!("Lost the connection to Nudge ({other}). The game cannot go on."),
    }
}
