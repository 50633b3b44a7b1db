//! Starting Nudge: the core, the local API, and the window or headless mode.

use anyhow::Context as _;

use crate::command::Command;
use crate::config::{AccountConfig, Profile};
use crate::core::{AccountOptions, Core};
use crate::invite::cookies::LaunchCookies;
use crate::platform::keyring::Passwords;

/// Environment variable that supplies the password (automation and tests); the keyring is then
/// left alone. Nudge reads it once at start and removes it (see [`take_environment_password`]).
pub const PASSWORD_VARIABLE: &str = "NUDGE_PASSWORD";

/// Environment variable that sets what is logged (`tracing_subscriber`'s filter syntax, e.g.
/// `debug` or `warn,nudge=trace`).
pub const LOG_VARIABLE: &str = "NUDGE_LOG";

/// What Nudge logs by default.
const DEFAULT_LOG: &str = "warn,nudge=info";

/// Log targets that are always off, whatever [`LOG_VARIABLE`] says: tokio-xmpp's copy of every
/// byte sent and received, which holds the SASL exchange (the password itself, with PLAIN).
const NEVER_LOGGED: &[&str] = &["tokio_xmpp::xmlstream::capture=off"];

/// The log filter: [`LOG_VARIABLE`] (or the default), with [`NEVER_LOGGED`] on top.
pub fn log_filter() -> tracing_subscriber::EnvFilter {
    let filter = tracing_subscriber::EnvFilter::try_from_env(LOG_VARIABLE)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG));
    NEVER_LOGGED
        .iter()
        .filter_map(|directive| directive.parse().ok())
        .fold(filter, |filter, directive| filter.add_directive(directive))
}

/// Logs to stderr as [`log_filter`] says.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_writer(std::io::stderr)
        .init();
}

/// Reads the password from [`PASSWORD_VARIABLE`] once and removes the variable from the
/// process environment, so no program Nudge starts (Session Invite applications, which a
/// remote invitation can start, or the browser) inherits it. Call it first thing in `main`,
/// before any other thread exists: changing the environment races with threads reading it.
pub fn take_environment_password() -> Option<String> {
    let password = std::env::var(PASSWORD_VARIABLE)
        .ok()
        .filter(|password| !password.is_empty());
    // Removed even when unusable (empty, not UTF-8): it is never passed on.
    std::env::remove_var(PASSWORD_VARIABLE);
    password
}

/// Where the password for automatic sign-in comes from.
enum PasswordSource {
    Environment(String),
    Keyring(String),
    None,
}

/// Worker threads of the core's runtime. A messenger waits on a few sockets and timers; two
/// workers keep one busy task (a TLS handshake, a large roster) from delaying the rest, and
/// the default (one per CPU core) only adds idle threads, each with its own stack and malloc
/// arena.
pub const RUNTIME_WORKERS: usize = 2;
/// The most malloc arenas glibc may create. By default it makes up to eight per core as
/// threads contend, and each keeps its freed memory; Nudge's threads rarely allocate at once.
pub const MALLOC_ARENAS: i32 = 2;

/// The runtime the core and the local API run on.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(RUNTIME_WORKERS)
        .thread_name("nudge-core")
        .enable_all()
        .build()
        .context("could not start the runtime")
}

/// Caps glibc's malloc arenas at [`MALLOC_ARENAS`] (before the runtime's threads start).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    /// `M_ARENA_MAX` from glibc's malloc.h.
    const M_ARENA_MAX: std::ffi::c_int = -8;
    extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    // SAFETY: mallopt only sets a tuning value of glibc's allocator; any thread may call it.
    if unsafe { mallopt(M_ARENA_MAX, MALLOC_ARENAS) } == 0 {
        tracing::debug!("malloc arenas left unlimited");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

/// Runs the core and the local API with no window until Ctrl-C or SIGTERM. `env_password` is
/// what [`take_environment_password`] found.
pub fn run_headless(profile: Profile, env_password: Option<String>) -> anyhow::Result<()> {
    if cfg!(not(any(unix, windows))) {
        anyhow::bail!(
            "headless mode serves the local API, which needs Unix sockets or named pipes: {}",
            crate::api::ApiError::Unsupported
        );
    }
    let runtime = runtime()?;
    runtime.block_on(async {
        let (core, api) = start(&profile, None, env_password).await?;
        println!(
            "Nudge is running headless for profile {:?}; local API at {}",
            profile.name,
            profile.api_address().display()
        );
        wait_for_termination().await;
        api.shutdown().await;
        core.shutdown().await;
        Ok(())
    })
}

/// Whether the Nudge already running for a profile took a second `nudge`'s request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandOver {
    /// It came to the front (and follows the link): this process has nothing left to do.
    Taken,
    /// Nudge does not run for the profile: this process opens the window.
    NoneRunning,
}

/// How long a second `nudge` waits for the running one to take its request.
pub const HAND_OVER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Asks the Nudge running for `profile` to come to the front and follow `link` (the API's
/// `open` method, as the user's own ctl), so one instance serves each profile.
pub fn hand_over(profile: &Profile, link: Option<&str>) -> anyhow::Result<HandOver> {
    ask_running(profile, "open", serde_json::json!({ "uri": link }))
}

/// Whether Nudge already runs for `profile`, without disturbing it (for `--hidden` at login).
pub fn find_running(profile: &Profile) -> anyhow::Result<HandOver> {
    ask_running(profile, "status", serde_json::Value::Null)
}

/// Calls one API method of the Nudge running for `profile`, as the user's own ctl.
fn ask_running(
    profile: &Profile,
    method: &str,
    params: serde_json::Value,
) -> anyhow::Result<HandOver> {
    #[cfg(any(unix, windows))]
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let socket = profile.socket_path();
        let call = crate::api::client::call(&socket, method, params);
        // The timer needs the runtime: it is made inside it.
        let answer =
            runtime.block_on(async { tokio::time::timeout(HAND_OVER_TIMEOUT, call).await });
        match answer {
            Ok(Ok(_)) => Ok(HandOver::Taken),
            Ok(Err(crate::api::ApiError::NotRunning { .. })) => Ok(HandOver::NoneRunning),
            Ok(Err(error)) => Err(anyhow::anyhow!(
                "Nudge is already running for profile {:?} but did not take the request: {error}",
                profile.name
            )),
            Err(_) => Err(anyhow::anyhow!(
                "Nudge is already running for profile {:?} but did not answer within {} seconds",
                profile.name,
                HAND_OVER_TIMEOUT.as_secs()
            )),
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (profile, method, params);
        Ok(HandOver::NoneRunning)
    }
}

/// Opens the window (hidden in the tray with `start_hidden`, when there is one); the core and
/// the local API run on a background runtime. `env_password` is what
/// [`take_environment_password`] found; `link` is followed once the window is up (after sign-in).
pub fn run_window(
    profile: Profile,
    start_hidden: bool,
    env_password: Option<String>,
    link: Option<crate::xmpp::uri::XmppUri>,
) -> anyhow::Result<()> {
    crate::platform::display::check(|name| std::env::var(name).ok())?;
    let runtime = runtime()?;
    let ctx = egui::Context::default();
    let waker = crate::ui::repaint_waker(&ctx);
    let (core, api) =
        runtime.block_on(start(&profile, Some(waker.clone()), env_password.clone()))?;
    let events = core.events().subscribe(Some(waker.clone()));
    let saved = profile.load_account().unwrap_or_default();
    // Subscribed above: now it is safe to sign in automatically, if the user wants that.
    let automatic = profile
        .load_settings()
        .map(|s| s.sign_in_automatically)
        .unwrap_or(true);
    if automatic {
        sign_in_automatically(&core, saved.as_ref(), env_password);
    }
    if link.is_some() {
        core.commands().send(Command::Open { link });
    }
    let files = start_settings_files(&profile, waker.clone());
    let history_files = crate::platform::history_files::HistoryFiles::new(
        profile.database_path(),
        crate::platform::history_files::desktop_chooser(),
        waker.clone(),
    );
    let tray = start_tray(waker);
    let result = crate::ui::run(
        core.commands(),
        events,
        saved,
        ctx,
        tray,
        crate::ui::FileWorkers {
            settings: files,
            history: Some(history_files),
        },
        start_hidden,
    );
    runtime.block_on(async {
        api.shutdown().await;
        core.shutdown().await;
    });
    result.map_err(|e| crate::platform::display::refused(&e).into())
}

/// The tray icon, if the desktop shows one; Nudge runs the same without it.
fn start_tray(waker: crate::core::Waker) -> Option<crate::platform::tray::TrayLink> {
    match crate::platform::tray::start(waker) {
        Ok(tray) => Some(tray),
        Err(error) => {
            tracing::info!("no tray icon: {error}");
            None
        }
    }
}

/// The settings window's file worker; without it the window runs, and says those settings are
/// not available.
fn start_settings_files(
    profile: &Profile,
    waker: crate::core::Waker,
) -> Option<crate::platform::settings_files::SettingsFiles> {
    use crate::platform::autostart::Autostart;
    use crate::platform::settings_files::{SettingsFiles, SettingsPlaces};
    let places = SettingsPlaces {
        apps_dir: profile.apps_dir(),
        autostart: Autostart::for_profile(&profile.name),
    };
    SettingsFiles::start(places, waker)
        .map_err(|error| tracing::warn!("could not start the settings worker: {error}"))
        .ok()
}

async fn start(
    profile: &Profile,
    window: Option<crate::core::Waker>,
    env_password: Option<String>,
) -> anyhow::Result<(Core, crate::api::server::ApiServer)> {
    let source = password_source(profile, env_password);
    // With the password in the environment, the keyring is not touched at all.
    let passwords = match source {
        PasswordSource::Environment(_) => None,
        _ => Passwords::system()
            .map_err(|e| tracing::info!("no keyring: {e}"))
            .ok(),
    };
    // Cookies the core issues at launch are redeemed by the local API.
    let cookies = LaunchCookies::default();
    let core = Core::start(
        &tokio::runtime::Handle::current(),
        profile.clone(),
        AccountOptions::default(),
        passwords,
        cookies.clone(),
    )?;
    let api = crate::api::server::serve_context(
        crate::api::server::ServeContext::for_profile(profile, cookies),
        core.commands(),
        core.events().clone(),
        crate::api::server::ServerOptions::default(),
    )
    .await?;
    if window.is_none() {
        let account = profile.load_account()?;
        sign_in_with(&core, account.as_ref(), source);
    }
    Ok((core, api))
}

fn sign_in_automatically(
    core: &Core,
    account: Option<&AccountConfig>,
    env_password: Option<String>,
) {
    let Some(account) = account else { return };
    let source = match env_password {
        Some(password) => PasswordSource::Environment(password),
        None => keyring_password(&account.jid),
    };
    sign_in_with(core, Some(account), source);
}

fn sign_in_with(core: &Core, account: Option<&AccountConfig>, source: PasswordSource) {
    let Some(account) = account else {
        tracing::info!("no account set for this profile yet");
        return;
    };
    let (password, remember_password) = match source {
        PasswordSource::Environment(password) => (password, false),
        PasswordSource::Keyring(password) => (password, true),
        PasswordSource::None => return,
    };
    core.commands().send(Command::SignIn {
        account: account.clone(),
        password: password.into(),
        remember_password,
    });
}

fn password_source(profile: &Profile, env_password: Option<String>) -> PasswordSource {
    if let Some(password) = env_password {
        return PasswordSource::Environment(password);
    }
    match profile.load_account() {
        Ok(Some(account)) => keyring_password(&account.jid),
        _ => PasswordSource::None,
    }
}

fn keyring_password(jid: &str) -> PasswordSource {
    match Passwords::system().and_then(|p| p.get(jid)) {
        Ok(Some(password)) => PasswordSource::Keyring(password),
        Ok(None) => PasswordSource::None,
        Err(error) => {
            tracing::info!("could not read the keyring: {error}");
            PasswordSource::None
        }
    }
}

async fn wait_for_termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
