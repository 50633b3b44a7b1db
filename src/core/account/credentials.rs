//! Signing in: saving the account, and the password kept in (or read back from) the keyring.

use super::{Account, Phase};
use crate::config::AccountConfig;
use crate::core::connect;
use crate::event::Event;
use crate::model::{Availability, ConnectionState};

impl Account {
    /// Saves the account and signs in with it; remembers or forgets the password as asked.
    pub(super) async fn sign_in(
        &mut self,
        account: AccountConfig,
        password: String,
        remember: bool,
    ) -> Phase {
        if let Err(error) = connect::account_jid(&account) {
            self.set_connection(ConnectionState::Failed {
                message: error.to_string(),
            });
            return Phase::Idle;
        }
        // Signing in again with an empty password means "the one I gave before, or saved".
        let password = match password.is_empty() {
            true => match self.known_password(&account.jid).await {
                Some(known) => known,
                None => {
                    self.set_connection(ConnectionState::AuthFailed {
                        message: "type your password to sign in".into(),
                    });
                    return Phase::Idle;
                }
            },
            false => password,
        };
        if let Err(error) = self.profile.save_account(&account) {
            self.problem(error.to_string());
        }
        self.remember_password(&account.jid, &password, remember)
            .await;
        self.credentials = Some((account, password));
        self.resumable = None;
        self.emit(Event::AppsChanged {
            apps: self.app_infos(),
        });
        self.backoff.reset();
        // The first presence sent is the one the user chose to sign in with.
        self.availability = match self.settings.sign_in_as {
            Availability::Offline => Availability::Online,
            chosen => chosen,
        };
        Phase::Connect
    }

    /// The password last used for `jid` in this run, else the one saved in the keyring.
    async fn known_password(&mut self, jid: &str) -> Option<String> {
        if let Some((account, password)) = &self.credentials {
            if account.jid == jid {
                return Some(password.clone());
            }
        }
        let passwords = self.passwords.clone()?;
        let jid = jid.to_string();
        match tokio::task::spawn_blocking(move || passwords.get(&jid)).await {
            Ok(Ok(found)) => found,
            Ok(Err(error)) => {
                self.problem(error.to_string());
                None
            }
            Err(_) => None,
        }
    }

    async fn remember_password(&mut self, jid: &str, password: &str, remember: bool) {
        let Some(passwords) = self.passwords.clone() else {
            if remember {
                self.problem(
                    "Your password was not saved: no keyring is available on this desktop.",
                );
            }
            return;
        };
        let jid = jid.to_string();
        let password = password.to_string();
        let outcome = tokio::task::spawn_blocking(move || {
            if remember {
                passwords.save(&jid, &password)
            } else {
                passwords.forget(&jid)
            }
        })
        .await;
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) => self.problem(error.to_string()),
            Err(_) => self.problem("saving the password in the keyring failed"),
        }
    }
}
