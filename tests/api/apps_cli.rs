//! `nudge apps register|unregister|list` through the real binary, with the XDG folders in a
//! temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const CHESS: &str = "{11111111-2222-3333-4444-555555555555}";
const DRAW: &str = "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}";

/// Runs `nudge --profile test ARGS` with every XDG folder under `home`.
fn nudge(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nudge"))
        .arg("--profile")
        .arg("test")
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .stdin(Stdio::null())
        .output()
        .expect("nudge runs")
}

fn apps_dir(home: &Path) -> PathBuf {
    home.join("config/nudge/test/apps")
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "nudge failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// Asserts failure and answers the one-line message on stderr.
fn failure(output: &Output) -> String {
    assert!(!output.status.success(), "nudge should have failed");
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.starts_with("nudge: "), "{stderr}");
    stderr
}

fn register(home: &Path, guid: &str, name: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "apps",
        "register",
        "--guid",
        guid,
        "--name",
        name,
        "--path",
        "/opt/games/chess",
        "--url",
        "https://example.org/chess",
    ];
    args.extend_from_slice(extra);
    nudge(home, &args)
}

fn list(home: &Path) -> Vec<Value> {
    match stdout_json(&nudge(home, &["apps", "list"])) {
        Value::Array(apps) => apps,
        other => panic!("list is not an array: {other}"),
    }
}

#[test]
fn register_list_and_unregister() {
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    assert_eq!(list(home), Vec::<Value>::new(), "nothing registered yet");

    let lower = CHESS.to_lowercase();
    let extra = [
        "--arg",
        "--invite",
        "--arg",
        "$(touch pwned); 'quoted'",
        "--key",
        "s3cret-Key",
    ];
    let shown = stdout_json(&register(home, &lower, "Chess", &extra));
    assert_eq!(shown["guid"], CHESS, "the GUID is made uppercase");
    assert_eq!(shown["has_key"], true);
    assert_eq!(
        shown["args"],
        serde_json::json!(["--invite", "$(touch pwned); 'quoted'"])
    );

    let extra = ["--arg", "--fullscreen"];
    stdout_json(&register(home, DRAW, "Whiteboard", &extra));
    let file = apps_dir(home).join(format!("{CHESS}.toml"));
    assert!(file.is_file(), "one file per application, named by GUID");

    let apps = list(home);
    let names: Vec<&str> = apps.iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(names, ["Chess", "Whiteboard"]);
    assert_eq!(apps[0]["download_url"], "https://example.org/chess");
    assert_eq!(apps[0]["path"], "/opt/games/chess");
    assert_eq!(apps[0]["installed"], false);
    assert_eq!(apps[0]["has_key"], true);
    assert_eq!(apps[1]["has_key"], false);
    for app in &apps {
        assert!(app.get("key").is_none(), "the key is never printed: {app}");
    }
    let output = nudge(home, &["apps", "list"]);
    assert!(!String::from_utf8_lossy(&output.stdout).contains("s3cret"));

    let gone = stdout_json(&nudge(home, &["apps", "unregister", CHESS]));
    assert_eq!(gone["unregistered"], CHESS);
    assert!(!file.exists());
    let names: Vec<String> = list(home)
        .iter()
        .filter_map(|a| a["name"].as_str().map(String::from))
        .collect();
    assert_eq!(names, ["Whiteboard"]);

    let message = failure(&nudge(home, &["apps", "unregister", CHESS]));
    assert!(message.contains("no application with GUID"), "{message}");
}

#[test]
fn a_guid_registered_twice_is_refused_unless_replaced() {
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    stdout_json(&register(home, CHESS, "Chess", &[]));

    let message = failure(&register(home, CHESS, "Chess 2", &[]));
    assert!(message.contains("already registered"), "{message}");
    assert!(message.contains("--replace"), "{message}");
    assert_eq!(list(home)[0]["name"], "Chess", "the first one stays");

    let shown = stdout_json(&register(home, CHESS, "Chess 2", &["--replace"]));
    assert_eq!(shown["name"], "Chess 2");
    let apps = list(home);
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["name"], "Chess 2");
}

#[test]
fn bad_input_is_refused_in_plain_words_and_nothing_is_written() {
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    let cases: [(&[&str], &str); 8] = [
        (&["--guid", "not-a-guid"], "not an application GUID"),
        (
            &["--guid", "11111111-2222-3333-4444-555555555555"],
            "braces",
        ),
        (&["--url", "http://example.org/chess"], "https://"),
        (&["--url", "javascript:alert(1)"], "https://"),
        (&["--url", "https://"], "no host"),
        (&["--path", "bin/chess"], "not a full path"),
        (
            &["--name", "Chess\nInvitation accepted"],
            "control characters",
        ),
        (&["--arg", "a\u{1}b", "--key", "two words"], "key"),
    ];
    for (overrides, expected) in cases {
        let mut fields = vec![
            ("--guid", CHESS),
            ("--name", "Chess"),
            ("--path", "/opt/games/chess"),
            ("--url", "https://example.org/chess"),
        ];
        let mut extra = Vec::new();
        for pair in overrides.chunks(2) {
            match fields.iter_mut().find(|(flag, _)| *flag == pair[0]) {
                Some(field) => field.1 = pair[1],
                None => extra.extend_from_slice(pair),
            }
        }
        let mut args = vec!["apps", "register"];
        for (flag, value) in &fields {
            args.extend([*flag, *value]);
        }
        args.extend(extra);
        let message = failure(&nudge(home, &args));
        assert!(message.contains(expected), "{overrides:?}: {message}");
        assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    }
    assert!(
        !apps_dir(home).exists() || std::fs::read_dir(apps_dir(home)).expect("dir").count() == 0,
        "nothing was written"
    );
    let message = failure(&nudge(home, &["apps", "unregister", "{nope}"]));
    assert!(message.contains("not an application GUID"), "{message}");
}

#[test]
fn list_skips_a_broken_file_with_a_warning() {
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    stdout_json(&register(home, CHESS, "Chess", &[]));
    let broken = apps_dir(home).join(format!("{DRAW}.toml"));
    std::fs::write(&broken, "name = \"Whiteboard\"\n").expect("write");

    let output = nudge(home, &["apps", "list"]);
    let apps = stdout_json(&output);
    assert_eq!(apps.as_array().map(Vec::len), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning"), "{stderr}");
    assert!(stderr.contains(DRAW), "{stderr}");
    assert!(broken.exists(), "a broken file is never deleted");
}
