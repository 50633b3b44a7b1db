//! Display pictures: publishing the user's own (XEP-0084: the PNG, then its metadata), fetching
//! contacts' when their metadata is pushed, and which picture was last reported for whom.
//!
//! Pictures are cached as files named by their SHA-1 (a store operation); the store remembers
//! whose picture is which. At start the cached pictures are reported at once, so the window
//! shows them before (and without) fetching anything.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, Jid};
use tokio_xmpp::parsers::message::Message;

use super::effect::PictureSource;
use super::{Account, Effect, Purpose, Responder, StoreOp};
use crate::event::Event;
use crate::model::Avatar;
use crate::problem::Problem;
use crate::xmpp::avatar::{self as wire, Notice};

mod picture;

pub use picture::{prepare, prepare_file, PictureError, Prepared, SIDE};

/// Prepares one of Nudge's own pictures by name.
pub fn prepare_builtin(name: &str) -> Result<Prepared, PictureError> {
    match crate::model::builtin_picture(name) {
        Some(picture) => prepare(picture.png, picture.label),
        None => Err(PictureError::UnknownBuiltin(name.to_owned())),
    }
}

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
        /// The owner.
        jid: BareJid,
        /// The hash asked for.
        sha1: String,
    },
}

/// Fetches on their way (so one picture is asked for once) and the picture last reported for
/// each person (so a repeat is not reported again).
#[derive(Debug, Default)]
pub(super) struct Pictures {
    /// (bare JID, hash) being looked up in the cache or fetched.
    fetching: HashSet<(BareJid, String)>,
    /// Bare JID → hash of the picture reported to subscribers in this run.
    reported: HashMap<BareJid, String>,
}

impl Account {
    /// Records and reports `jid`'s picture, unless it is the one already reported (the server
    /// repeats the current picture at each sign-in, and echoes the user's own publications).
    fn picture_changed(&mut self, jid: &BareJid, avatar: Option<Avatar>) {
        let sha1 = avatar.as_ref().map(|a| a.sha1.clone());
        if self.pictures.reported.get(jid) == sha1.as_ref() {
            return;
        }
        self.store(StoreOp::SetAvatarHash {
            jid: jid.clone(),
            sha1: sha1.clone(),
        });
        match sha1 {
            Some(sha1) => self.pictures.reported.insert(jid.clone(), sha1),
            None => self.pictures.reported.remove(jid),
        };
        self.emit(Event::AvatarChanged {
            jid: jid.clone(),
            avatar,
        });
    }

    /// The remembered hashes at start: drop cached files nobody has, and read the others.
    pub(super) fn on_avatar_hashes(
        &mut self,
        result: Result<Vec<(BareJid, String)>, super::Fault>,
    ) {
        let known = match result {
            Ok(known) => known,
            Err(detail) => {
                tracing::warn!("display pictures could not be read from the store: {detail}");
                return;
            }
        };
        let keep = known.iter().map(|(_, sha1)| sha1.clone()).collect();
        self.store(StoreOp::PrunePictures { keep });
        for (jid, sha1) in known {
            self.look_up_picture(jid, sha1);
        }
    }

    /// Asks the cache for `jid`'s picture `sha1`; a miss fetches it when online.
    fn look_up_picture(&mut self, jid: BareJid, sha1: String) {
        if self.pictures.fetching.insert((jid.clone(), sha1.clone())) {
            self.store(StoreOp::CachedPicture { jid, sha1 });
        }
    }

    pub(super) fn on_cached_picture(&mut self, jid: BareJid, sha1: String, png: Option<Arc<[u8]>>) {
        if let Some(png) = png {
            self.pictures.fetching.remove(&(jid.clone(), sha1.clone()));
            return self.picture_changed(&jid, Some(Avatar { sha1, png }));
        }
        if !self.is_online() {
            self.pictures.fetching.remove(&(jid, sha1));
            return;
        }
        let responder = Responder::Peer(Jid::from(jid.clone()));
        let purpose = Purpose::Avatar(Pending::Fetch {
            jid: jid.clone(),
            sha1: sha1.clone(),
        });
        self.request(responder, purpose, |id| wire::fetch(id, &jid, &sha1));
    }

    /// `Command::SetBuiltinAvatar`.
    pub(super) fn set_builtin_picture(&mut self, name: &str) {
        match crate::model::builtin_picture(name) {
            Some(_) => self.out.push(Effect::PreparePicture(PictureSource::Builtin(
                name.to_owned(),
            ))),
            None => self.problem(Problem::PictureRefused {
                detail: PictureError::UnknownBuiltin(name.to_owned()).to_string(),
            }),
        }
    }

    /// A picture was prepared (or refused): publish it.
    pub(super) fn on_picture_prepared(&mut self, result: Result<Prepared, PictureError>) {
        match result {
            Ok(prepared) if self.is_online() => self.publish_picture(prepared),
            Ok(_) => self.problem(Problem::NotSignedIn {
                action: crate::problem::OfflineAction::ChangePicture,
            }),
            Err(error) => self.problem(Problem::PictureRefused {
                detail: error.to_string(),
            }),
        }
    }

    /// Publishes the data item; the metadata follows when the server has it.
    fn publish_picture(&mut self, prepared: Prepared) {
        // Cached first, so the notification of our own publication finds it without a fetch.
        self.store(StoreOp::KeepPicture {
            sha1: prepared.sha1.clone(),
            png: prepared.png.clone(),
        });
        let with_options = prepared.with_options;
        let png = prepared.png.clone();
        let purpose = Purpose::Avatar(Pending::Data(prepared));
        self.request(Responder::Account, purpose, |id| {
            let iq = wire::publish_data(id, &png);
            if with_options {
                iq
            } else {
                wire::without_options(iq)
            }
        });
    }

    /// Publishes the metadata of a published picture (step two).
    fn announce_picture(&mut self, prepared: Prepared) {
        let with_options = prepared.with_options;
        let (sha1, bytes) = (prepared.sha1.clone(), prepared.png.len());
        let purpose = Purpose::Avatar(Pending::Metadata(prepared));
        self.request(Responder::Account, purpose, |id| {
            let iq = wire::publish_metadata(id, &sha1, bytes, SIDE, SIDE);
            if with_options {
                iq
            } else {
                wire::without_options(iq)
            }
        });
    }

    /// `Command::ClearAvatar`: announce that there is no picture.
    pub(super) fn clear_picture(&mut self) {
        // Without publish-options: the node exists already, with whatever settings it was given.
        let purpose = Purpose::Avatar(Pending::Removal);
        self.request(Responder::Account, purpose, |id| {
            wire::without_options(wire::publish_removal(id))
        });
    }

    /// Handles a metadata notification; returns whether `message` was one.
    pub(super) fn on_picture_notice(&mut self, message: &Message) -> bool {
        let Some(notice) = wire::classify_notification(message) else {
            return false;
        };
        let notice = match notice {
            Ok(notice) => notice,
            Err(error) => {
                tracing::info!("ignored a display picture: {error}");
                return true;
            }
        };
        let jid = match &notice {
            Notice::Set { jid, .. } | Notice::Removed { jid } => jid.clone(),
        };
        if !self.is_own(&jid) && !self.roster.contains_key(&jid) {
            tracing::info!("ignored a display picture from {jid}, who is not a contact");
            return true;
        }
        match notice {
            Notice::Removed { .. } => self.picture_changed(&jid, None),
            Notice::Set { sha1, .. } => self.look_up_picture(jid, sha1),
        }
        true
    }

    /// Handles the answer to one of our avatar requests.
    pub(super) fn on_picture_answer(&mut self, pending: Pending, iq: &Iq) {
        let own = self.own_bare();
        match pending {
            Pending::Data(prepared)
                if prepared.with_options && wire::is_precondition_failure(iq) =>
            {
                // Another client made the node with other settings: publish into it as it is.
                self.publish_picture(Prepared {
                    with_options: false,
                    ..prepared
                });
            }
            Pending::Data(prepared) => match wire::publish_error(iq) {
                Some(reason) => self.problem(Problem::PictureNotPublished { reason }),
                None => self.announce_picture(prepared),
            },
            Pending::Metadata(prepared)
                if prepared.with_options && wire::is_precondition_failure(iq) =>
            {
                self.announce_picture(Prepared {
                    with_options: false,
                    ..prepared
                });
            }
            Pending::Metadata(prepared) => match (wire::publish_error(iq), own) {
                (Some(reason), _) => self.problem(Problem::PictureNotPublished { reason }),
                (None, Some(own)) => {
                    let avatar = Avatar {
                        sha1: prepared.sha1,
                        png: prepared.png,
                    };
                    self.picture_changed(&own, Some(avatar));
                }
                (None, None) => {}
            },
            Pending::Removal => match (wire::publish_error(iq), own) {
                (Some(reason), _) => self.problem(Problem::PictureNotRemoved { reason }),
                (None, Some(own)) => self.picture_changed(&own, None),
                (None, None) => {}
            },
            Pending::Fetch { jid, sha1 } => {
                self.pictures.fetching.remove(&(jid.clone(), sha1.clone()));
                match wire::parse_fetched(iq, &sha1) {
                    Ok(png) => {
                        let png: Arc<[u8]> = png.into();
                        self.store(StoreOp::KeepPicture {
                            sha1: sha1.clone(),
                            png: png.clone(),
                        });
                        self.picture_changed(&jid, Some(Avatar { sha1, png }));
                    }
                    Err(error) => tracing::info!("{jid}'s display picture was not used: {error}"),
                }
            }
        }
    }
}
