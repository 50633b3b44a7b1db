use std::collections::HashMap;
use std::path::PathBuf;

use crate::launch::{Launch, LaunchError};
use nudge_api::Role;

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

const FULL: [(&str, &str); 7] = [
    ("NUDGE_SESSION_ID", "0b6f1a3e-5c2d-4e8f-9a1b-2c3d4e5f6a7b"),
    ("NUDGE_ROLE", "invitee"),
    ("NUDGE_API_SOCKET", "/run/user/1000/nudge/default/api.sock"),
    ("NUDGE_COOKIE", "s3cret-cookie"),
    ("NUDGE_LOCAL_JID", "bob@example.org"),
    ("NUDGE_REMOTE_JID", "alice@example.org"),
    ("NUDGE_CONTEXT_DATA", ""),
];

#[test]
fn a_full_environment_is_read() {
    let launch = Launch::from_lookup(lookup(&FULL)).expect("launched");
    assert_eq!(launch.session_id, "0b6f1a3e-5c2d-4e8f-9a1b-2c3d4e5f6a7b");
    assert_eq!(launch.role, Role::Invitee);
    assert_eq!(
        launch.api_socket,
        PathBuf::from("/run/user/1000/nudge/default/api.sock")
    );
    assert_eq!(launch.cookie, "s3cret-cookie");
    assert_eq!(launch.opponent(), "alice@example.org");
    assert_eq!(launch.context_data, "");
}

#[test]
fn nothing_set_or_all_empty_means_started_by_hand() {
    assert_eq!(
        Launch::from_lookup(lookup(&[])),
        Err(LaunchError::NotLaunched)
    );
    let empty: Vec<_> = FULL.iter().map(|(k, _)| (*k, "")).collect();
    assert_eq!(
        Launch::from_lookup(lookup(&empty)),
        Err(LaunchError::NotLaunched)
    );
}

#[test]
fn a_missing_required_variable_is_named() {
    for required in [
        "NUDGE_SESSION_ID",
        "NUDGE_ROLE",
        "NUDGE_API_SOCKET",
        "NUDGE_COOKIE",
    ] {
        let partial: Vec<_> = FULL
            .iter()
            .copied()
            .filter(|(k, _)| *k != required)
            .collect();
        assert_eq!(
            Launch::from_lookup(lookup(&partial)),
            Err(LaunchError::Missing(required)),
            "{required}"
        );
    }
}

#[test]
fn the_jids_may_be_empty() {
    let partial: Vec<_> = FULL
        .iter()
        .copied()
        .filter(|(k, _)| !k.ends_with("_JID"))
        .collect();
    let launch = Launch::from_lookup(lookup(&partial)).expect("launched");
    assert_eq!(launch.opponent(), "your opponent");
}

#[test]
fn an_unknown_role_is_refused() {
    for role in ["Inviter", "host", "inviter ", "x"] {
        let mut vars = FULL.to_vec();
        vars[1] = ("NUDGE_ROLE", role);
        assert_eq!(
            Launch::from_lookup(lookup(&vars)),
            Err(LaunchError::BadRole),
            "{role}"
        );
    }
}

#[test]
fn the_cookie_never_shows_in_debug_output() {
    let launch = Launch::from_lookup(lookup(&FULL)).expect("launched");
    let shown = format!("{launch:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("0b6f1a3e"), "{shown}");
}
