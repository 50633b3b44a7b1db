//! XEP-0115 entity capabilities: a short hash of what this client supports, sent with presence,
//! so contacts ask (XEP-0030) only when it changes — for Nudge, when apps are (un)registered.

use tokio_xmpp::parsers::caps::{self, Caps};
use tokio_xmpp::parsers::disco::{DiscoInfoQuery, DiscoInfoResult};
use tokio_xmpp::parsers::hashes::Algo;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::FullJid;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::presence::Presence;

/// The node naming Nudge in capabilities.
pub const NODE: &str = "urn:nudge:client";

/// The `ver` string of `info` (SHA-1, base64), as XEP-0115 defines it.
pub fn ver(info: &DiscoInfoResult) -> String {
    let data = caps::compute_disco(info);
    match caps::hash_caps(&data, Algo::Sha_1) {
        Ok(hash) => hash.to_base64(),
        Err(_) => String::new(),
    }
}

/// Adds the `<c/>` element for `info` to an outgoing presence.
pub fn attach(presence: &mut Presence, info: &DiscoInfoResult) {
    let data = caps::compute_disco(info);
    if let Ok(hash) = caps::hash_caps(&data, Algo::Sha_1) {
        presence.payloads.push(Caps::new(NODE, hash).into());
    }
}

/// The `node#ver` a presence advertises, if it carries capabilities.
pub fn advertised(presence: &Presence) -> Option<String> {
    presence
        .payloads
        .iter()
        .filter(|p| p.is("c", ns::CAPS))
        .find_map(|p| Caps::try_from(p.clone()).ok())
        .map(|c| {
            let ver = tokio_xmpp::parsers::hashes::Hash::new(c.hash, c.ver).to_base64();
            format!("{}#{ver}", c.node)
        })
}

/// Asks `to` for the features behind `node` (`node#ver`), or its plain features.
pub fn query(id: &str, to: &FullJid, node: Option<&str>) -> Iq {
    Iq::from_get(
        id,
        DiscoInfoQuery {
            node: node.map(str::to_string),
        },
    )
    .with_to(to.clone().into())
}

/// Whether an answer really has the features `node#ver` promised (so a cache keyed by
/// `ver` cannot be poisoned by one lying client).
pub fn matches(node: &str, info: &DiscoInfoResult) -> bool {
    let Some((_, ver_text)) = node.rsplit_once('#') else {
        return false;
    };
    let data = caps::compute_disco(info);
    match caps::hash_caps(&data, Algo::Sha_1) {
        Ok(hash) => hash.to_base64() == ver_text,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ver_changes_with_the_features_and_round_trips_through_presence() {
        let plain = crate::xmpp::iq::disco_info(&[]);
        let with_app = crate::xmpp::iq::disco_info(&[
            "urn:nudge:session-invite:0:app:{00000000-0000-0000-0000-000000000001}",
        ]);
        assert_ne!(ver(&plain), ver(&with_app));
        let mut presence = Presence::available();
        attach(&mut presence, &with_app);
        let node = advertised(&presence).expect("caps");
        assert_eq!(node, format!("{NODE}#{}", ver(&with_app)));
        assert!(matches(&node, &with_app));
        assert!(
            !matches(&node, &plain),
            "a different answer must not match the hash"
        );
        assert!(!matches("no-hash-here", &plain));
    }

    #[test]
    fn presence_without_caps_advertises_nothing() {
        assert_eq!(advertised(&Presence::available()), None);
    }
}
