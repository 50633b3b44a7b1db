//! The `nudge` binary end to end: `account set`, two `--headless` instances side by side on
//! separate profiles, and `nudge ctl` talking to them over the local API.

mod support;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::Prosody;

/// Runs `nudge` with the XDG folders under `home`.
fn nudge(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nudge"));
    command
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env_remove("NUDGE_PASSWORD")
        .stdin(Stdio::null());
    command
}

fn run(home: &Path, args: &[&str]) -> Output {
    nudge(home, args).output().expect("nudge runs")
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "nudge failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// Polls `ctl` until `done` holds for its JSON answer.
fn wait_ctl(home: &Path, args: &[&str], what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let output = run(home, args);
        if output.status.success() {
            let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
            if done(&value) {
                return value;
            }
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A headless instance, stopped with SIGTERM when dropped.
struct Headless(Child);

impl Drop for Headless {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

fn start_headless(home: &Path, profile: &str, password: &str) -> Headless {
    let child = nudge(home, &["--profile", profile, "--headless"])
        .env("NUDGE_PASSWORD", password)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("headless nudge starts");
    Headless(child)
}

#[test]
fn two_headless_instances_chat_through_ctl() {
    let server = Prosody::start();
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    std::fs::create_dir_all(home.join("run")).expect("runtime dir");
    let port = server.c2s_port().to_string();
    let pem = server.cert_pem_path();
    let mut jids = Vec::new();
    for profile in ["a", "b"] {
        let user = support::unique_name(profile);
        server.create_user(&user, "pw");
        let jid = format!("{user}@localhost");
        let set = json(&run(
            home,
            &[
                "--profile",
                profile,
                "account",
                "set",
                "--jid",
                &jid,
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--tls",
                "starttls",
                "--trust-cert",
                pem.to_str().expect("utf-8 path"),
            ],
        ));
        assert_eq!(set["pinned_certificates"][0], server.cert_fingerprint());
        jids.push(jid);
    }
    let (alice, bob) = (jids[0].clone(), jids[1].clone());
    let _a = start_headless(home, "a", "pw");
    let _b = start_headless(home, "b", "pw");
    for profile in ["a", "b"] {
        wait_ctl(
            home,
            &["--profile", profile, "ctl", "status"],
            "online",
            |v| v["connection"]["state"] == "online",
        );
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

/// A program that records its session, one file per variable, into `out`.
fn recorder(dir: &Path, out: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("recorder.sh");
    let mut script = String::from("#!/bin/sh\nexec 2>/dev/null\n");
    for name in [
        "SESSION_ID",
        "ROLE",
        "REMOTE_JID",
        "CONTEXT_DATA",
        "COOKIE",
        "API_SOCKET",
    ] {
        script.push_str(&format!(
            "printf '%s' \"$NUDGE_{name}\" > '{out}/'\"$NUDGE_ROLE\"'.{name}'\n",
            out = out.display()
        ));
    }
    std::fs::write(&path, script).expect("script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn read_when_there(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if !text.is_empty() {
                return text;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn two_headless_instances_run_a_session_invite_through_ctl() {
    const GUID: &str = "{1A2B3C4D-5E6F-4A5B-8C7D-9E0F1A2B3C4D}";
    let server = Prosody::start();
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    std::fs::create_dir_all(home.join("run")).expect("runtime dir");
    let out = tempfile::tempdir().expect("out");
    let program = recorder(home, out.path());
    let port = server.c2s_port().to_string();
    let pem = server.cert_pem_path();
    let mut jids = Vec::new();
    for profile in ["a", "b"] {
        let user = support::unique_name(profile);
        server.create_user(&user, "pw");
        let jid = format!("{user}@localhost");
        json(&run(
            home,
            &[
                "--profile",
                profile,
                "account",
                "set",
                "--jid",
                &jid,
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--tls",
                "starttls",
                "--trust-cert",
                pem.to_str().expect("utf-8"),
            ],
        ));
        let registered = run(
            home,
            &[
                "--profile",
                profile,
                "apps",
                "register",
                "--guid",
                GUID,
                "--name",
                "Recorder",
                "--path",
                program.to_str().expect("utf-8"),
                "--url",
                "https://example.org/recorder",
            ],
        );
        assert!(
            registered.status.success(),
            "{}",
            String::from_utf8_lossy(&registered.stderr)
        );
        jids.push(jid);
    }
    let (alice, bob) = (jids[0].clone(), jids[1].clone());
    let _a = start_headless(home, "a", "pw");
    let _b = start_headless(home, "b", "pw");
    for profile in ["a", "b"] {
        wait_ctl(
            home,
            &["--profile", profile, "ctl", "status"],
            "online",
            |v| v["connection"]["state"] == "online",
        );
    }
    // Invitations come only from trusted contacts: befriend first.
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
    wait_ctl(
        home,
        &["--profile", "a", "ctl", "roster"],
        "bob asking back",
        |v| v["subscription_requests"][0] == bob.as_str(),
    );
    json(&run(
        home,
        &["--profile", "a", "ctl", "contact", "approve", &bob],
    ));
    wait_ctl(
        home,
        &["--profile", "b", "ctl", "roster"],
        "mutual trust",
        |v| v["contacts"][0]["subscription"] == "both",
    );

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
