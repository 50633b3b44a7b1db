//! Bytes a client writes to the local API socket: lines, requests, methods and params.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    nudge::fuzzing::api_lines(data);
});
