//! The system calls behind the named pipe: the user's SID, the user-only security descriptor
//! and the user of the process at the other end of a pipe.

use std::ffi::OsStr;
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tokio::net::windows::named_pipe::{NamedPipeClient, NamedPipeServer, ServerOptions};
use windows_sys::Win32::Foundation::{LocalFree, HANDLE};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::{
    GetTokenInformation, TokenUser, PSECURITY_DESCRIPTOR, PSID, SECURITY_ATTRIBUTES, TOKEN_QUERY,
    TOKEN_USER,
};
use windows_sys::Win32::System::Pipes::{GetNamedPipeClientProcessId, GetNamedPipeServerProcessId};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, OpenProcess, OpenProcessToken, PROCESS_QUERY_LIMITED_INFORMATION,
};

/// Why the process at the other end of a pipe is not accepted.
#[derive(Debug, thiserror::Error)]
pub enum PipePeerError {
    /// Windows did not say who it is.
    #[error("could not learn who is at the other end of the pipe: {0}")]
    Unknown(#[from] io::Error),
    /// Another user's process.
    #[error("the other end of the pipe runs as another user ({0})")]
    OtherUser(String),
}

/// The security identifier of the user this process runs as (`S-1-5-21-…`), asked once.
pub fn current_user_sid() -> io::Result<String> {
    static SID: OnceLock<String> = OnceLock::new();
    if let Some(sid) = SID.get() {
        return Ok(sid.clone());
    }
    // SAFETY: GetCurrentProcess returns a pseudo-handle that needs no closing.
    let sid = token_user(unsafe { GetCurrentProcess() })?;
    Ok(SID.get_or_init(|| sid).clone())
}

/// The pipe the API at `address` answers on: `address` itself if it names a pipe, else the
/// pipe of that socket path for this user ([`super::pipe_name`]).
pub fn pipe_address(address: &Path) -> io::Result<PathBuf> {
    if super::is_pipe_name(address) {
        return Ok(address.to_path_buf());
    }
    Ok(super::pipe_name(&current_user_sid()?, address))
}

/// The user running the server at the other end of a client's pipe.
pub fn server_user(pipe: &NamedPipeClient) -> io::Result<String> {
    let mut process = 0u32;
    // SAFETY: the handle is the open pipe's; the id is written to a local.
    if unsafe { GetNamedPipeServerProcessId(pipe.as_raw_handle(), &mut process) } == 0 {
        return Err(io::Error::last_os_error());
    }
    process_user(process)
}

/// The user running the client at the other end of a server's connected pipe.
pub fn client_user(pipe: &NamedPipeServer) -> io::Result<String> {
    let mut process = 0u32;
    // SAFETY: the handle is the open pipe's; the id is written to a local.
    if unsafe { GetNamedPipeClientProcessId(pipe.as_raw_handle(), &mut process) } == 0 {
        return Err(io::Error::last_os_error());
    }
    process_user(process)
}

/// Accepts the other end if `found` (from [`server_user`] or [`client_user`]) is `owner`.
pub fn check_pipe_user(found: io::Result<String>, owner: &str) -> Result<(), PipePeerError> {
    let user = found?;
    if user == owner {
        Ok(())
    } else {
        Err(PipePeerError::OtherUser(user))
    }
}

/// The security attributes of a pipe only one user may open (see [`super::user_only_sddl`]).
pub struct UserOnly {
    descriptor: PSECURITY_DESCRIPTOR,
}

// SAFETY: the descriptor is a block of memory this value alone owns (and frees); Windows only
// reads it, from whichever thread creates a pipe with it.
unsafe impl Send for UserOnly {}
// SAFETY: as above; nothing writes to the block after it is made.
unsafe impl Sync for UserOnly {}

impl UserOnly {
    /// The descriptor that lets `user_sid` alone in.
    pub fn for_user(user_sid: &str) -> io::Result<Self> {
        let sddl = super::user_only_sddl(user_sid)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
        let wide = wide(OsStr::new(&sddl));
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: `wide` is NUL-terminated and outlives the call; the descriptor is written to
        // a local, and freed with LocalFree in Drop, as the function's documentation says.
        let made = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                wide.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                std::ptr::null_mut(),
            )
        };
        if made == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Self { descriptor })
    }
}

impl Drop for UserOnly {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW, freed once.
        unsafe { LocalFree(self.descriptor) };
    }
}

/// Creates an instance of the pipe `name` as `options` say, open to the user of `security` alone.
pub fn create_server(
    options: &ServerOptions,
    name: &Path,
    security: &UserOnly,
) -> io::Result<NamedPipeServer> {
    let mut attributes = SECURITY_ATTRIBUTES {
        nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: security.descriptor,
        bInheritHandle: 0,
    };
    // SAFETY: `attributes` is a valid SECURITY_ATTRIBUTES whose descriptor `security` keeps
    // alive for the call; Windows copies what it needs into the pipe.
    unsafe {
        options.create_with_security_attributes_raw(
            name,
            (&mut attributes as *mut SECURITY_ATTRIBUTES).cast(),
        )
    }
}

/// The user of the process `id`.
fn process_user(id: u32) -> io::Result<String> {
    // SAFETY: OpenProcess has no preconditions; a null handle is an error.
    let process = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, id) };
    if process.is_null() {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a handle just opened, owned here alone.
    let process = unsafe { OwnedHandle::from_raw_handle(process) };
    token_user(process.as_raw_handle())
}

/// The user SID, as text, of the process `process`' access token.
fn token_user(process: HANDLE) -> io::Result<String> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: `process` is a valid process handle; the token handle is written to a local.
    if unsafe { OpenProcessToken(process, TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a handle just opened, owned here alone.
    let token = unsafe { OwnedHandle::from_raw_handle(token) };
    let mut length = 0u32;
    // SAFETY: asks for the size only (no buffer); fails with ERROR_INSUFFICIENT_BUFFER.
    unsafe {
        GetTokenInformation(
            token.as_raw_handle(),
            TokenUser,
            std::ptr::null_mut(),
            0,
            &mut length,
        )
    };
    if length == 0 {
        return Err(io::Error::last_os_error());
    }
    // u64s, so the TOKEN_USER at the start of the buffer is aligned for its pointer.
    let mut buffer = vec![0u64; (length as usize).div_ceil(8)];
    // SAFETY: the buffer holds `length` bytes, as the first call asked.
    let read = unsafe {
        GetTokenInformation(
            token.as_raw_handle(),
            TokenUser,
            buffer.as_mut_ptr().cast(),
            length,
            &mut length,
        )
    };
    if read == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: Windows wrote a TOKEN_USER at the start of the (aligned) buffer; its SID points
    // into the same buffer, which lives until the end of this function.
    let user = unsafe { &*buffer.as_ptr().cast::<TOKEN_USER>() };
    sid_text(user.User.Sid)
}

/// A SID in its text form.
fn sid_text(sid: PSID) -> io::Result<String> {
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: `sid` is a valid SID; Windows allocates the text, freed below with LocalFree.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the text is NUL-terminated.
    let length = (0..).take_while(|&i| unsafe { *text.add(i) } != 0).count();
    // SAFETY: `length` u16s were just read.
    let units = unsafe { std::slice::from_raw_parts(text, length) };
    let sid = String::from_utf16_lossy(units);
    // SAFETY: allocated by ConvertSidToStringSidW, freed once.
    unsafe { LocalFree(text.cast()) };
    Ok(sid)
}

/// `text` as a NUL-terminated UTF-16 string.
fn wide(text: &OsStr) -> Vec<u16> {
    text.encode_wide().chain(std::iter::once(0)).collect()
}
