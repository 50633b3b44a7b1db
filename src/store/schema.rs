//! The database schema as numbered migrations, and the code that applies them.
//!
//! `PRAGMA user_version` holds how many migrations a file has seen. Each migration runs in its
//! own transaction together with the bump of `user_version`, so a crash mid-way leaves the file
//! at the previous version, never half-migrated. Migrations are append-only: never edit one that
//! has shipped, add a new one instead.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: one-to-one history and the outbox.
    "
    CREATE TABLE messages (
        -- Insertion order: breaks ties between equal timestamps so that messages archived
        -- within the same second (delay stamps have second resolution) keep server order.
        seq            INTEGER PRIMARY KEY,
        peer           TEXT    NOT NULL,
        -- XEP-0359 origin-id, or the stanza id the sender chose.
        id             TEXT    NOT NULL,
        -- XEP-0359 <stanza-id> the server's archive assigned, for MAM sync.
        stanza_id      TEXT,
        direction      TEXT    NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        body           TEXT    NOT NULL,
        timestamp_ms   INTEGER NOT NULL,
        delivery       TEXT    NOT NULL
            CHECK (delivery IN ('pending', 'sent', 'delivered', 'failed', 'received')),
        failure_reason TEXT,
        UNIQUE (peer, id)
    );
    CREATE INDEX messages_by_time ON messages (peer, timestamp_ms, seq);
    CREATE UNIQUE INDEX messages_by_stanza_id ON messages (peer, stanza_id)
        WHERE stanza_id IS NOT NULL;
    -- Where a MAM catch-up starts: the newest archived message of any conversation.
    CREATE INDEX messages_archived ON messages (timestamp_ms, seq)
        WHERE stanza_id IS NOT NULL;

    CREATE TABLE outbox (
        -- Queue order.
        position  INTEGER PRIMARY KEY,
        peer      TEXT    NOT NULL,
        id        TEXT    NOT NULL,
        attempts  INTEGER NOT NULL DEFAULT 0,
        UNIQUE (peer, id),
        FOREIGN KEY (peer, id) REFERENCES messages (peer, id) ON DELETE CASCADE
    );
    ",
    // 2: whose display picture is which (the PNGs are files named by their SHA-1).
    "
    CREATE TABLE avatars (
        jid   TEXT PRIMARY KEY,
        sha1  TEXT NOT NULL
    );
    ",
];

/// The schema version this build writes.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The version recorded in the file.
pub(crate) fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Brings the file up to [`latest_version`], or refuses a file from a newer Nudge.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    loop {
        // IMMEDIATE takes the write lock before reading the version, so two instances opening
        // the same file at once cannot both apply the same migration.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = version(&tx)?;
        let known = latest_version();
        if current > known {
            return Err(StoreError::TooNew {
                found: current,
                known,
            });
        }
        if current == known {
            return Ok(());
        }
        let Some(sql) = usize::try_from(current)
            .ok()
            .and_then(|index| MIGRATIONS.get(index))
        else {
            return Err(StoreError::Corrupt(format!(
                "schema version {current} is not a valid version"
            )));
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
    }
}
