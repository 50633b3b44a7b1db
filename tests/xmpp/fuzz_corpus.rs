//! The fuzz targets' inputs on the stable toolchain, within `cargo test`: every committed corpus
//! file and every crash ever found (`fuzz/corpus/TARGET`, `fuzz/regressions/TARGET`), then
//! random mutations of them, go through the same entry points as the fuzz targets
//! (`nudge::fuzzing`). Any panic fails the test and names the input, saved under
//! `target/fuzz-corpus-failures/` to replay or to add to the regressions.
//!
//! Mutations come from a fixed seed, so a failure repeats; `NUDGE_FUZZ_SEED` and
//! `NUDGE_FUZZ_ROUNDS` vary them for a longer local run.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Mutated inputs per target in a plain `cargo test`.
const DEFAULT_ROUNDS: u64 = 5000;
/// A guard against a slow machine making `cargo test` slow: mutation stops after this.
const TIME_PER_TARGET: Duration = Duration::from_secs(12);

/// Markup that makes the XML parsers and the stanza guard work hard.
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"</",
    b"'",
    b"\"",
    b"&amp;",
    b"&#0;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml version='1.0'?>",
    b"<stream:stream>",
    b"xmlns='jabber:client'",
    b"<a xmlns='urn:x'>",
    b"\xff",
    b"\0",
    b"{",
    b"}",
    b"\"id\":",
    b"\n",
    b"\\u0000",
    b"[[",
    b"]]",
    b"https://",
    b"HTTPS://",
    b"@",
    b"{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}",
    b"<!DOCTYPE a [<!ENTITY e 'x'>]>",
    b"&e;",
    b"DateTime=\"2008-03-14T20:04:11.123Z\"",
    b"Date=\"31/12/99\" Time=\"11:59:59 PM\"",
    b"<From><User FriendlyName=\"Alice\"/></From>",
];

/// xorshift64*: small, fast and the same everywhere.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every file of `fuzz/corpus/TARGET` and `fuzz/regressions/TARGET`, sorted.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    for kind in ["corpus", "regressions"] {
        let dir = fuzz_dir().join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                let bytes = std::fs::read(&path).expect("read corpus file");
                all.push((path, bytes));
            }
        }
    }
    all.sort();
    all
}

/// An entry point of `nudge::fuzzing`, answering how much of the input its parsers took in.
type Entry = fn(&[u8]) -> usize;

/// Runs `input` through `entry` and answers its count; a panic fails the test with the input
/// saved.
fn run(target: &str, entry: Entry, input: &[u8], what: &str) -> usize {
    if let Ok(taken) = catch_unwind(AssertUnwindSafe(|| entry(input))) {
        return taken;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("fuzz-corpus-failures")
        .join(target);
    let _ = std::fs::create_dir_all(&dir);
    let saved = dir.join(format!("crash-{}", input.len()));
    let _ = std::fs::write(&saved, input);
    panic!(
        "{target} panicked on {what}; the input is saved at {} ({} bytes, starting {:?})",
        saved.display(),
        input.len(),
        String::from_utf8_lossy(&input[..input.len().min(200)])
    );
}

/// One random change (or a few) to `input`, sometimes spliced with `other`.
fn mutate(random: &mut Random, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=random.below(4) {
        let at = random.below(out.len() + 1);
        match random.below(8) {
            0 if !out.is_empty() => {
                let i = random.below(out.len());
                out[i] ^= 1 << random.below(8);
            }
            1 if !out.is_empty() => {
                let end = (at + random.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            2 => {
                let token = TOKENS[random.below(TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            3 if !other.is_empty() => {
                let from = random.below(other.len());
                let to = (from + random.below(64)).min(other.len());
                out.splice(at..at, other[from..to].iter().copied());
            }
            4 if !out.is_empty() => {
                let from = random.below(out.len());
                let to = (from + random.below(32)).min(out.len());
                let copy: Vec<u8> = out[from..to].repeat(1 + random.below(8));
                out.splice(at..at, copy);
            }
            5 => out.insert(at, random.next() as u8),
            6 => out.truncate(at),
            _ => {
                let token = TOKENS[random.below(TOKENS.len())];
                let end = (at + token.len()).min(out.len());
                out.splice(at..end, token.iter().copied());
            }
        }
    }
    out
}

fn replay_and_mutate(target: &str, entry: Entry) {
    let corpus = inputs(target);
    assert!(
        corpus.len() >= 3,
        "fuzz/corpus/{target} holds the seeds and what fuzzing found; it is missing"
    );
    let mut seeds = 0;
    for (path, bytes) in &corpus {
        let taken = run(target, entry, bytes, &path.display().to_string());
        // The hand-written seeds are valid input: the harness must really reach the parsers
        // with them (what fuzzing added is mostly broken on purpose).
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with("seed-") && !name.contains("hostile") && !name.contains("broken") {
            seeds += 1;
            assert!(taken > 0, "{target}: the seed {name} reached no parser");
        }
    }
    assert!(
        seeds >= 2,
        "{target}: the seeds are missing from fuzz/corpus"
    );
    let seed = env_number("NUDGE_FUZZ_SEED", 0x6e75_6467_6521);
    let rounds = env_number("NUDGE_FUZZ_ROUNDS", DEFAULT_ROUNDS);
    let mut random = Random(seed | 1);
    let started = Instant::now();
    for round in 0..rounds {
        if rounds == DEFAULT_ROUNDS && started.elapsed() > TIME_PER_TARGET {
            break;
        }
        let (_, input) = &corpus[random.below(corpus.len())];
        let (_, other) = &corpus[random.below(corpus.len())];
        let mutated = mutate(&mut random, input, other);
        run(
            target,
            entry,
            &mutated,
            &format!("mutation {round} of seed {seed:#x}"),
        );
    }
}

#[test]
fn stanzas_survive_the_corpus_and_mutations() {
    replay_and_mutate("stanzas", nudge::fuzzing::stanzas);
}

#[test]
fn registration_files_survive_the_corpus_and_mutations() {
    replay_and_mutate("registration", |data| {
        usize::from(nudge::fuzzing::registration(data))
    });
}

#[test]
fn api_lines_survive_the_corpus_and_mutations() {
    replay_and_mutate("api_lines", nudge::fuzzing::api_lines);
}

#[test]
fn xmpp_links_survive_the_corpus_and_mutations() {
    replay_and_mutate("xmpp_links", |data| {
        usize::from(nudge::fuzzing::xmpp_link(data))
    });
}

#[test]
fn history_files_survive_the_corpus_and_mutations() {
    replay_and_mutate("history_file", nudge::fuzzing::history_file);
}

#[test]
fn extreme_stanzas_are_refused_without_exhausting_the_stack() {
    // The guard drops these before the parser; without it the first one overflowed the stack.
    let deep = [
        b"<message from='m@evil.example/x'>".to_vec(),
        b"<a>".repeat(200_000),
        b"</a>".repeat(200_000),
        b"</message>".to_vec(),
    ]
    .concat();
    let after = b"<message from='b@example.org/x' type='chat'><body>after</body></message>";
    let deep_then_plain = [deep.as_slice(), after].concat();
    assert_eq!(
        run(
            "stanzas",
            nudge::fuzzing::stanzas,
            &deep_then_plain,
            "200,000 levels"
        ),
        1,
        "only the message after it is read"
    );
    let unclosed = b"<iq type='get'>".repeat(100_000);
    run(
        "stanzas",
        nudge::fuzzing::stanzas,
        &unclosed,
        "100,000 unclosed",
    );
    let long = [
        b"<message id='".to_vec(),
        vec![b'x'; 100_000],
        b"'><body>hi</body></message>".to_vec(),
    ]
    .concat();
    run(
        "stanzas",
        nudge::fuzzing::stanzas,
        &long,
        "a 100 KB attribute",
    );
}
