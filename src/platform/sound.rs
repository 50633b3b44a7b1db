//! Sounds: the chimes of `assets/sounds/`, embedded in the binary and played on the default
//! audio output.
//!
//! Blocking: call from a blocking thread. A sound is a nicety, so playing never fails loudly: a
//! machine without an audio device (a server, CI, a muted container) plays nothing, says so once
//! in the log, and does not try the device again for a while.

use std::io::Cursor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, TryLockError};
use std::time::{Duration, Instant};

use rodio::{Decoder, Source};

use crate::model::Sound;

/// Every sound.
pub const ALL: [Sound; 3] = [Sound::NewMessage, Sound::ContactOnline, Sound::Nudge];

/// How long to leave the audio output alone after it could not be opened (each failed attempt
/// costs ALSA's probing and noise in its own error output).
const RETRY_OUTPUT_AFTER: Duration = Duration::from_secs(30);
/// Playback ends a little after the samples do, so the device drains before it closes.
const DRAIN: Duration = Duration::from_millis(50);

/// Held while a sound plays: sounds never pile up on each other (nor do attempts to open a
/// missing device).
static PLAYING: Mutex<()> = Mutex::new(());
/// When the audio output last failed to open.
static OUTPUT_FAILED_AT: Mutex<Option<Instant>> = Mutex::new(None);
/// Whether a failure has been logged at `info` already (later ones go to `debug`).
static FAILURE_LOGGED: AtomicBool = AtomicBool::new(false);

/// Why a sound was not played.
#[derive(Debug, thiserror::Error)]
pub enum SoundError {
    /// The embedded file is not a WAV this build can decode (a broken asset).
    #[error("the {sound} sound could not be decoded: {reason}")]
    Decode {
        /// Which sound.
        sound: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// There is no audio output, or it could not be opened.
    #[error("no audio output could be opened: {0}")]
    NoOutput(String),
    /// The output failed recently; it is left alone for a while.
    #[error("the audio output failed recently; not trying again yet")]
    Resting,
    /// Another sound is playing; this one is dropped rather than queued.
    #[error("another sound is playing")]
    Busy,
}

/// The name of a sound's file in `assets/sounds/`, without `.wav`.
pub fn file_name(sound: Sound) -> &'static str {
    match sound {
        Sound::NewMessage => "new_message",
        Sound::ContactOnline => "contact_online",
        Sound::Nudge => "nudge",
    }
}

/// The embedded WAV file of a sound (made by `scripts/make-assets`).
pub fn wav(sound: Sound) -> &'static [u8] {
    match sound {
        Sound::NewMessage => include_bytes!("../../assets/sounds/new_message.wav"),
        Sound::ContactOnline => include_bytes!("../../assets/sounds/contact_online.wav"),
        Sound::Nudge => include_bytes!("../../assets/sounds/nudge.wav"),
    }
}

/// Decodes a sound without opening any device.
fn decode(sound: Sound) -> Result<Decoder<Cursor<&'static [u8]>>, SoundError> {
    Decoder::new(Cursor::new(wav(sound))).map_err(|e| SoundError::Decode {
        sound: file_name(sound),
        reason: e.to_string(),
    })
}

/// How long a sound lasts, found by decoding every sample (no device needed).
pub fn duration(sound: Sound) -> Result<Duration, SoundError> {
    let decoder = decode(sound)?;
    let frames_per_second =
        f64::from(decoder.sample_rate().get()) * f64::from(decoder.channels().get());
    let samples = decoder.count();
    Ok(Duration::from_secs_f64(samples as f64 / frames_per_second))
}

/// Plays a sound to its end; failures are logged here (once at `info`), never returned.
pub fn play(sound: Sound) {
    match try_play(sound) {
        Ok(()) | Err(SoundError::Resting | SoundError::Busy) => {}
        Err(error) => {
            if FAILURE_LOGGED.swap(true, Ordering::Relaxed) {
                tracing::debug!("no sound: {error}");
            } else {
                tracing::info!("no sound: {error} (sounds stay silent while this lasts)");
            }
        }
    }
}

/// Plays a sound to its end on the default output, unless another one is playing.
pub fn try_play(sound: Sound) -> Result<(), SoundError> {
    let source = decode(sound)?;
    let _playing = match PLAYING.try_lock() {
        Ok(guard) => guard,
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(TryLockError::WouldBlock) => return Err(SoundError::Busy),
    };
    if resting(failed_at(), Instant::now()) {
        return Err(SoundError::Resting);
    }
    let mut output = match rodio::DeviceSinkBuilder::open_default_sink() {
        Ok(output) => output,
        Err(error) => {
            set_failed(Some(Instant::now()));
            return Err(SoundError::NoOutput(error.to_string()));
        }
    };
    set_failed(None);
    // Closing the output after the sound is the plan, not something to warn about.
    output.log_on_drop(false);
    let player = rodio::Player::connect_new(output.mixer());
    player.append(source);
    player.sleep_until_end();
    std::thread::sleep(DRAIN);
    Ok(())
}

/// Whether an output that failed at `failed_at` is still left alone at `now`.
fn resting(failed_at: Option<Instant>, now: Instant) -> bool {
    failed_at.is_some_and(|at| now.saturating_duration_since(at) < RETRY_OUTPUT_AFTER)
}

fn failed_at() -> Option<Instant> {
    *OUTPUT_FAILED_AT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn set_failed(at: Option<Instant>) {
    *OUTPUT_FAILED_AT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_sound_decodes_to_a_short_chime() {
        for sound in ALL {
            let length = duration(sound).expect("the embedded WAV decodes");
            assert!(
                length > Duration::from_millis(200) && length < Duration::from_secs(2),
                "{sound:?} lasts {length:?}"
            );
            let decoder = decode(sound).expect("decodes");
            let loudest = decoder.map(f32::abs).fold(0.0, f32::max);
            assert!(loudest > 0.3, "{sound:?} is audible (peak {loudest})");
        }
    }

    #[test]
    fn sounds_and_files_are_distinct() {
        let mut names: Vec<&str> = ALL.iter().map(|s| file_name(*s)).collect();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert_ne!(wav(Sound::NewMessage), wav(Sound::Nudge));
        assert_ne!(wav(Sound::NewMessage), wav(Sound::ContactOnline));
    }

    #[test]
    fn a_failed_output_rests_then_is_tried_again() {
        let now = Instant::now();
        assert!(!resting(None, now));
        assert!(resting(Some(now), now + Duration::from_secs(1)));
        assert!(!resting(Some(now), now + RETRY_OUTPUT_AFTER));
    }

    #[test]
    fn playing_needs_at_most_a_device() {
        // With audio this plays the nudge; without (CI), opening the output fails, and the
        // next attempt right after is not made at all.
        match try_play(Sound::Nudge) {
            Ok(()) => {}
            Err(SoundError::NoOutput(_)) => {
                assert!(matches!(try_play(Sound::Nudge), Err(SoundError::Resting)));
                play(Sound::Nudge);
            }
            Err(other) => panic!("the sound itself is fine, yet: {other}"),
        }
    }
}
