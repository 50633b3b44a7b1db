//! Display pictures (XEP-0084): the cache at start, contacts' pictures fetched and checked,
//! and publishing the user's own.

use base64::Engine;

use super::*;
use crate::core::account::{prepare_builtin, PictureSource, Prepared};
use crate::model::{bare, Avatar};

const BOB: &str = "bob@example.org";
const STRANGER: &str = "stranger@example.net";
const PUBSUB: &str = "http://jabber.org/protocol/pubsub";
const DATA: &str = "urn:xmpp:avatar:data";
const METADATA: &str = "urn:xmpp:avatar:metadata";

fn beach() -> Prepared {
    prepare_builtin("beach").expect("a built-in picture")
}

fn flower() -> Prepared {
    prepare_builtin("flower").expect("a built-in picture")
}

fn avatar(picture: &Prepared) -> Avatar {
    Avatar {
        sha1: picture.sha1.clone(),
        png: picture.png.clone(),
    }
}

/// A metadata notification from `from`: its picture is now `picture`.
fn notice(from: &str, picture: &Prepared) -> String {
    let (sha1, bytes) = (&picture.sha1, picture.png.len());
    format!(
        "<message from='{from}' type='headline'><event xmlns='{PUBSUB}#event'>\
         <items node='{METADATA}'><item id='{sha1}'><metadata xmlns='{METADATA}'>\
         <info bytes='{bytes}' id='{sha1}' type='image/png' width='96' height='96'/>\
         </metadata></item></items></event></message>"
    )
}

/// A metadata notification from `from`: no picture any more.
fn removal(from: &str) -> String {
    format!(
        "<message from='{from}' type='headline'><event xmlns='{PUBSUB}#event'>\
         <items node='{METADATA}'><item id='current'><metadata xmlns='{METADATA}'/></item>\
         </items></event></message>"
    )
}

/// The answer to fetch `id`, from `from`, holding `png` under item `sha1`.
fn fetched(id: &str, from: &str, sha1: &str, png: &[u8]) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(png);
    format!(
        "<iq type='result' id='{id}' from='{from}' to='{DESK}'><pubsub xmlns='{PUBSUB}'>\
         <items node='{DATA}'><item id='{sha1}'><data xmlns='{DATA}'>{data}</data></item>\
         </items></pubsub></iq>"
    )
}

fn error(id: &str, condition: &str) -> String {
    format!(
        "<iq type='error' id='{id}'><error type='cancel'>\
         <{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
    )
}

fn pictures(events: &[Event]) -> Vec<(String, Option<Avatar>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::AvatarChanged { jid, avatar } => Some((jid.to_string(), avatar.clone())),
            _ => None,
        })
        .collect()
}

fn cache_file(script: &Script, sha1: &str) -> std::path::PathBuf {
    script.avatars_dir().join(format!("{sha1}.png"))
}

/// Puts `picture` in the cache, as an earlier run would have.
fn cache(script: &Script, picture: &Prepared) {
    std::fs::create_dir_all(script.avatars_dir()).expect("cache folder");
    std::fs::write(cache_file(script, &picture.sha1), &picture.png).expect("cache");
}

/// The one request sent, with the `<publish/>` it carries and whether it has publish-options.
fn publish_request(script: &mut Script) -> (String, Element, bool) {
    let sent = script.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let pubsub = sent[0]
        .get_child("pubsub", PUBSUB)
        .expect("a pubsub request");
    let publish = pubsub.get_child("publish", PUBSUB).expect("a publish");
    let id = sent[0].attr("id").expect("an id").to_string();
    (
        id,
        publish.clone(),
        pubsub.has_child("publish-options", PUBSUB),
    )
}

/// Publishes `picture` as the executor would after preparing it.
fn prepared(script: &mut Script, picture: Prepared) {
    script.answer(Answer::PicturePrepared {
        result: Ok(picture),
    });
}

#[test]
fn cached_pictures_are_reported_at_start_from_the_store() {
    let mut script = Script::new();
    script
        .store
        .set_avatar_hash(&bare(BOB), Some(&beach().sha1))
        .expect("seed");
    cache(&script, &beach());
    let mut script = script.restarted();
    assert_eq!(
        pictures(&script.events()),
        [(BOB.to_string(), Some(avatar(&beach())))]
    );
    assert!(script.sent().is_empty());
}

#[test]
fn cached_pictures_nobody_has_any_more_are_deleted_at_start() {
    let mut script = Script::new();
    script
        .store
        .set_avatar_hash(&bare(BOB), Some(&beach().sha1))
        .expect("seed");
    cache(&script, &beach());
    cache(&script, &flower());
    let other = script.avatars_dir().join("notes.txt");
    std::fs::write(&other, "not a picture").expect("write");
    let script = script.restarted();
    assert!(cache_file(&script, &beach().sha1).exists());
    assert!(!cache_file(&script, &flower().sha1).exists(), "stale");
    assert!(other.exists(), "only pictures Nudge named are touched");
}

#[test]
fn a_contacts_new_picture_is_fetched_from_their_bare_jid() {
    let mut script = Script::online();
    script.stanza(&notice(BOB, &beach()));
    assert!(
        pictures(&script.events()).is_empty(),
        "not before it is here"
    );
    let sent = script.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].attr("type"), sent[0].attr("to")),
        (Some("get"), Some(BOB))
    );
    let item = sent[0]
        .get_child("pubsub", PUBSUB)
        .and_then(|p| p.get_child("items", PUBSUB))
        .filter(|items| items.attr("node") == Some(DATA))
        .and_then(|items| items.get_child("item", PUBSUB))
        .expect("a data item asked for");
    assert_eq!(item.attr("id"), Some(beach().sha1.as_str()));
}

#[test]
fn a_fetched_picture_matching_its_hash_is_cached_remembered_and_reported() {
    let mut script = Script::online();
    script.stanza(&notice(BOB, &beach()));
    let id = script.request_id(PUBSUB).expect("a fetch");
    script.sent();
    script.stanza(&fetched(&id, BOB, &beach().sha1, &beach().png));
    assert_eq!(
        pictures(&script.events()),
        [(BOB.to_string(), Some(avatar(&beach())))]
    );
    let cached = std::fs::read(cache_file(&script, &beach().sha1)).expect("cached");
    assert_eq!(cached, &beach().png[..]);
    assert_eq!(
        script.store.avatar_hash(&bare(BOB)).expect("read"),
        Some(beach().sha1)
    );
}

#[test]
fn a_fetched_picture_that_does_not_match_its_hash_is_dropped() {
    let mut script = Script::online();
    script.stanza(&notice(BOB, &beach()));
    let id = script.request_id(PUBSUB).expect("a fetch");
    script.sent();
    script.stanza(&fetched(&id, BOB, &beach().sha1, &flower().png));
    assert!(pictures(&script.events()).is_empty());
    assert!(!cache_file(&script, &beach().sha1).exists());
    assert!(!cache_file(&script, &flower().sha1).exists());
    assert_eq!(script.store.avatar_hash(&bare(BOB)).expect("read"), None);
}

#[test]
fn a_fetch_answered_by_anyone_but_the_owner_is_ignored() {
    let mut script = Script::online();
    script.stanza(&notice(BOB, &beach()));
    let id = script.request_id(PUBSUB).expect("a fetch");
    script.sent();
    for forger in [
        "bob@example.org/phone",
        "mallory@evil.example",
        "example.org",
    ] {
        script.stanza(&fetched(&id, forger, &beach().sha1, &beach().png));
        assert!(pictures(&script.events()).is_empty(), "{forger}");
    }
    script.stanza(&fetched(&id, BOB, &beach().sha1, &beach().png));
    assert_eq!(pictures(&script.events()).len(), 1);
}

#[test]
fn pictures_count_only_from_contacts_and_the_user() {
    let mut script = Script::online();
    script.stanza(&notice(STRANGER, &beach()));
    assert!(
        script.sent().is_empty(),
        "a stranger's picture is not fetched"
    );
    script.stanza(&notice(ALICE, &flower()));
    let sent = script.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].attr("to"), Some(ALICE));
}

#[test]
fn a_cached_picture_is_reported_without_fetching() {
    let mut script = Script::online();
    cache(&script, &beach());
    script.stanza(&notice(BOB, &beach()));
    assert!(script.sent().is_empty());
    assert_eq!(
        pictures(&script.events()),
        [(BOB.to_string(), Some(avatar(&beach())))]
    );
}

#[test]
fn the_same_picture_is_fetched_once_and_reported_once() {
    let mut script = Script::online();
    script.stanza(&notice(BOB, &beach()));
    let id = script.request_id(PUBSUB).expect("a fetch");
    script.stanza(&notice(BOB, &beach()));
    assert_eq!(script.sent().len(), 1, "one fetch while one is on its way");
    script.stanza(&fetched(&id, BOB, &beach().sha1, &beach().png));
    assert_eq!(pictures(&script.events()).len(), 1);
    // The server repeats the current picture at each sign-in.
    script.stanza(&notice(BOB, &beach()));
    assert!(script.sent().is_empty(), "cached now");
    assert!(pictures(&script.events()).is_empty(), "reported already");
}

#[test]
fn a_removed_picture_is_reported_and_forgotten() {
    let mut script = Script::online();
    cache(&script, &beach());
    script.stanza(&notice(BOB, &beach()));
    script.events();
    script.stanza(&removal(BOB));
    assert_eq!(pictures(&script.events()), [(BOB.to_string(), None)]);
    assert_eq!(script.store.avatar_hash(&bare(BOB)).expect("read"), None);
}

#[test]
fn publishing_sends_the_picture_then_its_metadata_then_reports_it() {
    let mut script = Script::online();
    let picture = beach();
    prepared(&mut script, picture.clone());
    assert!(
        cache_file(&script, &picture.sha1).exists(),
        "cached first, so the echo needs no fetch"
    );
    let (id, publish, options) = publish_request(&mut script);
    assert_eq!(publish.attr("node"), Some(DATA));
    let item = publish.get_child("item", PUBSUB).expect("an item");
    assert_eq!(item.attr("id"), Some(picture.sha1.as_str()));
    let data = item.get_child("data", DATA).expect("data").text();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .expect("base64");
    assert_eq!(decoded, &picture.png[..]);
    assert!(options, "visible to contacts only");
    assert!(pictures(&script.events()).is_empty());

    script.stanza(&format!("<iq type='result' id='{id}'/>"));
    let (id, publish, options) = publish_request(&mut script);
    assert_eq!(publish.attr("node"), Some(METADATA));
    let info = publish
        .get_child("item", PUBSUB)
        .and_then(|i| i.get_child("metadata", METADATA))
        .and_then(|m| m.get_child("info", METADATA))
        .expect("info");
    assert_eq!(info.attr("id"), Some(picture.sha1.as_str()));
    assert_eq!(
        info.attr("bytes"),
        Some(picture.png.len().to_string().as_str())
    );
    assert_eq!(
        (info.attr("width"), info.attr("height")),
        (Some("96"), Some("96"))
    );
    assert!(options);

    script.stanza(&format!("<iq type='result' id='{id}'/>"));
    assert_eq!(
        pictures(&script.events()),
        [(ALICE.to_string(), Some(avatar(&picture)))]
    );
    script.stanza(&notice(ALICE, &picture));
    assert!(script.sent().is_empty() && pictures(&script.events()).is_empty());
}

#[test]
fn a_node_made_with_other_settings_is_published_into_without_options() {
    let mut script = Script::online();
    prepared(&mut script, beach());
    let (id, _, _) = publish_request(&mut script);
    let conflict = error(&id, "conflict");
    script.stanza(&conflict);
    let (id, publish, options) = publish_request(&mut script);
    assert_eq!(publish.attr("node"), Some(DATA));
    assert!(!options, "the same item again, without publish-options");
    script.stanza(&format!("<iq type='result' id='{id}'/>"));
    let (_, publish, options) = publish_request(&mut script);
    assert_eq!(publish.attr("node"), Some(METADATA));
    assert!(!options);
    assert!(script.problems().is_empty());
}

#[test]
fn a_metadata_node_made_with_other_settings_is_published_into_without_options() {
    let mut script = Script::online();
    prepared(&mut script, beach());
    let (id, _, _) = publish_request(&mut script);
    script.stanza(&format!("<iq type='result' id='{id}'/>"));
    let (id, _, options) = publish_request(&mut script);
    assert!(options);
    script.stanza(&error(&id, "conflict"));
    let (id, publish, options) = publish_request(&mut script);
    assert_eq!(publish.attr("node"), Some(METADATA));
    assert!(!options);
    script.stanza(&format!("<iq type='result' id='{id}'/>"));
    assert_eq!(pictures(&script.events()).len(), 1);
}

#[test]
fn a_picture_the_server_refuses_is_reported_and_not_announced() {
    let mut script = Script::online();
    prepared(&mut script, beach());
    let (id, _, _) = publish_request(&mut script);
    script.stanza(&error(&id, "forbidden"));
    assert!(
        script.sent().is_empty(),
        "no metadata for a picture not stored"
    );
    let events = script.events();
    assert!(pictures(&events).is_empty());
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::Problem { problem: Problem::PictureNotPublished { reason } } if !reason.is_empty()
        )),
        "{events:?}"
    );
}

#[test]
fn metadata_the_server_refuses_is_reported() {
    let mut script = Script::online();
    prepared(&mut script, beach());
    let (id, _, _) = publish_request(&mut script);
    script.stanza(&format!("<iq type='result' id='{id}'/>"));
    let (id, _, _) = publish_request(&mut script);
    script.stanza(&error(&id, "not-authorized"));
    let events = script.events();
    assert!(pictures(&events).is_empty());
    assert!(matches!(
        &events[..],
        [Event::Problem {
            problem: Problem::PictureNotPublished { .. }
        }]
    ));
}

#[test]
fn a_built_in_picture_is_prepared_by_the_executor_then_published() {
    let mut script = Script::online();
    script.command(Command::SetBuiltinAvatar {
        name: "beach".into(),
    });
    assert!(matches!(
        &script.jobs()[..],
        [Effect::PreparePicture(PictureSource::Builtin(name))] if name == "beach"
    ));
    assert!(script.sent().is_empty());
    prepared(&mut script, beach());
    let (_, publish, _) = publish_request(&mut script);
    assert_eq!(publish.attr("node"), Some(DATA));
}

#[test]
fn an_unknown_built_in_picture_is_refused_in_words() {
    let mut script = Script::online();
    script.command(Command::SetBuiltinAvatar {
        name: "../../etc/passwd".into(),
    });
    assert!(script.jobs().is_empty());
    assert!(matches!(
        &script.problems()[..],
        [Problem::PictureRefused { detail }] if detail.contains("no built-in picture")
    ));
}

#[test]
fn a_file_that_is_not_a_picture_is_refused_in_words() {
    let mut script = Script::online();
    script.command(Command::SetAvatar {
        path: "/home/alice/notes.txt".into(),
    });
    assert!(matches!(
        &script.jobs()[..],
        [Effect::PreparePicture(PictureSource::File(path))] if path == "/home/alice/notes.txt"
    ));
    script.answer(Answer::PicturePrepared {
        result: Err(crate::core::account::PictureError::NotAPicture {
            what: "the file notes.txt".into(),
            reason: "unknown format".into(),
        }),
    });
    assert!(script.sent().is_empty());
    assert!(matches!(
        &script.problems()[..],
        [Problem::PictureRefused { detail }] if detail.contains("notes.txt")
    ));
}

#[test]
fn removing_the_picture_announces_empty_metadata_and_reports_none() {
    let mut script = Script::online();
    cache(&script, &beach());
    script.stanza(&notice(ALICE, &beach()));
    script.events();
    script.command(Command::ClearAvatar);
    let (id, publish, options) = publish_request(&mut script);
    assert_eq!(publish.attr("node"), Some(METADATA));
    let metadata = publish
        .get_child("item", PUBSUB)
        .and_then(|i| i.get_child("metadata", METADATA))
        .expect("metadata");
    assert_eq!(metadata.children().count(), 0, "empty: no picture");
    assert!(!options, "the node exists already");
    script.stanza(&format!("<iq type='result' id='{id}'/>"));
    assert_eq!(pictures(&script.events()), [(ALICE.to_string(), None)]);
}

#[test]
fn a_removal_the_server_refuses_is_reported() {
    let mut script = Script::online();
    script.command(Command::ClearAvatar);
    let (id, _, _) = publish_request(&mut script);
    script.stanza(&error(&id, "forbidden"));
    assert!(matches!(
        &script.problems()[..],
        [Problem::PictureNotRemoved { .. }]
    ));
}
