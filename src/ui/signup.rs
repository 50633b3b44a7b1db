//! Creating a new account (XEP-0077) with the server's own form: "Create a new account" asks
//! the server what it wants; its instructions and fields (beyond the address and password
//! already on the sign-in screen) are shown here, filled in, and sent with `RegisterAccount`.

use std::collections::BTreeMap;

use egui::{ComboBox, RichText, TextEdit, Ui};

use super::{labelled_field, send, theme, words};
use crate::core::CommandSender;
use crate::model::bare_jid;
use crate::state::AppState;
use crate::ui::view::ViewState;
use crate::xmpp::register::{FieldKind, RegistrationField, RegistrationForm};

/// The button that asks the server for its form.
pub const CREATE_LABEL: &str = "Create a new account";

/// The button that sends the filled-in form.
pub const SUBMIT_LABEL: &str = "Create the account";

/// The button that puts the form away.
pub const CANCEL_LABEL: &str = "Cancel account creation";

/// What the window keeps of the sign-up form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignUpForm {
    /// The bare JID whose form was asked for; the form shows while it matches the address.
    pub asked_for: Option<String>,
    /// What the user typed, by field name (filled from the server's suggestions first).
    pub values: BTreeMap<String, String>,
}

impl SignUpForm {
    /// Starts over for `jid`.
    fn ask(&mut self, jid: String) {
        self.asked_for = Some(jid);
        self.values.clear();
    }

    /// The values to send for `form`: the user's, for the fields beyond address and password.
    fn answers(&self, form: &RegistrationForm) -> BTreeMap<String, String> {
        form.extra_fields()
            .filter_map(|f| Some((f.var.clone(), self.values.get(&f.var)?.clone())))
            .filter(|(_, value)| !value.trim().is_empty())
            .collect()
    }
}

/// The "Create a new account" button: validates the address and asks for the server's form.
pub fn create_button(ui: &mut Ui, view: &mut ViewState, commands: &CommandSender) {
    let wide = egui::vec2(ui.available_width(), theme::CONTROL_HEIGHT);
    let clicked = ui
        .add(
            egui::Button::new((egui::Atom::grow(), CREATE_LABEL, egui::Atom::grow()))
                .min_size(wide),
        )
        .on_hover_text("Asks the server of the address above what it needs for a new account")
        .clicked();
    if !clicked {
        return;
    }
    if let Some(command) = view.sign_in.ask_registration_form() {
        view.sign_up.ask(bare_jid(&view.sign_in.jid));
        send(commands, command);
    }
}

/// The server's form for the address on the sign-in screen, once it came, or a note while it
/// is on its way.
pub fn show(ui: &mut Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let Some(asked) = view.sign_up.asked_for.clone() else {
        return;
    };
    if asked != bare_jid(&view.sign_in.jid) {
        // The address changed: that form is for another account.
        view.sign_up = SignUpForm::default();
        return;
    }
    let form = match &state.registration_form {
        Some((jid, form)) if jid.as_str() == asked => form,
        _ => {
            if state.registration.is_none() {
                ui.label(
                    RichText::new(words::asking_for_form(&asked)).color(theme::colours(ui).muted),
                );
            }
            return;
        }
    };
    ui.add_space(theme::SECTION_GAP);
    ui.heading(format!("New account: {asked}"));
    if form.registered {
        ui.label("This account already exists on the server: sign in with it instead.");
    }
    if let Some(instructions) = &form.instructions {
        ui.label(words::plain(instructions, true));
    }
    for note in &form.notes {
        ui.label(RichText::new(words::plain(note, true)).color(theme::colours(ui).muted));
    }
    if form.captcha {
        ui.label(
            RichText::new(
                "This server asks to solve a picture puzzle, which Nudge cannot show. \
                 Create the account on the server's website instead.",
            )
            .color(theme::colours(ui).warning),
        );
    }
    if let Some(page) = &form.web_page {
        ui.label("The server's sign-up page (copy it into your browser):");
        ui.label(RichText::new(words::plain(page, false)).monospace());
    }
    for field in form.extra_fields() {
        field_editor(ui, field, &mut view.sign_up.values);
    }
    ui.add_space(theme::SMALL_GAP);
    ui.horizontal(|ui| {
        if ui.button(SUBMIT_LABEL).clicked() {
            let answers = view.sign_up.answers(form);
            // Creating the account signs in with it: like signing in, it follows "Sign in as".
            let command = view.sign_in.register(answers);
            super::signin::sign_in(view, commands, command);
        }
        if ui.button(CANCEL_LABEL).clicked() {
            view.sign_up = SignUpForm::default();
        }
    });
}

/// One field beyond address and password, labelled with the server's words.
fn field_editor(ui: &mut Ui, field: &RegistrationField, values: &mut BTreeMap<String, String>) {
    let value = values
        .entry(field.var.clone())
        .or_insert_with(|| field.value.clone().unwrap_or_default());
    let label = words::plain(field.shown_name(), false);
    let hint = if field.required {
        "required"
    } else {
        "optional"
    };
    match &field.kind {
        FieldKind::Text | FieldKind::Secret => {
            labelled_field(
                ui,
                &label,
                TextEdit::singleline(value)
                    .password(field.kind == FieldKind::Secret)
                    .hint_text(hint)
                    .desired_width(theme::FORM_FIELD_WIDTH),
            );
        }
        FieldKind::Multiline => {
            labelled_field(
                ui,
                &label,
                TextEdit::multiline(value)
                    .hint_text(hint)
                    .desired_rows(3)
                    .desired_width(theme::FORM_FIELD_WIDTH),
            );
        }
        FieldKind::Boolean => {
            let mut on = matches!(value.as_str(), "1" | "true");
            if ui.checkbox(&mut on, label).changed() {
                *value = if on { "1" } else { "0" }.to_string();
            }
        }
        FieldKind::Choice { options } => {
            let shown = options
                .iter()
                .find(|(v, _)| v == value)
                .map_or(hint, |(_, l)| l.as_str());
            ComboBox::from_label(label)
                .selected_text(words::plain(shown, false))
                .show_ui(ui, |ui| {
                    for (option, option_label) in options {
                        ui.selectable_value(
                            value,
                            option.clone(),
                            words::plain(option_label, false),
                        );
                    }
                });
        }
    }
    if let Some(description) = &field.description {
        ui.label(
            RichText::new(words::plain(description, true))
                .small()
                .color(theme::colours(ui).muted),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(var: &str, required: bool) -> RegistrationField {
        RegistrationField {
            required,
            ..RegistrationField::legacy(var)
        }
    }

    #[test]
    fn answers_hold_only_filled_fields_beyond_address_and_password() {
        let form = RegistrationForm {
            fields: vec![
                field("username", true),
                field("password", true),
                field("email", true),
                field("name", false),
                field("city", false),
            ],
            ..RegistrationForm::default()
        };
        let mut sign_up = SignUpForm::default();
        for (var, value) in [
            ("username", "typed by mistake"),
            ("email", "alice@example.org"),
            ("name", "  "),
        ] {
            sign_up.values.insert(var.into(), value.into());
        }
        let answers = sign_up.answers(&form);
        assert_eq!(
            answers,
            BTreeMap::from([("email".to_string(), "alice@example.org".to_string())])
        );
        assert_eq!(form.missing(&answers), vec!["username", "password"]);
    }
}
