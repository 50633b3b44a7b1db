//! One connection's side of the Session Invite methods: its lock, its scope, and carrying the
//! methods out against the server's state and the core's command channel.
//!
//! The rules themselves are pure ([`super::access`], [`super::sessions`]); this is where they
//! meet the launch cookies, the registry, the ctl token and the commands.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::access::{key_response_matches, random_secret, secrets_match, Access, Scope};
use super::protocol::{ErrorBody, ErrorCode};
use super::server::Shared;
use super::session_methods::{Credential, SessionMethod};
use super::sessions::{Action, Step};
use crate::apps::{Guid, Registration, Registry};
use crate::command::{new_message_id, Command};
use crate::event::Event;
use crate::invite::{InviteSession, Role, SessionState};
use crate::model::{now_ms, AppInfo, BareJid};

/// A connection's access, shared with its event forwarder.
#[derive(Clone)]
pub(super) struct AccessHandle {
    access: Arc<Mutex<Access>>,
    shared: Arc<Shared>,
}

impl AccessHandle {
    /// The connection's access now.
    pub(super) fn get(&self) -> Access {
        match self.access.lock() {
            Ok(access) => access.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn update(&self, f: impl FnOnce(&mut Access)) {
        match self.access.lock() {
            Ok(mut access) => f(&mut access),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Whether a subscriber on this connection receives `event` now.
    pub(super) fn admits(&self, event: &Event) -> bool {
        self.get().admits(event, |id| {
            self.shared.session(id).map(|(session, _)| session.app_guid)
        })
    }
}

/// The Session Invite methods of one connection.
pub(super) struct SessionDesk {
    shared: Arc<Shared>,
    /// The connection's number, which owns the sessions it creates.
    number: u64,
    access: AccessHandle,
    /// The outstanding challenge (GUID, nonce): good for one unlock attempt.
    challenge: Option<(String, String)>,
}

impl Drop for SessionDesk {
    fn drop(&mut self) {
        let number = self.number;
        self.shared.with_held(|held| held.connection_closed(number));
    }
}

fn error(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
    ErrorBody::new(code, message)
}

fn unlock_failed() -> ErrorBody {
    error(
        ErrorCode::UnlockFailed,
        "the connection could not be unlocked",
    )
}

fn to_value(session: &InviteSession) -> Value {
    serde_json::to_value(session).unwrap_or(Value::Null)
}

impl SessionDesk {
    /// A locked desk for a new connection.
    pub(super) fn new(shared: Arc<Shared>) -> Self {
        let number = shared.connection_number();
        let access = AccessHandle {
            access: Arc::new(Mutex::new(Access::Locked)),
            shared: shared.clone(),
        };
        Self {
            shared,
            number,
            access,
            challenge: None,
        }
    }

    /// The handle the event forwarder filters with.
    pub(super) fn access(&self) -> AccessHandle {
        self.access.clone()
    }

    /// Carries out a session method.
    pub(super) fn call(&mut self, method: SessionMethod) -> Result<Value, ErrorBody> {
        let access = self.access.get();
        match (method, access.scope()) {
            (SessionMethod::Apps, _) => Ok(json!({ "apps": self.apps() })),
            (SessionMethod::Challenge { .. } | SessionMethod::Unlock(_), Some(_)) => Err(error(
                ErrorCode::AlreadyUnlocked,
                "this connection is unlocked already; a connection is unlocked once",
            )),
            (SessionMethod::Challenge { guid }, None) => self.challenge(guid),
            (SessionMethod::Unlock(credential), None) => self.unlock(credential),
            (method, Some(scope)) => self.unlocked(method, scope),
            (_, None) => Err(error(
                ErrorCode::Locked,
                "unlock the connection first (with a launch cookie, the app key or the ctl token)",
            )),
        }
    }

    fn unlocked(&mut self, method: SessionMethod, scope: &Scope) -> Result<Value, ErrorBody> {
        match method {
            SessionMethod::CreateSession {
                app_guid,
                context,
                local_address,
            } => {
                let session = self.create(scope, &app_guid, context, local_address)?;
                Ok(json!({ "session": session }))
            }
            SessionMethod::Invite {
                session,
                to,
                app_guid,
                context,
                local_address,
            } => self.invite(scope, session, to, app_guid, context, local_address),
            SessionMethod::GetLaunchingSession => {
                let Scope::Launched { launching, .. } = scope else {
                    return Err(error(
                        ErrorCode::UnknownSession,
                        "this connection was not unlocked with a launch cookie, so no session launched it",
                    ));
                };
                self.visible(scope, launching).map(|(s, _)| to_value(&s))
            }
            SessionMethod::Session { session } => {
                self.visible(scope, &session).map(|(s, _)| to_value(&s))
            }
            SessionMethod::Sessions => {
                let mut sessions: Vec<InviteSession> = self
                    .shared
                    .sessions()
                    .into_iter()
                    .filter(|s| scope.covers(s))
                    .collect();
                sessions.sort_by(|a, b| a.created_ms.cmp(&b.created_ms).then(a.id.cmp(&b.id)));
                Ok(json!({ "sessions": sessions }))
            }
            SessionMethod::Act { session, action } => self.act(scope, &session, action),
            // `call` answers these itself.
            SessionMethod::Apps | SessionMethod::Challenge { .. } | SessionMethod::Unlock(_) => {
                Err(error(
                    ErrorCode::AlreadyUnlocked,
                    "this connection is unlocked already",
                ))
            }
        }
    }

    /// The registered applications as they are on disk now. Read afresh for each request, so
    /// an application registered while Nudge runs is usable at once; the registry's own reader
    /// applies its size cap and checks (a broken file is skipped; `nudge apps list` reports it).
    fn registry(&self) -> Option<Registry> {
        let dir = self.shared.apps_dir.as_deref()?;
        Some(Registry::load(dir).0)
    }

    fn apps(&self) -> Vec<AppInfo> {
        self.registry()
            .map(|registry| {
                registry
                    .list()
                    .into_iter()
                    .map(Registration::info)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn app(&self, guid: &str) -> Result<Registration, ErrorBody> {
        let registered = Guid::parse(guid)
            .ok()
            .and_then(|guid| self.registry()?.get(&guid).cloned());
        registered.ok_or_else(|| {
            error(
                ErrorCode::AppNotRegistered,
                format!("no application with GUID {guid} is registered"),
            )
        })
    }

    fn challenge(&mut self, guid: String) -> Result<Value, ErrorBody> {
        self.app(&guid)?;
        let nonce = random_secret();
        self.challenge = Some((guid, nonce.clone()));
        Ok(json!({ "nonce": nonce }))
    }

    fn unlock(&mut self, credential: Credential) -> Result<Value, ErrorBody> {
        let scope = match credential {
            Credential::Cookie(cookie) => self
                .shared
                .cookies
                .redeem(&cookie)
                .map(|s| Scope::launched(&s)),
            Credential::Token(token) => {
                secrets_match(&token, &self.shared.token).then_some(Scope::Everything)
            }
            Credential::Key { guid, response } => {
                // The nonce is spent by this attempt, right or wrong.
                let challenge = self.challenge.take();
                // Only a usable key: an empty one would make the answer public.
                let key = self
                    .app(&guid)
                    .ok()
                    .and_then(|app| app.key)
                    .filter(|key| super::access::usable_key(key));
                match (challenge, key) {
                    (Some((asked, nonce)), Some(key))
                        if asked == guid && key_response_matches(&key, &nonce, &response) =>
                    {
                        Some(Scope::App { guid })
                    }
                    _ => None,
                }
            }
        };
        let scope = scope.ok_or_else(unlock_failed)?;
        self.access
            .update(|access| *access = Access::Unlocked(scope));
        Ok(json!({}))
    }

    /// A session the connection may see, with whether it was never sent.
    fn visible(&self, scope: &Scope, id: &str) -> Result<(InviteSession, bool), ErrorBody> {
        let (session, unsent) = self.shared.session(id).ok_or_else(|| {
            error(
                ErrorCode::UnknownSession,
                format!("there is no session {id}"),
            )
        })?;
        if !scope.covers(&session) {
            return Err(error(
                ErrorCode::Forbidden,
                format!("session {id} is not one this connection was unlocked for"),
            ));
        }
        Ok((session, unsent))
    }

    /// Creates a READY session kept by the server and takes it into the connection's scope.
    fn create(
        &mut self,
        scope: &Scope,
        app_guid: &str,
        context: Option<String>,
        local_address: Option<String>,
    ) -> Result<String, ErrorBody> {
        let allowed = match scope {
            Scope::Everything => true,
            Scope::App { guid } => guid == app_guid,
            Scope::Launched { launching, .. } => self
                .shared
                .session(launching)
                .is_some_and(|(s, _)| s.app_guid.eq_ignore_ascii_case(app_guid)),
        };
        if !allowed {
            return Err(error(
                ErrorCode::Forbidden,
                format!("this connection may only create sessions of its own application, not {app_guid}"),
            ));
        }
        let app = self.app(app_guid)?;
        let info = app.info();
        let session = InviteSession {
            id: new_message_id(),
            role: Role::Inviter,
            origin: scope.origin(),
            app_guid: info.guid,
            app_name: info.name,
            download_url: info.download_url,
            peer: String::new(),
            state: SessionState::Ready,
            context,
            local_address,
            remote_address: None,
            app_present: info.installed,
            end_reason: None,
            end_text: None,
            created_ms: now_ms(),
        };
        let id = session.id.clone();
        self.shared
            .with_held(|held| held.create(self.number, session))?;
        self.access.update(|access| {
            if let Access::Unlocked(scope) = access {
                scope.adopt(&id);
            }
        });
        Ok(id)
    }

    fn invite(
        &mut self,
        scope: &Scope,
        session: Option<String>,
        to: BareJid,
        app_guid: Option<String>,
        context: Option<String>,
        local_address: Option<String>,
    ) -> Result<Value, ErrorBody> {
        if self.shared.own_jid().as_ref() == Some(&to) {
            return Err(error(ErrorCode::InvitedSelf, "you cannot invite yourself"));
        }
        let (id, context, local_address) = match (session, app_guid) {
            (Some(id), _) => {
                let (existing, unsent) = self.visible(scope, &id)?;
                if !unsent {
                    return Err(error(
                        ErrorCode::InvalidState,
                        format!(
                            "the session is {} and was sent already; create a new session to invite again",
                            super::sessions::state_word(existing.state)
                        ),
                    ));
                }
                (id, context, local_address)
            }
            (None, Some(guid)) => (
                self.create(scope, &guid, context, local_address)?,
                None,
                None,
            ),
            (None, None) => {
                return Err(error(
                    ErrorCode::InvalidParams,
                    "give \"session\" or \"app_guid\"",
                ))
            }
        };
        let origin = scope.origin();
        let sent = self.shared.with_held(|held| {
            held.invite(&id, now_ms(), |s| {
                s.peer = to.to_string();
                s.origin = origin;
                if context.is_some() {
                    s.context = context;
                }
                if local_address.is_some() {
                    s.local_address = local_address;
                }
            })
        });
        let Some(sent) = sent else {
            return Err(error(
                ErrorCode::InvalidState,
                "the session was sent already; create a new session to invite again",
            ));
        };
        self.command(Command::Invite {
            session: sent.id.clone(),
            to,
            app_guid: sent.app_guid,
            context: sent.context,
            local_address: sent.local_address,
            origin,
        })?;
        Ok(json!({ "session": sent.id }))
    }

    fn act(&mut self, scope: &Scope, id: &str, action: Action) -> Result<Value, ErrorBody> {
        let (session, unsent) = self.visible(scope, id)?;
        match action.check(&session, unsent)? {
            Step::Core => self.command(action.command(id)),
            Step::Server => {
                self.shared.with_held(|held| match &action {
                    Action::SetLocalAddress { address } => held.set_local_address(id, address),
                    _ => held.discard(id),
                });
                Ok(json!({}))
            }
        }
    }

    fn command(&self, command: Command) -> Result<Value, ErrorBody> {
        if self.shared.commands.send(command) {
            Ok(json!({}))
        } else {
            Err(error(
                ErrorCode::CoreStopped,
                "Nudge's core has stopped, so the request was not carried out",
            ))
        }
    }
}
