//! An `xmpp:` link (a web page's, a message's or the command line's), as Nudge reads it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    nudge::fuzzing::xmpp_link(data);
});
