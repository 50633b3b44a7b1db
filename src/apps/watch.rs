//! Live pick-up of registrations: installers (or `nudge apps`) change the folder while Nudge
//! runs, and the watcher reports what changed — the seeds' OnAppRegistered and
//! OnAppUnRegistered.
//!
//! File events come in bursts (an editor saving, an installer writing in several steps), so the
//! watcher waits until the folder has been quiet for [`QUIET`], then reads it again and reports
//! the difference from the previous reading. It needs no tokio runtime: a plain thread does the
//! waiting and reading, and the unbounded sender works from any thread.

use std::path::Path;
use std::sync::{mpsc as std_mpsc, Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::registry::is_registration_file;
use super::{AppsError, Guid, Registration, Registry};

/// How long the folder must be quiet before it is read again.
pub const QUIET: Duration = Duration::from_millis(200);
/// The longest a steady stream of events can put off a reading.
pub const MAX_DELAY: Duration = Duration::from_secs(2);

/// What changed in the registry between two readings of its folder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppsChange {
    /// Applications that appeared (OnAppRegistered), in menu order.
    pub registered: Vec<Registration>,
    /// Applications that disappeared (OnAppUnRegistered), by GUID.
    pub unregistered: Vec<Guid>,
    /// Applications whose registration changed, as they are now, in menu order.
    pub changed: Vec<Registration>,
    /// Every file that cannot be used at present (the whole list, not only new ones).
    pub problems: Vec<String>,
}

impl AppsChange {
    /// The difference from `old` to `new`; `problems` is left empty.
    pub fn between(old: &Registry, new: &Registry) -> Self {
        let old_apps = old.by_guid();
        let new_apps = new.by_guid();
        let mut change = Self::default();
        for registration in new.list() {
            match old_apps.get(&registration.guid) {
                None => change.registered.push(registration.clone()),
                Some(before) if before != registration => change.changed.push(registration.clone()),
                Some(_) => {}
            }
        }
        change.unregistered = old_apps
            .keys()
            .filter(|guid| !new_apps.contains_key(*guid))
            .cloned()
            .collect();
        change
    }

    /// True when no application appeared, disappeared or changed.
    pub fn is_empty(&self) -> bool {
        self.registered.is_empty() && self.unregistered.is_empty() && self.changed.is_empty()
    }
}

/// The latest reading of the folder, shared with the watching thread.
#[derive(Debug)]
struct Snapshot {
    registry: Registry,
    problems: Vec<String>,
}

/// Watches an apps folder; dropping it stops the watching.
pub struct AppsWatcher {
    // Kept only to be dropped: that ends the file watch and, through it, the reading thread.
    _watcher: RecommendedWatcher,
    snapshot: Arc<Mutex<Snapshot>>,
}

impl AppsWatcher {
    /// The registry as last read (the one the next change is measured from).
    pub fn registry(&self) -> Registry {
        self.lock().registry.clone()
    }

    /// The files that could not be used at the last reading.
    pub fn problems(&self) -> Vec<String> {
        self.lock().problems.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Snapshot> {
        // The thread only ever swaps whole values in, so a poisoned lock still holds a
        // consistent snapshot.
        self.snapshot.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Starts watching `dir` (created if missing). The folder is read once now (see
/// [`AppsWatcher::registry`]); afterwards every change is sent as an [`AppsChange`]. Nothing is
/// sent while nothing changes; a change in the set of broken files alone is sent too.
pub fn watch(dir: &Path) -> Result<(AppsWatcher, mpsc::UnboundedReceiver<AppsChange>), AppsError> {
    crate::platform::private::create_private_dir_all(dir).map_err(|source| AppsError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let (raw_tx, raw_rx) = std_mpsc::channel::<()>();
    let watched_dir = dir.to_path_buf();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if is_relevant(&event, &watched_dir) {
            // The reading thread is gone only when the watcher is being dropped.
            let _ = raw_tx.send(());
        }
    })
    .map_err(|source| watch_error(dir, source))?;
    watcher
        .watch(dir, RecursiveMode::NonRecursive)
        .map_err(|source| watch_error(dir, source))?;
    // Read after the watch has started, so a change in between is not missed (at worst it is
    // read twice and the second reading finds no difference).
    let (registry, problems) = Registry::load(dir);
    let snapshot = Arc::new(Mutex::new(Snapshot { registry, problems }));
    let (tx, rx) = mpsc::unbounded_channel();
    let thread_snapshot = Arc::clone(&snapshot);
    let thread_dir = dir.to_path_buf();
    thread::Builder::new()
        .name("nudge-apps-watch".into())
        .spawn(move || reread_on_change(&thread_dir, &raw_rx, &thread_snapshot, &tx))
        .map_err(|source| AppsError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    Ok((
        AppsWatcher {
            _watcher: watcher,
            snapshot,
        },
        rx,
    ))
}

fn watch_error(dir: &Path, source: notify::Error) -> AppsError {
    AppsError::Watch {
        path: dir.to_path_buf(),
        source,
    }
}

/// Events that may change what the folder registers. Opening and reading files is not one of
/// them — without this filter, reading the folder would wake the watcher again, forever.
fn is_relevant(event: &notify::Result<notify::Event>, dir: &Path) -> bool {
    let Ok(event) = event else {
        // An error (e.g. the kernel's queue overflowed) may hide changes: read again.
        return true;
    };
    let kind_matters = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    kind_matters
        && (event.need_rescan()
            || event.paths.is_empty()
            || event
                .paths
                .iter()
                .any(|path| path == dir || is_registration_file(path)))
}

/// The reading thread: waits for a quiet folder, reads it, reports the difference. Ends when
/// the file watch is dropped or nobody listens any more.
fn reread_on_change(
    dir: &Path,
    raw: &std_mpsc::Receiver<()>,
    snapshot: &Mutex<Snapshot>,
    tx: &mpsc::UnboundedSender<AppsChange>,
) {
    while raw.recv().is_ok() {
        let first = Instant::now();
        loop {
            match raw.recv_timeout(QUIET) {
                Ok(()) if first.elapsed() < MAX_DELAY => continue,
                Ok(()) | Err(std_mpsc::RecvTimeoutError::Timeout) => break,
                Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        let (registry, problems) = Registry::load(dir);
        let mut guard = snapshot.lock().unwrap_or_else(PoisonError::into_inner);
        let mut change = AppsChange::between(&guard.registry, &registry);
        let problems_changed = guard.problems != problems;
        change.problems = problems.clone();
        *guard = Snapshot { registry, problems };
        drop(guard);
        if (!change.is_empty() || problems_changed) && tx.send(change).is_err() {
            return;
        }
    }
}
