//! Effects that touch the desktop or take a while: the keyring, files, the registration
//! server, programs, pages, notifications and sounds. Slow ones run in the background and
//! answer through the executor's answer channel; quick ones answer at once.

use super::Executor;
use crate::core::account::{Answer, Effect, Fault, Input, KeyringFault, Launch, PictureSource};
use crate::event::Event;
use crate::invite::env;
use crate::platform::keyring::KeyringError;

impl Executor {
    /// Carries out an effect that is not about the stream or the store.
    pub(super) fn start_job(&mut self, effect: Effect) -> Option<Input> {
        match effect {
            Effect::LoadPassword { jid } => self.load_password(jid),
            Effect::KeepPassword {
                jid,
                password,
                remember,
            } => self.keep_password(jid, password, remember),
            Effect::SaveAccount(account) => {
                let error = self.profile.save_account(&account).err()?;
                return Some(Input::Answer(Answer::AccountNotSaved(Fault::from_error(
                    &error,
                ))));
            }
            Effect::SaveSettings(settings) => {
                let result = match self.profile.save_settings(&settings) {
                    Ok(()) => Ok(settings),
                    Err(error) => Err(Fault::from_error(&error)),
                };
                return Some(Input::Answer(Answer::SettingsSaved { result }));
            }
            Effect::FetchRegistrationForm(account) => {
                self.in_background(async move {
                    let result = crate::core::register::fetch_form(&account).await;
                    Answer::RegistrationForm { account, result }
                });
            }
            Effect::RegisterAccount {
                account,
                password,
                fields,
            } => {
                self.in_background(async move {
                    let result = crate::core::register::register_account(
                        &account,
                        password.expose(),
                        &fields,
                    )
                    .await;
                    Answer::Registered {
                        account,
                        password,
                        result,
                    }
                });
            }
            Effect::PreparePicture(source) => self.prepare_picture(source),
            Effect::Launch(launch) => return Some(self.launch(launch)),
            Effect::RevokeCookies { session } => self.cookies.revoke_session(&session),
            Effect::OpenPage { url } => {
                if let Err(error) = crate::platform::opener::open_url(&url) {
                    let fault = Fault::from_error(&error);
                    return Some(Input::Answer(Answer::PageNotOpened(fault)));
                }
            }
            Effect::Notify {
                title,
                body,
                target,
            } => self.notify(title, body, target),
            Effect::PlaySound(sound) => {
                tokio::task::spawn_blocking(move || crate::platform::sound::play(sound));
            }
            Effect::Send { .. }
            | Effect::RequestAck
            | Effect::Emit(_)
            | Effect::Connect { .. }
            | Effect::Disconnect
            | Effect::Store(_)
            | Effect::Stop => tracing::error!("the executor misrouted an effect"),
        }
        None
    }

    /// Runs `job` in the background; its answer comes back as an input.
    fn in_background(&self, job: impl std::future::Future<Output = Answer> + Send + 'static) {
        let answers = self.answers.0.clone();
        tokio::spawn(async move {
            let _ = answers.send(job.await);
        });
    }

    /// Runs blocking `job` on the blocking pool; its answer comes back as an input.
    fn blocking(&self, job: impl FnOnce() -> Answer + Send + 'static) {
        let answers = self.answers.0.clone();
        tokio::task::spawn_blocking(move || {
            let _ = answers.send(job());
        });
    }

    fn load_password(&self, jid: String) {
        let Some(passwords) = self.passwords.clone() else {
            let _ = self.answers.0.send(Answer::PasswordLoaded {
                jid,
                result: Ok(None),
            });
            return;
        };
        self.blocking(move || {
            let result = passwords
                .get(&jid)
                .map(|found| found.map(crate::secret::Secret::from))
                .map_err(fault);
            Answer::PasswordLoaded { jid, result }
        });
    }

    fn keep_password(&self, jid: String, password: crate::secret::Secret, remember: bool) {
        let Some(passwords) = self.passwords.clone() else {
            let _ = self.answers.0.send(Answer::PasswordNotKept {
                remember,
                fault: KeyringFault::Unavailable,
            });
            return;
        };
        let answers = self.answers.0.clone();
        tokio::task::spawn_blocking(move || {
            let kept = match remember {
                true => passwords.save(&jid, password.expose()),
                false => passwords.forget(&jid),
            };
            if let Err(error) = kept {
                let _ = answers.send(Answer::PasswordNotKept {
                    remember,
                    fault: fault(error),
                });
            }
        });
    }

    fn prepare_picture(&self, source: PictureSource) {
        match source {
            PictureSource::File(path) => self.in_background(async move {
                let result = crate::core::account::prepare_file(path).await;
                Answer::PicturePrepared { result }
            }),
            PictureSource::Builtin(name) => self.blocking(move || {
                let result = crate::core::account::prepare_builtin(&name);
                Answer::PicturePrepared { result }
            }),
        }
    }

    /// Starts a session's program with a fresh launch cookie.
    fn launch(&self, launch: Launch) -> Input {
        let Launch {
            session,
            program,
            args,
            mut variables,
        } = launch;
        variables.push((env::COOKIE, self.cookies.issue(&session)));
        let result = crate::apps::launch::launch(&program, &args, &variables)
            .map(|_| ())
            .map_err(|error| {
                self.cookies.revoke_session(&session);
                Fault::from_error(&error)
            });
        Input::Answer(Answer::Launched { session, result })
    }

    /// Shows a desktop notification without holding up the account task; a click on one about
    /// something is reported as `Event::NotificationClicked`.
    ///
    /// The notification gets a thread of its own rather than the runtime's blocking pool:
    /// waiting for a click may last as long as the notification stays on screen, and the
    /// runtime waits for its blocking tasks when Nudge quits.
    fn notify(
        &self,
        title: String,
        body: String,
        target: Option<crate::model::NotificationTarget>,
    ) {
        let on_click = target.map(|target| {
            let bus = self.bus.clone();
            Box::new(move || bus.emit(Event::NotificationClicked { target })) as Box<_>
        });
        if let Err(error) = crate::platform::notify::spawn(title, body, on_click) {
            tracing::warn!("{error}");
        }
    }
}

fn fault(error: KeyringError) -> KeyringFault {
    match error {
        KeyringError::Unavailable(_) => KeyringFault::Unavailable,
        error => KeyringFault::Failed(error.to_string()),
    }
}
