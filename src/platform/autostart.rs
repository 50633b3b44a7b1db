//! Start on login: the XDG autostart entry `$XDG_CONFIG_HOME/autostart/<desktop id>.desktop`.
//!
//! The entry itself is the setting. Desktops' own tools (GNOME Tweaks, KDE's Autostart page)
//! read and edit the same file, so Nudge keeps no second copy that could disagree with it: it
//! reads the file to show the switch and writes or removes it when the switch changes. Reading
//! and writing are file IO, so the window does them through `platform::settings_files`.
//!
//! Each profile has its own entry (`im.nudge.Nudge.desktop` for the default profile,
//! `im.nudge.Nudge-NAME.desktop` for the others), so several profiles can start together.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::desktop_entry::{self, ExecError, APP_ID};
use crate::config::write_atomically;

/// The command-line flag that starts Nudge hidden in the tray (see `cli::Cli::hidden`).
pub const HIDDEN_FLAG: &str = "--hidden";
/// The profile a bare `nudge` runs; its entry needs no `--profile`.
pub const DEFAULT_PROFILE: &str = "default";

/// Why the autostart entry could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum AutostartError {
    /// This desktop has no XDG autostart folder (Windows, macOS) or no home folder was found.
    #[error("starting on login is only available on Linux and other freedesktop systems")]
    Unsupported,
    /// Nudge's own program could not be found.
    #[error("could not find Nudge's own program to start on login: {0}")]
    NoProgram(io::Error),
    /// The program's path cannot be written into a desktop entry.
    #[error("the program's path cannot be used in an autostart entry: {0}")]
    Exec(#[from] ExecError),
    /// Writing the file failed.
    #[error(transparent)]
    Write(#[from] crate::config::ConfigError),
    /// Reading or removing the file failed.
    #[error("could not use {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

/// Whether Nudge starts on login, and how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AutostartState {
    /// An entry exists and the desktop is not told to skip it.
    pub enabled: bool,
    /// The entry starts Nudge hidden in the tray ([`HIDDEN_FLAG`]).
    pub hidden: bool,
}

/// One profile's autostart entry: where it lives and which program it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Autostart {
    dir: PathBuf,
    profile: String,
    program: PathBuf,
}

impl Autostart {
    /// The entry for `profile` in the folder `dir`, starting `program`.
    pub fn new(dir: &Path, profile: &str, program: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            profile: profile.to_string(),
            program: program.to_path_buf(),
        }
    }

    /// The entry for `profile` in the user's autostart folder, starting this very program.
    pub fn for_profile(profile: &str) -> Result<Self, AutostartError> {
        let dir = user_autostart_dir().ok_or(AutostartError::Unsupported)?;
        let program = current_program().map_err(AutostartError::NoProgram)?;
        Ok(Self::new(&dir, profile, &program))
    }

    /// The entry's file.
    pub fn path(&self) -> PathBuf {
        self.dir.join(file_name(&self.profile))
    }

    /// The entry's text: the packaged entry's name and icon, and an `Exec` line that starts
    /// this profile (hidden in the tray when asked).
    pub fn contents(&self, hidden: bool) -> Result<String, AutostartError> {
        let mut args = Vec::new();
        if self.profile != DEFAULT_PROFILE {
            args.extend(["--profile", self.profile.as_str()]);
        }
        if hidden {
            args.push(HIDDEN_FLAG);
        }
        let exec = desktop_entry::exec_line(&self.program, &args)?;
        let name = if self.profile == DEFAULT_PROFILE {
            "Nudge".to_string()
        } else {
            format!("Nudge ({})", self.profile)
        };
        Ok(format!(
            "[Desktop Entry]\n\
             Type=Application\n\
             Name={name}\n\
             Comment=Start Nudge when you log in\n\
             Exec={exec}\n\
             Icon={APP_ID}\n\
             Terminal=false\n\
             X-GNOME-Autostart-enabled=true\n"
        ))
    }

    /// What the entry says now; no file means off.
    pub fn read(&self) -> Result<AutostartState, AutostartError> {
        let path = self.path();
        match fs::read_to_string(&path) {
            Ok(text) => Ok(state_of(&text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(AutostartState::default()),
            Err(source) => Err(AutostartError::Io { path, source }),
        }
    }

    /// Writes the entry (or removes it when `state.enabled` is false) and answers what the
    /// file says afterwards.
    pub fn set(&self, state: AutostartState) -> Result<AutostartState, AutostartError> {
        let path = self.path();
        if state.enabled {
            let text = self.contents(state.hidden)?;
            write_atomically(&path, text.as_bytes())?;
        } else {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(AutostartError::Io { path, source }),
            }
        }
        self.read()
    }
}

/// The entry's file name for `profile`: the desktop id, with the profile after a dash.
pub fn file_name(profile: &str) -> String {
    if profile == DEFAULT_PROFILE {
        format!("{APP_ID}.desktop")
    } else {
        format!("{APP_ID}-{profile}.desktop")
    }
}

/// What an entry's text says: on unless `Hidden=true` or `X-GNOME-Autostart-enabled=false`
/// (how desktops switch an entry off without deleting it), hidden when `Exec` has the flag.
pub fn state_of(text: &str) -> AutostartState {
    let is = |key, expected: &str| {
        desktop_entry::value(text, key).is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
    };
    let enabled = !is("Hidden", "true") && !is("X-GNOME-Autostart-enabled", "false");
    let hidden = desktop_entry::value(text, "Exec").is_some_and(|exec| {
        desktop_entry::exec_args(exec)
            .iter()
            .any(|a| a == HIDDEN_FLAG)
    });
    AutostartState { enabled, hidden }
}

/// `$XDG_CONFIG_HOME/autostart` (usually `~/.config/autostart`) on freedesktop systems.
pub fn user_autostart_dir() -> Option<PathBuf> {
    if cfg!(any(windows, target_os = "macos")) {
        return None;
    }
    directories::BaseDirs::new().map(|base| base.config_dir().join("autostart"))
}

/// This program's path. After a package upgrade replaced the file while Nudge runs, Linux
/// reports the old one as "… (deleted)"; the new file at the same place is the one to start.
pub fn current_program() -> io::Result<PathBuf> {
    let program = std::env::current_exe()?;
    let text = program.to_string_lossy();
    if let Some(original) = text.strip_suffix(" (deleted)") {
        let original = PathBuf::from(original);
        if original.exists() {
            return Ok(original);
        }
    }
    Ok(program)
}

#[cfg(test)]
mod tests;
