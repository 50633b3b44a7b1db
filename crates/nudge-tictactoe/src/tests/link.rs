use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::json;

use crate::link::{link, translate, LinkEvent, LinkRequest};
use crate::protocol::Message;
use nudge_api::EndReason;

const ID: &str = "0b6f1a3e-5c2d-4e8f-9a1b-2c3d4e5f6a7b";

fn session(state: &str, end_reason: Option<&str>) -> serde_json::Value {
    json!({"event": "session_updated", "session": {
        "id": ID, "role": "invitee", "origin": "menu",
        "app_guid": "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}", "app_name": "Tic-Tac-Toe",
        "download_url": "https://example.org/tictactoe", "peer": "alice@example.org",
        "state": state, "context": null, "local_address": null, "remote_address": null,
        "app_present": true, "end_reason": end_reason, "end_text": null,
        "created_ms": 1767225780000_i64}})
}

#[test]
fn context_data_of_this_session_becomes_data() {
    let line = json!({"event": "session_event", "session": ID, "kind": "OnContextData",
                      "data": "tictactoe/1 move 4"});
    assert_eq!(
        translate(line, ID),
        Some(LinkEvent::Data("tictactoe/1 move 4".into()))
    );
}

#[test]
fn events_of_other_sessions_and_kinds_are_dropped() {
    let other = json!({"event": "session_event", "session": "someone-else",
                       "kind": "OnContextData", "data": "tictactoe/1 move 4"});
    assert_eq!(translate(other, ID), None);
    let chat = json!({"event": "chat_state_changed", "jid": "bob@example.org",
                      "state": "composing"});
    assert_eq!(translate(chat, ID), None);
    let unknown = json!({"event": "from_the_future", "x": 1});
    assert_eq!(translate(unknown, ID), None);
    let accepted = json!({"event": "session_event", "session": ID, "kind": "OnAccepted"});
    assert_eq!(translate(accepted, ID), None);
    assert_eq!(translate(session("CONNECTED", None), ID), None);
}

#[test]
fn termination_and_final_snapshots_end_the_game() {
    let ended = json!({"event": "session_event", "session": ID, "kind": "OnTermination",
                       "reason": "success"});
    assert_eq!(
        translate(ended, ID),
        Some(LinkEvent::Ended {
            reason: Some(EndReason::Success)
        })
    );
    assert_eq!(
        translate(session("TERMINATED", Some("timeout")), ID),
        Some(LinkEvent::Ended {
            reason: Some(EndReason::Timeout)
        })
    );
    let failed = json!({"event": "session_event", "session": ID, "kind": "OnSendError",
                        "message": "bob is offline"});
    assert_eq!(
        translate(failed, ID),
        Some(LinkEvent::SendFailed("bob is offline".into()))
    );
}

#[test]
fn the_link_carries_requests_and_wakes_the_window_per_event() {
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = wakes.clone();
    let (mut window, mut worker) = link(Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    assert!(window.send(Message::Move(4)));
    assert!(window.end());
    assert_eq!(
        worker.try_request(),
        Some(LinkRequest::Send("tictactoe/1 move 4".into()))
    );
    assert_eq!(worker.try_request(), Some(LinkRequest::End));
    assert_eq!(worker.try_request(), None);
    assert_eq!(wakes.load(Ordering::SeqCst), 0);
    assert!(worker.emit(LinkEvent::Data("x".into())));
    assert_eq!(wakes.load(Ordering::SeqCst), 1);
    assert_eq!(window.try_next(), Some(LinkEvent::Data("x".into())));
    assert_eq!(window.try_next(), None);
    drop(window);
    assert!(
        !worker.emit(LinkEvent::Data("y".into())),
        "the window is gone"
    );
    assert_eq!(wakes.load(Ordering::SeqCst), 1, "no wake for nobody");
}
