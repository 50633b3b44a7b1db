//! A registration file from the profile's `apps/` folder, as the registry and the API read it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    nudge::fuzzing::registration(data);
});
