//! A history file to import (Nudge's XML or a Messenger log), as `nudge history import` reads it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    nudge::fuzzing::history_file(data);
});
