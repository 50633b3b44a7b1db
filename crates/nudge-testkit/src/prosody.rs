//! A throwaway Prosody 0.12 on loopback, one per test.
//!
//! Each instance gets its own temporary folder (config, data, log, a fresh self-signed
//! certificate) and its own free ports, so tests run in parallel and several servers run side by
//! side. Facts behind the config are in `TESTING.md`. This is test code: every failure panics with
//! a message that says what to do, and the server's log tail is printed when a test fails.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// The XMPP domain every test server serves.
const DOMAIN: &str = "localhost";
/// How long the server may take to listen on all its ports.
const STARTUP_DEADLINE: Duration = Duration::from_secs(10);
/// How long a graceful stop may take before the process is killed.
const STOP_DEADLINE: Duration = Duration::from_secs(5);
/// How many log lines a failing test prints.
const LOG_TAIL_LINES: usize = 40;
/// The message shown when Prosody is missing: a test must never skip silently.
const INSTALL_HINT: &str =
    "Prosody is not installed; run `apt-get install -y prosody` (see .ci/run)";

/// Ports handed out in this process, so two servers of one test binary never get the same one.
static USED_PORTS: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// How a test server differs from the default.
#[derive(Clone, Debug, Default)]
pub struct ProsodyOptions {
    /// Allow clients to sign in without TLS (`c2s_require_encryption = false`). STARTTLS is still
    /// offered; only the requirement goes away.
    pub allow_plaintext: bool,
    /// What the account creation form asks beyond name and password, in Prosody's words
    /// (`"email+"`: a required e-mail address; `"name"`: an optional full name).
    pub registration_fields: Vec<&'static str>,
    /// Most messages one account's archive keeps (`storage_archive_item_limit`); Prosody's
    /// default of 10,000 drops the oldest ones when it is reached.
    pub archive_item_limit: Option<u32>,
    /// Offer only the PLAIN mechanism (`disable_sasl_mechanisms`), so the password itself
    /// travels (inside TLS) as it does with servers that store passwords hashed for another
    /// scheme.
    pub plain_sasl_only: bool,
    /// Largest stanza a client may send (`c2s_stanza_size_limit`, bytes); Prosody's default is
    /// 256 KiB.
    pub stanza_size_limit: Option<u32>,
}

/// The ports one server listens on (kept across `restart`).
#[derive(Clone, Copy, Debug)]
struct Ports {
    c2s: u16,
    direct_tls: u16,
    http: u16,
}

/// A running (or stopped) Prosody owned by one test; dropped means killed and deleted.
pub struct Prosody {
    dir: TempDir,
    ports: Ports,
    cert_der: Vec<u8>,
    fingerprint: String,
    child: Option<Child>,
}

impl Prosody {
    /// Starts a server with the default options (TLS required) and waits until it listens.
    pub fn start() -> Prosody {
        Self::start_with(ProsodyOptions::default())
    }

    /// Starts a server with `options` and waits until it listens on all its ports.
    pub fn start_with(options: ProsodyOptions) -> Prosody {
        require_installed();
        let dir = tempfile::Builder::new()
            .prefix("nudge-prosody-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temp dir for Prosody: {e}"));
        fs::create_dir(dir.path().join("data")).expect("create Prosody data dir");
        let cert_der = make_certificate(dir.path());
        let fingerprint = fingerprint_of(&cert_der);
        let mut server = Prosody {
            dir,
            ports: free_ports(),
            cert_der,
            fingerprint,
            child: None,
        };
        server.write_config(&options);
        server.launch();
        server
    }

    /// The XMPP domain: always `localhost`.
    pub fn domain(&self) -> &'static str {
        DOMAIN
    }

    /// The client port that offers STARTTLS.
    pub fn c2s_port(&self) -> u16 {
        self.ports.c2s
    }

    /// The client port that speaks TLS from the first byte (XEP-0368).
    pub fn direct_tls_port(&self) -> u16 {
        self.ports.direct_tls
    }

    /// The plain HTTP port (BOSH, websocket, file uploads).
    pub fn http_port(&self) -> u16 {
        self.ports.http
    }

    /// The server's certificate in PEM form.
    pub fn cert_pem_path(&self) -> PathBuf {
        self.dir.path().join("certs").join("localhost.crt")
    }

    /// The server's certificate in DER form (what a TLS handshake presents).
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// SHA-256 of the certificate's DER as `AB:CD:..` (the form `AccountConfig` pins).
    pub fn cert_fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The folder holding config, data and logs (removed on drop).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Creates the account `name@localhost` and returns that bare JID.
    ///
    /// Uses `prosodyctl adduser` rather than `register`: `register` silently overwrites an
    /// existing account, and a test that reuses a name by mistake should fail loudly. The password
    /// goes through stdin, not argv. Works whether or not the server is running.
    pub fn create_user(&self, name: &str, password: &str) -> String {
        assert!(
            !password.is_empty() && !password.contains(['\n', '\r']),
            "test passwords must be one non-empty line"
        );
        let jid = format!("{name}@{DOMAIN}");
        let mut child = Command::new("prosodyctl")
            .arg("--config")
            .arg(self.config_path())
            .arg("adduser")
            .arg(&jid)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run prosodyctl ({e}); {INSTALL_HINT}"));
        // adduser asks for the password twice.
        if let Some(mut stdin) = child.stdin.take() {
            writeln!(stdin, "{password}\n{password}").expect("write password to prosodyctl");
        }
        let output = child.wait_with_output().expect("wait for prosodyctl");
        if !output.status.success() {
            panic!(
                "prosodyctl adduser {jid} failed ({}): {}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout).trim(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        jid
    }

    /// Whether the server process is still alive.
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Stops the server gracefully (SIGTERM: clients get a stream close), killing it if slow.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = child.id().to_string();
        // std has no signal API; `kill` takes the pid as a separate argument.
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + STOP_DEADLINE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Kills the server abruptly (SIGKILL), as a crash or a pulled cable would look to clients.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server if needed and starts it again on the same ports with the same data.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// The last `lines` lines of the server's log and console output.
    pub fn log_tail(&self, lines: usize) -> String {
        let mut out = String::new();
        for name in ["prosody.log", "console.log"] {
            let text = fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
            let all: Vec<&str> = text.lines().collect();
            let start = all.len().saturating_sub(lines);
            let _ = writeln!(out, "--- tail of {name} ---");
            for line in &all[start..] {
                let _ = writeln!(out, "{line}");
            }
        }
        out
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("prosody.cfg.lua")
    }

    fn write_config(&self, options: &ProsodyOptions) {
        let config = config_text(self.dir.path(), self.ports, options);
        fs::write(self.config_path(), config).expect("write Prosody config");
    }

    /// Spawns the process and waits until every port accepts connections.
    fn launch(&mut self) {
        let log_path = self.dir.path().join("prosody.log");
        // Only log lines written by this launch count when looking for bind errors.
        let log_start = fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
        let console = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("console.log"))
            .expect("open Prosody console log");
        let console_err = console.try_clone().expect("clone console log handle");
        let child = Command::new("prosody")
            .arg("-F")
            .arg("--config")
            .arg(self.config_path())
            .stdin(Stdio::null())
            .stdout(console)
            .stderr(console_err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run prosody ({e}); {INSTALL_HINT}"));
        self.child = Some(child);
        self.wait_until_listening(log_start);
    }

    /// Waits until Prosody's log says it bound each port and each port accepts a connection.
    ///
    /// Connecting alone is not proof: if another program holds one of the ports, Prosody logs a
    /// bind error and the connection reaches that program instead.
    fn wait_until_listening(&mut self, log_start: u64) {
        let deadline = Instant::now() + STARTUP_DEADLINE;
        let mut pending = vec![self.ports.c2s, self.ports.direct_tls, self.ports.http];
        loop {
            let log = self.log_since(log_start);
            if log.contains("Failed to open server port") || log.contains("Error binding") {
                self.fail("Prosody could not bind one of its ports");
            }
            pending.retain(|&port| !(log_says_bound(&log, port) && accepts(port)));
            if pending.is_empty() {
                return;
            }
            if !self.is_running() {
                self.fail("Prosody exited during startup");
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "Prosody did not listen on port(s) {pending:?} within {STARTUP_DEADLINE:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The log written since byte `start`.
    fn log_since(&self, start: u64) -> String {
        let log = fs::read(self.dir.path().join("prosody.log")).unwrap_or_default();
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        String::from_utf8_lossy(log.get(start..).unwrap_or_default()).into_owned()
    }

    /// Kills the server and panics with `why` and the log tail.
    fn fail(&mut self, why: &str) -> ! {
        self.kill();
        panic!(
            "{why} (config {}):\n{}",
            self.config_path().display(),
            self.log_tail(LOG_TAIL_LINES)
        );
    }
}

impl Drop for Prosody {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The test harness shows this output next to the failing test.
            eprintln!(
                "Prosody on c2s port {} (test failed):\n{}",
                self.ports.c2s,
                self.log_tail(LOG_TAIL_LINES)
            );
        }
        self.kill();
    }
}

fn require_installed() {
    let found = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path)
            .any(|dir| dir.join("prosody").is_file() && dir.join("prosodyctl").is_file())
    });
    assert!(found, "{INSTALL_HINT}");
}

/// Whether `log` has Prosody's "Activated service '..' on [127.0.0.1]:PORT" line for `port`.
fn log_says_bound(log: &str, port: u16) -> bool {
    let needle = format!("]:{port}");
    log.lines()
        .any(|line| line.contains("Activated service") && line.contains(&needle))
}

fn accepts(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

/// Three distinct free loopback ports. All three listeners are held at once so the kernel cannot
/// hand out the same port twice; a process-wide set keeps later servers off earlier ones.
fn free_ports() -> Ports {
    let mut used = USED_PORTS.lock().unwrap_or_else(|e| e.into_inner());
    let used = used.get_or_insert_with(HashSet::new);
    let mut held = Vec::new();
    let mut ports = Vec::new();
    while ports.len() < 3 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
        let port = listener.local_addr().expect("local address").port();
        if used.insert(port) {
            ports.push(port);
        }
        held.push(listener);
    }
    Ports {
        c2s: ports[0],
        direct_tls: ports[1],
        http: ports[2],
    }
}

/// Makes a fresh self-signed certificate in `dir/certs` and returns its DER.
///
/// P-256 rather than RSA: key generation takes milliseconds instead of up to a second per server.
fn make_certificate(dir: &Path) -> Vec<u8> {
    let certs = dir.join("certs");
    fs::create_dir(&certs).expect("create certs dir");
    let key = certs.join("localhost.key");
    let pem = certs.join("localhost.crt");
    let der = certs.join("localhost.der");
    run_openssl(
        Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec"])
            .args([
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "3650",
            ])
            .args(["-subj", "/CN=localhost", "-addext"])
            .arg("subjectAltName=DNS:localhost,DNS:conference.localhost,DNS:upload.localhost")
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&pem),
    );
    run_openssl(
        Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&pem)
            .arg("-out")
            .arg(&der),
    );
    fs::read(&der).expect("read certificate DER")
}

fn run_openssl(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl ({e}); run `apt-get install -y openssl`"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// SHA-256 of `der` as uppercase hex pairs joined with ':'.
pub fn fingerprint_of(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The Lua config for one server; `dir` holds data, certs and logs.
fn config_text(dir: &Path, ports: Ports, options: &ProsodyOptions) -> String {
    let dir = lua_string(dir);
    let Ports {
        c2s,
        direct_tls,
        http,
    } = ports;
    let require_encryption = !options.allow_plaintext;
    let registration_fields: Vec<String> = options
        .registration_fields
        .iter()
        .map(|f| format!("{f:?}"))
        .collect();
    let registration_fields = registration_fields.join(", ");
    let archive_limit = options
        .archive_item_limit
        .map(|n| format!("storage_archive_item_limit = {n}\n"))
        .unwrap_or_default();
    let sasl = if options.plain_sasl_only {
        "disable_sasl_mechanisms = { \"SCRAM-SHA-1\", \"SCRAM-SHA-256\", \"DIGEST-MD5\" }\n"
    } else {
        ""
    };
    let stanza_limit = options
        .stanza_size_limit
        .map(|n| format!("c2s_stanza_size_limit = {n}\n"))
        .unwrap_or_default();
    format!(
        r#"-- Written by nudge-testkit (prosody.rs) for one test; see TESTING.md.
run_as_root = true
pidfile = "{dir}/prosody.pid"
data_path = "{dir}/data"
plugin_paths = {{ "/usr/lib/prosody/modules" }}
log = {{ debug = "{dir}/prosody.log" }}

interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {c2s} }}
c2s_direct_tls_ports = {{ {direct_tls} }}
s2s_ports = {{ }}
component_ports = {{ }}
http_ports = {{ {http} }}
http_interfaces = {{ "127.0.0.1" }}
https_ports = {{ }}
modules_disabled = {{ "s2s" }}
-- Uploads answer 404 unless the URL and default host name a Prosody host.
http_external_url = "http://127.0.0.1:{http}/"
http_default_host = "upload.localhost"

certificates = "{dir}/certs"
ssl = {{ certificate = "{dir}/certs/localhost.crt", key = "{dir}/certs/localhost.key" }}
c2s_direct_tls_ssl = {{ certificate = "{dir}/certs/localhost.crt", key = "{dir}/certs/localhost.key" }}

authentication = "internal_hashed"
allow_registration = true
additional_registration_fields = {{ {registration_fields} }}
c2s_require_encryption = {require_encryption}
default_archive_policy = true
archive_expires_after = "never"
{archive_limit}
{stanza_limit}
{sasl}
modules_enabled = {{
  "roster", "saslauth", "tls", "disco", "carbons", "pep", "vcard4", "vcard_legacy", "private",
  "blocklist", "register", "mam", "csi_simple", "ping", "time", "version", "smacks", "bosh",
  "websocket", "http", "posix"
}}

VirtualHost "localhost"

Component "conference.localhost" "muc"
  modules_enabled = {{ "muc_mam" }}

Component "upload.localhost" "http_file_share"
"#
    )
}

/// `path` as the inside of a Lua double-quoted string.
fn lua_string(path: &Path) -> String {
    let text = path.to_str().expect("temp dir path is UTF-8");
    assert!(
        !text.contains(['"', '\\', '\n']),
        "temp dir path {text:?} cannot be quoted in Lua"
    );
    text.to_string()
}
