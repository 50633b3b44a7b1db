//! `nudge --hidden` as a login starts it: the real binary on a real X server (Xvfb) with a tray
//! host on a private D-Bus (a stand-in StatusNotifierWatcher). The contact list's window is
//! made but not shown while the tray icon is there; without `--hidden` it is shown. Either way
//! the window carries the desktop entry's id as its `WM_CLASS`.

#![cfg(all(unix, not(target_os = "macos")))]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nudge_testkit::dbus::{PrivateBus, TURN};

/// How long the window and the tray icon may take to appear.
const PATIENCE: Duration = Duration::from_secs(60);

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An X server of its own: Xvfb picks a free display and prints its number.
fn xvfb() -> (Killed, String) {
    let mut server = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1024x768x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb runs (apt-get install xvfb)");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("Xvfb prints its display");
    let display = format!(":{}", line.trim());
    (Killed(server), display)
}

/// Nudge's window on `display`, once it exists: its X id.
fn nudge_window(display: &str) -> Option<String> {
    let output = Command::new("xwininfo")
        .args(["-display", display, "-root", "-tree"])
        .output()
        .expect("xwininfo runs (apt-get install x11-utils)");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find(|line| line.contains("\"Nudge\""))
        .and_then(|line| line.split_whitespace().next().map(str::to_string))
}

/// What an X tool says about the window.
fn x_says(tool: &str, display: &str, window: &str, extra: &[&str]) -> String {
    let output = Command::new(tool)
        .args(["-display", display, "-id", window])
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs: {e}"));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Starts Nudge on `display` with `args`, its folders under `home`, on the private bus.
fn start_nudge(home: &Path, display: &str, bus: &PrivateBus, args: &[&str]) -> Killed {
    let runtime = home.join("run");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_nudge"));
    command
        .args(["--profile", "hidden"])
        .args(args)
        .env("DISPLAY", display)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("NUDGE_PASSWORD")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Killed(command.spawn().expect("nudge starts"))
}

/// Runs Nudge with `args` until its tray icon registered and its window exists; answers the
/// window's map state line and `WM_CLASS`.
async fn window_of_nudge(args: &[&str]) -> (String, String) {
    let bus = PrivateBus::start();
    let mut items = crate::tray::watcher(&bus).await;
    let (_xvfb, display) = xvfb();
    let home = tempfile::tempdir().expect("temp dir");
    let _nudge = start_nudge(home.path(), &display, &bus, args);
    tokio::time::timeout(PATIENCE, items.recv())
        .await
        .expect("the tray icon registers in time")
        .expect("an item");
    let deadline = Instant::now() + PATIENCE;
    let window = loop {
        if let Some(window) = nudge_window(&display) {
            break window;
        }
        assert!(Instant::now() < deadline, "no Nudge window on {display}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // A shown window is mapped within a few frames; give a hidden one the same chance to be
    // shown by mistake.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let state = x_says("xwininfo", &display, &window, &[]);
    let map_state = state
        .lines()
        .find(|line| line.contains("Map State:"))
        .unwrap_or_default()
        .trim()
        .to_string();
    let class = x_says("xprop", &display, &window, &["WM_CLASS"]);
    (map_state, class.trim().to_string())
}

#[tokio::test]
async fn hidden_starts_in_the_tray_and_a_plain_start_shows_the_window() {
    let _turn = TURN.lock().await;
    let (hidden, class) = window_of_nudge(&["--hidden"]).await;
    assert_eq!(hidden, "Map State: IsUnMapped", "--hidden with a tray");
    assert_eq!(class, r#"WM_CLASS(STRING) = "", "im.nudge.Nudge""#);
    let (shown, class) = window_of_nudge(&[]).await;
    assert_eq!(shown, "Map State: IsViewable", "a plain start");
    assert!(class.ends_with(r#""im.nudge.Nudge""#), "{class}");
}
