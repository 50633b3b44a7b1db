//! The API client: used by applications, by `nudge ctl` and by Nudge's tests.
//!
//! It speaks over the profile's Unix socket, or on Windows over its named pipe
//! ([`crate::pipe`]); everything above the connection is the same code.

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::protocol::{Frame, LineDecoder, Outcome, Request, RequestId, ServerLine};
use crate::ApiError;

/// The longest line the client accepts from the server; history answers can be large.
const MAX_SERVER_LINE_BYTES: usize = 64 * 1024 * 1024;

/// The reading half of a connection over a Unix socket.
#[cfg(unix)]
type Reader = tokio::net::unix::OwnedReadHalf;
/// The writing half of a connection over a Unix socket.
#[cfg(unix)]
type Writer = tokio::net::unix::OwnedWriteHalf;
/// The reading half of a connection over a named pipe.
#[cfg(windows)]
type Reader = tokio::io::ReadHalf<tokio::net::windows::named_pipe::NamedPipeClient>;
/// The writing half of a connection over a named pipe.
#[cfg(windows)]
type Writer = tokio::io::WriteHalf<tokio::net::windows::named_pipe::NamedPipeClient>;

/// One connection to a running Nudge.
#[derive(Debug)]
pub struct ApiClient {
    path: PathBuf,
    reader: Reader,
    writer: Writer,
    decoder: LineDecoder,
    frames: VecDeque<Frame>,
    /// Events that arrived while a call waited for its response.
    events: VecDeque<Value>,
    next_id: u64,
}

impl ApiClient {
    /// Connects to the socket; [`ApiError::NotRunning`] when nobody listens there, and
    /// [`ApiError::ForeignSocket`] (before anything is sent) when another user's process
    /// serves it.
    ///
    /// On Windows `socket_path` is the profile's socket path, whose pipe this connects to, or
    /// the pipe's name itself (as `NUDGE_API_SOCKET` gives it); a pipe another user serves is
    /// [`ApiError::ForeignPipe`].
    #[cfg(unix)]
    pub async fn connect(socket_path: &Path) -> Result<Self, ApiError> {
        Self::connect_served_by(socket_path, crate::peer::current_uid()).await
    }

    /// Connects to the socket if the user `owner` serves it.
    #[cfg(unix)]
    pub(crate) async fn connect_served_by(
        socket_path: &Path,
        owner: u32,
    ) -> Result<Self, ApiError> {
        let stream = tokio::net::UnixStream::connect(socket_path)
            .await
            .map_err(|source| match source.kind() {
                io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => {
                    ApiError::NotRunning {
                        path: socket_path.to_path_buf(),
                    }
                }
                _ => ApiError::Io {
                    path: socket_path.to_path_buf(),
                    source,
                },
            })?;
        crate::peer::check_peer(&stream, owner).map_err(|error| match error {
            crate::peer::PeerError::OtherUser(owner) => ApiError::ForeignSocket {
                path: socket_path.to_path_buf(),
                owner,
            },
            crate::peer::PeerError::Unknown(source) => ApiError::Io {
                path: socket_path.to_path_buf(),
                source,
            },
        })?;
        Ok(Self::over(socket_path, stream.into_split()))
    }

    /// Connects to the named pipe of `socket_path` (see the Unix version above).
    #[cfg(windows)]
    pub async fn connect(socket_path: &Path) -> Result<Self, ApiError> {
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source: io::Error| ApiError::Io { path, source }
        };
        let pipe = crate::pipe::pipe_address(socket_path).map_err(io_error(socket_path))?;
        let client = open_pipe(&pipe)
            .await
            .map_err(|source| match source.kind() {
                io::ErrorKind::NotFound => ApiError::NotRunning { path: pipe.clone() },
                _ => io_error(&pipe)(source),
            })?;
        let owner = crate::pipe::current_user_sid().map_err(io_error(&pipe))?;
        let server = crate::pipe::server_user(&client);
        crate::pipe::check_pipe_user(server, &owner).map_err(|error| match error {
            crate::pipe::PipePeerError::OtherUser(owner) => ApiError::ForeignPipe {
                path: pipe.clone(),
                owner,
            },
            crate::pipe::PipePeerError::Unknown(source) => io_error(&pipe)(source),
        })?;
        Ok(Self::over(socket_path, tokio::io::split(client)))
    }

    /// A client speaking over a connection just made to the API at `path`.
    fn over(path: &Path, (reader, writer): (Reader, Writer)) -> Self {
        Self {
            path: path.to_path_buf(),
            reader,
            writer,
            decoder: LineDecoder::new(MAX_SERVER_LINE_BYTES),
            frames: VecDeque::new(),
            events: VecDeque::new(),
            next_id: 1,
        }
    }

    /// Connects and unlocks with the user's ctl token, which the running Nudge wrote beside
    /// the socket (readable by the user only): the connection may then do everything, as
    /// `nudge ctl` does.
    pub async fn connect_as_user(socket_path: &Path) -> Result<Self, ApiError> {
        let mut client = Self::connect(socket_path).await?;
        client.unlock_as_user().await?;
        Ok(client)
    }

    /// Unlocks this connection with the user's ctl token (see [`ApiClient::connect_as_user`]).
    pub async fn unlock_as_user(&mut self) -> Result<(), ApiError> {
        let token_path = ctl_token_path(&self.path);
        let token = std::fs::read_to_string(&token_path).map_err(|source| ApiError::Io {
            path: token_path,
            source,
        })?;
        self.call("unlock", serde_json::json!({ "token": token.trim() }))
            .await
            .map(|_| ())
    }

    /// Calls `method` and waits for its result; an error response becomes [`ApiError::Remote`].
    pub async fn call(&mut self, method: &str, params: Value) -> Result<Value, ApiError> {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        let request = Request {
            id: id.clone(),
            method: method.to_string(),
            params,
        };
        let line = serde_json::to_vec(&request).map_err(|e| ApiError::Protocol(e.to_string()))?;
        self.send_line(&line).await?;
        loop {
            match self.next_line().await? {
                None => return Err(ApiError::Closed),
                Some(ServerLine::Event(event)) => self.events.push_back(event),
                Some(ServerLine::Response(response)) if response.id.as_ref() == Some(&id) => {
                    return match response.outcome {
                        Outcome::Result(value) => Ok(value),
                        Outcome::Error(error) => Err(ApiError::Remote {
                            code: error.code,
                            message: error.message,
                        }),
                    };
                }
                // An answer to a line sent with `send_line`; this call did not ask for it.
                Some(ServerLine::Response(_)) => {}
            }
        }
    }

    /// Asks for every event from now on; read them with [`ApiClient::next_event`].
    pub async fn subscribe(&mut self) -> Result<(), ApiError> {
        self.call("subscribe", Value::Null).await.map(|_| ())
    }

    /// The next pushed event (as the server serialised it); `None` when the server closed.
    pub async fn next_event(&mut self) -> Result<Option<Value>, ApiError> {
        if let Some(event) = self.events.pop_front() {
            return Ok(Some(event));
        }
        loop {
            match self.next_line().await? {
                None => return Ok(None),
                Some(ServerLine::Event(event)) => return Ok(Some(event)),
                Some(ServerLine::Response(_)) => {}
            }
        }
    }

    /// Sends one raw line (a newline is added): for tools and tests that speak the protocol
    /// directly.
    pub async fn send_line(&mut self, line: &[u8]) -> Result<(), ApiError> {
        let written = async {
            self.writer.write_all(line).await?;
            self.writer.write_all(b"\n").await?;
            self.writer.flush().await
        };
        written.await.map_err(|source| ApiError::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// Reads the next line the server sent, response or event; `None` when it closed.
    pub async fn next_line(&mut self) -> Result<Option<ServerLine>, ApiError> {
        match self.next_raw_line().await? {
            Some(line) => ServerLine::parse(&line)
                .map(Some)
                .map_err(ApiError::Protocol),
            None => Ok(None),
        }
    }

    /// Reads the next line exactly as the server sent it, without its newline.
    pub async fn next_raw_line(&mut self) -> Result<Option<Vec<u8>>, ApiError> {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match self.frames.pop_front() {
                Some(Frame::Line(line)) => return Ok(Some(line)),
                Some(Frame::TooLong) => {
                    return Err(ApiError::Protocol(format!(
                        "a line longer than {MAX_SERVER_LINE_BYTES} bytes"
                    )))
                }
                None => {}
            }
            let read = self
                .reader
                .read(&mut chunk)
                .await
                .map_err(|source| ApiError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            let mut frames = Vec::new();
            if read == 0 {
                frames.extend(self.decoder.finish());
                if frames.is_empty() {
                    return Ok(None);
                }
            } else {
                self.decoder.feed(&chunk[..read], &mut frames);
            }
            self.frames.extend(frames);
        }
    }
}

/// Opens the pipe `name`, waiting a little while every instance is busy (the server makes the
/// next one as soon as a client takes the last).
#[cfg(windows)]
async fn open_pipe(name: &Path) -> io::Result<tokio::net::windows::named_pipe::NamedPipeClient> {
    use windows_sys::Win32::Foundation::ERROR_PIPE_BUSY;
    let mut waits = 0;
    loop {
        match tokio::net::windows::named_pipe::ClientOptions::new().open(name) {
            Err(error) if error.raw_os_error() == Some(ERROR_PIPE_BUSY as i32) && waits < 100 => {
                waits += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            opened => return opened,
        }
    }
}

/// The file in the runtime folder (beside the socket) that holds the ctl token.
pub const CTL_TOKEN_FILE: &str = "ctl.token";

/// Where the ctl token of the Nudge listening on `socket_path` lives: beside the socket.
pub fn ctl_token_path(socket_path: &Path) -> std::path::PathBuf {
    socket_path.with_file_name(CTL_TOKEN_FILE)
}

/// Connects as the user (unlocked with the ctl token), calls one method and returns its result.
pub async fn call(socket_path: &Path, method: &str, params: Value) -> Result<Value, ApiError> {
    ApiClient::connect_as_user(socket_path)
        .await?
        .call(method, params)
        .await
}

/// Connects as the user (unlocked with the ctl token) and subscribes to every event; read the
/// stream with [`ApiClient::next_event`].
pub async fn events(socket_path: &Path) -> Result<ApiClient, ApiError> {
    let mut client = ApiClient::connect_as_user(socket_path).await?;
    client.subscribe().await?;
    Ok(client)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use tokio::net::UnixListener;

    #[tokio::test]
    async fn nothing_is_sent_to_a_socket_another_user_serves() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("api.sock");
        let listener = UnixListener::bind(&path).expect("listen");
        let someone_else = crate::peer::current_uid().wrapping_add(1);
        let (connected, accepted) = tokio::join!(
            ApiClient::connect_served_by(&path, someone_else),
            listener.accept()
        );
        let error = connected.expect_err("another user's socket");
        assert!(matches!(error, ApiError::ForeignSocket { .. }), "{error}");
        assert!(error.to_string().contains("another user"), "{error}");
        // The client hung up without writing a byte.
        let (mut server_side, _) = accepted.expect("accepted");
        let mut received = Vec::new();
        server_side
            .read_to_end(&mut received)
            .await
            .expect("read to the end");
        assert!(received.is_empty(), "{received:?}");
        // The user's own server is fine.
        let (connected, _accepted) = tokio::join!(ApiClient::connect(&path), listener.accept());
        assert!(connected.is_ok());
    }
}
