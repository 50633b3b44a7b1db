//! Profiles and their files: where config, data and the runtime socket live, and the account.
//!
//! A profile (`--profile NAME`, default `default`) keeps everything apart so two instances run
//! side by side: `$XDG_CONFIG_HOME/nudge/NAME`, `$XDG_DATA_HOME/nudge/NAME` and
//! `$XDG_RUNTIME_DIR/nudge/NAME`. Passwords are never written here (see `platform::keyring`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Errors reading or writing profile files.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The profile name has characters that do not belong in a folder name.
    #[error("the profile name {0:?} may only use letters, digits, '-' and '_'")]
    BadProfileName(String),
    /// No home or config folder could be found.
    #[error("could not find your home folder to keep Nudge's settings in")]
    NoHome,
    /// Reading or writing a file failed.
    #[error("could not use {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A private folder could not be set up, or is not safe to use.
    #[error(transparent)]
    Private(#[from] crate::platform::private::PrivateError),
    /// A settings file is not valid.
    #[error("the settings file {path} is not valid: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

/// How the connection is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Direct TLS (XEP-0368) when the server offers it in DNS, else STARTTLS.
    #[default]
    Auto,
    /// Always STARTTLS on the c2s port.
    StartTls,
    /// Always TLS from the first byte (XEP-0368).
    DirectTls,
    /// No encryption at all: only allowed to a loopback address.
    PlaintextLoopback,
}

/// One account: who to sign in as and how to reach the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountConfig {
    /// The bare JID, e.g. `alice@example.org`.
    pub jid: String,
    /// Server host to connect to instead of DNS SRV lookup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Server port to connect to instead of DNS SRV lookup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// How to secure the connection.
    #[serde(default)]
    pub tls: TlsMode,
    /// SHA-256 fingerprints (`AB:CD:..`) of certificates the user chose to trust.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned_certificates: Vec<String>,
    /// The resource to bind; a random one is chosen when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// Who may send the user Session Invite invitations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitePolicy {
    /// Only contacts with mutual presence subscription (the default).
    #[default]
    TrustedContacts,
    /// Anyone who can reach the user.
    Anyone,
    /// Nobody: every invitation is refused.
    Nobody,
}

/// How conversations are shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationLayout {
    /// Each conversation in its own window, like MSN.
    #[default]
    Windows,
    /// All conversations as tabs of one window.
    Tabs,
}

/// The colour scheme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Whatever the desktop uses.
    FollowSystem,
    /// Light: Nudge's own look, as Messenger's was.
    #[default]
    Light,
    /// Dark.
    Dark,
}

/// Which desktop notifications to show (only while Nudge's windows are not focused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationSettings {
    /// New messages.
    pub messages: bool,
    /// Contacts coming online.
    pub contacts_online: bool,
    /// Session Invite invitations.
    pub invitations: bool,
    /// Nudges (XEP-0224 attention).
    pub nudges: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            messages: true,
            contacts_online: true,
            invitations: true,
            nudges: true,
        }
    }
}

/// Which sounds to play.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SoundSettings {
    /// All sounds at all (the mute switch).
    pub enabled: bool,
    /// A new message arrived.
    pub new_message: bool,
    /// A contact came online.
    pub contact_online: bool,
    /// A nudge arrived.
    pub nudge: bool,
}

impl Default for SoundSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            new_message: true,
            contact_online: true,
            nudge: true,
        }
    }
}

/// Settings of a profile that are not about the account. Every field has a default, so a
/// file from an older Nudge (or a hand-edited one missing fields) still loads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Who may send invitations.
    pub invite_policy: InvitePolicy,
    /// Desktop notifications.
    pub notifications: NotificationSettings,
    /// Sounds.
    pub sounds: SoundSettings,
    /// Windows or tabs for conversations.
    pub conversations: ConversationLayout,
    /// A message from a contact without an open conversation opens one (without taking
    /// focus); when false it only shows a toast.
    pub open_conversation_on_message: bool,
    /// Shake the window when a contact sends a nudge (it is always shown as a line).
    pub shake_on_nudge: bool,
    /// Closing the contact list keeps Nudge running in the tray.
    pub run_in_tray: bool,
    /// Colour scheme.
    pub theme: Theme,
    /// Text size as a factor of the default (0.75 to 2.0).
    pub text_scale: f32,
    /// Sign in when Nudge starts (needs a remembered password).
    pub sign_in_automatically: bool,
    /// The presence to sign in with.
    pub sign_in_as: crate::model::Availability,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            invite_policy: InvitePolicy::default(),
            notifications: NotificationSettings::default(),
            sounds: SoundSettings::default(),
            conversations: ConversationLayout::default(),
            open_conversation_on_message: true,
            shake_on_nudge: true,
            run_in_tray: true,
            theme: Theme::default(),
            text_scale: 1.0,
            sign_in_automatically: true,
            sign_in_as: crate::model::Availability::Online,
        }
    }
}

/// The folders of one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The profile's name.
    pub name: String,
    /// Settings and the account file.
    pub config_dir: PathBuf,
    /// History database.
    pub data_dir: PathBuf,
    /// The local API socket (private to the user).
    pub runtime_dir: PathBuf,
}

impl Profile {
    /// The profile `name` under the user's XDG folders.
    pub fn named(name: &str) -> Result<Self, ConfigError> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ConfigError::BadProfileName(name.to_string()));
        }
        let base = directories::BaseDirs::new().ok_or(ConfigError::NoHome)?;
        let runtime_root = match base.runtime_dir() {
            Some(runtime) => runtime.join("nudge"),
            // Without XDG_RUNTIME_DIR, a private folder of the shared temporary folder, checked
            // strictly at each start (see `create_dirs`).
            None => std::env::temp_dir()
                .join(format!("nudge-{}", crate::platform::private::current_uid())),
        };
        Ok(Self::in_dirs(
            name,
            &base.config_dir().join("nudge"),
            &base.data_local_dir().join("nudge"),
            &runtime_root,
        ))
    }

    /// A profile rooted at explicit folders (tests and portable installs). Each root is
    /// Nudge's own folder; the folder above it is the system's or the user's.
    pub fn in_dirs(name: &str, config_root: &Path, data_root: &Path, runtime_root: &Path) -> Self {
        Self {
            name: name.to_string(),
            config_dir: config_root.join(name),
            data_dir: data_root.join(name),
            runtime_dir: runtime_root.join(name),
        }
    }

    /// A profile whose three folders all live below `root` (tests).
    pub fn under(root: &Path, name: &str) -> Self {
        Self::in_dirs(
            name,
            &root.join("config"),
            &root.join("data"),
            &root.join("run"),
        )
    }

    /// Creates the folders, private to the user (`0700`), and tightens what an older Nudge
    /// left readable by others (folders to `0700`, files to `0600`). The runtime folder is
    /// checked strictly: a symbolic link, a folder of another user or one others may write to
    /// is refused ([`crate::platform::private`]).
    pub fn create_dirs(&self) -> Result<(), ConfigError> {
        use crate::platform::private;
        for dir in [&self.config_dir, &self.data_dir] {
            private::ensure_private_dir(anchor_of(dir), dir)?;
            // The account and settings, `apps/`; the history and its WAL files, `avatars/`.
            private::tighten_tree(dir, 1)?;
        }
        private::ensure_strict_private_dir(anchor_of(&self.runtime_dir), &self.runtime_dir)?;
        Ok(())
    }

    /// The account file.
    pub fn account_path(&self) -> PathBuf {
        self.config_dir.join("account.toml")
    }

    /// The settings file.
    pub fn settings_path(&self) -> PathBuf {
        self.config_dir.join("settings.toml")
    }

    /// The folder of registered Session Invite applications (one file each).
    pub fn apps_dir(&self) -> PathBuf {
        self.config_dir.join("apps")
    }

    /// Reads the settings; defaults when there is no file yet.
    pub fn load_settings(&self) -> Result<Settings, ConfigError> {
        let path = self.settings_path();
        match fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| ConfigError::Invalid {
                path,
                message: e.message().to_string(),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(source) => Err(ConfigError::Io { path, source }),
        }
    }

    /// Writes the settings atomically.
    pub fn save_settings(&self, settings: &Settings) -> Result<(), ConfigError> {
        let path = self.settings_path();
        let text = toml::to_string_pretty(settings).map_err(|e| ConfigError::Invalid {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_atomically(&path, text.as_bytes())
    }

    /// The SQLite database of history and the outbox.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("nudge.sqlite3")
    }

    /// The local API socket. On Windows nothing is made at this path: the API listens on the
    /// named pipe made from it ([`Profile::api_address`]), and the ctl token is beside it.
    pub fn socket_path(&self) -> PathBuf {
        self.runtime_dir.join("api.sock")
    }

    /// Where programs reach the local API (`NUDGE_API_SOCKET`): the socket, or on Windows the
    /// name of its named pipe (`\\.\pipe\nudge-<user SID>-<profile>`, see
    /// [`nudge_api::pipe`]).
    pub fn api_address(&self) -> PathBuf {
        #[cfg(windows)]
        {
            // Without the user's SID no pipe can be made either; the socket path still names
            // the profile to Nudge's own client.
            nudge_api::pipe::pipe_address(&self.socket_path())
                .unwrap_or_else(|_| self.socket_path())
        }
        #[cfg(not(windows))]
        {
            self.socket_path()
        }
    }

    /// The cache of display pictures: `<sha1>.png` files, in the data folder.
    pub fn avatars_dir(&self) -> PathBuf {
        self.data_dir.join("avatars")
    }

    /// Reads the account, if one was set.
    pub fn load_account(&self) -> Result<Option<AccountConfig>, ConfigError> {
        let path = self.account_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(ConfigError::Io { path, source }),
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| ConfigError::Invalid {
                path,
                message: e.message().to_string(),
            })
    }

    /// Writes the account atomically (a crash never leaves half a file).
    pub fn save_account(&self, account: &AccountConfig) -> Result<(), ConfigError> {
        let path = self.account_path();
        let text = toml::to_string_pretty(account).map_err(|e| ConfigError::Invalid {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_atomically(&path, text.as_bytes())
    }
}

/// The folder above Nudge's own root of `dir` (`dir` is `ROOT/NAME`, `ROOT` being Nudge's).
fn anchor_of(dir: &Path) -> &Path {
    dir.parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new(""))
}

/// Writes `bytes` to a new private temporary file (`0600`) beside `path`, then renames it
/// into place, so a crash never leaves half a file and the result is readable by the user
/// only. A missing parent folder is made private (`0700`).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ConfigError> {
    use std::io::Write as _;
    let io_error = |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::platform::private::create_private_dir_all(parent).map_err(io_error)?;
    }
    let temporary = path.with_extension("tmp");
    // A leftover of a crash is replaced; the new file is never written through a link.
    match fs::remove_file(&temporary) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_error(e)),
        _ => {}
    }
    let mut file = crate::platform::private::new_private_file()
        .open(&temporary)
        .map_err(io_error)?;
    file.write_all(bytes).map_err(io_error)?;
    drop(file);
    fs::rename(&temporary, path).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_are_checked() {
        assert!(matches!(
            Profile::named("../etc"),
            Err(ConfigError::BadProfileName(_))
        ));
        assert!(matches!(
            Profile::named(""),
            Err(ConfigError::BadProfileName(_))
        ));
    }

    #[test]
    fn profiles_are_kept_apart() {
        let root = Path::new("/x");
        let a = Profile::under(root, "a");
        let b = Profile::under(root, "b");
        assert_ne!(a.config_dir, b.config_dir);
        assert_ne!(a.socket_path(), b.socket_path());
    }

    #[test]
    fn account_round_trips_and_runtime_dir_is_private() {
        let dir = tempfile::tempdir().expect("temp dir");
        let profile = Profile::under(dir.path(), "p");
        profile.create_dirs().expect("dirs");
        assert_eq!(profile.load_account().expect("load"), None);
        let account = AccountConfig {
            jid: "alice@example.org".into(),
            host: Some("127.0.0.1".into()),
            port: Some(5222),
            tls: TlsMode::StartTls,
            pinned_certificates: vec!["AB:CD".into()],
            resource: None,
        };
        profile.save_account(&account).expect("save");
        assert_eq!(profile.load_account().expect("load"), Some(account));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&profile.runtime_dir)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_profile_is_private_and_what_an_older_nudge_left_is_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| fs::metadata(path).expect("exists").permissions().mode() & 0o777;
        let set_mode = |path: &Path, mode: u32| {
            fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod")
        };
        // SAFETY: umask only sets the process's file creation mask; 022 is the usual one.
        unsafe { libc::umask(0o022) };
        let dir = tempfile::tempdir().expect("temp dir");
        let profile = Profile::under(dir.path(), "p");
        // As an older Nudge left it: everything readable by others.
        fs::create_dir_all(profile.avatars_dir()).expect("dirs");
        fs::create_dir_all(profile.apps_dir()).expect("dirs");
        fs::write(profile.settings_path(), "").expect("settings");
        fs::write(profile.avatars_dir().join("0a.png"), b"png").expect("picture");
        for folder in [
            &profile.config_dir,
            &profile.data_dir,
            &profile.avatars_dir(),
        ] {
            set_mode(folder, 0o755);
        }
        set_mode(&profile.settings_path(), 0o644);

        profile.create_dirs().expect("dirs");
        for folder in [
            &dir.path().join("config"),
            &profile.config_dir,
            &profile.apps_dir(),
            &dir.path().join("data"),
            &profile.data_dir,
            &profile.avatars_dir(),
            &profile.runtime_dir,
        ] {
            assert_eq!(mode(folder), 0o700, "{}", folder.display());
        }
        assert_eq!(mode(&profile.settings_path()), 0o600);
        assert_eq!(mode(&profile.avatars_dir().join("0a.png")), 0o600);

        // Files written from now on are private whatever the umask.
        profile
            .save_account(&AccountConfig::default())
            .expect("save");
        profile.save_settings(&Settings::default()).expect("save");
        let fresh = profile.data_dir.join("fresh").join("1b.png");
        write_atomically(&fresh, b"png").expect("write");
        assert_eq!(mode(&profile.account_path()), 0o600);
        assert_eq!(mode(&profile.settings_path()), 0o600);
        assert_eq!(mode(&fresh), 0o600);
        assert_eq!(mode(fresh.parent().expect("folder")), 0o700);
    }

    #[test]
    fn settings_round_trip_and_old_files_still_load() {
        let dir = tempfile::tempdir().expect("temp dir");
        let profile = Profile::under(dir.path(), "p");
        profile.create_dirs().expect("dirs");
        assert_eq!(
            profile.load_settings().expect("defaults"),
            Settings::default()
        );
        fs::write(profile.settings_path(), "invite_policy = \"anyone\"\n").expect("write");
        let old = profile.load_settings().expect("an older file loads");
        assert_eq!(old.invite_policy, InvitePolicy::Anyone);
        assert!(old.notifications.messages && old.sounds.enabled);
        let mut settings = Settings {
            theme: Theme::Dark,
            text_scale: 1.25,
            conversations: ConversationLayout::Tabs,
            ..Settings::default()
        };
        settings.sounds.nudge = false;
        profile.save_settings(&settings).expect("save");
        assert_eq!(profile.load_settings().expect("load"), settings);
    }

    #[test]
    fn a_broken_account_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let profile = Profile::under(dir.path(), "p");
        profile.create_dirs().expect("dirs");
        fs::write(profile.account_path(), "jid = ").expect("write");
        let error = profile.load_account().expect_err("must fail");
        assert!(error.to_string().contains("not valid"), "{error}");
    }
}
