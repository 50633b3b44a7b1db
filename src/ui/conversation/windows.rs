//! Conversations in windows: each in its own native window (an egui viewport), or all as tabs
//! of one "Conversations" window, as the settings say. The contact list stays the main window.
//!
//! Immediate viewports, not deferred ones: a deferred viewport draws later from a `'static`,
//! `Send + Sync` closure, which could reach the state only through shared locks, and the UI
//! takes no locks. What immediate viewports cost — the windows are redrawn together — is small
//! for a few conversations, and an idle window still never repaints.
//!
//! Where the backend cannot open native windows (egui_kittest, the web), each conversation is
//! an egui window inside the main one, at the same staggered place, with a close button.

use std::time::Duration;

use egui::{
    Button, Context, Id, LayerId, Order, Panel, Pos2, RichText, Ui, UserAttentionType,
    ViewportBuilder, ViewportCommand, ViewportId,
};

use crate::command::Command;
use crate::config::ConversationLayout;
use crate::core::CommandSender;
use crate::model::{BareJid, ChatState};
use crate::state::AppState;
use crate::ui::view::{ViewState, HISTORY_LIMIT};
use crate::ui::windows::{self, shake_step, Shake, ShakeStep, WindowRequest};
use crate::ui::{send, theme};

/// Shows every open conversation, in windows or tabs, and takes the nudges that arrived.
pub fn show_all(ctx: &Context, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    take_nudges(ctx, state, view);
    load_history(view, commands);
    match state.settings.conversations {
        ConversationLayout::Windows => {
            let peers: Vec<BareJid> = view
                .windows
                .open_conversations()
                .iter()
                .map(|c| c.peer.clone())
                .collect();
            for peer in peers {
                show_window(ctx, state, view, commands, &peer);
            }
        }
        ConversationLayout::Tabs => show_tabs(ctx, state, view, commands),
    }
}

/// Shows the nudges that arrived as lines, and shakes and rings for them.
fn take_nudges(ctx: &Context, state: &AppState, view: &mut ViewState) {
    let now = ctx.input(|i| i.time);
    let settings = &state.settings;
    for jid in view.windows.take_pending_nudges() {
        view.windows.nudge_received(
            &jid,
            now,
            settings.shake_on_nudge,
            settings.open_conversation_on_message,
        );
    }
}

/// Asks for the history of conversations that a message opened.
fn load_history(view: &mut ViewState, commands: &CommandSender) {
    for peer in view.windows.history_wanted() {
        send(
            commands,
            Command::LoadHistory {
                peer,
                limit: HISTORY_LIMIT,
            },
        );
    }
}

fn unread(state: &AppState, peer: &BareJid) -> usize {
    state.conversations.get(peer).map_or(0, |c| c.unread)
}

fn name<'a>(state: &'a AppState, peer: &'a BareJid) -> &'a str {
    state
        .contacts
        .get(peer)
        .map_or(peer.as_str(), |e| e.display_name())
}

fn show_window(
    ctx: &Context,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
    peer: &BareJid,
) {
    let Some(open) = view.windows.get(peer) else {
        return;
    };
    let spec = Spec {
        key: windows::window_key(peer),
        title: windows::title(name(state, peer), peer.as_str(), unread(state, peer)),
        slot: open.slot,
        background: open.opened_in_background,
        requests: view.windows.take_requests(peer),
        shaking: Some(peer.clone()),
    };
    let shown = {
        frame(ctx, view, spec, |ui, view| {
            super::show(ui, state, view, commands, peer);
        })
    };
    looked_at(state, view, commands, peer, shown.focused);
    if shown.closed {
        close(view, commands, peer);
    }
}

fn show_tabs(ctx: &Context, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let peers: Vec<BareJid> = view
        .windows
        .open_conversations()
        .iter()
        .map(|c| c.peer.clone())
        .collect();
    let Some(first) = view.windows.open_conversations().first() else {
        return;
    };
    let (first, slot, background) = (first.peer.clone(), first.slot, first.opened_in_background);
    let mut requests = Vec::new();
    for peer in &peers {
        for request in view.windows.take_requests(peer) {
            if request == WindowRequest::Focus {
                view.windows.active_tab = Some(peer.clone());
            }
            requests.push(request);
        }
    }
    let active = match view.windows.active_tab.clone() {
        Some(peer) if peers.contains(&peer) => peer,
        _ => first,
    };
    view.windows.active_tab = Some(active.clone());
    let spec = Spec {
        key: windows::TABS_KEY.to_string(),
        title: windows::tabs_title(peers.iter().map(|p| unread(state, p)).sum()),
        slot,
        background,
        requests,
        shaking: peers
            .iter()
            .find(|p| view.windows.get(p).is_some_and(|c| c.shake.is_some()))
            .cloned(),
    };
    let mut closed_tab = None;
    let shown = {
        frame(ctx, view, spec, |ui, view| {
            Panel::top("conversation-tabs").show(ui, |ui| {
                closed_tab = tab_strip(ui, state, view, &peers, &active);
            });
            let shown = view.windows.active_tab.clone().unwrap_or(active.clone());
            ui.push_id(&shown, |ui| super::show(ui, state, view, commands, &shown));
        })
    };
    for peer in &peers {
        let looking = shown.focused && view.windows.active_tab.as_ref() == Some(peer);
        looked_at(state, view, commands, peer, looking);
    }
    if shown.closed {
        for peer in &peers {
            close(view, commands, peer);
        }
    } else if let Some(peer) = closed_tab {
        close(view, commands, &peer);
    }
}

/// The row of tabs, one per conversation, each with its close button; returns the tab closed.
fn tab_strip(
    ui: &mut Ui,
    state: &AppState,
    view: &mut ViewState,
    peers: &[BareJid],
    active: &BareJid,
) -> Option<BareJid> {
    let mut closed = None;
    ui.horizontal_wrapped(|ui| {
        for peer in peers {
            let name = name(state, peer);
            let tab = ui.add(Button::selectable(peer == active, name));
            if tab.clicked() {
                view.windows.active_tab = Some(peer.clone());
                if let Some(open) = view.windows.get_mut(peer) {
                    open.focus_composer = true;
                }
            }
            let unread = unread(state, peer);
            if unread > 0 && peer != active {
                ui.label(
                    RichText::new(format!("{unread} new"))
                        .strong()
                        .color(theme::colours(ui).accent_text),
                );
            }
            let close = ui
                .small_button("×")
                .accessible_name(format!("Close {name}"))
                .on_hover_text(format!("Close the conversation with {name}"));
            if close.clicked() {
                closed = Some(peer.clone());
            }
            ui.add_space(theme::SMALL_GAP);
        }
    });
    closed
}

/// The user is looking at the conversation with `peer` or not: asks the core to mark it read,
/// or asks for attention once for new messages. The core's answer repaints the title.
fn looked_at(
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
    peer: &BareJid,
    focused: bool,
) {
    let unread = unread(state, peer);
    let looking = view.windows.observe_focus(peer, focused, unread);
    if view.windows.ask_read(peer, unread, looking) {
        send(commands, Command::MarkRead { peer: peer.clone() });
    }
}

/// Closes one conversation; the contact learns the user left it (XEP-0085 `gone`).
fn close(view: &mut ViewState, commands: &CommandSender, peer: &BareJid) {
    view.windows.close(peer);
    view.row_heights.remove(peer);
    let told = view
        .typing
        .remove(peer)
        .is_some_and(|t| t.last_sent.is_some());
    if told {
        super::send_chat_state(commands, peer, ChatState::Gone);
    }
}

/// A window to show this frame.
struct Spec {
    /// Names the window (and its viewport) across frames.
    key: String,
    title: String,
    slot: usize,
    /// It opened for a message: it must not take the focus when it appears.
    background: bool,
    requests: Vec<WindowRequest>,
    /// The conversation whose shake moves this window, if any.
    shaking: Option<BareJid>,
}

/// What a window reported after its frame.
struct Shown {
    closed: bool,
    focused: bool,
}

/// Shows one window with `contents`, natively when the backend can, else inside the main one.
fn frame(
    ctx: &Context,
    view: &mut ViewState,
    spec: Spec,
    contents: impl FnMut(&mut Ui, &mut ViewState),
) -> Shown {
    if ctx.embed_viewports() {
        embedded::frame(ctx, view, spec, contents)
    } else {
        native(ctx, view, spec, contents)
    }
}

fn native(
    ctx: &Context,
    view: &mut ViewState,
    spec: Spec,
    mut contents: impl FnMut(&mut Ui, &mut ViewState),
) -> Shown {
    let id = ViewportId::from_hash_of(&spec.key);
    for request in &spec.requests {
        let command = match request {
            WindowRequest::Focus => ViewportCommand::Focus,
            WindowRequest::Attention => {
                ViewportCommand::RequestUserAttention(UserAttentionType::Informational)
            }
            WindowRequest::ResetAttention => {
                ViewportCommand::RequestUserAttention(UserAttentionType::Reset)
            }
        };
        ctx.send_viewport_cmd_to(id, command);
    }
    if let Some(peer) = &spec.shaking {
        let home = || {
            ctx.input_for(id, |i| i.viewport().outer_rect.map(|r| r.min))
                .or(Some(windows::position(spec.slot)))
        };
        if let Some(to) = shake(ctx, view, peer, home) {
            ctx.send_viewport_cmd_to(id, ViewportCommand::OuterPosition(to));
        }
    }
    let builder = ViewportBuilder::default()
        .with_title(spec.title)
        // The contact list's app id: docks group the windows under Nudge's one icon.
        .with_app_id(crate::platform::desktop_entry::APP_ID)
        .with_icon(crate::ui::window_icon())
        .with_inner_size(theme::CONVERSATION_SIZE)
        .with_min_inner_size(theme::CONVERSATION_MIN_SIZE)
        .with_position(windows::position(spec.slot))
        .with_active(!spec.background);
    ctx.show_viewport_immediate(id, builder, |ui, _class| {
        contents(ui, view);
        let closed = ui.input(|i| i.viewport().close_requested());
        let focused = ui.input(|i| i.viewport().focused) == Some(true);
        Shown { closed, focused }
    })
}

/// Moves a shaking window on: returns where to put it when that changes, and schedules the
/// next step. The shake ends with the window back home.
fn shake(
    ctx: &Context,
    view: &mut ViewState,
    peer: &BareJid,
    home: impl FnOnce() -> Option<Pos2>,
) -> Option<Pos2> {
    let now = ctx.input(|i| i.time);
    let open = view.windows.get_mut(peer)?;
    let shake: &mut Shake = open.shake.as_mut()?;
    let started = *shake.started_at.get_or_insert(now);
    if shake.home.is_none() {
        shake.home = home();
    }
    let Some(home) = shake.home else {
        open.shake = None;
        return None;
    };
    match shake_step(now - started) {
        ShakeStep::At {
            step,
            offset,
            next_in,
        } => {
            ctx.request_repaint_after(Duration::from_secs_f64(next_in.max(0.0)));
            (shake.last_step != Some(step)).then(|| {
                shake.last_step = Some(step);
                home + offset
            })
        }
        ShakeStep::Done => {
            open.shake = None;
            Some(home)
        }
    }
}

/// Conversation windows drawn inside the main window, for backends without native windows.
mod embedded {
    use super::*;

    fn window_id(key: &str) -> Id {
        Id::unique(("conversation-window", key))
    }

    pub fn frame(
        ctx: &Context,
        view: &mut ViewState,
        spec: Spec,
        mut contents: impl FnMut(&mut Ui, &mut ViewState),
    ) -> Shown {
        let id = window_id(&spec.key);
        let layer = LayerId::new(Order::Middle, id);
        let first_frame = ctx.memory(|m| m.area_rect(id)).is_none();
        let focus = spec.requests.contains(&WindowRequest::Focus);
        let mut window = egui::Window::new(&spec.title)
            .id(id)
            .default_pos(windows::position(spec.slot))
            .default_size(theme::CONVERSATION_SIZE)
            .collapsible(false)
            .resizable(true);
        if let Some(peer) = &spec.shaking {
            let home = || ctx.memory(|m| m.area_rect(id)).map(|r| r.min);
            if let Some(to) = super::shake(ctx, view, peer, home) {
                window = window.current_pos(to);
            }
        }
        let mut open = true;
        window.open(&mut open).show(ctx, |ui| contents(ui, view));
        let pressed_at = ctx.input(|i| {
            i.pointer
                .any_pressed()
                .then(|| i.pointer.press_origin())
                .flatten()
        });
        let pressed_here = pressed_at.is_some_and(|at| ctx.layer_id_at(at) == Some(layer));
        if focus || pressed_here {
            view.windows.embedded_focus = Some(spec.key.clone());
            ctx.move_to_top(layer);
        } else if first_frame && spec.background {
            // A new window comes up on top; one that opened for a message must not.
            if let Some(front) = &view.windows.embedded_focus {
                ctx.move_to_top(LayerId::new(Order::Middle, window_id(front)));
            }
        }
        Shown {
            closed: !open,
            focused: view.windows.embedded_focus.as_deref() == Some(spec.key.as_str()),
        }
    }
}
