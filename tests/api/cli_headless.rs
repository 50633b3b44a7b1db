//! The `nudge` binary end to end: `account set`, two `--headless` instances side by side on
//! separate profiles, and `nudge ctl` talking to them over the local API.

use nudge_testkit::headless::{
    configure, configure_with_password, json, read_when_there, run, start_headless, wait_ctl,
    wait_online,
};
use nudge_testkit::headless::{App, Pair};
use nudge_testkit::recorder::recorder;
use nudge_testkit::{Prosody, ProsodyOptions};

#[test]
fn two_headless_instances_chat_through_ctl() {
    let server = Prosody::start();
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    let alice = configure(&server, home, "a");
    let bob = configure(&server, home, "b");
    let _a = start_headless(home, "a", "pw");
    let _b = start_headless(home, "b", "pw");
    for profile in ["a", "b"] {
        wait_online(home, profile);
    }

    let sent = json(&run(
        home,
        &[
            "--profile",
            "a",
            "ctl",
            "send",
            &bob,
            "hello; $(rm -rf /) \"quoted\"",
        ],
    ));
    let id = sent["id"].as_str().expect("message id").to_string();
    let history = wait_ctl(
        home,
        &["--profile", "b", "ctl", "history", &alice],
        "the message",
        |v| v["messages"].as_array().is_some_and(|m| !m.is_empty()),
    );
    assert_eq!(history["messages"][0]["id"], id.as_str());
    assert_eq!(
        history["messages"][0]["body"],
        "hello; $(rm -rf /) \"quoted\""
    );

    // Contacts and presence through ctl.
    json(&run(
        home,
        &["--profile", "a", "ctl", "contact", "add", &bob],
    ));
    wait_ctl(
        home,
        &["--profile", "b", "ctl", "roster"],
        "the request",
        |v| v["subscription_requests"][0] == alice.as_str(),
    );
    json(&run(
        home,
        &["--profile", "b", "ctl", "contact", "approve", &alice],
    ));
    json(&run(
        home,
        &["--profile", "b", "ctl", "presence", "busy", "in a meeting"],
    ));
    wait_ctl(
        home,
        &["--profile", "a", "ctl", "roster"],
        "bob's presence",
        |v| {
            v["contacts"][0]["availability"] == "busy"
                && v["contacts"][0]["status"] == "in a meeting"
        },
    );
}

#[test]
fn ctl_without_a_running_instance_says_so() {
    let home = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(home.path().join("run")).expect("runtime dir");
    let output = run(home.path(), &["--profile", "nobody", "ctl", "status"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not running"), "{stderr}");
}

#[test]
fn account_set_refuses_bad_input_clearly() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run(home.path(), &["account", "set", "--jid", "not an address"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("nudge: "), "{stderr}");
    let output = run(
        home.path(),
        &[
            "account",
            "set",
            "--jid",
            "a@example.org",
            "--trust-cert",
            "/nonexistent.pem",
        ],
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("could not read"));
    let output = run(home.path(), &["--profile", "../x", "account", "show"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("profile name"));
}

#[test]
fn two_headless_instances_run_a_session_invite_through_ctl() {
    const GUID: &str = "{1A2B3C4D-5E6F-4A5B-8C7D-9E0F1A2B3C4D}";
    let server = Prosody::start();
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    let out = tempfile::tempdir().expect("out");
    let program = recorder(home, out.path());
    let pair = Pair::start(
        &server,
        home,
        App {
            guid: GUID,
            name: "Recorder",
            path: &program,
        },
    );
    let (alice, bob) = (pair.alice.clone(), pair.bob.clone());

    let invited = json(&run(
        home,
        &[
            "--profile",
            "a",
            "ctl",
            "invite",
            &bob,
            GUID,
            "--context",
            "board=empty; $(x)",
        ],
    ));
    let session = invited["session"].as_str().expect("session id").to_string();
    let ringing = wait_ctl(
        home,
        &["--profile", "b", "ctl", "sessions"],
        "the invitation",
        |v| v["sessions"][0]["state"] == "INVITATION",
    );
    assert_eq!(ringing["sessions"][0]["id"], session.as_str());
    assert_eq!(ringing["sessions"][0]["app_name"], "Recorder");
    json(&run(home, &["--profile", "b", "ctl", "accept", &session]));
    for profile in ["a", "b"] {
        wait_ctl(
            home,
            &["--profile", profile, "ctl", "sessions"],
            "connected",
            |v| v["sessions"][0]["state"] == "CONNECTED",
        );
    }
    for (role, remote) in [("inviter", &bob), ("invitee", &alice)] {
        assert_eq!(
            read_when_there(&out.path().join(format!("{role}.SESSION_ID"))),
            session
        );
        assert_eq!(
            &read_when_there(&out.path().join(format!("{role}.REMOTE_JID"))),
            remote
        );
        assert_eq!(
            read_when_there(&out.path().join(format!("{role}.CONTEXT_DATA"))),
            "board=empty; $(x)"
        );
        assert!(
            read_when_there(&out.path().join(format!("{role}.API_SOCKET"))).ends_with("api.sock")
        );
        // Both instances got their password from NUDGE_PASSWORD; neither passed it on.
        assert_eq!(
            read_when_there(&out.path().join(format!("{role}.PASSWORD"))),
            ""
        );
    }
    json(&run(
        home,
        &["--profile", "a", "ctl", "context", &session, "move 4"],
    ));
    json(&run(home, &["--profile", "b", "ctl", "end", &session]));
    wait_ctl(
        home,
        &["--profile", "a", "ctl", "sessions"],
        "the end",
        |v| v["sessions"][0]["state"] == "TERMINATED",
    );
}

#[test]
fn a_runtime_folder_someone_prepared_in_the_temp_folder_is_refused() {
    // Without XDG_RUNTIME_DIR the socket lives in $TMPDIR/nudge-UID, a name anyone can take
    // first. Here it is a symbolic link to a folder the "attacker" reads.
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    let tmp = home.join("tmp");
    let trap = home.join("trap");
    std::fs::create_dir_all(&tmp).expect("tmp");
    std::fs::create_dir_all(&trap).expect("trap");
    let uid = nudge::platform::private::current_uid();
    std::os::unix::fs::symlink(&trap, tmp.join(format!("nudge-{uid}"))).expect("link");

    // Setting up an account makes the profile's folders, the runtime one included.
    let output =
        nudge_testkit::headless::nudge(home, &["account", "set", "--jid", "a@example.org"])
            .env_remove("XDG_RUNTIME_DIR")
            .env("TMPDIR", &tmp)
            .output()
            .expect("nudge runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    let planted: Vec<_> = std::fs::read_dir(&trap).expect("trap").collect();
    assert!(planted.is_empty(), "Nudge wrote into the trap: {planted:?}");
}

/// Every way `secret` could be written in base64 inside a longer string (as SASL PLAIN's
/// `\0user\0password` is): the characters that depend on it alone, at each of the three
/// alignments.
fn base64_forms(secret: &str) -> Vec<String> {
    use base64::Engine as _;
    (0..3)
        .map(|offset| {
            let mut bytes = vec![0u8; offset];
            bytes.extend_from_slice(secret.as_bytes());
            let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
            // Skip the characters mixed with the filler, and the last group (mixed with
            // whatever follows).
            let start = (offset * 8).div_ceil(6);
            let end = (bytes.len() * 8 / 6).saturating_sub(1);
            encoded[start..end.max(start)].to_string()
        })
        .collect()
}

#[test]
fn no_secret_reaches_the_log_at_the_most_verbose_level() {
    // A server that offers only PLAIN: the password itself crosses the (encrypted) stream.
    let server = Prosody::start_with(ProsodyOptions {
        plain_sasl_only: true,
        ..ProsodyOptions::default()
    });
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    let password = "Tr0ub4dor-and-3-horses";
    configure_with_password(&server, home, "a", password);
    let log_path = home.join("nudge.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let child = nudge_testkit::headless::nudge(home, &["--profile", "a", "--headless"])
        // Everything, and the XML stream's own trace by name.
        .env("NUDGE_LOG", "trace,tokio_xmpp::xmlstream::capture=trace")
        .env("NUDGE_PASSWORD", password)
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("headless nudge starts");
    let instance = nudge_testkit::headless::Headless::from(child);
    wait_online(home, "a");
    let token = std::fs::read_to_string(home.join("run/nudge/a/ctl.token")).expect("token");
    json(&run(home, &["--profile", "a", "ctl", "roster"]));
    drop(instance);

    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        log.lines().filter(|line| line.contains("TRACE")).count() > 10,
        "the log is verbose: {log}"
    );
    let mut secrets = vec![password.to_string(), token.trim().to_string()];
    secrets.extend(base64_forms(password));
    for secret in secrets {
        assert!(
            secret.len() >= 8,
            "a needle that cannot match by chance: {secret:?}"
        );
        if let Some(line) = log.lines().find(|line| line.contains(&secret)) {
            panic!("the log holds a secret ({secret:?}): {line}");
        }
    }
}
