//! A signed-in XMPP stream: resource binding or resumption, stream management, reading and
//! writing stanzas.
//!
//! [`Session::read`] only reads (so it is safe to cancel inside `select!`); answering the
//! server's ack requests and pings is left to the caller.

use futures_util::{SinkExt, StreamExt};
use tokio_xmpp::parsers::bind::{BindQuery, BindResponse};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::FullJid;
use tokio_xmpp::parsers::sm;
use tokio_xmpp::xmlstream::{
    FallibleStreamElement, ReadError, StreamElementError, XmppStream, XmppStreamElement,
};
use tokio_xmpp::Stanza;

use std::sync::Arc;

use super::connect::{Authenticated, BoxedIo, ConnectError};
use super::sm::{StreamManagement, Tracked};
use super::stanza_guard::Dropped;

/// A stanza the server could not have meant: the parts Nudge could still read.
#[derive(Debug)]
pub struct Malformed {
    /// `iq`, `message` or `presence`.
    pub kind: String,
    /// The raw `from` attribute.
    pub from: Option<String>,
    /// The raw `id` attribute.
    pub id: Option<String>,
    /// The raw `type` attribute.
    pub type_: Option<String>,
    /// Why it could not be read.
    pub reason: String,
}

/// The stream broke while writing (the text is what the transport said).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the connection was lost ({0})")]
pub struct LinkLost(pub String);

/// What reading the stream produced.
#[derive(Debug)]
pub enum Incoming {
    /// A stanza.
    Stanza(Box<Stanza>),
    /// A stanza that could not be parsed; the stream goes on.
    Malformed(Malformed),
    /// The server acknowledged stanzas; these tracked messages are now on the server.
    Acked(Vec<Tracked>),
    /// The server asks how many stanzas were handled (answer with [`Session::send_ack`]).
    AckRequested,
    /// Nothing arrived for a while: send something to check the link is alive.
    Idle,
    /// The stream is over (the reason is for the user and the log).
    Closed(String),
}

/// How a session started.
pub enum Started {
    /// A new session: the roster, presence and carbons must be set up again.
    Fresh,
    /// The previous stream was resumed; these stanzas were not acknowledged and must be resent.
    Resumed(Vec<(Stanza, Option<Tracked>)>),
}

/// A signed-in stream.
pub struct Session {
    stream: XmppStream<BoxedIo>,
    /// The full JID the server bound.
    pub jid: FullJid,
    /// Stream management, when the server supports it.
    pub sm: Option<StreamManagement>,
    next_id: u64,
    /// Stanzas the connection's guard dropped (over the size or depth limit).
    dropped: Arc<Dropped>,
}

impl Session {
    /// Resumes `previous` if possible, else binds `resource` and enables stream management.
    pub async fn start(
        auth: Authenticated,
        previous: Option<(FullJid, StreamManagement)>,
        resource: &str,
    ) -> Result<(Self, Started), ConnectError> {
        let Authenticated {
            stream,
            features,
            dropped,
        } = auth;
        let offers_sm = features.stream_management.is_some();
        let mut session = Session {
            stream,
            jid: FullJid::new("nobody@localhost/nudge")
                .map_err(|e| stream_closed(e.to_string()))?,
            sm: None,
            next_id: 0,
            dropped,
        };
        if let (true, Some((jid, mut sm))) = (offers_sm, previous) {
            if let Some(previd) = sm.resume_id.clone() {
                match session.resume(&previd, sm.inbound).await? {
                    Some(h) => {
                        // Anything the server handled before the link died is acknowledged.
                        let resend = match sm.acknowledge(h) {
                            Ok(_) => sm.take_unacked(),
                            Err(_) => Vec::new(),
                        };
                        session.jid = jid;
                        session.sm = Some(sm);
                        return Ok((session, Started::Resumed(resend)));
                    }
                    None => tracing::info!("the server could not resume the stream; starting anew"),
                }
            }
        }
        session.jid = session.bind(resource).await?;
        if offers_sm {
            session.enable_sm().await?;
        }
        Ok((session, Started::Fresh))
    }

    /// A new stanza id, unique on this stream.
    pub fn next_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{}", self.next_id)
    }

    async fn resume(&mut self, previd: &str, h: u32) -> Result<Option<u32>, ConnectError> {
        let resume = sm::Resume {
            h,
            previd: sm::StreamId(previd.to_string()),
        };
        self.write(XmppStreamElement::SM(sm::Nonza::Resume(resume)))
            .await?;
        loop {
            match self.read_element().await? {
                XmppStreamElement::SM(sm::Nonza::Resumed(resumed)) => return Ok(Some(resumed.h)),
                XmppStreamElement::SM(sm::Nonza::Failed(_)) => return Ok(None),
                other => tracing::debug!("ignored while resuming: {other:?}"),
            }
        }
    }

    async fn bind(&mut self, resource: &str) -> Result<FullJid, ConnectError> {
        let id = self.next_id("bind");
        let iq = Iq::from_set(id.clone(), BindQuery::new(Some(resource.to_string())));
        self.write(XmppStreamElement::Stanza(Stanza::Iq(iq)))
            .await?;
        loop {
            match self.read_element().await? {
                XmppStreamElement::Stanza(Stanza::Iq(Iq::Result {
                    id: rid,
                    payload: Some(payload),
                    ..
                })) if rid == id => {
                    let response = BindResponse::try_from(payload)
                        .map_err(|e| stream_closed(format!("invalid bind answer: {e}")))?;
                    return Ok(FullJid::from(response));
                }
                XmppStreamElement::Stanza(Stanza::Iq(Iq::Error { id: rid, error, .. }))
                    if rid == id =>
                {
                    return Err(stream_closed(format!(
                        "the server refused the device name: {:?}",
                        error.defined_condition
                    )));
                }
                other => tracing::debug!("ignored while binding: {other:?}"),
            }
        }
    }

    async fn enable_sm(&mut self) -> Result<(), ConnectError> {
        let enable = sm::Enable::new().with_resume();
        self.write(XmppStreamElement::SM(sm::Nonza::Enable(enable)))
            .await?;
        loop {
            match self.read_element().await? {
                XmppStreamElement::SM(sm::Nonza::Enabled(enabled)) => {
                    let resume_id = enabled.resume.then_some(enabled.id).flatten();
                    self.sm = Some(StreamManagement::new(resume_id.map(|id| id.0)));
                    return Ok(());
                }
                XmppStreamElement::SM(sm::Nonza::Failed(_)) => {
                    tracing::info!("the server refused stream management");
                    return Ok(());
                }
                other => tracing::debug!("ignored while enabling stream management: {other:?}"),
            }
        }
    }

    /// Reads one element during negotiation, where anything unexpected ends the attempt.
    async fn read_element(&mut self) -> Result<XmppStreamElement, ConnectError> {
        loop {
            match self.stream.next().await {
                Some(Ok(FallibleStreamElement::Ok(element))) => return Ok(element),
                // Servers add children xmpp-parsers does not know to <failed/> (Prosody does);
                // it is still a refusal, and waiting for a tidier one would hang forever.
                Some(Ok(FallibleStreamElement::Err(StreamElementError::InvalidNonza {
                    qname,
                    error,
                }))) if qname.0.as_str() == tokio_xmpp::parsers::ns::SM
                    && qname.1.as_str() == "failed" =>
                {
                    tracing::debug!("reading <failed/> loosely: {error}");
                    return Ok(XmppStreamElement::SM(sm::Nonza::Failed(sm::Failed {
                        h: None,
                        error: None,
                    })));
                }
                Some(Ok(FallibleStreamElement::Err(e))) => {
                    tracing::warn!("unreadable element during negotiation: {e}")
                }
                Some(Err(ReadError::SoftTimeout)) => continue,
                Some(Err(ReadError::ParseError(e))) => {
                    tracing::warn!("unreadable element during negotiation: {e}")
                }
                Some(Err(e)) => return Err(stream_closed(e.to_string())),
                None => return Err(stream_closed("the connection closed".into())),
            }
        }
    }

    async fn write(&mut self, element: XmppStreamElement) -> Result<(), ConnectError> {
        self.stream
            .send(&element)
            .await
            .map_err(|e| stream_closed(e.to_string()))
    }

    /// Reads the next interesting thing from the stream. Cancel-safe.
    pub async fn read(&mut self) -> Incoming {
        loop {
            let item = self.stream.next().await;
            self.count_dropped();
            let element = match item {
                Some(Ok(FallibleStreamElement::Ok(element))) => element,
                Some(Ok(FallibleStreamElement::Err(error))) => {
                    if let Some(malformed) = self.malformed(error) {
                        return Incoming::Malformed(malformed);
                    }
                    continue;
                }
                Some(Err(ReadError::SoftTimeout)) => return Incoming::Idle,
                Some(Err(ReadError::ParseError(e))) => {
                    tracing::warn!("skipped an unreadable element: {e}");
                    continue;
                }
                Some(Err(ReadError::StreamFooterReceived)) | None => {
                    return Incoming::Closed("the server closed the connection".into())
                }
                Some(Err(ReadError::HardError(e))) => {
                    return Incoming::Closed(format!("the connection was lost ({e})"))
                }
            };
            match element {
                XmppStreamElement::Stanza(stanza) => {
                    if let Some(sm) = &mut self.sm {
                        sm.received();
                    }
                    return Incoming::Stanza(Box::new(stanza));
                }
                XmppStreamElement::SM(sm::Nonza::Req(_)) => return Incoming::AckRequested,
                XmppStreamElement::SM(sm::Nonza::Ack(ack)) => {
                    let Some(sm) = &mut self.sm else { continue };
                    return match sm.acknowledge(ack.h) {
                        Ok(done) => Incoming::Acked(done),
                        Err(sent) => Incoming::Closed(format!(
                            "the server acknowledged {} stanzas but only {sent} were sent",
                            ack.h
                        )),
                    };
                }
                XmppStreamElement::StreamError(error) => {
                    return Incoming::Closed(format!("the server ended the session: {error}"))
                }
                other => tracing::debug!("ignored stream element: {other:?}"),
            }
        }
    }

    /// Stanzas the guard dropped were received all the same: stream management acknowledges
    /// them, or the server would send them again on resumption. They come before whatever the
    /// parser yields next, so they are counted before any ack is answered.
    fn count_dropped(&mut self) {
        let dropped = self.dropped.take();
        if let Some(sm) = &mut self.sm {
            for _ in 0..dropped {
                sm.received();
            }
        }
    }

    fn malformed(&mut self, error: StreamElementError) -> Option<Malformed> {
        match error {
            StreamElementError::InvalidStanza {
                name,
                header,
                error,
                ..
            } => {
                // It was a stanza, so stream management counts it as handled.
                if let Some(sm) = &mut self.sm {
                    sm.received();
                }
                Some(Malformed {
                    kind: name.to_string(),
                    from: header.from,
                    id: header.id,
                    type_: header.type_,
                    reason: error.to_string(),
                })
            }
            StreamElementError::InvalidNonza { qname, error } => {
                tracing::warn!("skipped an unreadable {:?}: {error}", qname.1);
                None
            }
        }
    }

    /// Sends a stanza; `tracked` messages are reported once the server acknowledges them.
    pub async fn send(&mut self, stanza: Stanza, tracked: Option<Tracked>) -> Result<(), LinkLost> {
        let result = self
            .stream
            .send(&XmppStreamElement::Stanza(clone_stanza(&stanza)))
            .await
            .map_err(|e| LinkLost(e.to_string()));
        // Counted even when writing failed: it may have reached the server, and resumption
        // resends it only if the server says so.
        if let Some(sm) = &mut self.sm {
            sm.sent(stanza, tracked);
        }
        result
    }

    /// Answers the server's ack request with the count of handled stanzas.
    pub async fn send_ack(&mut self) -> Result<(), LinkLost> {
        let Some(h) = self.sm.as_ref().map(|sm| sm.inbound) else {
            return Ok(());
        };
        self.stream
            .send(&XmppStreamElement::SM(sm::Nonza::Ack(sm::A::new(h))))
            .await
            .map_err(|e| LinkLost(e.to_string()))
    }

    /// Asks the server to acknowledge what it has handled (XEP-0198 `<r/>`).
    pub async fn request_ack(&mut self) -> Result<(), LinkLost> {
        if self.sm.is_none() {
            return Ok(());
        }
        self.stream
            .send(&XmppStreamElement::SM(sm::Nonza::Req(sm::R)))
            .await
            .map_err(|e| LinkLost(e.to_string()))
    }

    /// Closes the stream politely.
    pub async fn close(mut self) {
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(2), self.stream.shutdown()).await;
    }

    /// Splits off the stream management state to resume later.
    pub fn into_resumable(self) -> Option<(FullJid, StreamManagement)> {
        let jid = self.jid;
        self.sm
            .filter(|sm| sm.resume_id.is_some())
            .map(|sm| (jid, sm))
    }
}

/// `Stanza` itself is not `Clone`, but each kind is.
pub fn clone_stanza(stanza: &Stanza) -> Stanza {
    match stanza {
        Stanza::Iq(iq) => Stanza::Iq(iq.clone()),
        Stanza::Message(message) => Stanza::Message(message.clone()),
        Stanza::Presence(presence) => Stanza::Presence(presence.clone()),
    }
}

fn stream_closed(message: String) -> ConnectError {
    ConnectError::Stream(message)
}
