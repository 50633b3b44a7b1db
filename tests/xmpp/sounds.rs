//! The core plays sounds on request without holding up the account, and a machine without an
//! audio device (like CI) reports nothing to the user about it.

use nudge::command::Command;
use nudge::config::{Profile, Settings};
use nudge::core::{AccountOptions, Core};
use nudge::event::Event;
use nudge::invite::cookies::LaunchCookies;
use nudge::model::Sound;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sounds_are_played_quietly_and_the_core_keeps_answering() {
    let dir = tempfile::tempdir().expect("temp dir");
    let core = Core::start(
        &tokio::runtime::Handle::current(),
        Profile::under(dir.path(), "test"),
        AccountOptions::default(),
        None,
        LaunchCookies::default(),
    )
    .expect("core starts");
    let mut events = core.events().subscribe(None);
    for sound in [
        Sound::NewMessage,
        Sound::ContactOnline,
        Sound::Nudge,
        Sound::Nudge,
    ] {
        assert!(core.commands().send(Command::PlaySound { sound }));
    }
    let mut settings = Settings::default();
    settings.sounds.nudge = false;
    core.commands().send(Command::SaveSettings {
        settings: settings.clone(),
    });
    // Events are answered in order, so everything the sounds caused arrives before this.
    let seen = nudge_testkit::client::until_settings_echo(&mut events, &settings).await;
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Problem { .. })),
        "no problem reported: {seen:?}"
    );
    core.shutdown().await;
}
