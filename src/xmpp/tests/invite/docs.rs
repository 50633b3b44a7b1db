//! Keeps `docs/session-invite.md` true: every stanza example in it is produced here by the real
//! builders. The doc marks each with `<!-- example:NAME -->` ... `<!-- /example -->`; this test
//! regenerates them and fails when the file differs. Run it with `NUDGE_BLESS_DOCS=1` to write
//! the new examples into the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jid::{FullJid, Jid};
use minidom::{Element, Node};

use super::SID;
use crate::xmpp::invite::{
    accept_elsewhere, ack, app_not_present, proceed, propose, reject, retract, ringing,
    session_accept, session_info, session_initiate, session_terminate, unknown_session, EndReason,
    Invitation, Reason, MAX_ADDRESS_CHARS, MAX_CONTEXT_BYTES, MAX_NAME_CHARS,
    MAX_REASON_TEXT_CHARS, MAX_SID_LEN, MAX_URL_LEN,
};
use crate::xmpp::tests::element;

type Blocks = BTreeMap<String, String>;

fn doc_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/session-invite.md")
}

fn alice() -> FullJid {
    FullJid::new("alice@example.org/nudge-4f2a").unwrap()
}

fn bob() -> FullJid {
    FullJid::new("bob@example.net/laptop").unwrap()
}

fn example_invitation() -> Invitation {
    Invitation {
        sid: SID.into(),
        guid: "{6B29FC40-CA47-1067-B31D-00DD010662DA}".into(),
        name: "Tic-Tac-Toe".into(),
        download_url: "https://apps.example.com/tictactoe".into(),
        context: Some("{\"first\":\"X\"}".into()),
        address: Some("192.0.2.7:4000".into()),
    }
}

/// A stanza as alice's client would send it, with the `from` the server adds.
fn sent(stanza: impl Into<Element>, from: &str) -> String {
    let xml = String::from(&stanza.into());
    let xml = xml.replacen(" xmlns='jabber:client'", &format!(" from='{from}'"), 1);
    pretty_checked(&xml)
}

/// Every example, keyed by block name.
fn blocks() -> Blocks {
    let mut blocks = Blocks::new();
    let a = "alice@example.org/nudge-4f2a";
    let b = "bob@example.net/laptop";
    let invitation = example_invitation();
    let mut add = |name: &str, xml: String| {
        blocks.insert(name.to_owned(), xml);
    };
    add(
        "invite",
        sent(propose(&bob().to_bare(), &invitation).unwrap(), a),
    );
    add("ringing", sent(ringing(&alice(), SID), b));
    add(
        "accept",
        [
            sent(accept_elsewhere(&bob().to_bare(), SID), b),
            sent(proceed(&alice(), SID), b),
        ]
        .join("\n\n"),
    );
    let decline = Reason::new(EndReason::Decline).with_text("Not now, sorry");
    add(
        "decline",
        [
            sent(reject(&alice().into(), SID, &decline), b),
            sent(reject(&bob().to_bare().into(), SID, &decline), b),
        ]
        .join("\n\n"),
    );
    add(
        "not-accepting",
        sent(reject(&alice().into(), SID, &Reason::not_accepting()), b),
    );
    add("app-not-present", sent(app_not_present(&alice(), SID), b));
    add(
        "unsupported-applications",
        sent(
            reject(
                &alice().into(),
                SID,
                &Reason::new(EndReason::UnsupportedApplications),
            ),
            b,
        ),
    );
    add(
        "cancel",
        sent(
            retract(&bob().to_bare(), SID, &Reason::new(EndReason::Cancel)),
            a,
        ),
    );
    add(
        "timeout",
        sent(
            retract(&bob().to_bare(), SID, &Reason::new(EndReason::Timeout)),
            a,
        ),
    );
    let initiate = session_initiate("ji-1", &bob(), &alice(), &invitation).unwrap();
    let initiate_received = with_from(initiate.clone(), a);
    add(
        "session-initiate",
        [sent(initiate, a), sent(ack(&initiate_received), b)].join("\n\n"),
    );
    let accept = session_accept(
        "ja-1",
        &alice(),
        &bob(),
        SID,
        &invitation.guid,
        Some("198.51.100.4:4000"),
    )
    .unwrap();
    let accept_received = with_from(accept.clone(), b);
    add(
        "session-accept",
        [sent(accept, b), sent(ack(&accept_received), a)].join("\n\n"),
    );
    let info = session_info("jc-1", &bob(), SID, "{\"move\":4}").unwrap();
    let info_received = with_from(info.clone(), a);
    add(
        "session-info",
        [
            sent(info, a),
            sent(ack(&info_received), b),
            sent(unknown_session(&info_received), b),
        ]
        .join("\n\n"),
    );
    for condition in EndReason::ALL {
        let reason = match condition {
            EndReason::Success => Reason::new(condition).with_text("X wins"),
            _ => Reason::new(condition),
        };
        add(
            &format!("terminate-{}", condition.wire_name()),
            sent(session_terminate("jt-1", &bob(), SID, &reason), a),
        );
    }
    add("limits", limits());
    blocks
}

/// The table of limits, from the constants the code enforces.
fn limits() -> String {
    [
        format!("| context data | at most {MAX_CONTEXT_BYTES} bytes of UTF-8 text (64 KiB) |"),
        format!("| application name | 1 to {MAX_NAME_CHARS} characters, one line, not blank |"),
        format!("| application address | at most {MAX_ADDRESS_CHARS} characters, one line |"),
        format!("| download URL | at most {MAX_URL_LEN} ASCII characters, `https://` only |"),
        format!("| session id | 1 to {MAX_SID_LEN} characters from `A-Z a-z 0-9 . _ : -` |"),
        format!("| reason text (read) | cut to {MAX_REASON_TEXT_CHARS} characters |"),
    ]
    .join("\n")
}

/// The iq as the recipient sees it (the server stamps `from`).
fn with_from(iq: xmpp_parsers::iq::Iq, from: &str) -> xmpp_parsers::iq::Iq {
    let mut iq = iq;
    if let xmpp_parsers::iq::Iq::Set { from: sender, .. } = &mut iq {
        *sender = Some(Jid::new(from).unwrap());
    }
    iq
}

/// Indents `xml` for reading, and checks the indented form means the same element.
fn pretty_checked(xml: &str) -> String {
    let original = element(&xml.replacen(' ', " xmlns='jabber:client' ", 1));
    let mut shown = String::new();
    pretty(&original, "jabber:client", 0, &mut shown);
    let reparsed = element(&shown.replacen(' ', " xmlns='jabber:client' ", 1));
    assert!(same(&original, &reparsed), "pretty printing changed {xml}");
    shown.trim_end().to_owned()
}

/// Writes `e` with two-space indentation; `xmlns` only where it changes.
fn pretty(e: &Element, parent_ns: &str, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    out.push_str(&format!("{indent}<{}", e.name()));
    if e.ns() != parent_ns {
        out.push_str(&format!(" xmlns='{}'", e.ns()));
    }
    for ((_, name), value) in e.attrs().iter() {
        out.push_str(&format!(" {}='{}'", name.as_str(), escape(value, true)));
    }
    let children: Vec<&Element> = e.children().collect();
    let text = e.text();
    if children.is_empty() && text.is_empty() {
        out.push_str("/>\n");
    } else if children.is_empty() {
        out.push_str(&format!(">{}</{}>\n", escape(&text, false), e.name()));
    } else {
        out.push_str(">\n");
        for child in children {
            pretty(child, e.ns().as_str(), depth + 1, out);
        }
        out.push_str(&format!("{indent}</{}>\n", e.name()));
    }
}

fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\r' => out.push_str("&#xd;"),
            _ => out.push(c),
        }
    }
    out
}

/// Same element, ignoring whitespace-only text between child elements.
fn same(a: &Element, b: &Element) -> bool {
    let attrs = |e: &Element| {
        let mut all: Vec<(String, String)> = e
            .attrs()
            .iter()
            .map(|((_, k), v)| (k.as_str().to_owned(), v.to_owned()))
            .collect();
        all.sort();
        all
    };
    let children = |e: &Element| e.children().cloned().collect::<Vec<_>>();
    let texts = |e: &Element| {
        e.nodes()
            .filter_map(|n| match n {
                Node::Text(t) if !t.trim().is_empty() => Some(t.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let (ca, cb) = (children(a), children(b));
    a.name() == b.name()
        && a.ns() == b.ns()
        && attrs(a) == attrs(b)
        && (if ca.is_empty() {
            a.text() == b.text()
        } else {
            texts(a) == texts(b)
        })
        && ca.len() == cb.len()
        && ca.iter().zip(&cb).all(|(x, y)| same(x, y))
}

/// Replaces the inside of every marked block; fails on a marker without an example and the
/// other way round.
fn fill(doc: &str, blocks: &Blocks) -> Result<String, String> {
    const OPEN: &str = "<!-- example:";
    const CLOSE: &str = "<!-- /example -->";
    let mut out = String::new();
    let mut rest = doc;
    let mut used = Vec::new();
    while let Some(at) = rest.find(OPEN) {
        let name_end = rest[at..].find(" -->").ok_or("unterminated marker")? + at;
        let name = &rest[at + OPEN.len()..name_end];
        let close = rest[name_end..]
            .find(CLOSE)
            .ok_or(format!("no {CLOSE} after {name}"))?
            + name_end;
        let content = blocks
            .get(name)
            .ok_or(format!("the doc has a block {name:?} no test produces"))?;
        let fence = if name == "limits" { "" } else { "```xml\n" };
        let end = if name == "limits" { "\n" } else { "\n```\n" };
        let header = if name == "limits" {
            "| value | limit |\n|---|---|\n"
        } else {
            ""
        };
        out.push_str(&rest[..name_end]);
        out.push_str(&format!(" -->\n{fence}{header}{content}{end}"));
        rest = &rest[close..];
        used.push(name.to_string());
    }
    out.push_str(rest);
    let missing: Vec<&String> = blocks.keys().filter(|k| !used.contains(k)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "docs/session-invite.md lacks blocks for {missing:?}"
        ));
    }
    Ok(out)
}

#[test]
fn session_invite_doc_examples_are_what_the_builders_send() {
    let path = doc_path();
    let doc = std::fs::read_to_string(&path).expect("docs/session-invite.md exists");
    let filled = fill(&doc, &blocks()).unwrap_or_else(|e| panic!("{e}"));
    if std::env::var_os("NUDGE_BLESS_DOCS").is_some() {
        std::fs::write(&path, filled).expect("write docs");
        return;
    }
    assert!(
        filled == doc,
        "docs/session-invite.md is out of date; run `NUDGE_BLESS_DOCS=1 cargo test --lib invite::docs`"
    );
}

#[test]
fn the_fill_step_notices_drift_and_missing_blocks() {
    let mut blocks = Blocks::new();
    blocks.insert("a".into(), "<x/>".into());
    let doc = "text\n<!-- example:a -->\n```xml\n<old/>\n```\n<!-- /example -->\n";
    let filled = fill(doc, &blocks).unwrap();
    assert!(filled.contains("<x/>") && !filled.contains("<old/>"));
    assert!(fill("no markers", &blocks).is_err());
    assert!(fill("<!-- example:b -->\n<!-- /example -->", &blocks).is_err());
}
