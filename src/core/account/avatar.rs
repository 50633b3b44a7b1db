//! Display pictures in the account task: preparing and publishing the user's own (XEP-0084),
//! fetching contacts' when their metadata is pushed, and the cache of pictures on disk.
//!
//! Pictures are files named by their SHA-1 in the profile's data folder; the store remembers
//! whose picture is which. At start the cached pictures are reported at once, so the window shows
//! them before (and without) fetching anything.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::message::Message;

use super::{Account, PendingIq};
use crate::core::session::Session;
use crate::event::Event;
use crate::model::Avatar;
use crate::xmpp::avatar::{self as wire, Notice};

mod picture;

use picture::{prepare, prepare_file, PictureError, Prepared, SIDE};

/// What an avatar request we sent was for.
#[derive(Clone, Debug)]
pub(super) enum Pending {
    /// Publishing the PNG; the metadata follows.
    Data(Prepared),
    /// Announcing the published PNG.
    Metadata(Prepared),
    /// Announcing that there is no picture.
    Removal,
    /// Fetching `jid`'s picture with this hash.
    Fetch {
        /// Bare JID of the owner.
        jid: String,
        /// The hash asked for.
        sha1: String,
    },
}

/// Fetches on their way (so one picture is asked for once) and the picture last reported for
/// each person (so a repeat is not reported again).
#[derive(Debug, Default)]
pub(super) struct Pictures {
    /// (bare JID, hash) being fetched.
    fetching: HashSet<(String, String)>,
    /// Bare JID → hash of the picture reported to subscribers in this run.
    reported: HashMap<String, String>,
}

/// Where cached pictures live.
fn cache_dir(account: &Account) -> PathBuf {
    account.profile.avatars_dir()
}

/// The cached picture with this hash, if present and intact.
fn cached(account: &Account, sha1: &str) -> Option<Arc<[u8]>> {
    if !wire::is_sha1_hex(sha1) {
        return None;
    }
    let bytes = std::fs::read(cache_dir(account).join(format!("{sha1}.png"))).ok()?;
    (wire::sha1_hex(&bytes) == sha1).then(|| bytes.into())
}

/// Keeps a picture in the cache; a failure only costs a fetch next time.
fn keep(account: &Account, sha1: &str, png: &[u8]) {
    let path = cache_dir(account).join(format!("{sha1}.png"));
    if path.exists() {
        return;
    }
    if let Err(error) = crate::config::write_atomically(&path, png) {
        tracing::warn!("a display picture could not be cached: {error}");
    }
}

/// Records and reports `jid`'s picture, unless it is the one already reported (the server
/// repeats the current picture at each sign-in, and echoes the user's own publications).
fn changed(account: &mut Account, jid: &str, avatar: Option<Avatar>) {
    let sha1 = avatar.as_ref().map(|a| a.sha1.clone());
    if account.pictures.reported.get(jid) == sha1.as_ref() {
        return;
    }
    if let Err(error) = account.store.set_avatar_hash(jid, sha1.as_deref()) {
        tracing::warn!("could not remember {jid}'s display picture: {error}");
    }
    match sha1 {
        Some(sha1) => account.pictures.reported.insert(jid.to_owned(), sha1),
        None => account.pictures.reported.remove(jid),
    };
    account.emit(Event::AvatarChanged {
        jid: jid.to_owned(),
        avatar,
    });
}

/// Reports every cached picture (at start, before any network), and deletes cached pictures
/// nobody has any more.
pub(super) fn replay_cached(account: &mut Account) {
    let known = match account.store.avatar_hashes() {
        Ok(known) => known,
        Err(error) => {
            tracing::warn!("display pictures could not be read from the store: {error}");
            return;
        }
    };
    prune(account, &known);
    for (jid, sha1) in known {
        if let Some(png) = cached(account, &sha1) {
            changed(account, &jid, Some(Avatar { sha1, png }));
        }
    }
}

/// Deletes cached pictures (files Nudge named `<sha1>.png`) that belong to nobody in `known`:
/// replaced pictures, and ones whose publication failed.
fn prune(account: &Account, known: &[(String, String)]) {
    let Ok(entries) = std::fs::read_dir(cache_dir(account)) else {
        return;
    };
    let keep: HashSet<&str> = known.iter().map(|(_, sha1)| sha1.as_str()).collect();
    for path in entries.flatten().map(|e| e.path()) {
        if is_stale(&path, &keep) {
            if let Err(error) = std::fs::remove_file(&path) {
                tracing::info!("an old display picture could not be deleted: {error}");
            }
        }
    }
}

/// Whether `path` is a cached picture not in `keep` (other files are never touched).
fn is_stale(path: &std::path::Path, keep: &HashSet<&str>) -> bool {
    path.extension().is_some_and(|e| e == "png")
        && path
            .file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|stem| wire::is_sha1_hex(stem) && !keep.contains(stem))
}

/// `Command::SetAvatar`: publish the picture in a file.
pub(super) async fn set_from_file(
    account: &mut Account,
    session: &mut Session,
    path: String,
) -> Result<(), String> {
    match prepare_file(path).await {
        Ok(prepared) => publish(account, session, prepared).await,
        Err(error) => {
            refuse(account, error);
            Ok(())
        }
    }
}

/// `Command::SetBuiltinAvatar`: publish one of Nudge's own pictures.
pub(super) async fn set_builtin(
    account: &mut Account,
    session: &mut Session,
    name: String,
) -> Result<(), String> {
    let prepared = match crate::model::builtin_picture(&name) {
        Some(picture) => prepare(picture.png, picture.label),
        None => Err(PictureError::UnknownBuiltin(name)),
    };
    match prepared {
        Ok(prepared) => publish(account, session, prepared).await,
        Err(error) => {
            refuse(account, error);
            Ok(())
        }
    }
}

fn refuse(account: &Account, error: PictureError) {
    account.problem(format!("Your display picture was not changed: {error}."));
}

/// Publishes the data item; the metadata follows when the server has it.
async fn publish(
    account: &mut Account,
    session: &mut Session,
    prepared: Prepared,
) -> Result<(), String> {
    // Cached first, so the notification of our own publication finds it without a fetch.
    keep(account, &prepared.sha1, &prepared.png);
    let id = session.next_id("avatar");
    let mut iq = wire::publish_data(&id, &prepared.png);
    if !prepared.with_options {
        iq = wire::without_options(iq);
    }
    account
        .pending
        .insert(id, PendingIq::Avatar(Pending::Data(prepared)));
    session.send(iq.into(), None).await
}

/// `Command::ClearAvatar`: announce that there is no picture.
pub(super) async fn clear(account: &mut Account, session: &mut Session) -> Result<(), String> {
    let id = session.next_id("avatar");
    // Without publish-options: the node exists already, with whatever settings it was given.
    let iq = wire::without_options(wire::publish_removal(&id));
    account
        .pending
        .insert(id, PendingIq::Avatar(Pending::Removal));
    session.send(iq.into(), None).await
}

/// Handles a metadata notification; returns whether `message` was one.
pub(super) async fn on_message(
    account: &mut Account,
    session: &mut Session,
    message: &Message,
) -> Result<bool, String> {
    let Some(notice) = wire::classify_notification(message) else {
        return Ok(false);
    };
    let notice = match notice {
        Ok(notice) => notice,
        Err(error) => {
            tracing::info!("ignored a display picture: {error}");
            return Ok(true);
        }
    };
    let jid = match &notice {
        Notice::Set { jid, .. } | Notice::Removed { jid } => jid.to_string(),
    };
    let own = account.own.as_ref().is_some_and(|own| own.as_str() == jid);
    if !own && !account.roster.contains_key(&jid) {
        tracing::info!("ignored a display picture from {jid}, who is not a contact");
        return Ok(true);
    }
    match notice {
        Notice::Removed { .. } => changed(account, &jid, None),
        Notice::Set {
            jid: owner, sha1, ..
        } => {
            if let Some(png) = cached(account, &sha1) {
                changed(account, &jid, Some(Avatar { sha1, png }));
                return Ok(true);
            }
            if !account
                .pictures
                .fetching
                .insert((jid.clone(), sha1.clone()))
            {
                return Ok(true);
            }
            let id = session.next_id("avatar");
            let iq = wire::fetch(&id, &owner, &sha1);
            account
                .pending
                .insert(id, PendingIq::Avatar(Pending::Fetch { jid, sha1 }));
            session.send(iq.into(), None).await?;
        }
    }
    Ok(true)
}

/// Publishes the metadata of a published picture (step two).
async fn announce(
    account: &mut Account,
    session: &mut Session,
    prepared: Prepared,
) -> Result<(), String> {
    let id = session.next_id("avatar");
    let mut iq = wire::publish_metadata(&id, &prepared.sha1, prepared.png.len(), SIDE, SIDE);
    if !prepared.with_options {
        iq = wire::without_options(iq);
    }
    account
        .pending
        .insert(id, PendingIq::Avatar(Pending::Metadata(prepared)));
    session.send(iq.into(), None).await
}

/// Handles the answer to one of our avatar requests.
pub(super) async fn on_answer(
    account: &mut Account,
    session: &mut Session,
    pending: Pending,
    iq: &Iq,
) -> Result<(), String> {
    let own = account.own.as_ref().map(|own| own.to_string());
    match pending {
        Pending::Data(prepared) if prepared.with_options && wire::is_precondition_failure(iq) => {
            // Another client made the node with other settings: publish into it as it is.
            let prepared = Prepared {
                with_options: false,
                ..prepared
            };
            return publish(account, session, prepared).await;
        }
        Pending::Data(prepared) => {
            if let Some(reason) = wire::publish_error(iq) {
                account.problem(format!(
                    "Your display picture could not be published: {reason}."
                ));
                return Ok(());
            }
            announce(account, session, prepared).await?;
        }
        Pending::Metadata(prepared)
            if prepared.with_options && wire::is_precondition_failure(iq) =>
        {
            let prepared = Prepared {
                with_options: false,
                ..prepared
            };
            announce(account, session, prepared).await?;
        }
        Pending::Metadata(prepared) => match wire::publish_error(iq) {
            Some(reason) => account.problem(format!(
                "Your display picture could not be published: {reason}."
            )),
            None => {
                if let Some(own) = own {
                    let avatar = Avatar {
                        sha1: prepared.sha1,
                        png: prepared.png,
                    };
                    changed(account, &own, Some(avatar));
                }
            }
        },
        Pending::Removal => match wire::publish_error(iq) {
            Some(reason) => account.problem(format!(
                "Your display picture could not be removed: {reason}."
            )),
            None => {
                if let Some(own) = own {
                    changed(account, &own, None);
                }
            }
        },
        Pending::Fetch { jid, sha1 } => {
            account
                .pictures
                .fetching
                .remove(&(jid.clone(), sha1.clone()));
            match wire::parse_fetched(iq, &sha1) {
                Ok(png) => {
                    keep(account, &sha1, &png);
                    changed(
                        account,
                        &jid,
                        Some(Avatar {
                            sha1,
                            png: png.into(),
                        }),
                    );
                }
                Err(error) => tracing::info!("{jid}'s display picture was not used: {error}"),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cached_pictures_nobody_has_are_stale() {
        let kept = "a".repeat(40);
        let old = "b".repeat(40);
        let keep: HashSet<&str> = [kept.as_str()].into();
        let dir = std::path::Path::new("/cache");
        assert!(is_stale(&dir.join(format!("{old}.png")), &keep));
        assert!(!is_stale(&dir.join(format!("{kept}.png")), &keep));
        assert!(!is_stale(&dir.join(format!("{old}.txt")), &keep));
        assert!(!is_stale(&dir.join("holiday.png"), &keep));
        assert!(!is_stale(&dir.join(format!(".{old}.png.tmp")), &keep));
    }
}
