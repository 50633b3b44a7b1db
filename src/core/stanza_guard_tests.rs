use tokio::io::AsyncReadExt;

use super::*;

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
                      xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='s1' \
                      version='1.0'>";

/// A stream a real server could send: features, a stanza with every tricky bit of markup the
/// scanner must follow, a keepalive, a restart after authentication, the end.
fn ordinary_stream() -> String {
    [
        HEADER,
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>PLAIN</mechanism></mechanisms></stream:features>",
        "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
        HEADER,
        "<iq type='result' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
         <jid>a@localhost/r</jid></bind></iq>",
        " \n",
        "<message from='b@localhost/x' to=\"a@localhost\" title='a > b' note=\"it's\">\
         <body>1 &lt; 2 &amp;&amp; <![CDATA[<not a tag/> ]] ]]>done</body>\
         <x xmlns='urn:x'/></message>",
        "<r xmlns='urn:xmpp:sm:3'/>",
        "</stream:stream>",
    ]
    .concat()
}

fn scan(limits: Limits, chunks: &[&[u8]]) -> (Vec<u8>, u32) {
    let dropped = Arc::new(Dropped::default());
    let mut scanner = Scanner::new(limits, dropped.clone());
    let mut out = Vec::new();
    for chunk in chunks {
        scanner.feed(chunk, &mut out);
    }
    (out, dropped.take())
}

fn nested(levels: usize) -> String {
    format!(
        "<message from='m@evil.example/x' type='chat'>{}{}</message>",
        "<a>".repeat(levels - 1),
        "</a>".repeat(levels - 1)
    )
}

#[test]
fn an_ordinary_stream_passes_unchanged_however_it_is_cut() {
    let stream = ordinary_stream();
    let bytes = stream.as_bytes();
    for size in 1..=bytes.len() {
        let chunks: Vec<&[u8]> = bytes.chunks(size).collect();
        let (out, dropped) = scan(Limits::default(), &chunks);
        assert_eq!(
            String::from_utf8_lossy(&out),
            stream,
            "cut every {size} bytes"
        );
        assert_eq!(dropped, 0);
    }
}

#[test]
fn a_stanza_too_deep_is_dropped_and_the_next_one_arrives() {
    let limits = Limits {
        max_bytes: MAX_STANZA_BYTES,
        max_depth: 8,
    };
    let after = "<message from='m@evil.example/x'><body>still here</body></message>";
    let stream = [HEADER, &nested(9), after, &nested(8)].concat();
    let (out, dropped) = scan(limits, &[stream.as_bytes()]);
    assert_eq!(
        String::from_utf8_lossy(&out),
        [HEADER, after, &nested(8)].concat()
    );
    assert_eq!(dropped, 1, "stream management must count it");
}

#[test]
fn a_stanza_too_large_is_dropped_and_a_nonza_is_not_counted() {
    let within = "<presence from='b@localhost/x'><status>ok</status></presence>";
    let limits = Limits {
        max_bytes: within.len(),
        max_depth: MAX_STANZA_DEPTH,
    };
    let over = "<presence from='b@localhost/x'><status>okay</status></presence>";
    let big_nonza = "<features xmlns='urn:x'>........................................</features>";
    let stream = [HEADER, over, within, big_nonza, within].concat();
    let (out, dropped) = scan(limits, &[stream.as_bytes()]);
    assert_eq!(
        String::from_utf8_lossy(&out),
        [HEADER, within, within].concat()
    );
    assert_eq!(dropped, 1, "only the stanza counts for stream management");
}

#[test]
fn a_stanza_with_a_value_longer_than_the_parser_takes_is_dropped() {
    let long = "x".repeat(MAX_TOKEN_BYTES + 1);
    let just = "x".repeat(MAX_TOKEN_BYTES - 10);
    let bad = format!("<message id='{long}'><body>hi</body></message>");
    let bad_name = format!("<message><{long}/></message>");
    let good = format!("<message id='{just}'><body>{long}{long}</body></message>");
    let stream = [HEADER, &bad, &bad_name, &good].concat();
    let (out, dropped) = scan(Limits::default(), &[stream.as_bytes()]);
    assert_eq!(String::from_utf8_lossy(&out), [HEADER, &good].concat());
    assert_eq!(dropped, 2);
}

#[test]
fn an_endless_nesting_holds_no_memory() {
    let dropped = Arc::new(Dropped::default());
    let mut scanner = Scanner::new(Limits::default(), dropped);
    let mut out = Vec::new();
    scanner.feed(HEADER.as_bytes(), &mut out);
    scanner.feed(b"<message>", &mut out);
    let level = b"<a xmlns='urn:deep'>".repeat(10_000);
    for _ in 0..100 {
        scanner.feed(&level, &mut out);
    }
    assert_eq!(out, HEADER.as_bytes(), "nothing of it reaches the parser");
    let held = scanner.held.as_ref().expect("still inside the stanza");
    assert_eq!(held.excess, Some(Excess::Depth));
    assert_eq!(held.bytes.capacity(), 0, "its bytes were let go");
}

#[test]
fn the_sender_is_read_from_the_start_tag_for_the_log() {
    assert_eq!(
        attribute(b"<message to='a' from=\"m@e/x\" xfrom='no'>", b"from").as_deref(),
        Some("m@e/x")
    );
    assert_eq!(attribute(b"<message xfrom='no'>", b"from"), None);
    assert_eq!(attribute(b"<message from=unquoted>", b"from"), None);
}

#[tokio::test]
async fn the_guard_reads_like_the_connection_minus_what_it_dropped() {
    let limits = Limits {
        max_bytes: MAX_STANZA_BYTES,
        max_depth: 4,
    };
    let stream = [HEADER, &nested(5), &ordinary_stream()[HEADER.len()..]].concat();
    let dropped = Arc::new(Dropped::default());
    let mut guard = StanzaGuard::new(
        tokio::io::BufReader::with_capacity(7, stream.as_bytes()),
        limits,
        dropped.clone(),
    );
    let mut read = String::new();
    guard.read_to_string(&mut read).await.expect("read");
    assert_eq!(read, ordinary_stream());
    assert_eq!(dropped.take(), 1);
    assert_eq!(dropped.take(), 0, "taken once");
}
