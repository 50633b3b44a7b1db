use std::path::Path;
use std::process::Command;

use clap::Parser;

use super::*;
use crate::cli::Cli;

fn entry(dir: &Path, profile: &str) -> Autostart {
    Autostart::new(dir, profile, Path::new("/usr/bin/nudge"))
}

#[test]
fn the_default_profile_starts_plain_nudge() {
    let text = entry(Path::new("/x"), "default")
        .contents(false)
        .expect("printable");
    assert_eq!(
        text,
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Nudge\n\
         Comment=Start Nudge when you log in\n\
         Exec=/usr/bin/nudge\n\
         Icon=im.nudge.Nudge\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n"
    );
    assert_eq!(
        entry(Path::new("/x"), "default").path(),
        Path::new("/x/im.nudge.Nudge.desktop")
    );
}

#[test]
fn another_profile_has_its_own_entry_and_can_start_hidden() {
    let work = entry(Path::new("/x"), "work");
    assert_eq!(work.path(), Path::new("/x/im.nudge.Nudge-work.desktop"));
    let text = work.contents(true).expect("printable");
    assert_eq!(
        desktop_entry::value(&text, "Exec"),
        Some("/usr/bin/nudge --profile work --hidden")
    );
    assert_eq!(desktop_entry::value(&text, "Name"), Some("Nudge (work)"));
}

#[test]
fn the_flags_written_are_the_ones_the_command_line_takes() {
    let cli = Cli::try_parse_from(["nudge", HIDDEN_FLAG]).expect("the flag parses");
    assert!(cli.hidden);
    assert_eq!(cli.profile, DEFAULT_PROFILE);
    let exec = entry(Path::new("/x"), "work").contents(true).expect("text");
    let args = desktop_entry::exec_args(desktop_entry::value(&exec, "Exec").expect("Exec"));
    let cli = Cli::try_parse_from(&args).expect("the Exec line parses");
    assert!(cli.hidden && cli.profile == "work", "{cli:?}");
}

#[test]
fn switching_on_hidden_then_off_writes_and_removes_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let autostart_dir = dir.path().join("autostart");
    let entry = entry(&autostart_dir, "default");
    assert_eq!(entry.read().expect("no file"), AutostartState::default());
    let on = AutostartState {
        enabled: true,
        hidden: false,
    };
    assert_eq!(entry.set(on).expect("written"), on, "the folder is made");
    let hidden = AutostartState {
        enabled: true,
        hidden: true,
    };
    assert_eq!(entry.set(hidden).expect("rewritten"), hidden);
    let text = fs::read_to_string(entry.path()).expect("the file");
    assert!(text.contains("Exec=/usr/bin/nudge --hidden\n"), "{text}");
    let off = AutostartState::default();
    assert_eq!(entry.set(off).expect("removed"), off);
    assert!(!entry.path().exists());
    assert_eq!(entry.set(off).expect("already off"), off);
    let left: Vec<_> = fs::read_dir(&autostart_dir).expect("dir").collect();
    assert!(left.is_empty(), "no temporary file is left: {left:?}");
}

#[test]
fn an_entry_the_desktop_switched_off_reads_as_off() {
    let on = entry(Path::new("/x"), "default")
        .contents(true)
        .expect("text");
    assert_eq!(
        state_of(&on),
        AutostartState {
            enabled: true,
            hidden: true
        }
    );
    let hidden = format!("{on}Hidden=true\n");
    assert!(!state_of(&hidden).enabled);
    let gnome_off = on.replace(
        "X-GNOME-Autostart-enabled=true",
        "X-GNOME-Autostart-enabled=false",
    );
    assert!(!state_of(&gnome_off).enabled);
    let hand_written = "[Desktop Entry]\nType=Application\nName=Nudge\nExec=nudge\n";
    assert_eq!(
        state_of(hand_written),
        AutostartState {
            enabled: true,
            hidden: false
        }
    );
}

#[test]
fn a_folder_that_cannot_be_made_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("autostart");
    fs::write(&blocker, "a file where the folder should be").expect("write");
    let error = entry(&blocker, "default")
        .set(AutostartState {
            enabled: true,
            hidden: false,
        })
        .expect_err("not a folder");
    assert!(error.to_string().starts_with("could not use"), "{error}");
}

#[test]
fn desktop_file_validate_accepts_the_entry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let program = dir.path().join("my apps/nudge");
    let entry = Autostart::new(dir.path(), "work", &program);
    entry
        .set(AutostartState {
            enabled: true,
            hidden: true,
        })
        .expect("written");
    let output = Command::new("desktop-file-validate")
        .arg(entry.path())
        .output()
        .expect("desktop-file-validate runs (apt-get install desktop-file-utils)");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && said.trim().is_empty(), "{said}");
}
