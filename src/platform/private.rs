//! Folders and files only the user may use: the profile's config and data (history, the
//! account, display pictures) and its runtime folder (the API socket and the ctl token).
//!
//! Folders are created `0700` and files `0600`, whatever the umask; folders and files left
//! readable by others (by older versions, which used the umask) are tightened at start.
//!
//! The runtime folder gets stricter checks, because without `XDG_RUNTIME_DIR` it lives in the
//! shared temporary folder, where another user can create `/tmp/nudge-UID` first, or a
//! symbolic link by that name, to catch the socket. Each level Nudge owns there is created
//! `0700` one at a time and then checked: a symbolic link, a folder of another user or one
//! that others may write to is refused with a plain explanation. A folder of the user's that
//! others may only read (an older Nudge made it so) is tightened to `0700`: nobody else can
//! have put anything in it.
//!
//! On platforms without Unix permissions these functions only create folders.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Why a private folder or file could not be set up, in plain words.
#[derive(Debug, thiserror::Error)]
pub enum PrivateError {
    /// Creating, checking or changing it failed.
    #[error("could not make {path} private to you: {source}")]
    Io {
        /// The folder or file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A symbolic link where a private folder belongs.
    #[error(
        "{path} is a symbolic link, not a folder; someone may be trying to catch Nudge's \
         private files there. Remove the link and start Nudge again"
    )]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// Something else than a folder.
    #[error("{path} is in the way of Nudge's private folder: it is not a folder. Move it away")]
    NotAFolder {
        /// What is there.
        path: PathBuf,
    },
    /// A folder another user owns.
    #[error(
        "{path} belongs to another user (user id {owner}), so Nudge will not keep its private \
         files there. Remove it, or set XDG_RUNTIME_DIR to a folder of yours"
    )]
    NotOwned {
        /// The folder.
        path: PathBuf,
        /// Its owner's user id.
        owner: u32,
    },
    /// A folder others may write to.
    #[error(
        "other users may write to {path}, so it may hold files they put there. Nudge will not \
         use it: check and remove it, or make it private (chmod 700) if it is yours"
    )]
    OpenToOthers {
        /// The folder.
        path: PathBuf,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> PrivateError + '_ {
    move |source| PrivateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The user Nudge runs as. Nudge is never installed set-user-id, so this is also the owner of
/// everything it creates.
#[cfg(unix)]
pub fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The user Nudge runs as (no user ids on this platform).
#[cfg(not(unix))]
pub fn current_uid() -> u32 {
    0
}

/// The folders from `dir` up to (not including) `anchor`, outermost first: the ones Nudge
/// owns. `anchor` is the folder above them (the XDG folder, or the temporary folder), which is
/// the system's; a `dir` not below it counts alone.
fn own_levels<'a>(anchor: &Path, dir: &'a Path) -> Vec<&'a Path> {
    if !dir.starts_with(anchor) || dir == anchor {
        return vec![dir];
    }
    let mut levels: Vec<&Path> = dir
        .ancestors()
        .take_while(|level| *level != anchor)
        .collect();
    levels.reverse();
    levels
}

/// Creates the folder above Nudge's own levels the usual way (it is the system's or the
/// user's general folder, such as `~/.config`).
fn make_anchor(levels: &[&Path]) -> Result<(), PrivateError> {
    match levels.first().and_then(|outermost| outermost.parent()) {
        Some(parent) if !parent.as_os_str().is_empty() => {
            fs::create_dir_all(parent).map_err(io_error(parent))
        }
        _ => Ok(()),
    }
}

/// Makes `dir` and each missing folder between it and `anchor` with mode `0700`, and tightens
/// each of those levels that exists to `0700` (config and data folders: a user may have made
/// them symbolic links to another disk, which is followed).
pub fn ensure_private_dir(anchor: &Path, dir: &Path) -> Result<(), PrivateError> {
    let levels = own_levels(anchor, dir);
    make_anchor(&levels)?;
    for level in levels {
        make_dir(level)?;
        tighten(level, 0o700)?;
    }
    Ok(())
}

/// Like [`ensure_private_dir`], with the runtime folder's checks: every level must be a real
/// folder (no symbolic link) owned by the user that no one else may write to.
pub fn ensure_strict_private_dir(anchor: &Path, dir: &Path) -> Result<(), PrivateError> {
    let levels = own_levels(anchor, dir);
    make_anchor(&levels)?;
    for level in levels {
        make_dir(level)?;
        check_strict(level)?;
    }
    Ok(())
}

/// Checks the folder a socket is in as [`ensure_strict_private_dir`] checks each level (the
/// API server, when started on a socket outside a profile).
pub fn check_strict_private_dir(dir: &Path) -> Result<(), PrivateError> {
    check_strict(dir)
}

/// Creates one folder with mode `0700` (its parent exists); an existing one is left for the
/// checks that follow.
fn make_dir(dir: &Path) -> Result<(), PrivateError> {
    // Only Unix sets a mode on it.
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_error(dir)(e)),
    }
}

#[cfg(unix)]
fn check_strict(dir: &Path) -> Result<(), PrivateError> {
    use std::os::unix::fs::MetadataExt;
    // Not following links: the link itself is what is refused.
    let metadata = fs::symlink_metadata(dir).map_err(io_error(dir))?;
    let path = dir.to_path_buf();
    if metadata.file_type().is_symlink() {
        return Err(PrivateError::Symlink { path });
    }
    if !metadata.is_dir() {
        return Err(PrivateError::NotAFolder { path });
    }
    if metadata.uid() != current_uid() {
        return Err(PrivateError::NotOwned {
            path,
            owner: metadata.uid(),
        });
    }
    if metadata.mode() & 0o022 != 0 {
        return Err(PrivateError::OpenToOthers { path });
    }
    tighten(dir, 0o700)
}

#[cfg(not(unix))]
fn check_strict(dir: &Path) -> Result<(), PrivateError> {
    if !fs::metadata(dir).map_err(io_error(dir))?.is_dir() {
        return Err(PrivateError::NotAFolder {
            path: dir.to_path_buf(),
        });
    }
    Ok(())
}

/// Takes group and other permissions away from `path` (following a link the user made) if it
/// has any, keeping the user's own; `mode` is what a freshly made one would have.
#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> Result<(), PrivateError> {
    use std::os::unix::fs::PermissionsExt;
    let current = fs::metadata(path)
        .map_err(io_error(path))?
        .permissions()
        .mode();
    if current & 0o077 == 0 {
        return Ok(());
    }
    let tightened = (current & 0o700) | (mode & 0o700);
    fs::set_permissions(path, fs::Permissions::from_mode(tightened)).map_err(io_error(path))
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) -> Result<(), PrivateError> {
    Ok(())
}

/// Tightens what an older Nudge left readable by others in `dir`: files to `0600` and
/// folders to `0700`, down to `depth` levels of folders (`apps/`, `avatars/`). Symbolic links
/// inside are left alone (Nudge makes none; the user's own are theirs).
pub fn tighten_tree(dir: &Path, depth: usize) -> Result<(), PrivateError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(dir)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io_error(dir))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io_error(&path))?;
        if kind.is_file() {
            tighten(&path, 0o600)?;
        } else if kind.is_dir() && depth > 0 {
            tighten(&path, 0o700)?;
            tighten_tree(&path, depth - 1)?;
        }
    }
    Ok(())
}

/// Makes `path` private (`0600`) if it exists and is not; an absent file is fine.
pub fn tighten_file(path: &Path) -> Result<(), PrivateError> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_file() => tighten(path, 0o600),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(path)(e)),
    }
}

/// Creates `dir` and any missing parents with mode `0700` (folders inside the profile's
/// private ones: `apps/`, `avatars/`).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Options that create a new file readable and writable by the user only (`0600`), never
/// through an existing file or link (`create_new`).
pub fn new_private_file() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

#[cfg(test)]
#[cfg(unix)]
#[path = "private_tests.rs"]
mod tests;
