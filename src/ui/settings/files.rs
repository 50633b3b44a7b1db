//! What the settings window knows of the files behind it — the autostart entry and the
//! registered applications — and the jobs it has for `platform::settings_files`.
//!
//! Plain data: the window's controls edit it and queue jobs, `NudgeApp` carries the jobs to the
//! worker and brings the outcomes back through [`SettingsFilesView::observe`].

use std::path::PathBuf;

use crate::apps::{AppsError, Guid, Registration, RegistrationError};
use crate::model::AppInfo;
use crate::platform::autostart::AutostartState;
use crate::platform::settings_files::{FileJob, FileOutcome};

/// The settings window's view of its files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettingsFilesView {
    /// A worker runs the jobs (not in every test window).
    pub available: bool,
    /// The files were read since the window opened.
    loaded: bool,
    /// The core's list of applications when they were last read, to notice changes.
    seen_apps: Option<Vec<AppInfo>>,
    /// Jobs for the worker, oldest first.
    jobs: Vec<FileJob>,
    /// Start on login.
    pub startup: StartupView,
    /// The Applications page.
    pub applications: ApplicationsView,
}

/// What the window shows of the autostart entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StartupView {
    /// The entry as last read or written; `None` until read.
    pub state: Option<AutostartState>,
    /// Why it could not be read or changed, in words.
    pub error: Option<String>,
    /// A change is on its way to the disk.
    pub waiting: bool,
}

/// What the Applications page shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApplicationsView {
    /// The registered applications, sorted by name; `None` until read.
    pub apps: Option<Vec<Registration>>,
    /// Files in the folder that could not be read, one sentence each.
    pub problems: Vec<String>,
    /// The Register form is open.
    pub form_open: bool,
    /// The Register form's fields.
    pub form: RegisterForm,
    /// The last thing done or refused, for the line under the list.
    pub message: Option<Result<String, String>>,
    /// A registration or unregistration is on its way to the disk.
    pub waiting: bool,
    /// The file dialog is open.
    pub choosing: bool,
}

/// The fields of the Register form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegisterForm {
    /// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`.
    pub guid: String,
    /// The name for the Invite menu.
    pub name: String,
    /// The program's full path (typed, pasted or chosen with Browse…).
    pub program: String,
    /// The https address where contacts can get the program.
    pub download_url: String,
    /// Replace an application registered under the same GUID.
    pub replace: bool,
    /// Why the last try was refused; the fields are kept for the user to correct.
    pub error: Option<String>,
}

impl RegisterForm {
    /// The registration the fields describe (surrounding spaces ignored), or its first problem.
    pub fn registration(&self) -> Result<Registration, RegistrationError> {
        let registration = Registration {
            guid: Guid::parse(self.guid.trim())?,
            name: self.name.trim().to_string(),
            path: PathBuf::from(self.program.trim()),
            download_url: self.download_url.trim().to_string(),
            args: Vec::new(),
            key: None,
        };
        registration.validate()?;
        Ok(registration)
    }
}

/// A fresh GUID for an application that has none yet.
pub fn new_guid() -> String {
    format!("{{{}}}", uuid::Uuid::new_v4()).to_ascii_uppercase()
}

impl SettingsFilesView {
    /// Queues a job for the worker.
    pub fn queue(&mut self, job: FileJob) {
        self.jobs.push(job);
    }

    /// The jobs queued since the last call.
    pub fn take_jobs(&mut self) -> Vec<FileJob> {
        std::mem::take(&mut self.jobs)
    }

    /// True while the window is open and its files have not been asked for yet.
    pub fn needs_reading(&self) -> bool {
        self.available && !self.loaded
    }

    /// Reads the files when the window opens, and the applications again when the core's
    /// watcher reports a change (another program or `nudge apps` edited the folder).
    pub fn follow(&mut self, open: bool, apps: &[AppInfo]) {
        if !self.available {
            return;
        }
        if !open {
            self.loaded = false;
            return;
        }
        if !self.loaded {
            self.loaded = true;
            self.queue(FileJob::ReadAutostart);
            self.queue(FileJob::LoadApps);
        } else if self.seen_apps.as_deref() != Some(apps) {
            self.queue(FileJob::LoadApps);
        }
        self.seen_apps = Some(apps.to_vec());
    }

    /// Takes in what the worker did.
    pub fn observe(&mut self, outcome: FileOutcome) {
        let page = &mut self.applications;
        match outcome {
            FileOutcome::Autostart(result) => {
                let startup = &mut self.startup;
                startup.waiting = false;
                match result {
                    Ok(state) => {
                        startup.state = Some(state);
                        startup.error = None;
                    }
                    Err(error) => startup.error = Some(error.to_string()),
                }
            }
            FileOutcome::Apps { apps, problems } => {
                page.apps = Some(apps);
                page.problems = problems;
            }
            FileOutcome::Registered(result) => {
                page.waiting = false;
                match result {
                    Ok(registration) => {
                        page.message = Some(Ok(format!("Registered {}.", registration.name)));
                        page.form = RegisterForm::default();
                        page.form_open = false;
                        self.queue(FileJob::LoadApps);
                    }
                    Err(error) => page.form.error = Some(refusal(&error)),
                }
            }
            FileOutcome::Unregistered(result) => {
                page.waiting = false;
                page.message = Some(match result {
                    Ok(guid) => Ok(format!("Unregistered {}.", page.name_of(&guid))),
                    Err(error) => Err(error.to_string()),
                });
                self.queue(FileJob::LoadApps);
            }
            FileOutcome::ProgramPicked(picked) => {
                page.choosing = false;
                if let Some(path) = picked {
                    page.form.program = path.display().to_string();
                }
            }
        }
    }
}

impl ApplicationsView {
    /// The name registered for `guid`, or the GUID when it is not in the list.
    fn name_of(&self, guid: &Guid) -> String {
        self.apps
            .iter()
            .flatten()
            .find(|app| &app.guid == guid)
            .map_or_else(|| guid.to_string(), |app| app.name.clone())
    }
}

/// Why a registration was refused, in the window's words (the CLI's flag means nothing here).
fn refusal(error: &AppsError) -> String {
    match error {
        AppsError::AlreadyRegistered(guid) => format!(
            "An application with GUID {guid} is registered already. To change it, tick \
             \u{201c}{}\u{201d}.",
            super::applications::REPLACE
        ),
        other => other.to_string(),
    }
}
