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
    // Never set for a launched program; recorded to prove it (an empty file).
    let password = "NUDGE_PASSWORD";
    for variable in nudge::invite::env::ALL.iter().chain([&password]) {
        let name = variable.trim_start_matches("NUDGE_");
        script.push_str(&format!(
            "printf '%s' \"${variable}\" > \"$d/$NUDGE_ROLE.{name}.tmp\"\n"
        ));
        script.push_str(&format!(
            "mv \"$d/$NUDGE_ROLE.{name}.tmp\" \"$d/$NUDGE_ROLE.{name}\"\n"
        ));
    }
    std::fs::write(&path, script).expect("script");
    make_executable(&path);
    path
}

/// Lets the user run `path` (mode 0755), as an installer would.
pub fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}
