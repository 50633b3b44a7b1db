//! The history on a full file system: a profile on a small tmpfs mounted for the test (the
//! test runs as root, as CI does). A real full disk answers writes with ENOSPC, which SQLite
//! reports as "database or disk is full"; a file-size limit (`RLIMIT_FSIZE`) would instead kill
//! the process with SIGXFSZ, so only a real small file system shows what a user would see.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command as Program;
use std::time::{Duration, Instant};

use nudge::command::{new_message_id, Command};
use nudge::event::Event;
use nudge::problem::Problem;
use nudge::store::Store;
use nudge_testkit::client::Client;
use nudge_testkit::Prosody;

/// A tmpfs of `size` mounted on a new temporary folder, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let status = Program::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir.path())
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "this test mounts a small tmpfs and needs root (CAP_SYS_ADMIN) for it: {status}"
        );
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the file system with one file until a write fails; returns that file.
    fn fill(&self) -> PathBuf {
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("filler");
        let block = vec![0u8; 4096];
        while file
            .write_all(&block)
            .and_then(|()| file.sync_all())
            .is_ok()
        {}
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Program::new("umount").arg("-l").arg(self.path()).status();
    }
}

/// Polls the store of `client` until a message with `body` is there.
async fn wait_stored(client: &Client, peer: &nudge::model::BareJid, body: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let store = Store::open(&client.profile().database_path()).expect("the history opens");
        let messages = store
            .recent_messages(peer, 1000)
            .expect("the history reads");
        if messages.iter().any(|m| m.body == body) {
            let times = messages.iter().filter(|m| m.body == body).count();
            assert_eq!(times, 1, "{body:?} stored {times} times");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{body:?} never reached the history"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gives_a_clear_error_keeps_the_draft_and_loses_nothing() {
    let server = Prosody::start();
    let disk = SmallDisk::mount("2m");
    let user = nudge_testkit::unique_name("alice");
    let password = format!("{user}-pw");
    server.create_user(&user, &password);
    let mut alice = Client::in_folder(disk.path());
    alice.sign_in_with(nudge_testkit::account(&server, &user), password.clone());
    alice.wait_online().await;
    let mut bob = Client::online(&server, "bob").await;
    nudge_testkit::befriend(&mut alice, &mut bob).await;

    let filler = disk.fill();
    // Writes go to SQLite's write-ahead log, which may still have room: Alice types until the
    // disk refuses one. What was queued before must still arrive.
    let mut refused = None;
    let mut queued = Vec::new();
    for n in 0..200 {
        let text = format!("typed while the disk is full {n}");
        alice.send(Command::SendMessage {
            id: new_message_id(),
            to: bob.jid.clone(),
            body: text.clone(),
        });
        let answer = alice
            .wait_for("the message queued or refused", |e| {
                matches!(
                    e,
                    Event::MessageQueued { .. }
                        | Event::Problem {
                            problem: Problem::MessageNotSent { .. }
                        }
                )
            })
            .await;
        if let Event::Problem {
            problem: Problem::MessageNotSent {
                detail, text: back, ..
            },
        } = answer
        {
            refused = Some((text, detail, back));
            break;
        }
        queued.push(text);
    }
    let (text, detail, back) = refused.expect("the full disk refused a message");
    assert_eq!(back, text, "the text comes back for the composer");
    assert!(detail.contains("full"), "a plain reason: {detail}");
    let words = nudge::ui::words::problem(&Problem::MessageNotSent {
        to: bob.jid.clone(),
        detail: detail.clone(),
        text: text.clone(),
    });
    println!("{words}");
    assert!(words.contains("back in the box"), "{words}");

    // Bob writes while Alice's disk is full: she is shown the message and told it is unsaved.
    bob.send(Command::SendMessage {
        id: new_message_id(),
        to: alice.jid.clone(),
        body: "sent to a full disk".into(),
    });
    let unsaved = alice
        .wait_for("the history refusing Bob's message", |e| {
            matches!(
                e,
                Event::Problem {
                    problem: Problem::MessageNotSaved { .. }
                }
            )
        })
        .await;
    println!("{}", problem_words(&unsaved));
    alice
        .wait_for("Bob's message shown", |e| {
            matches!(e, Event::MessageReceived { message } if message.body == "sent to a full disk")
        })
        .await;

    // Space returns: the refused text is sent again (from the composer), and the next sign-in
    // fetches what could not be saved from the server's archive.
    std::fs::remove_file(filler).expect("space returns");
    alice.send(Command::SendMessage {
        id: new_message_id(),
        to: bob.jid.clone(),
        body: text.clone(),
    });
    for body in queued.iter().chain([&text]) {
        bob.wait_for(
            "Alice's messages",
            |e| matches!(e, Event::MessageReceived { message } if &message.body == body),
        )
        .await;
        wait_stored(&alice, &bob.jid, body).await;
    }
    alice.sign_in_with(nudge_testkit::account(&server, &user), password);
    alice.wait_online().await;
    wait_stored(&alice, &bob.jid, "sent to a full disk").await;
    drop(alice);
}

/// The sentence the window shows for a problem event.
fn problem_words(event: &Event) -> String {
    match event {
        Event::Problem { problem } => nudge::ui::words::problem(problem),
        other => panic!("not a problem: {other:?}"),
    }
}
