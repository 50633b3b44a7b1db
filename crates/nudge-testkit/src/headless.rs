//! The real `nudge` binary in tests: `--headless` instances on their own profiles under one
//! temporary home, driven with `nudge ctl` over the local API.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Prosody;

/// How long a test waits for something a headless instance should do.
const WAIT: Duration = Duration::from_secs(30);

/// The `nudge` program Cargo built beside the running test: `target/debug/nudge` for the test
/// `target/debug/deps/NAME-HASH`. Cargo builds it before the root crate's integration tests.
pub fn program() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    let mut dir = exe.parent().expect("the test's folder").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let program = dir.join(format!("nudge{}", std::env::consts::EXE_SUFFIX));
    assert!(
        program.is_file(),
        "{} is missing: the root crate's tests use it, and `cargo test` builds it",
        program.display()
    );
    program
}

/// Runs `nudge` with the XDG folders under `home`.
pub fn nudge(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(program());
    command
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env_remove("NUDGE_PASSWORD")
        .stdin(Stdio::null());
    command
}

/// Runs `nudge` to the end and returns what it printed.
pub fn run(home: &Path, args: &[&str]) -> Output {
    nudge(home, args).output().expect("nudge runs")
}

/// The JSON a successful `nudge` run printed; fails the test with its stderr otherwise.
pub fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "nudge failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// Runs `nudge --profile PROFILE ARGS…` and returns its JSON answer.
pub fn ctl(home: &Path, profile: &str, args: &[&str]) -> Value {
    let mut all = vec!["--profile", profile];
    all.extend_from_slice(args);
    json(&run(home, &all))
}

/// Polls `ctl` until `done` holds for its JSON answer.
pub fn wait_ctl(home: &Path, args: &[&str], what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + WAIT;
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

/// Waits until the instance running `profile` is signed in.
pub fn wait_online(home: &Path, profile: &str) {
    wait_ctl(
        home,
        &["--profile", profile, "ctl", "status"],
        "online",
        |v| v["connection"]["state"] == "online",
    );
}

/// A headless instance, stopped with SIGTERM when dropped.
pub struct Headless(Child);

impl From<Child> for Headless {
    fn from(child: Child) -> Self {
        Self(child)
    }
}

impl Drop for Headless {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

/// Starts `nudge --headless` on `profile`, with its password from the environment.
pub fn start_headless(home: &Path, profile: &str, password: &str) -> Headless {
    let child = nudge(home, &["--profile", profile, "--headless"])
        .env("NUDGE_PASSWORD", password)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("headless nudge starts");
    Headless(child)
}

/// The text of `path` once a program has written it (see [`super::recorder`]).
pub fn read_when_there(path: &Path) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Creates a new user on `server` and sets up `profile` under `home` to sign in as them
/// (loopback, STARTTLS, the server's certificate pinned). Returns the bare JID.
pub fn configure(server: &Prosody, home: &Path, profile: &str) -> String {
    configure_with_password(server, home, profile, "pw")
}

/// [`configure`] with the account's password.
pub fn configure_with_password(
    server: &Prosody,
    home: &Path,
    profile: &str,
    password: &str,
) -> String {
    std::fs::create_dir_all(home.join("run")).expect("runtime dir");
    let user = super::unique_name(profile);
    server.create_user(&user, password);
    let jid = format!("{user}@localhost");
    let pem = server.cert_pem_path();
    let set = ctl(
        home,
        profile,
        &[
            "account",
            "set",
            "--jid",
            &jid,
            "--host",
            "127.0.0.1",
            "--port",
            &server.c2s_port().to_string(),
            "--tls",
            "starttls",
            "--trust-cert",
            pem.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(set["pinned_certificates"][0], server.cert_fingerprint());
    jid
}

/// A program every instance of a [`Pair`] has registered.
pub struct App<'a> {
    /// Its GUID.
    pub guid: &'a str,
    /// Its name in the Invite menu.
    pub name: &'a str,
    /// The program Nudge launches.
    pub path: &'a Path,
}

/// Two headless instances, profiles `a` (Alice) and `b` (Bob), signed in to one server and
/// trusting each other, with the same program registered in both.
pub struct Pair {
    /// Alice's bare JID.
    pub alice: String,
    /// Bob's bare JID.
    pub bob: String,
    // Dropped (stopped) before the home they live in.
    _instances: [Headless; 2],
}

impl Pair {
    /// Sets up both profiles under `home`, starts both instances and befriends them.
    pub fn start(server: &Prosody, home: &Path, app: App<'_>) -> Self {
        let mut jids = Vec::new();
        for profile in ["a", "b"] {
            let jid = configure(server, home, profile);
            let registered = run(
                home,
                &[
                    "--profile",
                    profile,
                    "apps",
                    "register",
                    "--guid",
                    app.guid,
                    "--name",
                    app.name,
                    "--path",
                    app.path.to_str().expect("utf-8"),
                    "--url",
                    "https://example.org/app",
                ],
            );
            assert!(
                registered.status.success(),
                "{}",
                String::from_utf8_lossy(&registered.stderr)
            );
            jids.push(jid);
        }
        let instances = [
            start_headless(home, "a", "pw"),
            start_headless(home, "b", "pw"),
        ];
        for profile in ["a", "b"] {
            wait_online(home, profile);
        }
        let (alice, bob) = (jids[0].clone(), jids[1].clone());
        befriend(home, &alice, &bob);
        Self {
            alice,
            bob,
            _instances: instances,
        }
    }
}

/// Invitations come only from trusted contacts: Alice adds Bob, each allows the other.
fn befriend(home: &Path, alice: &str, bob: &str) {
    ctl(home, "a", &["ctl", "contact", "add", bob]);
    wait_ctl(
        home,
        &["--profile", "b", "ctl", "roster"],
        "the request",
        |v| v["subscription_requests"][0] == alice,
    );
    ctl(home, "b", &["ctl", "contact", "approve", alice]);
    wait_ctl(
        home,
        &["--profile", "a", "ctl", "roster"],
        "bob asking back",
        |v| v["subscription_requests"][0] == bob,
    );
    ctl(home, "a", &["ctl", "contact", "approve", bob]);
    wait_ctl(
        home,
        &["--profile", "b", "ctl", "roster"],
        "mutual trust",
        |v| v["contacts"][0]["subscription"] == "both",
    );
}
