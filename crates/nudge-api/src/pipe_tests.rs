use std::path::Path;

use super::*;

const SID: &str = "S-1-5-21-1004336348-1177238915-682003330-1001";

#[test]
fn a_profile_gets_a_pipe_named_after_the_user_and_the_profile() {
    let socket = Path::new(r"C:\Users\alice\AppData\Local\Temp\nudge-0\work\api.sock");
    assert_eq!(
        pipe_name(SID, socket),
        Path::new(r"\\.\pipe\nudge-S-1-5-21-1004336348-1177238915-682003330-1001-work")
    );
    // Unix-style separators (as a path is spelt in tests on Linux) give the same name.
    let socket = Path::new("/run/user/1000/nudge/default/api.sock");
    assert_eq!(
        pipe_name(SID, socket),
        Path::new(&format!(r"\\.\pipe\nudge-{SID}-default"))
    );
}

#[test]
fn profiles_and_users_get_different_pipes() {
    let work = Path::new("/run/nudge/work/api.sock");
    let home = Path::new("/run/nudge/home/api.sock");
    assert_ne!(pipe_name(SID, work), pipe_name(SID, home));
    assert_ne!(pipe_name(SID, work), pipe_name("S-1-5-21-1-2-3-1002", work));
}

#[test]
fn a_pipe_name_is_kept_as_it_is() {
    let pipe = Path::new(r"\\.\pipe\nudge-S-1-5-21-1-2-3-1001-default");
    assert!(is_pipe_name(pipe));
    assert_eq!(pipe_name(SID, pipe), pipe);
    assert!(is_pipe_name(Path::new(r"\\.\PIPE\other")));
    assert!(!is_pipe_name(Path::new(r"\\.\pipe\")));
    assert!(!is_pipe_name(Path::new(r"C:\pipe\nudge")));
    assert!(!is_pipe_name(Path::new(
        "/run/user/1000/nudge/default/api.sock"
    )));
}

#[test]
fn nothing_in_the_path_adds_a_level_to_the_pipe_name() {
    let name = pipe_name(SID, Path::new(r"C:\odd\a/b\api.sock"));
    let rest = name
        .to_str()
        .and_then(|n| n.strip_prefix(PIPE_PREFIX))
        .expect("a pipe name");
    assert!(!rest.contains('\\'), "{rest}");
}

#[test]
fn only_the_user_is_allowed_in() {
    assert_eq!(
        user_only_sddl("S-1-5-21-1-2-3-1001").as_deref(),
        Ok("D:P(A;;GA;;;S-1-5-21-1-2-3-1001)")
    );
}

#[test]
fn only_well_formed_sids_reach_a_descriptor() {
    assert!(check_sid("S-1-5-18").is_ok());
    assert!(check_sid(SID).is_ok());
    for bad in [
        "",
        "S-1-",
        "S-1-5-",
        "s-1-5-18",
        "S-1-5--18",
        "WD",
        "S-1-5-21)(A;;GA;;;WD",
        "S-1-5-18 ",
    ] {
        assert_eq!(check_sid(bad), Err(NotASid(bad.to_string())), "{bad:?}");
        assert!(user_only_sddl(bad).is_err(), "{bad:?}");
    }
}
