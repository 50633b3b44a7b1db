//! The real desktop app under Xvfb, signed in to a Prosody started for the run, with a second
//! account to chat with. Two uses, each through its script (they check the tools and build):
//! - `scripts/screenshots [DIR]`: writes the light and dark screenshots in docs/screenshots/;
//! - `scripts/bench-desktop`: measures cold start to first frame, frames drawn while idle, CPU
//!   time and memory (results in docs/benchmarks.md).

// Example code: a failed step panics with a message saying what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "desktop/memory.rs"]
mod memory;
#[path = "desktop/screenshots.rs"]
mod screenshots;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nudge_testkit::Prosody;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Ends a process by its id with SIGTERM (a wrapped window, so its tool can write its report).
struct Terminated(u32);

impl Drop for Terminated {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.to_string()).status();
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The process under `ancestor` (itself included) that runs `program`.
fn descendant_running(ancestor: u32, program: &Path) -> Option<u32> {
    let exe = |pid: u32| std::fs::read_link(format!("/proc/{pid}/exe")).ok();
    let parent = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit(')')
            .next()?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|&pid| {
            exe(pid).is_some_and(|e| e == program) && {
                let mut at = Some(pid);
                while let Some(p) = at.filter(|p| *p > 1) {
                    if p == ancestor {
                        return true;
                    }
                    at = parent(p);
                }
                false
            }
        })
}

/// The nudge binary beside this one, or `NUDGE_BENCH_BIN` (another build profile's).
fn nudge_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("NUDGE_BENCH_BIN") {
        return std::fs::canonicalize(bin).expect("NUDGE_BENCH_BIN exists");
    }
    let exe = std::env::current_exe().expect("own path");
    // target/<profile>/examples/screenshots -> target/<profile>/nudge
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("nudge")
}

fn nudge(home: &Path, display: &str, args: &[&str]) -> Command {
    let mut command = Command::new(nudge_bin());
    command
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("DISPLAY", display)
        .stdin(Stdio::null());
    command
}

fn ctl(home: &Path, profile: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--profile", profile, "ctl"];
    all.extend_from_slice(args);
    let output = nudge(home, ":0", &all).output().expect("ctl runs");
    serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null)
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn window_id(display: &str, name: &str) -> Option<String> {
    let output = Command::new("xdotool")
        .args(["search", "--name", name])
        .env("DISPLAY", display)
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .map(str::to_string)
}

fn xdotool(display: &str, args: &[&str]) {
    let _ = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .status();
}

/// Captures the screen area of `window` (GL windows read back black when captured directly).
fn shot(display: &str, window: &str, path: &Path) {
    let output = Command::new("xdotool")
        .args(["getwindowgeometry", "--shell", window])
        .env("DISPLAY", display)
        .output()
        .expect("xdotool runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or("0")
            .to_string()
    };
    let crop = format!(
        "{}x{}+{}+{}",
        value("WIDTH"),
        value("HEIGHT"),
        value("X"),
        value("Y")
    );
    let status = Command::new("import")
        .args([
            "-window",
            "root",
            "-crop",
            &crop,
            path.to_str().expect("utf-8 path"),
        ])
        .env("DISPLAY", display)
        .status()
        .expect("import runs");
    assert!(status.success(), "import failed for {}", path.display());
    println!("wrote {}", path.display());
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    match mode.as_str() {
        "bench" => bench(),
        _ => screenshots::run(PathBuf::from(
            std::env::args()
                .nth(2)
                .unwrap_or_else(|| "docs/screenshots".into()),
        )),
    }
}

fn start_xvfb(display: &str) -> Killed {
    let xvfb = Killed(
        Command::new("Xvfb")
            .args([display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts (apt-get install xvfb)"),
    );
    std::thread::sleep(Duration::from_millis(500));
    xvfb
}

/// Sets up `profile` for `user` on `server` (password "pw").
fn account_set(home: &Path, display: &str, server: &Prosody, profile: &str, user: &str) -> String {
    server.create_user(user, "pw");
    let jid = format!("{user}@localhost");
    let port = server.c2s_port().to_string();
    let pem = server.cert_pem_path();
    let status = nudge(
        home,
        display,
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
    )
    .stdout(Stdio::null())
    .status()
    .expect("account set");
    assert!(status.success());
    jid
}

/// Cold start, idle frames, CPU and memory of the window signed in with one contact.
fn bench() {
    let display = ":94";
    let _xvfb = start_xvfb(display);
    let server = Prosody::start();
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    std::fs::create_dir_all(home.join("run")).expect("runtime dir");
    let alice = account_set(home, display, &server, "a", "alice");
    let bob = account_set(home, display, &server, "b", "bob");
    let _bob = Killed(
        nudge(home, display, &["--profile", "b", "--headless"])
            .env("NUDGE_PASSWORD", "pw")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("headless bob"),
    );
    wait_until("bob online", || {
        ctl(home, "b", &["status"])["connection"]["state"] == "online"
    });
    ctl(home, "b", &["contact", "add", &alice]);
    let frames_file = home.join("frames.log");
    let spawned = nudge::model::now_ms();
    // NUDGE_BENCH_WRAPPER (say "heaptrack -o /tmp/nudge") runs the window under a tool that
    // starts it as its child; the figures are then the window's, not the tool's.
    let wrapper = std::env::var("NUDGE_BENCH_WRAPPER").unwrap_or_default();
    let mut command = nudge(home, display, &["--profile", "a"]);
    if let Some((tool, args)) = wrapper.split_whitespace().collect::<Vec<_>>().split_first() {
        let mut wrapped = Command::new(tool);
        wrapped
            .args(args)
            .arg(command.get_program())
            .args(command.get_args());
        for (key, value) in command.get_envs() {
            if let Some(value) = value {
                wrapped.env(key, value);
            }
        }
        command = wrapped;
        command.stdin(Stdio::null());
    }
    let child = command
        .env("NUDGE_PASSWORD", "pw")
        .env(nudge::ui::frame_log::VARIABLE, &frames_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nudge starts");
    let mut pid = child.id();
    let _alice = Killed(child);
    let frames = || -> Vec<i64> {
        std::fs::read_to_string(&frames_file)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.parse().ok())
            .collect()
    };
    wait_until("the first frame", || !frames().is_empty());
    if !wrapper.is_empty() {
        pid = descendant_running(pid, &nudge_bin()).expect("the window under the wrapper");
    }
    let _window = Terminated(pid);
    let first = frames()[0];
    wait_until("alice online", || {
        ctl(home, "a", &["status"])["connection"]["state"] == "online"
    });
    ctl(home, "a", &["contact", "approve", &bob]);
    std::thread::sleep(Duration::from_secs(3));
    // utime + stime, in clock ticks (100 per second on Linux).
    let cpu = || -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let after_name = stat.rsplit(')').next().unwrap_or("");
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let field = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        field(11) + field(12)
    };
    let idle_from = nudge::model::now_ms();
    let cpu_before = cpu();
    std::thread::sleep(Duration::from_secs(10));
    let idle_to = nudge::model::now_ms();
    let cpu_after = cpu();
    // The frame log is rewritten twice a second.
    std::thread::sleep(Duration::from_millis(700));
    let idle_frames = frames()
        .iter()
        .filter(|&&t| t >= idle_from && t < idle_to)
        .count();
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:").map(|v| v.trim().to_string()))
        .unwrap_or_default();
    println!("cold start to first frame: {} ms", first - spawned);
    println!("frames drawn in 10 s idle (signed in, one contact): {idle_frames}");
    println!(
        "CPU time in those 10 s: {} ms",
        (cpu_after - cpu_before) * 10
    );
    println!("resident memory when idle: {rss}");
    let (kinds, threads) = memory::breakdown(pid);
    let gl: u64 = kinds
        .iter()
        .filter(|(kind, _)| kind.starts_with("OpenGL"))
        .map(|(_, kb)| kb)
        .sum();
    let total: u64 = kinds.values().sum();
    println!("  by mapping (resident kB):");
    for (kind, kb) in &kinds {
        println!("    {kb:>8}  {kind}");
    }
    println!(
        "  without the OpenGL driver's libraries: {} kB; threads: {threads}",
        total - gl
    );
    for (name, count) in memory::thread_names(pid) {
        println!("    thread {name} x{count}");
    }
    if std::env::var_os("NUDGE_BENCH_HOLD").is_some() {
        println!("holding: pid {pid}; press Enter to end");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
}
