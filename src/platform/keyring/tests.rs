//! Unit tests on keyring-core's mock store, and checks against a real Secret Service run in a
//! private D-Bus session (child processes, so the process-wide keyring setup stays isolated).

use std::process::{Command, Stdio};
use std::sync::Arc;

use keyring_core::{mock, CredentialStore, Error};

use super::{KeyringError, Passwords, SERVICE};

const PASSWORD: &str = "s3cret-'\"; DROP TABLE--🙂";

fn mock_passwords() -> (Passwords, Arc<CredentialStore>) {
    let store: Arc<CredentialStore> = mock::Store::new().expect("mock store");
    (Passwords::with_store(store.clone()), store)
}

/// Makes the next call on the mock credential of `user` fail with `error`.
fn fail_next(store: &Arc<CredentialStore>, user: &str, error: Error) {
    let entry = store.build(SERVICE, user, None).expect("entry");
    let cred: &mock::Cred = entry.as_any().downcast_ref().expect("a mock credential");
    cred.set_error(error);
}

#[test]
fn save_get_and_forget_round_trip() {
    let (passwords, _) = mock_passwords();
    let jid = "alice@example.org";
    assert_eq!(passwords.get(jid).expect("get"), None);
    passwords.save(jid, PASSWORD).expect("save");
    assert_eq!(passwords.get(jid).expect("get").as_deref(), Some(PASSWORD));
    passwords.save(jid, "replaced").expect("replace");
    assert_eq!(
        passwords.get(jid).expect("get").as_deref(),
        Some("replaced")
    );
    passwords.forget(jid).expect("forget");
    assert_eq!(passwords.get(jid).expect("get"), None);
    passwords.forget(jid).expect("forgetting twice is fine");
}

#[test]
fn passwords_are_kept_per_bare_jid_under_the_nudge_service() {
    let (passwords, store) = mock_passwords();
    passwords
        .save("Alice@Example.ORG/laptop", PASSWORD)
        .expect("save");
    passwords.save("bob@example.org", "bobs").expect("save");
    assert_eq!(
        passwords.get("alice@example.org").expect("get").as_deref(),
        Some(PASSWORD)
    );
    let raw = store
        .build("nudge", "alice@example.org", None)
        .expect("entry")
        .get_password()
        .expect("saved under service nudge, user = bare JID");
    assert_eq!(raw, PASSWORD);
    passwords.forget("alice@example.org/phone").expect("forget");
    assert_eq!(passwords.get("alice@example.org").expect("get"), None);
    assert_eq!(
        passwords.get("bob@example.org").expect("get").as_deref(),
        Some("bobs")
    );
}

#[test]
fn an_empty_address_is_refused() {
    let (passwords, _) = mock_passwords();
    assert!(matches!(
        passwords.save("", PASSWORD),
        Err(KeyringError::Failed { .. })
    ));
}

#[test]
fn errors_are_plain_words_without_the_password() {
    let (passwords, store) = mock_passwords();
    let jid = "alice@example.org";
    passwords.save(jid, PASSWORD).expect("save");
    let io = |text: &str| Box::new(std::io::Error::other(text.to_string()));
    let cases: Vec<(Error, &str)> = vec![
        (
            Error::BadEncoding(PASSWORD.as_bytes().to_vec()),
            "not valid text",
        ),
        (
            Error::BadDataFormat(PASSWORD.as_bytes().to_vec(), io(PASSWORD)),
            "damaged",
        ),
        (
            Error::PlatformFailure(io("the bus hung up")),
            "the bus hung up",
        ),
        (Error::NoStorageAccess(io("collection is locked")), "locked"),
        (
            Error::NoDefaultStore,
            "no keyring is available on this desktop",
        ),
    ];
    for (error, expected) in cases {
        fail_next(&store, jid, error);
        let failure = passwords.get(jid).expect_err("the mock fails once");
        let text = failure.to_string();
        let debug = format!("{failure:?}");
        assert!(text.contains(expected), "{text}");
        assert!(
            !text.contains(PASSWORD) && !debug.contains(PASSWORD),
            "{debug}"
        );
        assert!(!debug.contains("s3cret"), "{debug}");
    }
    fail_next(&store, jid, Error::PlatformFailure(io("no reply")));
    let failure = passwords.save(jid, PASSWORD).expect_err("fails once");
    assert_eq!(
        failure.to_string(),
        "the keyring could not save the password for alice@example.org: no reply"
    );
    assert!(!format!("{:?}", passwords).contains(PASSWORD));
    // The failed save left the old password in place.
    assert_eq!(passwords.get(jid).expect("get").as_deref(), Some(PASSWORD));
}

/// Runs this test binary's `helper` test in a child process, behind `wrapper` (a program and
/// its arguments, or nothing) and with `env`; returns its output.
fn run_helper(wrapper: &[&str], helper: &str, env: &[(&str, &std::path::Path)]) -> String {
    let exe = std::env::current_exe().expect("exe");
    let mut command = match wrapper.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(exe);
            command
        }
        None => Command::new(exe),
    };
    command
        .args(["--exact", helper, "--ignored", "--nocapture"])
        .args(["--test-threads=1"])
        .env(HELPER, "1")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("run the helper");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{helper} failed:\n{text}");
    assert!(text.contains("1 passed"), "{helper} did not run:\n{text}");
    text
}

const HELPER: &str = "NUDGE_TEST_KEYRING_HELPER";

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
#[ignore = "helper: run in a child process by no_session_bus_means_no_keyring"]
fn helper_without_a_bus() {
    assert!(std::env::var_os(HELPER).is_some(), "run by its parent test");
    let error = Passwords::system().expect_err("there is no bus");
    assert!(matches!(error, KeyringError::Unavailable(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("no keyring is available on this desktop: "),
        "{error}"
    );
    eprintln!("{error}");
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn no_session_bus_means_no_keyring() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no-bus");
    let address = std::path::PathBuf::from(format!("unix:path={}", missing.display()));
    run_helper(
        &[],
        "platform::keyring::tests::helper_without_a_bus",
        &[
            ("DBUS_SESSION_BUS_ADDRESS", &address),
            ("XDG_RUNTIME_DIR", dir.path()),
        ],
    );
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
#[ignore = "helper: run inside dbus-run-session by the_secret_service_keeps_passwords"]
fn helper_with_secret_service() {
    use std::io::Write;

    assert!(std::env::var_os(HELPER).is_some(), "run by its parent test");
    // The launcher forks the daemon and exits once it is ready; the daemon quits with the bus.
    let mut daemon = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gnome-keyring-daemon (Debian package gnome-keyring) must be installed");
    daemon
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"test-keyring-password")
        .expect("unlock password");
    let started = daemon.wait_with_output().expect("daemon");
    assert!(started.status.success(), "gnome-keyring-daemon failed");

    let passwords = Passwords::system().expect("the Secret Service is running");
    assert!(
        passwords.backend().contains("Secret Service"),
        "{passwords:?}"
    );
    let jid = "alice@example.org";
    assert_eq!(passwords.get(jid).expect("get"), None);
    passwords
        .save("Alice@example.org/desk", PASSWORD)
        .expect("save");
    assert_eq!(passwords.get(jid).expect("get").as_deref(), Some(PASSWORD));
    // Other tools find it under service "nudge" and the bare JID.
    let lookup = || {
        Command::new("secret-tool")
            .args(["lookup", "service", SERVICE, "username", jid])
            .output()
            .expect("secret-tool (Debian package libsecret-tools) must be installed")
    };
    assert_eq!(String::from_utf8_lossy(&lookup().stdout), PASSWORD);
    passwords.save(jid, "second").expect("replace");
    assert_eq!(passwords.get(jid).expect("get").as_deref(), Some("second"));
    passwords.forget(jid).expect("forget");
    assert_eq!(passwords.get(jid).expect("get"), None);
    assert!(lookup().stdout.is_empty());
    passwords.forget(jid).expect("forgetting twice is fine");
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn the_secret_service_keeps_passwords() {
    // A private home and runtime folder: the keyring files of whoever runs the tests are
    // never touched.
    let dir = tempfile::tempdir().expect("temp dir");
    let run = dir.path().join("run");
    std::fs::create_dir(&run).expect("run dir");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).expect("0700");
    }
    let data = dir.path().join("data");
    let cache = dir.path().join("cache");
    run_helper(
        &["dbus-run-session", "--"],
        "platform::keyring::tests::helper_with_secret_service",
        &[
            ("HOME", dir.path()),
            ("XDG_DATA_HOME", &data),
            ("XDG_CACHE_HOME", &cache),
            ("XDG_RUNTIME_DIR", &run),
        ],
    );
    assert!(
        data.join("keyrings").is_dir(),
        "the keyring was kept in the private folder"
    );
}
