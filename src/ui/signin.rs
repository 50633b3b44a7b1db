//! The sign-in screen: address, password, advanced connection settings, and what happened.

use egui::{CollapsingHeader, RichText, ScrollArea, TextEdit, Ui};

use super::{labelled_field, send, theme, words};
use crate::config::TlsMode;
use crate::core::CommandSender;
use crate::model::{now_ms, ConnectionState};
use crate::state::AppState;
use crate::ui::view::ViewState;

/// Draws the sign-in screen.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        ui.heading("Nudge");
        ui.label("Sign in with your XMPP address.");
        ui.add_space(theme::SECTION_GAP);
        form(ui, view, commands);
        ui.add_space(theme::SECTION_GAP);
        status(ui, state, view, commands);
    });
}

fn form(ui: &mut Ui, view: &mut ViewState, commands: &CommandSender) {
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
        if let Some(command) = form.sign_in() {
            send(commands, command);
        }
    }
    if ui.button("Create a new account").clicked() {
        if let Some(command) = form.register() {
            send(commands, command);
        }
    }
}

fn status(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    if let Some(text) = words::connection(&state.connection, now_ms()) {
        let colour = match state.connection {
            ConnectionState::Connecting | ConnectionState::Reconnecting { .. } => theme::WARNING,
            _ => theme::ERROR,
        };
        ui.label(RichText::new(text).color(colour));
    }
    if let ConnectionState::CertificateRejected { fingerprint, .. } = &state.connection {
        ui.label("Only trust it if this matches the SHA-256 fingerprint your server shows:");
        ui.label(RichText::new(fingerprint).monospace());
        if ui.button("Trust this certificate").clicked() {
            if let Some(command) = view.sign_in.trust_and_sign_in(fingerprint) {
                send(commands, command);
            }
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
