//! A private D-Bus session bus for one test: `dbus-daemon` (Debian package `dbus`) with no
//! services to start, so a desktop's own daemons (a notification daemon, a tray watcher) can
//! never answer in place of the test's stand-ins. Set as the process's session bus while it
//! lives; tests that use it take turns with [`TURN`].

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The tests of a binary share the process environment: one at a time (each has its own
/// runtime, which tokio's mutex does not mind).
pub static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running private bus, stopped when dropped.
pub struct PrivateBus {
    daemon: Child,
    /// Its address, also in `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
    _dir: tempfile::TempDir,
}

impl PrivateBus {
    /// Starts a bus and makes it the session bus of this process.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().display()
            ),
        )
        .expect("bus config");
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--print-address", "--nofork"])
            .stdout(Stdio::piped())
            // It warns that it may not raise its file limit, which a test bus does not need.
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon runs (Debian package dbus)");
        let mut line = String::new();
        BufReader::new(daemon.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the bus prints its address");
        let address = line.trim().to_string();
        assert!(address.starts_with("unix:"), "address: {address:?}");
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
        Self {
            daemon,
            address,
            _dir: dir,
        }
    }

    /// A connection of the test's own to this bus.
    pub async fn connect(&self) -> zbus::Connection {
        zbus::conn::Builder::address(self.address.as_str())
            .build()
            .await
            .expect("connects to the private bus")
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
