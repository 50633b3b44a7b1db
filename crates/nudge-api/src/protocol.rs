//! The wire format of the local API, without IO: line framing, requests, responses and errors.
//!
//! One JSON object per line (UTF-8, `\n`-terminated). A client sends requests
//! `{"id": 1, "method": "status", "params": {}}`; the server answers each with
//! `{"id": 1, "result": ...}` or `{"id": 1, "error": {"code": "...", "message": "..."}}` and, after
//! `subscribe`, pushes every event as an object whose `event` field names the kind. A line is a response when it has an `id` field, else an event.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The longest request line the server reads: 1 MiB, newline excluded.
///
/// A longer line is skipped up to its newline and answered with a `line_too_long` error
/// (with `id: null`, since the id was never read); the connection stays usable.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// A request's id, echoed in its response: a JSON number or string chosen by the client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RequestId {
    /// A numeric id.
    Number(serde_json::Number),
    /// A textual id.
    Text(String),
}

impl From<u64> for RequestId {
    fn from(n: u64) -> Self {
        Self::Number(n.into())
    }
}

/// Machine-readable error codes; clients match on these, people read the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The line is not valid JSON (or not UTF-8).
    ParseError,
    /// The line is JSON but not a request object with `id` and `method`.
    InvalidRequest,
    /// The line was longer than [`MAX_LINE_BYTES`].
    LineTooLong,
    /// No method has that name.
    UnknownMethod,
    /// The params are missing a field, have an unknown one, or a value is out of range.
    InvalidParams,
    /// A JID in the params is not a valid bare JID (`user@domain`).
    InvalidJid,
    /// The core has stopped, so the request cannot be carried out.
    CoreStopped,
    /// The core did not answer in time.
    Timeout,
    /// A session method before the connection was unlocked.
    Locked,
    /// The cookie, token or key response was not right (no detail, so nothing helps guessing).
    UnlockFailed,
    /// The connection was unlocked already; it stays as it is.
    AlreadyUnlocked,
    /// The session is outside what the connection was unlocked for.
    Forbidden,
    /// The session's state does not allow that now.
    InvalidState,
    /// No session has that id.
    UnknownSession,
    /// No application with that GUID is registered.
    AppNotRegistered,
    /// The user tried to invite themselves.
    InvitedSelf,
    /// Context data over the limit.
    ContextTooLarge,
    /// An application address that is too long or has control characters.
    BadAddress,
    /// The connection holds too many sessions it never sent.
    TooManySessions,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ParseError => "parse_error",
            Self::InvalidRequest => "invalid_request",
            Self::LineTooLong => "line_too_long",
            Self::UnknownMethod => "unknown_method",
            Self::InvalidParams => "invalid_params",
            Self::InvalidJid => "invalid_jid",
            Self::CoreStopped => "core_stopped",
            Self::Timeout => "timeout",
            Self::Locked => "locked",
            Self::UnlockFailed => "unlock_failed",
            Self::AlreadyUnlocked => "already_unlocked",
            Self::Forbidden => "forbidden",
            Self::InvalidState => "invalid_state",
            Self::UnknownSession => "unknown_session",
            Self::AppNotRegistered => "app_not_registered",
            Self::InvitedSelf => "invited_self",
            Self::ContextTooLarge => "context_too_large",
            Self::BadAddress => "bad_address",
            Self::TooManySessions => "too_many_sessions",
        }
    }
}

/// The `error` member of a failed response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The machine-readable code, one of [`ErrorCode`]'s. Kept as text so a client still reads
    /// codes that a newer server adds.
    pub code: String,
    /// What went wrong, in plain words.
    pub message: String,
}

impl ErrorBody {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code: code.as_str().to_string(),
            message: message.into(),
        }
    }
}

/// A request as read from a line; the server checks `params` for each method.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Echoed in the response.
    pub id: RequestId,
    /// The method's name, e.g. `status`.
    pub method: String,
    /// The method's parameters: an object, or absent/`null` for none.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub params: Value,
}

/// A request that could not be read, with the id when it was readable.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    /// The request's id, when the line had a valid one.
    pub id: Option<RequestId>,
    /// Why it was rejected.
    pub error: ErrorBody,
}

impl Request {
    /// Reads one request line (without its newline).
    pub fn parse(line: &[u8]) -> Result<Self, Rejection> {
        let reject = |id, code, message: String| Rejection {
            id,
            error: ErrorBody::new(code, message),
        };
        let value: Value = serde_json::from_slice(line).map_err(|e| {
            reject(
                None,
                ErrorCode::ParseError,
                format!("the line is not valid JSON: {e}"),
            )
        })?;
        let Value::Object(mut object) = value else {
            return Err(reject(
                None,
                ErrorCode::InvalidRequest,
                "a request must be a JSON object with \"id\" and \"method\"".into(),
            ));
        };
        let id = match object.remove("id") {
            Some(Value::Number(n)) => RequestId::Number(n),
            Some(Value::String(s)) => RequestId::Text(s),
            Some(_) => {
                return Err(reject(
                    None,
                    ErrorCode::InvalidRequest,
                    "\"id\" must be a number or a string".into(),
                ))
            }
            None => {
                return Err(reject(
                    None,
                    ErrorCode::InvalidRequest,
                    "the request has no \"id\"".into(),
                ))
            }
        };
        let method = match object.remove("method") {
            Some(Value::String(method)) => method,
            _ => {
                return Err(reject(
                    Some(id),
                    ErrorCode::InvalidRequest,
                    "the request has no \"method\" string".into(),
                ))
            }
        };
        let params = object.remove("params").unwrap_or(Value::Null);
        if !matches!(params, Value::Object(_) | Value::Null) {
            return Err(reject(
                Some(id),
                ErrorCode::InvalidParams,
                "\"params\" must be an object".into(),
            ));
        }
        if let Some(extra) = object.keys().next() {
            return Err(reject(
                Some(id),
                ErrorCode::InvalidRequest,
                format!("unknown member {extra:?}; a request has only id, method and params"),
            ));
        }
        Ok(Self { id, method, params })
    }
}

/// What a response carries: a result or an error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The method succeeded with this value.
    Result(Value),
    /// The method failed.
    Error(ErrorBody),
}

/// A response line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The request's id; `null` when the request was unreadable.
    pub id: Option<RequestId>,
    /// The result or the error.
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl Response {
    /// A successful response.
    pub fn result(id: RequestId, result: Value) -> Self {
        Self {
            id: Some(id),
            outcome: Outcome::Result(result),
        }
    }

    /// A failed response.
    pub fn error(id: Option<RequestId>, error: ErrorBody) -> Self {
        Self {
            id,
            outcome: Outcome::Error(error),
        }
    }

    /// The response as one line of JSON, without the newline.
    pub fn to_line(&self) -> String {
        // Serialising plain data with string keys cannot fail; keep a valid line regardless.
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"id":null,"error":{"code":"invalid_request","message":"unserialisable"}}"#.into()
        })
    }
}

/// A line the server sent: the response to a request, or a pushed event.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerLine {
    /// A response to a request.
    Response(Response),
    /// A pushed event, as serialised by serde (an object with an `event` field).
    Event(Value),
}

impl ServerLine {
    /// Reads one line the server sent.
    pub fn parse(line: &[u8]) -> Result<Self, String> {
        let value: Value = serde_json::from_slice(line).map_err(|e| e.to_string())?;
        if value.get("id").is_some() {
            serde_json::from_value(value)
                .map(Self::Response)
                .map_err(|e| format!("bad response: {e}"))
        } else if value.get("event").is_some() {
            Ok(Self::Event(value))
        } else {
            Err("a line that is neither a response nor an event".into())
        }
    }
}

/// One framed piece of input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A complete line, newline (and a `\r` before it) removed.
    Line(Vec<u8>),
    /// A line longer than the limit was skipped.
    TooLong,
}

/// Splits a byte stream into lines of at most `max` bytes without ever holding more than that.
#[derive(Debug)]
pub struct LineDecoder {
    max: usize,
    buffer: Vec<u8>,
    /// Inside an overlong line: drop bytes until its newline.
    skipping: bool,
}

impl LineDecoder {
    /// A decoder for lines of at most `max` bytes.
    pub fn new(max: usize) -> Self {
        Self {
            max,
            buffer: Vec::new(),
            skipping: false,
        }
    }

    /// Takes the next chunk of input and appends the frames it completes to `out`.
    pub fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<Frame>) {
        while !chunk.is_empty() {
            let newline = chunk.iter().position(|&b| b == b'\n');
            let (part, rest) = match newline {
                Some(at) => (&chunk[..at], Some(&chunk[at + 1..])),
                None => (chunk, None),
            };
            if !self.skipping {
                if self.buffer.len() + part.len() > self.max {
                    self.buffer.clear();
                    self.skipping = true;
                    out.push(Frame::TooLong);
                } else {
                    self.buffer.extend_from_slice(part);
                }
            }
            match rest {
                Some(rest) => {
                    if !self.skipping {
                        out.push(self.take_line());
                    }
                    self.skipping = false;
                    chunk = rest;
                }
                None => break,
            }
        }
    }

    /// Ends the input: a last line without a newline still counts.
    pub fn finish(&mut self) -> Option<Frame> {
        let pending = !self.skipping && !self.buffer.is_empty();
        self.skipping = false;
        pending.then(|| self.take_line())
    }

    fn take_line(&mut self) -> Frame {
        let mut line = std::mem::take(&mut self.buffer);
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Frame::Line(line)
    }
}

#[cfg(test)]
#[path = "protocol_tests.rs"]
mod tests;
