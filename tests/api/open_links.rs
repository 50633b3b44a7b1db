//! One Nudge per profile: a second `nudge` (a click on an `xmpp:` link, or starting it again)
//! hands its request to the running instance over the local API and exits.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nudge_testkit::headless::{nudge, run, start_headless, wait_ctl};
use serde_json::Value;

const PROFILE: &str = "links";

/// The running instance's events, read by `nudge ctl events` on a thread.
struct EventStream {
    child: std::process::Child,
    lines: mpsc::Receiver<Value>,
}

impl EventStream {
    fn follow(home: &std::path::Path) -> Self {
        let mut child = nudge(home, &["--profile", PROFILE, "ctl", "events"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("ctl events starts");
        let stdout = child.stdout.take().expect("piped");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let Ok(value) = serde_json::from_str(&line) else {
                    continue;
                };
                if sender.send(value).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// The next `open_requested` event, waiting up to ten seconds.
    fn next_open(&self) -> Option<Value> {
        self.next_open_within(Duration::from_secs(10))
    }

    /// The next `open_requested` event, if one comes soon.
    fn next_open_quick(&self) -> Option<Value> {
        self.next_open_within(Duration::from_millis(300))
    }

    fn next_open_within(&self, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(event) if event["event"] == "open_requested" => return Some(event),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
        None
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn second_nudge(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--profile", PROFILE];
    all.extend_from_slice(args);
    run(home, &all)
}

#[test]
fn a_second_nudge_hands_its_link_to_the_running_one_and_exits() {
    let home = tempfile::tempdir().expect("temp dir");
    // No account is set: the instance serves its API signed out, which is all this needs.
    let _running = start_headless(home.path(), PROFILE, "unused");
    wait_ctl(
        home.path(),
        &["--profile", PROFILE, "ctl", "status"],
        "the API",
        |_| true,
    );
    let events = EventStream::follow(home.path());
    // Until `ctl events` has subscribed, bare requests go unseen: repeat one until it shows.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let output = second_nudge(home.path(), &["ctl", "open"]);
        assert!(output.status.success(), "{output:?}");
        if let Some(event) = events.next_open_quick() {
            assert_eq!(event, serde_json::json!({"event": "open_requested"}));
            break;
        }
        assert!(Instant::now() < deadline, "the event stream never started");
    }

    let output = second_nudge(home.path(), &["xmpp:Bob@Example.org?message;body=Hi%20Bob"]);
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("already running"), "{said}");
    assert_eq!(
        events.next_open(),
        Some(serde_json::json!({
            "event": "open_requested",
            "link": {"action": "message", "jid": "bob@example.org", "body": "Hi Bob"}
        }))
    );

    // Started hidden at login while it runs: nothing is asked of the running one.
    let output = second_nudge(home.path(), &["--hidden"]);
    assert!(output.status.success(), "{output:?}");
    let output = second_nudge(home.path(), &[]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        events.next_open(),
        Some(serde_json::json!({"event": "open_requested"})),
        "the plain start came to the front, the hidden one did not"
    );

    // What is not a link is refused in words, and the running one hears nothing of it.
    let output = second_nudge(home.path(), &["https://example.org/phish"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not an xmpp: link"), "{stderr}");
}
