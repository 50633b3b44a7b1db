use super::*;
use crate::invite::{Origin, Role, SessionEvent, SessionState};
use crate::model::bare;

#[test]
fn a_fresh_nonce_is_answered_only_by_its_own_response() {
    let nonce = random_secret();
    let right = key_response("s3cret", &nonce);
    assert!(key_response_matches("s3cret", &nonce, &right));
    assert!(
        key_response_matches("s3cret", &nonce, &right.to_uppercase()),
        "hex in either case"
    );
    assert!(!key_response_matches("other", &nonce, &right));
    // The HMAC of a public nonce with no key is public too.
    assert!(!key_response_matches("", &nonce, &key_response("", &nonce)));
    assert!(!key_response_matches(
        "  ",
        &nonce,
        &key_response("  ", &nonce)
    ));
    // A key with spaces inside is a secret all the same (registration files written by hand).
    let spaced = key_response("correct horse", &nonce);
    assert!(key_response_matches("correct horse", &nonce, &spaced));
    assert!(!key_response_matches("s3cret", &random_secret(), &right));
}

#[test]
fn secrets_are_random_hex_and_compared_exactly() {
    let (a, b) = (random_secret(), random_secret());
    assert_ne!(a, b);
    assert_eq!(a.len(), 64);
    assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    assert!(secrets_match(&a, &a.clone()));
    assert!(!secrets_match(&a, &b));
    assert!(!secrets_match(&a[..63], &a));
    assert!(!secrets_match("", &a));
}

#[test]
fn the_token_lives_beside_the_socket() {
    assert_eq!(
        ctl_token_path(std::path::Path::new("/run/user/1/nudge/default/api.sock")),
        std::path::Path::new("/run/user/1/nudge/default/ctl.token")
    );
}

fn session(id: &str, guid: &str) -> InviteSession {
    InviteSession {
        id: id.into(),
        role: Role::Inviter,
        origin: Origin::Application,
        app_guid: guid.into(),
        app_name: "Game".into(),
        download_url: "https://example.org".into(),
        peer: "bob@example.org".into(),
        state: SessionState::Invitation,
        context: None,
        local_address: None,
        remote_address: None,
        app_present: true,
        end_reason: None,
        end_text: None,
        created_ms: 0,
    }
}

const GUID: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";
const OTHER: &str = "{00000000-0000-0000-0000-000000000001}";

#[test]
fn scopes_cover_what_their_unlock_grants() {
    let mine = session("s1", GUID);
    let theirs = session("s2", OTHER);
    assert!(Scope::Everything.covers(&mine) && Scope::Everything.covers(&theirs));

    let app = Scope::App { guid: GUID.into() };
    assert!(app.covers(&mine));
    assert!(app.covers(&session("s3", &GUID.to_lowercase())));
    assert!(!app.covers(&theirs));
    assert!(!app.covers_id("s1", None), "an unknown GUID is not ours");

    let mut launched = Scope::launched("s1");
    assert!(launched.covers(&mine));
    assert!(
        !launched.covers(&session("s3", GUID)),
        "same app, other session"
    );
    launched.adopt("s3");
    assert!(launched.covers(&session("s3", GUID)));
    assert!(!launched.covers(&theirs));
}

#[test]
fn ctl_invites_like_the_menu_and_apps_as_applications() {
    assert_eq!(Scope::Everything.origin(), Origin::Menu);
    assert_eq!(
        Scope::App { guid: GUID.into() }.origin(),
        Origin::Application
    );
    assert_eq!(Scope::launched("s1").origin(), Origin::Application);
}

#[test]
fn scoped_subscribers_see_only_their_session_events() {
    let presence = Event::ContactRemoved {
        jid: bare("bob@example.org"),
    };
    let updated = |id: &str, guid: &str| Event::SessionUpdated {
        session: session(id, guid),
    };
    let happened = |id: &str| Event::SessionEvent {
        session: id.into(),
        detail: SessionEvent::OnAccepted,
    };
    let guid_of = |id: &str| (id == "s1").then(|| GUID.to_string());

    let ctl = Access::Unlocked(Scope::Everything);
    assert!(ctl.admits(&presence, guid_of));
    assert!(ctl.admits(&updated("s2", OTHER), guid_of));
    // Nothing before unlocking.
    assert!(!Access::Locked.admits(&presence, guid_of));
    assert!(!Access::Locked.admits(&updated("s1", GUID), guid_of));
    let app = Access::Unlocked(Scope::App { guid: GUID.into() });
    assert!(!app.admits(&presence, guid_of));
    assert!(app.admits(&updated("s1", GUID), guid_of));
    assert!(!app.admits(&updated("s2", OTHER), guid_of));
    assert!(app.admits(&happened("s1"), guid_of));
    assert!(!app.admits(&happened("s2"), guid_of));

    let launched = Access::Unlocked(Scope::launched("s2"));
    assert!(!launched.admits(&presence, guid_of));
    assert!(launched.admits(&updated("s2", OTHER), guid_of));
    assert!(launched.admits(&happened("s2"), guid_of));
    assert!(!launched.admits(&happened("s1"), guid_of));
}

#[test]
fn only_the_ctl_token_opens_the_account_and_any_unlock_opens_events() {
    assert_eq!(Access::Locked.account(), Err(Denied::Locked));
    assert_eq!(Access::Locked.events(), Err(Denied::Locked));
    assert_eq!(Access::Unlocked(Scope::Everything).account(), Ok(()));
    for scoped in [Scope::App { guid: GUID.into() }, Scope::launched("s1")] {
        let access = Access::Unlocked(scoped);
        assert_eq!(access.account(), Err(Denied::Forbidden), "{access:?}");
        assert_eq!(access.events(), Ok(()), "{access:?}");
    }
}
