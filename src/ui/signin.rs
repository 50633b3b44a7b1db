//! The sign-in screen: address, password, sign-in preferences, advanced connection settings,
//! and what happened.

use egui::{CollapsingHeader, RichText, ScrollArea, TextEdit, Ui};

use super::{labelled_field, send, settings, signup, theme, words};
use crate::command::Command;
use crate::config::TlsMode;
use crate::core::CommandSender;
use crate::model::{now_ms, Availability, ConnectionState};
use crate::state::AppState;
use crate::ui::view::ViewState;

/// Draws the sign-in screen.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        ui.heading("Nudge");
        ui.label("Sign in with your XMPP address.");
        if let Some(jid) = view.links.waiting_for() {
            ui.label(format!(
                "Once you are signed in, Nudge opens the link to {jid}."
            ));
        }
        ui.add_space(theme::SECTION_GAP);
        form(ui, state, view, commands);
        ui.add_space(theme::SECTION_GAP);
        status(ui, state, view, commands);
    });
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
    let form = &mut view.sign_in;
    labelled_field(
        ui,
        "Address",
        TextEdit::singleline(&mut form.jid)
            .hint_text("alice@example.org")
            .desired_width(theme::FORM_FIELD_WIDTH),
    );
    let password = labelled_field(
        ui,
        "Password",
        TextEdit::singleline(&mut form.password)
            .password(true)
            .desired_width(theme::FORM_FIELD_WIDTH),
    );
    let pressed_enter = password.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.checkbox(&mut form.remember_password, "Remember my password");
    if settings::sign_in_preferences(ui, view.settings.draft(&state.settings)) {
        send(commands, view.settings.save());
    }
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
    if let Some(error) = &form.error {
        ui.label(RichText::new(error.to_string()).color(theme::ERROR));
    }
    ui.add_space(theme::SMALL_GAP);
    if ui.button("Sign in").clicked() || pressed_enter {
        let command = form.sign_in();
        sign_in(view, commands, command);
    }
    signup::create_button(ui, view, commands);
    signup::show(ui, state, view, commands);
}

fn status(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    if let Some(text) = words::connection(&state.connection, now_ms()) {
        let colour = match state.connection {
            ConnectionState::Connecting | ConnectionState::Reconnecting { .. } => theme::WARNING,
            _ => theme::ERROR,
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
                    .color(theme::ERROR),
            );
        }
        None => {}
    }
}
