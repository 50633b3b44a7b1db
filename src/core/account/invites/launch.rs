//! Starting this side's program for a session: the registry names the program, the session goes
//! in its environment, and a program that will not start ends the session on both sides.

use tokio_xmpp::parsers::jid::Jid;

use super::Account;
use crate::core::account::effect::Launch;
use crate::core::account::{Effect, Fault, Purpose, Responder};
use crate::invite::EndReason;
use crate::invite::{env, Role, SessionEvent, SessionState};
use crate::problem::Problem;
use crate::xmpp::invite::{self as wire, Reason};

impl Account {
    /// Launches this side's program (when asked) and then moves the session to CONNECTED.
    pub(super) fn connect_app(&mut self, sid: &str, launch_here: bool) {
        if !launch_here {
            self.advance(sid, SessionState::Connected, "connecting");
            return;
        }
        // A session launches at most once, however often the other side repeats itself.
        match self.sessions.get_mut(sid) {
            Some(live) if !live.launched => live.launched = true,
            _ => return,
        }
        self.publish(sid, vec![SessionEvent::BeforeAppLaunch]);
        match self.launch_request(sid) {
            Ok(launch) => self.out.push(Effect::Launch(launch)),
            Err(fault) => self.launch_failed(sid, fault.into()),
        }
    }

    /// The program to start for session `sid`, from the registry.
    fn launch_request(&self, sid: &str) -> Result<Launch, Fault> {
        let gone = |detail: String| Fault { detail };
        let Some(live) = self.sessions.get(sid) else {
            return Err(gone("the session is gone".into()));
        };
        let s = &live.session;
        let Some(registration) = self.registration(&s.app_guid) else {
            let detail = format!("{} is not registered on this computer", s.app_name);
            return Err(gone(detail));
        };
        let own = self.own_bare().map(|j| j.to_string()).unwrap_or_default();
        let role = match s.role {
            Role::Inviter => "inviter",
            Role::Invitee => "invitee",
        };
        let variables = vec![
            (env::SESSION_ID, s.id.clone()),
            (env::APP_GUID, s.app_guid.clone()),
            (env::ROLE, role.to_string()),
            (env::LOCAL_JID, own),
            (env::REMOTE_JID, s.peer.clone()),
            (
                env::LOCAL_ADDRESS,
                s.local_address.clone().unwrap_or_default(),
            ),
            (
                env::REMOTE_ADDRESS,
                s.remote_address.clone().unwrap_or_default(),
            ),
            (env::CONTEXT_DATA, s.context.clone().unwrap_or_default()),
            (
                env::API_SOCKET,
                self.profile.api_address().display().to_string(),
            ),
        ];
        Ok(Launch {
            session: sid.to_string(),
            program: registration.path.clone(),
            args: registration.args.clone(),
            variables,
        })
    }

    /// The executor started the program (or could not).
    pub(in crate::core::account) fn on_launched(
        &mut self,
        sid: &str,
        result: Result<(), crate::core::account::Fault>,
    ) {
        match result {
            Ok(()) => {
                if let Some(live) = self.sessions.get_mut(sid) {
                    live.launched = true;
                }
                self.advance(sid, SessionState::Connected, "connecting");
            }
            Err(fault) => self.launch_failed(sid, fault.into()),
        }
    }

    /// The program would not start: say so, and end the session on both sides.
    fn launch_failed(&mut self, sid: &str, detail: String) {
        let reason = Reason::new(EndReason::FailedApplication).with_text(&detail);
        self.problem(Problem::ProgramNotStarted { detail });
        let device = self.sessions.get(sid).and_then(|l| l.peer_device.clone());
        if let Some(device) = device {
            let responder = Responder::Peer(Jid::from(device.clone()));
            self.request(responder, Purpose::Session(sid.to_string()), |iq_id| {
                wire::session_terminate(iq_id, &device, sid, &reason)
            });
        }
        self.finish(sid, SessionState::Terminated, &reason, vec![]);
    }
}
