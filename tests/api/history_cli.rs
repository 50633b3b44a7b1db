//! `nudge history export|import` through the real binary: a Messenger log imported once (and
//! not twice), exported as XML and text, bad files refused with the line named and nothing
//! added, and an import beside a running headless Nudge showing in its history.

use std::path::Path;

use nudge_testkit::headless::{configure, run, start_headless, wait_ctl, wait_online};
use nudge_testkit::Prosody;

/// A Windows Live Messenger log as it saved them (one contact per file).
const LOG: &str = r#"<?xml version="1.0"?>
<?xml-stylesheet type='text/xsl' href='MessageLog.xsl'?>
<Log FirstSessionID="1" LastSessionID="1"><Message Date="14/03/2008" Time="21:04:11" DateTime="2008-03-14T20:04:11.123Z" SessionID="1"><From><User FriendlyName="Alice"/></From><To><User FriendlyName="Bobby"/></To><Text Style="font-family:Segoe UI; color:#000000; ">hey, are you there?</Text></Message>
<Message Date="14/03/2008" Time="21:04:30" DateTime="2008-03-14T20:04:30.456Z" SessionID="1"><From><User FriendlyName="Bobby"/></From><To><User FriendlyName="Alice"/></To><Text Style="font-family:Segoe UI; color:#000000; ">yes &amp; you?</Text></Message>
</Log>
"#;

fn ok(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "nudge failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn failed(output: &std::process::Output) -> String {
    assert!(!output.status.success(), "nudge should have failed");
    String::from_utf8(output.stderr.clone()).expect("UTF-8")
}

fn history(home: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--profile", "h", "history"];
    all.extend_from_slice(args);
    run(home, &all)
}

#[test]
fn history_import_and_export_work_on_the_profile() {
    let home = tempfile::tempdir().expect("home");
    let home = home.path();
    ok(&run(
        home,
        &[
            "--profile",
            "h",
            "account",
            "set",
            "--jid",
            "alice@example.org",
        ],
    ));
    let log = home.join("Bobby1234567890.xml");
    std::fs::write(&log, LOG).expect("log");
    let file = log.to_str().expect("path");

    let first = ok(&history(home, &["import", file, "--as", "bob@example.org"]));
    assert_eq!(
        first.trim(),
        "Imported 2 of 2 messages from the Messenger log (with bob@example.org)."
    );
    let again = ok(&history(home, &["import", file, "--as", "bob@example.org"]));
    assert!(again.starts_with("Imported 0 of 2"), "{again}");

    // A log cut short adds nothing, and says where.
    let cut = home.join("cut.xml");
    std::fs::write(&cut, &LOG[..LOG.len() - 60]).expect("cut");
    let refused = failed(&history(
        home,
        &[
            "import",
            cut.to_str().expect("path"),
            "--as",
            "carol@example.org",
        ],
    ));
    assert!(refused.contains("cut.xml, line 4:"), "{refused}");
    assert!(
        failed(&history(home, &["import", file])).contains("--as JID"),
        "a Messenger log needs the contact"
    );

    let xml_file = home.join("bob.xml");
    let said = run(
        home,
        &[
            "--profile",
            "h",
            "history",
            "export",
            "bob@example.org",
            "--format",
            "xml",
            "-o",
            xml_file.to_str().expect("path"),
        ],
    );
    ok(&said);
    assert!(String::from_utf8_lossy(&said.stderr).contains("Exported 2 messages"));
    let xml = std::fs::read_to_string(&xml_file).expect("export");
    assert!(xml.contains(r#"account="alice@example.org""#), "{xml}");
    assert!(
        xml.contains(r#"<conversation with="bob@example.org">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"direction="in" time="2008-03-14T20:04:30.456Z">yes &amp; you?</message>"#),
        "{xml}"
    );
    assert_eq!(xml.matches("<message ").count(), 2);
    // Importing the export adds nothing; carol's conversation never came to be.
    let back = ok(&history(
        home,
        &["import", xml_file.to_str().expect("path")],
    ));
    assert!(
        back.starts_with("Imported 0 of 2 messages from the Nudge history"),
        "{back}"
    );

    let text = ok(&history(home, &["export", "--format", "text"]));
    assert!(
        text.starts_with("Conversation with bob@example.org\n\n"),
        "{text}"
    );
    assert!(
        text.contains("  alice@example.org: hey, are you there?\n"),
        "{text}"
    );
    assert!(text.contains("  bob@example.org: yes & you?\n"), "{text}");
    assert!(!text.contains("carol"), "{text}");
}

#[test]
fn an_import_beside_a_running_nudge_shows_in_its_history() {
    let server = Prosody::start();
    let home = tempfile::tempdir().expect("home");
    let home = home.path();
    let _alice = configure(&server, home, "a");
    let _running = start_headless(home, "a", "pw");
    wait_online(home, "a");

    let log = home.join("Bobby.xml");
    std::fs::write(&log, LOG).expect("log");
    // The account's local part is not "alice" here: --me says which name was the user's.
    let said = ok(&run(
        home,
        &[
            "--profile",
            "a",
            "history",
            "import",
            log.to_str().expect("path"),
            "--as",
            "bob@example.org",
            "--me",
            "Alice",
        ],
    ));
    assert!(said.starts_with("Imported 2 of 2"), "{said}");
    let shown = wait_ctl(
        home,
        &["--profile", "a", "ctl", "history", "bob@example.org"],
        "the imported messages",
        |v| v["messages"].as_array().is_some_and(|m| m.len() == 2),
    );
    assert_eq!(shown["messages"][0]["body"], "hey, are you there?");
    assert_eq!(shown["messages"][0]["direction"], "outgoing");
    assert_eq!(shown["messages"][1]["body"], "yes & you?");
}
