use std::sync::atomic::AtomicUsize;

use super::*;

#[test]
fn menu_choices_become_commands_or_window_requests() {
    assert_eq!(request(TrayAction::Open, None), TrayRequest::ShowWindow);
    assert_eq!(request(TrayAction::Quit, Some("hi")), TrayRequest::Quit);
    assert_eq!(
        request(TrayAction::SignOut, None),
        TrayRequest::Command(Command::SignOut)
    );
    assert_eq!(
        request(
            TrayAction::SetPresence(Availability::Busy),
            Some("in a meeting")
        ),
        TrayRequest::Command(Command::SetPresence {
            availability: Availability::Busy,
            status: Some("in a meeting".into()),
        }),
        "the status message is kept"
    );
    assert_eq!(
        request(TrayAction::SetPresence(Availability::AppearOffline), None),
        TrayRequest::Command(Command::SetPresence {
            availability: Availability::AppearOffline,
            status: None,
        })
    );
}

#[test]
fn the_menu_offers_presence_and_sign_out_only_when_signed_in() {
    let signed_in = TrayStatus {
        signed_in: true,
        availability: Availability::Away,
    };
    let entries = menu(&signed_in);
    let labels: Vec<&str> = entries.iter().map(|e| e.label).collect();
    assert_eq!(
        labels,
        [
            "Open Nudge",
            "Online",
            "Busy",
            "Away",
            "Appear offline",
            "Sign out",
            "Quit"
        ]
    );
    assert!(entries.iter().all(|e| e.enabled));
    let checked: Vec<&str> = entries
        .iter()
        .filter(|e| e.checked == Some(true))
        .map(|e| e.label)
        .collect();
    assert_eq!(checked, ["Away"]);

    let entries = menu(&TrayStatus::default());
    let enabled: Vec<&str> = entries
        .iter()
        .filter(|e| e.enabled)
        .map(|e| e.label)
        .collect();
    assert_eq!(enabled, ["Open Nudge", "Quit"]);
    assert!(entries.iter().all(|e| e.checked != Some(true)));
}

#[test]
fn closing_hides_in_the_tray_only_when_wanted_possible_and_not_quitting() {
    assert_eq!(on_close(true, true, false), CloseChoice::HideInTray);
    assert_eq!(
        on_close(false, true, false),
        CloseChoice::Quit,
        "setting off"
    );
    assert_eq!(on_close(true, false, false), CloseChoice::Quit, "no tray");
    assert_eq!(
        on_close(true, true, true),
        CloseChoice::Quit,
        "the tray's Quit"
    );
}

#[test]
fn the_link_carries_choices_with_a_wake_and_only_changed_statuses() {
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = wakes.clone();
    let (mut link, end) = channel(Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    end.sender.act(TrayAction::Open);
    end.sender.act(TrayAction::SignOut);
    assert_eq!(wakes.load(Ordering::SeqCst), 2);
    assert_eq!(link.actions(), [TrayAction::Open, TrayAction::SignOut]);
    assert_eq!(link.actions(), []);

    let online = TrayStatus {
        signed_in: true,
        availability: Availability::Online,
    };
    link.show_status(online);
    link.show_status(online);
    link.show_status(TrayStatus::default());
    assert_eq!(end.statuses(), [online, TrayStatus::default()]);

    assert!(link.is_shown());
    end.sender.set_shown(false);
    assert!(!link.is_shown(), "the desktop's tray host went away");
}

#[test]
fn the_tray_end_learns_when_the_window_is_gone() {
    let (link, end) = channel(Arc::new(|| {}));
    drop(link);
    assert_eq!(end.wait_status(), None);
}

#[test]
fn the_menu_is_laid_out_in_groups() {
    let shown = |status: &TrayStatus| -> Vec<&'static str> {
        layout(status)
            .iter()
            .map(|slot| match slot {
                Slot::Entry(entry) => entry.label,
                Slot::Separator => "—",
            })
            .collect()
    };
    let expected = [
        "Open Nudge",
        "—",
        "Online",
        "Busy",
        "Away",
        "Appear offline",
        "—",
        "Sign out",
        "—",
        "Quit",
    ];
    assert_eq!(shown(&TrayStatus::default()), expected);
    let away = TrayStatus {
        signed_in: true,
        availability: Availability::Away,
    };
    assert_eq!(
        shown(&away),
        expected,
        "the same places whatever the status"
    );
}

#[test]
fn nudge_starts_hidden_only_when_asked_and_a_tray_icon_can_bring_it_back() {
    assert!(starts_visible(false, true));
    assert!(starts_visible(false, false));
    assert!(!starts_visible(true, true));
    assert!(starts_visible(true, false), "no tray: the window opens");
}
