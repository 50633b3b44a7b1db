//! A stand-in for a Session Invite application: a shell script that records what Nudge
//! launched it with.

use std::path::{Path, PathBuf};

/// A program that writes the session it was given, one file per variable, into `out`:
/// `inviter.COOKIE`, `invitee.CONTEXT_DATA`… Each file appears whole (written aside, then
/// renamed), so a file that exists holds the full value, even an empty one.
pub fn recorder(dir: &Path, out: &Path) -> PathBuf {
    let path = dir.join("recorder.sh");
    // Quiet: a program may outlive the test that started it, and its folder.
    let mut script = String::from("#!/bin/sh\nexec 2>/dev/null\nd=\"$RECORD_DIR\"\n");
    script = script.replace("$RECORD_DIR", &out.display().to_string());
    for name in [
        "SESSION_ID",
        "APP_GUID",
        "ROLE",
        "LOCAL_JID",
        "REMOTE_JID",
        "LOCAL_ADDRESS",
        "REMOTE_ADDRESS",
        "CONTEXT_DATA",
        "API_SOCKET",
        "COOKIE",
        // Never set for a launched program; recorded to prove it (an empty file).
        "PASSWORD",
    ] {
        script.push_str(&format!(
            "printf '%s' \"$NUDGE_{name}\" > \"$d/$NUDGE_ROLE.{name}.tmp\"\n"
        ));
        script.push_str(&format!(
            "mv \"$d/$NUDGE_ROLE.{name}.tmp\" \"$d/$NUDGE_ROLE.{name}\"\n"
        ));
    }
    std::fs::write(&path, script).expect("script");
    make_executable(&path);
    path
}

pub fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}
