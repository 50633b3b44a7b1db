//! XEP-0198 stream management bookkeeping, without IO.
//!
//! Counts stanzas both ways and keeps every outgoing stanza until the server acknowledges it,
//! so a resumed stream can resend exactly what was lost and nothing twice. Counters wrap at 2^32
//! as the XEP says.

use std::collections::VecDeque;

use tokio_xmpp::Stanza;

/// A chat message the session is waiting to see acknowledged: (peer, message id).
pub type Tracked = (crate::model::BareJid, String);

/// Stream management state of one (possibly resumable) stream.
#[derive(Debug, Default)]
pub struct StreamManagement {
    /// The id to resume the stream with, when the server allowed resumption.
    pub resume_id: Option<String>,
    /// Stanzas received and handled on this stream.
    pub inbound: u32,
    /// Stanzas sent on this stream.
    outbound: u32,
    /// The sequence number the server acknowledged last.
    acked: u32,
    /// Sent and not yet acknowledged, with their sequence numbers.
    unacked: VecDeque<(u32, Stanza, Option<Tracked>)>,
}

impl StreamManagement {
    /// A fresh stream with resumption id `resume_id`.
    pub fn new(resume_id: Option<String>) -> Self {
        Self {
            resume_id,
            ..Self::default()
        }
    }

    /// Counts a stanza received from the server.
    pub fn received(&mut self) {
        self.inbound = self.inbound.wrapping_add(1);
    }

    /// Records a stanza sent to the server.
    pub fn sent(&mut self, stanza: Stanza, tracked: Option<Tracked>) {
        self.outbound = self.outbound.wrapping_add(1);
        self.unacked.push_back((self.outbound, stanza, tracked));
    }

    /// Applies the server's `h` (stanzas it handled); returns the tracked messages now acked.
    /// An `h` beyond what was sent is a protocol violation: `Err` with the count sent.
    pub fn acknowledge(&mut self, h: u32) -> Result<Vec<Tracked>, u32> {
        let newly = h.wrapping_sub(self.acked);
        let in_flight = self.outbound.wrapping_sub(self.acked);
        if newly > in_flight {
            return Err(self.outbound);
        }
        self.acked = h;
        let mut done = Vec::new();
        for _ in 0..newly {
            if let Some((_, _, Some(tracked))) = self.unacked.pop_front() {
                done.push(tracked);
            }
        }
        Ok(done)
    }

    /// Whether this message is sent and waiting for the server's acknowledgement.
    pub fn is_in_flight(&self, tracked: &Tracked) -> bool {
        self.unacked
            .iter()
            .any(|(_, _, t)| t.as_ref() == Some(tracked))
    }

    /// After resumption: everything still unacked, to be sent again on the new stream.
    /// Counters keep running from where the old stream was.
    pub fn take_unacked(&mut self) -> Vec<(Stanza, Option<Tracked>)> {
        let pending: Vec<_> = self.unacked.drain(..).map(|(_, s, t)| (s, t)).collect();
        // The stanzas will be counted again as they are resent.
        self.outbound = self.acked;
        pending
    }

    /// How many stanzas are waiting for acknowledgement.
    pub fn unacked_len(&self) -> usize {
        self.unacked.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_xmpp::parsers::presence::Presence;

    fn stanza() -> Stanza {
        Stanza::Presence(Presence::available())
    }

    fn track(id: &str) -> Option<Tracked> {
        Some((crate::model::bare("bob@x"), id.into()))
    }

    #[test]
    fn acks_release_tracked_messages_in_order() {
        let mut sm = StreamManagement::new(Some("r".into()));
        sm.sent(stanza(), track("1"));
        sm.sent(stanza(), None);
        sm.sent(stanza(), track("2"));
        assert!(sm.is_in_flight(&(crate::model::bare("bob@x"), "2".into())));
        assert_eq!(
            sm.acknowledge(2),
            Ok(vec![(crate::model::bare("bob@x"), "1".into())])
        );
        assert_eq!(sm.acknowledge(2), Ok(vec![]));
        assert_eq!(
            sm.acknowledge(3),
            Ok(vec![(crate::model::bare("bob@x"), "2".into())])
        );
        assert_eq!(sm.unacked_len(), 0);
    }

    #[test]
    fn an_ack_beyond_what_was_sent_is_refused() {
        let mut sm = StreamManagement::new(None);
        sm.sent(stanza(), None);
        assert_eq!(sm.acknowledge(5), Err(1));
        assert_eq!(sm.unacked_len(), 1);
    }

    #[test]
    fn counters_wrap_around() {
        let mut sm = StreamManagement::new(None);
        sm.outbound = u32::MAX - 1;
        sm.acked = u32::MAX - 1;
        sm.sent(stanza(), track("a"));
        sm.sent(stanza(), track("b"));
        sm.sent(stanza(), track("c"));
        assert_eq!(sm.acknowledge(0).map(|v| v.len()), Ok(2));
        assert_eq!(sm.acknowledge(1).map(|v| v.len()), Ok(1));
    }

    #[test]
    fn resumption_resends_only_the_unacked() {
        let mut sm = StreamManagement::new(Some("r".into()));
        sm.sent(stanza(), track("1"));
        sm.sent(stanza(), track("2"));
        sm.acknowledge(1).expect("ack");
        let again = sm.take_unacked();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].1, track("2"));
        for (stanza, tracked) in again {
            sm.sent(stanza, tracked);
        }
        assert_eq!(sm.acknowledge(2).map(|v| v.len()), Ok(1));
    }
}
