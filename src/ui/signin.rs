//! The sign-in screen: address, password, sign-in preferences, advanced connection settings,
//! and what happened.

use egui::{CollapsingHeader, RichText, Role, ScrollArea, TextEdit, Ui, WidgetInfo};

use super::contacts::own_label;
use super::{avatar, brand, labelled_field, send, settings, signup, theme, words};
use crate::command::Command;
use crate::config::TlsMode;
use crate::core::CommandSender;
use crate::model::{now_ms, Availability, ConnectionState};
use crate::state::AppState;
use crate::ui::view::ViewState;

/// The greeting under the display picture (a heading).
pub const GREETING: &str = "Welcome to Nudge";

/// Draws the sign-in screen: a centred column, as Messenger's was, with the logo, the
/// display picture in a frame the colour of "Sign in as", and the form under them.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        let width = theme::SIGN_IN_WIDTH.min(ui.available_width());
        let margin = ((ui.available_width() - width) / 2.0).max(0.0);
        ui.horizontal_top(|ui| {
            ui.add_space(margin);
            ui.vertical(|ui| {
                ui.set_width(width);
                ui.add_space(theme::SECTION_GAP);
                brand::logo_and_wordmark(ui);
                ui.add_space(theme::SECTION_GAP);
                greeting(ui, state, view);
                if let Some(jid) = view.links.waiting_for() {
                    ui.label(format!(
                        "Once you are signed in, Nudge opens the link to {jid}."
                    ));
                }
                ui.add_space(theme::SECTION_GAP);
                form(ui, state, view, commands);
                ui.add_space(theme::LARGE_GAP);
            });
        });
    });
}

/// The display picture (the user's, once known) framed in the colour of the presence they
/// will sign in with, and the words under it.
fn greeting(ui: &mut Ui, state: &AppState, view: &ViewState) {
    let picture = crate::xmpp::parse_bare(view.sign_in.jid.trim())
        .ok()
        .and_then(|me| state.avatars.get(&me));
    let palette = theme::colours(ui);
    ui.vertical_centered(|ui| {
        let presence = state.settings.sign_in_as;
        let frame = avatar::own_picture(ui, picture, theme::SIGN_IN_PICTURE_SIDE, presence);
        // The frame's colour, in words: "Signing in as Busy".
        let said = signing_in_as(presence);
        frame.widget_info(|| WidgetInfo::labeled(Role::Image, true, &said));
        ui.add_space(theme::GAP);
        ui.heading(GREETING);
        ui.label(RichText::new("Sign in with your XMPP address.").color(palette.muted));
    });
}

/// What the sign-in screen's picture frame says: the presence the user will sign in with.
pub fn signing_in_as(presence: Availability) -> String {
    format!("Signing in as {}", own_label(presence))
}

/// Once online, switches to the presence chosen under "Sign in as" (once per sign-in).
///
/// The core signs in as Online; this follows with the chosen presence right away.
pub fn after_sign_in(state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    if view.settings.sign_in_as_applied || !state.connection.is_online() {
        return;
    }
    view.settings.sign_in_as_applied = true;
    let wanted = state.settings.sign_in_as;
    if !matches!(wanted, Availability::Online | Availability::Offline)
        && wanted != state.own_availability
    {
        send(
            commands,
            Command::SetPresence {
                availability: wanted,
                status: state.own_status.clone(),
            },
        );
    }
}

/// Sends a command that signs in, remembering to set the chosen presence once online.
pub(super) fn sign_in(view: &mut ViewState, commands: &CommandSender, command: Option<Command>) {
    if let Some(command) = command {
        view.settings.sign_in_as_applied = false;
        send(commands, command);
    }
}

fn form(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let width = ui.available_width();
    let form = &mut view.sign_in;
    labelled_field(
        ui,
        "Address",
        TextEdit::singleline(&mut form.jid)
            .hint_text("alice@example.org")
            .desired_width(width),
    );
    let password = labelled_field(
        ui,
        "Password",
        TextEdit::singleline(&mut form.password)
            .password(true)
            .desired_width(width),
    );
    let pressed_enter = password.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.add_space(theme::SMALL_GAP);
    if settings::sign_in_preferences(ui, view.settings.draft(&state.settings)) {
        send(commands, view.settings.save());
    }
    let form = &mut view.sign_in;
    ui.checkbox(&mut form.remember_password, "Remember my password");
    if let Some(error) = &form.error {
        ui.label(RichText::new(error.to_string()).color(theme::colours(ui).error));
    }
    ui.add_space(theme::GAP);
    if theme::primary_button(ui, "Sign in", width).clicked() || pressed_enter {
        let command = form.sign_in();
        sign_in(view, commands, command);
    }
    // What happened to the last attempt, where the eyes are after pressing Sign in.
    status(ui, state, view, commands);
    signup::create_button(ui, view, commands);
    let form = &mut view.sign_in;
    CollapsingHeader::new("Advanced").show(ui, |ui| {
        labelled_field(
            ui,
            "Server host",
            TextEdit::singleline(&mut form.host)
                .hint_text("found from the address")
                .desired_width(theme::FORM_FIELD_WIDTH),
        );
        labelled_field(
            ui,
            "Port",
            TextEdit::singleline(&mut form.port)
                .hint_text("5222")
                .desired_width(theme::FORM_FIELD_WIDTH),
        );
        ui.label("Security");
        ui.radio_value(&mut form.tls, TlsMode::Auto, "Automatic");
        ui.radio_value(&mut form.tls, TlsMode::StartTls, "STARTTLS");
        ui.radio_value(&mut form.tls, TlsMode::DirectTls, "Direct TLS");
        if form.tls == TlsMode::PlaintextLoopback {
            // Only offered when the saved account already uses it (tests on this computer).
            ui.radio_value(
                &mut form.tls,
                TlsMode::PlaintextLoopback,
                "No encryption (this computer only)",
            );
        }
    });
    signup::show(ui, state, view, commands);
}

fn status(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    if let Some(text) = words::connection(&state.connection, now_ms()) {
        let colour = match state.connection {
            ConnectionState::Connecting | ConnectionState::Reconnecting { .. } => {
                theme::colours(ui).warning
            }
            _ => theme::colours(ui).error,
        };
        ui.label(RichText::new(text).color(colour));
    }
    if matches!(
        state.connection,
        ConnectionState::Connecting | ConnectionState::Reconnecting { .. }
    ) && ui.button("Stop trying").clicked()
    {
        send(commands, Command::SignOut);
    }
    if let ConnectionState::CertificateRejected { fingerprint, .. } = &state.connection {
        ui.label("Only trust it if this matches the SHA-256 fingerprint your server shows:");
        ui.label(RichText::new(fingerprint).monospace());
        if ui.button("Trust this certificate").clicked() {
            let command = view.sign_in.trust_and_sign_in(fingerprint);
            sign_in(view, commands, command);
        }
    }
    match &state.registration {
        Some(Ok(jid)) => {
            ui.label(format!("The account {jid} was created."));
        }
        Some(Err(message)) => {
            ui.label(
                RichText::new(format!("Could not create the account: {message}"))
                    .color(theme::colours(ui).error),
            );
        }
        None => {}
    }
}
