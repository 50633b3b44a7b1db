//! The local API on Windows: a named pipe per profile, open to the user alone.
//!
//! Windows has no Unix sockets in the runtime folder, so Nudge serves the same JSON lines on the
//! named pipe `\\.\pipe\nudge-<user SID>-<profile>` (for example
//! `\\.\pipe\nudge-S-1-5-21-1004336348-1177238915-682003330-1001-default`). Named pipes live in
//! one namespace for the whole machine, so the name carries the user's security identifier,
//! and the pipe's security descriptor ([`user_only_sddl`]) lets no one but that user open it.
//! Both ends also ask Windows who runs the process at the other end before a byte is
//! exchanged, as both ends of the Unix socket do ([`crate::peer`]).
//!
//! Nudge keeps addressing the API by the socket path in the profile's runtime folder
//! (`…\<profile>\api.sock`, which never exists on Windows): the pipe's name is made from it
//! ([`pipe_name`]), and the ctl token is the file beside it, as on Unix. A launched application
//! finds the pipe's name itself in `NUDGE_API_SOCKET`; [`crate::client::ApiClient::connect`]
//! takes either.
//!
//! The names and the descriptor are built here as plain text, tested on every platform; the
//! system calls that use them are in the Windows-only part.

use std::path::{Path, PathBuf};

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::{
    check_pipe_user, client_user, create_server, current_user_sid, pipe_address, server_user,
    PipePeerError, UserOnly,
};

/// What every named pipe's name starts with.
pub const PIPE_PREFIX: &str = r"\\.\pipe\";

/// What Nudge's pipe names start with, after [`PIPE_PREFIX`].
pub const NAME_PREFIX: &str = "nudge-";

/// Whether `address` is a named pipe's name rather than a path in the file system.
pub fn is_pipe_name(address: &Path) -> bool {
    address
        .to_str()
        .is_some_and(|text| text.len() > PIPE_PREFIX.len() && starts_with_ignoring_case(text))
}

fn starts_with_ignoring_case(text: &str) -> bool {
    text.get(..PIPE_PREFIX.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(PIPE_PREFIX))
}

/// The pipe of the Nudge whose socket path (`<runtime folder>\<profile>\api.sock`) is
/// `socket_path`, for the user `user_sid`: `\\.\pipe\nudge-<user SID>-<profile>`. A name that
/// already is a pipe's is kept as it is.
pub fn pipe_name(user_sid: &str, socket_path: &Path) -> PathBuf {
    if is_pipe_name(socket_path) {
        return socket_path.to_path_buf();
    }
    // The folder above the socket, read as Windows reads a path (`\` and `/` both separate),
    // whichever platform makes the name: so none of it can add a level to the pipe's name.
    let text = socket_path.to_string_lossy();
    let mut levels = text.split(['\\', '/']).filter(|level| !level.is_empty());
    let profile = levels.nth_back(1).unwrap_or_default();
    PathBuf::from(format!("{PIPE_PREFIX}{NAME_PREFIX}{user_sid}-{profile}"))
}

/// A security identifier that is not in its text form (`S-1-…`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a security identifier (S-1-…)")]
pub struct NotASid(pub String);

/// Whether `sid` is a security identifier in its text form: `S-1-` and then numbers separated
/// by `-`. Only such text goes into a descriptor or a pipe's name.
pub fn check_sid(sid: &str) -> Result<(), NotASid> {
    let well_formed = sid
        .strip_prefix("S-1-")
        .is_some_and(|rest| rest.split('-').all(is_number));
    if well_formed {
        Ok(())
    } else {
        Err(NotASid(sid.to_string()))
    }
}

fn is_number(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

/// The security descriptor, in Windows' SDDL, of a pipe only `user_sid` may use: a protected
/// DACL (`P`: nothing inherited) with one entry allowing (`A`) that user everything (`GA`).
/// Any other account finds no entry that allows it in, and is refused.
pub fn user_only_sddl(user_sid: &str) -> Result<String, NotASid> {
    check_sid(user_sid)?;
    Ok(format!("D:P(A;;GA;;;{user_sid})"))
}

#[cfg(test)]
#[path = "pipe_tests.rs"]
mod tests;
