//! Who is at the other end of the local socket. The socket and its folder are private, so only
//! the user's own processes can reach it; both ends check anyway, from the kernel's word (the
//! peer's credentials, `SO_PEERCRED`), before a byte is exchanged: `nudge ctl` never sends a
//! request (or the ctl token) to a socket another user serves, and the server never answers
//! another user.

use tokio::net::UnixStream;

/// Why the other end is not accepted.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The kernel did not say who it is.
    #[error("could not learn who is at the other end of the socket: {0}")]
    Unknown(#[from] std::io::Error),
    /// Another user's process.
    #[error("the other end of the socket runs as another user (user id {0})")]
    OtherUser(u32),
}

/// The user this process runs as.
pub fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// Checks that the process at the other end of `stream` runs as the user `owner`.
pub fn check_peer(stream: &UnixStream, owner: u32) -> Result<(), PeerError> {
    let uid = stream.peer_cred()?.uid();
    if uid == owner {
        Ok(())
    } else {
        Err(PeerError::OtherUser(uid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_same_user_passes() {
        let (ours, _theirs) = UnixStream::pair().expect("a socket pair");
        assert!(check_peer(&ours, current_uid()).is_ok());
        let someone_else = current_uid().wrapping_add(1);
        assert!(matches!(
            check_peer(&ours, someone_else),
            Err(PeerError::OtherUser(uid)) if uid == current_uid()
        ));
    }
}
