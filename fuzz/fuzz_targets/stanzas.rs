//! Bytes from the server, inside the XML stream, through the stanza guard and every classifier.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    nudge::fuzzing::stanzas(data);
});
