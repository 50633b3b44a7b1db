//! Carrying out the account core's store operations: SQLite through `store::Store`, and the
//! display-picture cache (files named by their SHA-1 in the profile's data folder).
//!
//! The account core's unit tests run the same function against an in-memory store, so what they
//! check is what the app does.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use crate::core::account::{Fault, StoreAnswer, StoreOp};
use crate::store::Store;
use crate::xmpp::avatar as wire;

/// Runs `op`; returns its answer for the operations that have one. Failures of operations
/// without an answer are logged: nothing depends on them, and the next run repairs them (an
/// outbox entry not marked sent is sent again and deduplicated by its id).
pub fn run(store: &mut Store, avatars: &Path, op: StoreOp) -> Option<StoreAnswer> {
    let text = |e: crate::store::StoreError| Fault::from_error(&e);
    match op {
        StoreOp::InsertMessage { message, server_id } => {
            let result = match server_id.as_deref() {
                Some(server_id) => store.insert_message_with_stanza_id(&message, server_id),
                None => store.insert_message(&message),
            };
            Some(StoreAnswer::Inserted {
                message,
                result: result.map_err(text),
            })
        }
        StoreOp::InsertArchived { messages } => Some(StoreAnswer::ArchivedInserted {
            result: store.insert_archived(&messages).map_err(text),
        }),
        StoreOp::QueueOutgoing { message } => {
            let result = store.queue_outgoing(&message).map(|_| ()).map_err(text);
            Some(StoreAnswer::Queued { message, result })
        }
        StoreOp::NoteAttempt { peer, id } => {
            log_failure(
                "count a send attempt of",
                &id,
                store.note_attempt(&peer, &id),
            );
            None
        }
        StoreOp::MarkSent { peer, id } => {
            log_failure("mark as sent", &id, store.mark_sent(&peer, &id));
            None
        }
        StoreOp::MarkFailed { peer, id, reason } => {
            log_failure(
                "mark as failed",
                &id,
                store.mark_failed(&peer, &id, &reason),
            );
            None
        }
        StoreOp::SetDelivery { peer, id, delivery } => {
            log_failure(
                "record the delivery of",
                &id,
                store.set_delivery(&peer, &id, &delivery),
            );
            None
        }
        StoreOp::ReadOutbox => Some(StoreAnswer::Outbox(store.outbox().map_err(text))),
        StoreOp::NewestArchived { purpose } => Some(StoreAnswer::NewestArchived {
            purpose,
            result: store.newest_archived().map_err(text),
        }),
        StoreOp::RecentMessages { peer, limit } => {
            let result = store.recent_messages(&peer, limit).map_err(text);
            Some(StoreAnswer::History { peer, result })
        }
        StoreOp::SetAvatarHash { jid, sha1 } => {
            log_failure(
                "remember the picture of",
                jid.as_str(),
                store.set_avatar_hash(&jid, sha1.as_deref()),
            );
            None
        }
        StoreOp::AvatarHashes => Some(StoreAnswer::AvatarHashes(
            store.avatar_hashes().map_err(text),
        )),
        StoreOp::CachedPicture { jid, sha1 } => {
            let png = cached(avatars, &sha1);
            Some(StoreAnswer::CachedPicture { jid, sha1, png })
        }
        StoreOp::KeepPicture { sha1, png } => {
            keep(avatars, &sha1, &png);
            None
        }
        StoreOp::PrunePictures { keep } => {
            prune(avatars, &keep.iter().map(String::as_str).collect());
            None
        }
    }
}

fn log_failure<T>(what: &str, id: &str, result: Result<T, crate::store::StoreError>) {
    if let Err(error) = result {
        tracing::warn!("could not {what} {id}: {error}");
    }
}

/// The cached picture with this hash, if present and intact.
fn cached(dir: &Path, sha1: &str) -> Option<Arc<[u8]>> {
    if !wire::is_sha1_hex(sha1) {
        return None;
    }
    let bytes = std::fs::read(dir.join(format!("{sha1}.png"))).ok()?;
    (wire::sha1_hex(&bytes) == sha1).then(|| bytes.into())
}

/// Keeps a picture in the cache; a failure only costs a fetch next time.
fn keep(dir: &Path, sha1: &str, png: &[u8]) {
    if !wire::is_sha1_hex(sha1) {
        return;
    }
    let path = dir.join(format!("{sha1}.png"));
    if path.exists() {
        return;
    }
    if let Err(error) = crate::config::write_atomically(&path, png) {
        tracing::warn!("a display picture could not be cached: {error}");
    }
}

/// Deletes cached pictures (files Nudge named `<sha1>.png`) that belong to nobody in `keep`:
/// replaced pictures, and ones whose publication failed.
fn prune(dir: &Path, keep: &HashSet<&str>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if is_stale(&path, keep) {
            if let Err(error) = std::fs::remove_file(&path) {
                tracing::info!("an old display picture could not be deleted: {error}");
            }
        }
    }
}

/// Whether `path` is a cached picture not in `keep` (other files are never touched).
fn is_stale(path: &Path, keep: &HashSet<&str>) -> bool {
    path.extension().is_some_and(|e| e == "png")
        && path
            .file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|stem| wire::is_sha1_hex(stem) && !keep.contains(stem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cached_pictures_nobody_has_are_stale() {
        let kept = "a".repeat(40);
        let old = "b".repeat(40);
        let keep: HashSet<&str> = [kept.as_str()].into();
        let dir = Path::new("/cache");
        assert!(is_stale(&dir.join(format!("{old}.png")), &keep));
        assert!(!is_stale(&dir.join(format!("{kept}.png")), &keep));
        assert!(!is_stale(&dir.join(format!("{old}.txt")), &keep));
        assert!(!is_stale(&dir.join("holiday.png"), &keep));
        assert!(!is_stale(&dir.join(format!(".{old}.png.tmp")), &keep));
    }

    #[test]
    fn a_cached_picture_is_read_back_only_when_intact() {
        let dir = tempfile::tempdir().unwrap();
        let png = b"not really a png but bytes".to_vec();
        let sha1 = wire::sha1_hex(&png);
        keep(dir.path(), &sha1, &png);
        assert_eq!(cached(dir.path(), &sha1).as_deref(), Some(&png[..]));
        std::fs::write(dir.path().join(format!("{sha1}.png")), b"tampered").unwrap();
        assert!(cached(dir.path(), &sha1).is_none());
        assert!(cached(dir.path(), "../../etc/passwd").is_none());
    }
}
