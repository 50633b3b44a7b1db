//! The registry: one `{GUID}.toml` file per application in the profile's `apps/` folder.
//!
//! Files come from installers as well as from Nudge, so loading never fails as a whole: a
//! broken file is reported as a problem and skipped, and it is never deleted (the user may
//! want to fix it). Writes go to a hidden temporary file that is then moved into place, so a
//! reader (or the watcher) never sees half a registration.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{AppsError, Guid, Registration};
use crate::apps::registration::clip;

/// A registration file larger than this is refused unread (a real one is a few hundred bytes).
pub const MAX_FILE_BYTES: u64 = 64 * 1024;

/// The first line of files Nudge writes, for whoever opens one.
const HEADER: &str = "# A Nudge Session Invite application. Format: docs/apps.md\n";

/// The registered applications of one profile, as last read from or written to its folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registry {
    dir: PathBuf,
    apps: BTreeMap<Guid, Registration>,
}

impl Registry {
    /// An empty registry for `dir`, without reading it.
    pub fn empty(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            apps: BTreeMap::new(),
        }
    }

    /// Reads every `*.toml` file in `dir` (a missing folder is an empty registry). Files that
    /// cannot be used are skipped and described, one plain sentence each, in the second value.
    pub fn load(dir: &Path) -> (Self, Vec<String>) {
        let mut registry = Self::empty(dir);
        let mut problems = Vec::new();
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return (registry, problems),
            Err(e) => {
                problems.push(format!("could not read the folder {}: {e}", dir.display()));
                return (registry, problems);
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| is_registration_file(path))
            .collect();
        // Sorted, so problems are reported in a stable order.
        paths.sort();
        for path in paths {
            match read_registration(&path) {
                Ok(registration) => {
                    registry
                        .apps
                        .insert(registration.guid.clone(), registration);
                }
                Err(problem) => problems.push(format!("{}: {problem}", path.display())),
            }
        }
        (registry, problems)
    }

    /// The folder the registry lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every registration, sorted by name (ignoring case), then GUID: the Invite menu's order.
    pub fn list(&self) -> Vec<&Registration> {
        let mut list: Vec<&Registration> = self.apps.values().collect();
        list.sort_by(|a, b| {
            (a.name.to_lowercase(), &a.name, &a.guid).cmp(&(
                b.name.to_lowercase(),
                &b.name,
                &b.guid,
            ))
        });
        list
    }

    /// The registration with this GUID.
    pub fn get(&self, guid: &Guid) -> Option<&Registration> {
        self.apps.get(guid)
    }

    /// How many applications are registered.
    pub fn len(&self) -> usize {
        self.apps.len()
    }

    /// True when no application is registered.
    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }

    /// The file that holds (or would hold) the registration of `guid`.
    pub fn file_path(&self, guid: &Guid) -> PathBuf {
        self.dir.join(guid.file_name())
    }

    /// Registers an application. A GUID that is registered already — known here or present
    /// as a file, even a broken one — is refused with [`AppsError::AlreadyRegistered`] unless
    /// `replace` is set.
    pub fn register(&mut self, registration: Registration, replace: bool) -> Result<(), AppsError> {
        registration.validate()?;
        let guid = registration.guid.clone();
        if !replace && self.apps.contains_key(&guid) {
            return Err(AppsError::AlreadyRegistered(guid));
        }
        let mut text = String::from(HEADER);
        text.push_str(&toml::to_string_pretty(&registration)?);
        let path = self.file_path(&guid);
        write_into_place(&self.dir, &path, text.as_bytes(), replace).map_err(|e| match e {
            PlaceError::Exists => AppsError::AlreadyRegistered(guid.clone()),
            PlaceError::Io(path, source) => AppsError::Io { path, source },
        })?;
        self.apps.insert(guid, registration);
        Ok(())
    }

    /// Removes the application's file and answers the registration it held (`None` when the
    /// file was broken). [`AppsError::NotRegistered`] when there is no such file.
    pub fn unregister(&mut self, guid: &Guid) -> Result<Option<Registration>, AppsError> {
        let path = self.file_path(guid);
        match fs::remove_file(&path) {
            Ok(()) => Ok(self.apps.remove(guid)),
            // Someone else removed the file since it was read: it is gone either way.
            Err(e) if e.kind() == io::ErrorKind::NotFound => match self.apps.remove(guid) {
                Some(registration) => Ok(Some(registration)),
                None => Err(AppsError::NotRegistered(guid.clone())),
            },
            Err(source) => Err(AppsError::Io { path, source }),
        }
    }

    /// Every registration by GUID (for diffing two loads).
    pub(crate) fn by_guid(&self) -> &BTreeMap<Guid, Registration> {
        &self.apps
    }
}

/// Files the registry reads: visible `*.toml` files (temporary files are hidden `.tmp` ones).
pub(crate) fn is_registration_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    !name.starts_with('.') && name.ends_with(".toml")
}

/// Reads and checks one file; the error is a plain sentence.
fn read_registration(path: &Path) -> Result<Registration, String> {
    let metadata = fs::metadata(path).map_err(|e| format!("could not read it: {e}"))?;
    if !metadata.is_file() {
        return Err("it is not a file".into());
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!(
            "it is too large to be a registration (over {} KiB)",
            MAX_FILE_BYTES / 1024
        ));
    }
    let bytes = fs::read(path).map_err(|e| format!("could not read it: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    let registration: Registration = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        match line {
            Some(line) => format!("line {line}: {}", e.message()),
            None => e.message().to_string(),
        }
    })?;
    registration.validate().map_err(|e| e.to_string())?;
    let expected = registration.guid.file_name();
    let actual = path.file_name().map(|n| n.to_string_lossy().into_owned());
    if actual.as_deref() != Some(expected.as_str()) {
        return Err(format!(
            "the file must be named {expected}, after the GUID it registers (found {:?})",
            clip(actual.as_deref().unwrap_or(""))
        ));
    }
    Ok(registration)
}

enum PlaceError {
    /// The target exists and replacing was not asked for.
    Exists,
    /// Writing failed.
    Io(PathBuf, io::Error),
}

/// Writes `bytes` to a hidden temporary file in `dir` (private to the user: it may hold the
/// app's key), then moves it to `path`. Without `replace`, a hard link makes the move fail if
/// `path` exists, so two writers can never both think they registered the same GUID.
fn write_into_place(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    replace: bool,
) -> Result<(), PlaceError> {
    let io_error = |p: &Path| {
        let p = p.to_path_buf();
        move |e| PlaceError::Io(p, e)
    };
    // Private like the rest of the profile: registrations may hold an app key.
    crate::platform::private::create_private_dir_all(dir).map_err(io_error(dir))?;
    let temporary = dir.join(format!(".{}.tmp", uuid::Uuid::new_v4()));
    let written = write_private(&temporary, bytes).map_err(io_error(&temporary));
    let placed = written.and_then(|()| {
        if replace {
            fs::rename(&temporary, path).map_err(io_error(path))
        } else {
            match fs::hard_link(&temporary, path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(PlaceError::Exists),
                // Some file systems (FAT, some network mounts) have no hard links: creating the
                // file directly still never clobbers, though a reader may see it half written.
                Err(_) => write_private(path, bytes).map_err(|e| {
                    if e.kind() == io::ErrorKind::AlreadyExists {
                        PlaceError::Exists
                    } else {
                        PlaceError::Io(path.to_path_buf(), e)
                    }
                }),
            }
        }
    });
    // After a rename the temporary name is gone already; otherwise it must not linger.
    let _ = fs::remove_file(&temporary);
    placed
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
