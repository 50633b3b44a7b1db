use std::os::unix::fs::{MetadataExt, PermissionsExt};

use super::*;

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).expect("metadata").mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// The usual umask, under which plain `create_dir_all` makes folders others can read.
fn usual_umask() {
    // SAFETY: umask only sets the process's file creation mask.
    unsafe { libc::umask(0o022) };
}

#[test]
fn every_own_level_is_made_private_and_the_anchor_is_left_alone() {
    usual_umask();
    let root = tempfile::tempdir().expect("dir");
    let anchor = root.path().join("home-config");
    let dir = anchor.join("nudge").join("work");
    ensure_private_dir(&anchor, &dir).expect("made");
    assert_eq!(mode(&anchor), 0o755, "the user's general folder is theirs");
    assert_eq!(mode(&anchor.join("nudge")), 0o700);
    assert_eq!(mode(&dir), 0o700);

    // Folders an older Nudge made with the umask are tightened.
    set_mode(&anchor.join("nudge"), 0o755);
    set_mode(&dir, 0o775);
    ensure_private_dir(&anchor, &dir).expect("tightened");
    assert_eq!(mode(&anchor.join("nudge")), 0o700);
    assert_eq!(mode(&dir), 0o700);
}

#[test]
fn the_runtime_folder_refuses_links_foreign_folders_and_open_ones() {
    usual_umask();
    let root = tempfile::tempdir().expect("dir");
    let tmp = root.path();
    let dir = tmp.join("nudge-1000").join("work");

    // Someone else made the name a link to a folder of theirs.
    let elsewhere = tmp.join("elsewhere");
    fs::create_dir(&elsewhere).expect("dir");
    std::os::unix::fs::symlink(&elsewhere, tmp.join("nudge-1000")).expect("link");
    let error = ensure_strict_private_dir(tmp, &dir).expect_err("a link");
    assert!(matches!(error, PrivateError::Symlink { .. }), "{error}");
    assert!(
        !elsewhere.join("work").exists(),
        "nothing made through the link"
    );
    fs::remove_file(tmp.join("nudge-1000")).expect("unlink");

    // A plain file in the way.
    fs::write(tmp.join("nudge-1000"), b"").expect("file");
    let error = ensure_strict_private_dir(tmp, &dir).expect_err("a file");
    assert!(matches!(error, PrivateError::NotAFolder { .. }), "{error}");
    fs::remove_file(tmp.join("nudge-1000")).expect("rm");

    // A folder others may write to.
    fs::create_dir(tmp.join("nudge-1000")).expect("dir");
    set_mode(&tmp.join("nudge-1000"), 0o777);
    let error = ensure_strict_private_dir(tmp, &dir).expect_err("open");
    assert!(
        matches!(error, PrivateError::OpenToOthers { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("chmod 700"), "{error}");

    // The user's own folder that others may only read is tightened, and the rest made.
    set_mode(&tmp.join("nudge-1000"), 0o755);
    ensure_strict_private_dir(tmp, &dir).expect("made");
    assert_eq!(mode(&tmp.join("nudge-1000")), 0o700);
    assert_eq!(mode(&dir), 0o700);
}

#[test]
fn the_runtime_folder_refuses_a_folder_of_another_user() {
    let root = tempfile::tempdir().expect("dir");
    let (anchor, dir) = if current_uid() == 0 {
        // Root can give a folder away: as if another user had made it first.
        let foreign = root.path().join("nudge-1000");
        fs::create_dir(&foreign).expect("dir");
        set_mode(&foreign, 0o755);
        std::os::unix::fs::chown(&foreign, Some(65534), Some(65534)).expect("chown");
        (root.path().to_path_buf(), foreign.join("work"))
    } else {
        // Anyone else finds root's folders: /usr is never the user's.
        (
            PathBuf::from("/"),
            PathBuf::from("/usr/nudge-test-never-made"),
        )
    };
    let error = ensure_strict_private_dir(&anchor, &dir).expect_err("foreign");
    let PrivateError::NotOwned { owner, .. } = error else {
        panic!("{error}");
    };
    assert_ne!(owner, current_uid());
    assert!(!dir.exists());
}

#[test]
fn old_files_are_tightened_and_links_left_alone() {
    let root = tempfile::tempdir().expect("dir");
    let dir = root.path();
    fs::write(dir.join("account.toml"), b"").expect("file");
    set_mode(&dir.join("account.toml"), 0o644);
    fs::create_dir(dir.join("avatars")).expect("dir");
    set_mode(&dir.join("avatars"), 0o755);
    fs::write(dir.join("avatars").join("a.png"), b"").expect("file");
    set_mode(&dir.join("avatars").join("a.png"), 0o664);
    let outside = tempfile::NamedTempFile::new().expect("file");
    set_mode(outside.path(), 0o644);
    std::os::unix::fs::symlink(outside.path(), dir.join("link")).expect("link");

    tighten_tree(dir, 1).expect("tightened");
    assert_eq!(mode(&dir.join("account.toml")), 0o600);
    assert_eq!(mode(&dir.join("avatars")), 0o700);
    assert_eq!(mode(&dir.join("avatars").join("a.png")), 0o600);
    assert_eq!(mode(outside.path()), 0o644, "a link is not followed");
    tighten_tree(&dir.join("missing"), 1).expect("nothing to do");
}

#[test]
fn new_private_files_are_private_and_never_written_through_a_link() {
    usual_umask();
    let root = tempfile::tempdir().expect("dir");
    let path = root.path().join("token");
    new_private_file().open(&path).expect("created");
    assert_eq!(mode(&path), 0o600);
    let target = root.path().join("target");
    std::os::unix::fs::symlink(&target, root.path().join("link")).expect("link");
    assert!(new_private_file().open(root.path().join("link")).is_err());
    assert!(!target.exists());
}
