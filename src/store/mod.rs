//! The only owner of SQLite in Nudge: message history, sync cursors, the outbox and whose
//! display picture is which.
//!
//! One database file per profile ([`crate::config::Profile::database_path`]), in WAL mode so the
//! UI can read while the core writes, with foreign keys on and numbered migrations
//! (see `schema.rs`). The API is synchronous: the core calls it from a blocking-friendly place
//! (`spawn_blocking` or a dedicated thread). Every statement is parameterised and every list
//! has a total `ORDER BY`.

mod avatars;
mod history;
mod messages;
mod outbox;
mod schema;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

pub use outbox::OutboxEntry;

/// How long a statement waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Errors from the history database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened or prepared.
    #[error("could not open the history database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: Box<StoreError>,
    },
    /// The file was written by a newer Nudge whose schema this build does not know.
    #[error(
        "the history database was written by a newer version of Nudge (schema version {found}, \
         this version knows up to {known}); update Nudge or use another profile"
    )]
    TooNew {
        /// The version found in the file.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A stored value is not one this build understands.
    #[error("the history database holds something this version does not understand: {0}")]
    Corrupt(String),
    /// The file could not be created private to the user, or made so.
    #[error(transparent)]
    Private(#[from] crate::platform::private::PrivateError),
    /// Only outgoing messages can be queued for sending.
    #[error("only outgoing messages can be queued for sending")]
    NotOutgoing,
    /// SQLite reported an error.
    #[error("the history database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Creates the database file `0600` if it is missing (SQLite would use the umask, and gives
/// the `-wal` and `-shm` files it makes later the database's own permissions), and tightens
/// an older one and its companions to `0600`.
fn make_private(path: &Path) -> Result<(), StoreError> {
    use crate::platform::private::{new_private_file, tighten_file, PrivateError};
    match new_private_file().open(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(source) => {
            return Err(StoreError::Private(PrivateError::Io {
                path: path.to_path_buf(),
                source,
            }))
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        tighten_file(Path::new(&file))?;
    }
    Ok(())
}

/// The history database of one profile.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date. The
    /// file and its WAL companions are private to the user (`0600`).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source: Box::new(source),
        };
        make_private(path).map_err(open_error)?;
        Self::prepare(Connection::open(path), true).map_err(open_error)
    }

    /// A private database that lives in memory only (tests, `--no-history`).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::prepare(Connection::open_in_memory(), false)
    }

    fn prepare(conn: rusqlite::Result<Connection>, on_disk: bool) -> Result<Self, StoreError> {
        let mut conn = conn?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        if on_disk {
            let mode: String =
                conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Corrupt(format!(
                    "the file refused write-ahead logging (journal mode {mode})"
                )));
            }
            // FULL makes each commit durable across power loss too, not only a crash of Nudge:
            // the outbox promises that nothing typed is lost. Bulk imports batch their writes.
            conn.pragma_update(None, "synchronous", "FULL")?;
        }
        schema::migrate(&mut conn)?;
        Ok(Self { conn })
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        schema::version(&self.conn)
    }
}
