//! In-band account creation (XEP-0077): asking which fields the server wants (its data form,
//! XEP-0004, or the legacy elements), submitting them filled in, and reading the answer in
//! plain words.

use std::collections::BTreeMap;

use minidom::Element;
use serde::{Deserialize, Serialize};
use xmpp_parsers::data_forms::{DataForm, DataFormType, Field, FieldType};
use xmpp_parsers::ibr::{FieldsQuery, FormQuery};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ns;
use xmpp_parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};

use super::{clip, error, ProtocolError};

/// The legacy field names of XEP-0077 §14.1 that Nudge recognises.
const LEGACY_FIELDS: &[&str] = &[
    "username", "nick", "password", "name", "first", "last", "email", "address", "city", "state",
    "zip", "phone", "url", "date", "misc", "text", "key",
];

/// Longest instructions kept from the server.
const MAX_INSTRUCTIONS: usize = 1000;

/// Longest label, description or note kept from the server.
const MAX_TEXT: usize = 200;

/// Most fields shown from one form; a longer form is not one a person fills in.
const MAX_FIELDS: usize = 30;

/// Most choices kept for one list field.
const MAX_OPTIONS: usize = 100;

/// What the server wants to create an account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationForm {
    /// The server's instructions, if any.
    pub instructions: Option<String>,
    /// The fields to fill in, in the server's order (user name and password among them).
    pub fields: Vec<RegistrationField>,
    /// Text the server shows between the fields (data form `fixed` fields), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Values the server wants back unchanged (data form `hidden` fields, `FORM_TYPE` first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden: Vec<(String, String)>,
    /// Whether the fields came from a data form (XEP-0004) rather than the legacy elements.
    pub data_form: bool,
    /// The form asks to solve a CAPTCHA (XEP-0158), which Nudge cannot show: register on the
    /// web page instead.
    #[serde(default)]
    pub captcha: bool,
    /// A web page to register on instead (XEP-0066), when the server wants that.
    pub web_page: Option<String>,
    /// The account is already registered (the request was made while signed in).
    pub registered: bool,
}

impl RegistrationForm {
    /// Required fields other than user name and password.
    pub fn extra_required(&self) -> Vec<&RegistrationField> {
        self.fields
            .iter()
            .filter(|f| f.required && !f.is_credential())
            .collect()
    }

    /// Fields other than user name and password: what a sign-up form asks on top of the
    /// sign-in form.
    pub fn extra_fields(&self) -> impl Iterator<Item = &RegistrationField> {
        self.fields.iter().filter(|f| !f.is_credential())
    }

    /// The required fields `values` leaves empty, by label (user name and password count).
    pub fn missing(&self, values: &BTreeMap<String, String>) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.required)
            .filter(|f| values.get(&f.var).is_none_or(|v| v.trim().is_empty()))
            .map(|f| f.shown_name().to_owned())
            .collect()
    }
}

/// One field of a registration form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationField {
    /// The field's name (`username`, `password`, `email`...).
    pub var: String,
    /// The label to show, if the server gave one.
    pub label: Option<String>,
    /// Whether the server insists on it.
    pub required: bool,
    /// How it is filled in.
    pub kind: FieldKind,
    /// The server's suggested value, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The server's longer description of the field, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl RegistrationField {
    /// A field with just a name: a free text line (or hidden text for `password`), required.
    pub fn legacy(var: &str) -> Self {
        Self {
            var: var.to_owned(),
            label: None,
            required: true,
            kind: if var == "password" {
                FieldKind::Secret
            } else {
                FieldKind::Text
            },
            value: None,
            description: None,
        }
    }

    /// The user name or the password: filled from the sign-in form.
    pub fn is_credential(&self) -> bool {
        self.var == "username" || self.var == "password"
    }

    /// What to call the field: its label, else its name.
    pub fn shown_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.var)
    }
}

/// How a registration field is filled in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// One line of text shown as dots (a password or PIN).
    Secret,
    /// Several lines of text.
    Multiline,
    /// Yes or no (`1` or `0`).
    Boolean,
    /// One of the server's choices.
    Choice {
        /// The choices: the value to send and the label to show.
        options: Vec<(String, String)>,
    },
}

/// Why the server did not create the account, in plain words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// Someone already has that name (`conflict`).
    #[error("that name is taken")]
    NameTaken,
    /// Registration is switched off on this server.
    #[error("this server does not allow creating accounts")]
    NotAllowed,
    /// The name or password was refused (too short, bad characters...).
    #[error("the server did not accept that name or password{}", said(.0))]
    NotAcceptable(Option<String>),
    /// Too many accounts were created recently from this address.
    #[error("too many accounts were created from here recently; try again later{}", said(.0))]
    TryLater(Option<String>),
    /// Some other refusal.
    #[error("the server refused to create the account: {0}")]
    Refused(String),
    /// The answer did not follow the protocol.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
}

/// ` (the server said: ...)` when the server explained itself.
fn said(text: &Option<String>) -> String {
    text.as_ref()
        .map(|t| format!(" (the server said: {t})"))
        .unwrap_or_default()
}

/// Asks the server which fields it wants.
pub fn fields_request(id: &str) -> Iq {
    Iq::from_get(id, FieldsQuery)
}

/// Reads the answer to [`fields_request`].
pub fn parse_fields(iq: &Iq) -> Result<RegistrationForm, RegistrationError> {
    let query = match iq {
        Iq::Result {
            payload: Some(query),
            ..
        } if query.is("query", ns::REGISTER) => query,
        Iq::Error { error, .. } => return Err(refusal(error)),
        _ => {
            return Err(ProtocolError::Malformed {
                what: "a registration form",
            }
            .into())
        }
    };
    let mut form = RegistrationForm::default();
    let mut legacy = Vec::new();
    for child in query.children() {
        if child.is("instructions", ns::REGISTER) {
            let text = clip(child.text().trim(), MAX_INSTRUCTIONS);
            form.instructions = (!text.is_empty()).then_some(text);
        } else if child.is("registered", ns::REGISTER) {
            form.registered = true;
        } else if child.is("x", ns::DATA_FORMS) {
            let data = DataForm::try_from(child.clone()).map_err(|_| ProtocolError::Malformed {
                what: "a registration form",
            })?;
            read_data_form(&data, &mut form);
            form.data_form = true;
        } else if child.is("x", ns::OOB) {
            form.web_page = child
                .get_child("url", ns::OOB)
                .map(|url| url.text().trim().to_owned())
                .filter(|url| !url.is_empty());
        } else if child.ns() == ns::REGISTER && LEGACY_FIELDS.contains(&child.name()) {
            legacy.push(legacy_field(child));
        }
    }
    // XEP-0077 §8: when both are present, the data form is the authoritative one.
    if !form.data_form {
        form.fields = legacy;
    }
    Ok(form)
}

/// Fills in `form` with `values` (by field name; user name and password among them) to
/// create the account. A data form goes back as a data form with the server's hidden values;
/// legacy fields go back as legacy elements. Fields without a value are left out.
pub fn submit(id: &str, form: &RegistrationForm, values: &BTreeMap<String, String>) -> Iq {
    let filled = |var: &str| values.get(var).filter(|v| !v.is_empty());
    if !form.data_form {
        let mut query = Element::builder("query", ns::REGISTER);
        for field in &form.fields {
            if let Some(value) = filled(&field.var) {
                query =
                    query.append(Element::builder(&field.var, ns::REGISTER).append(value.as_str()));
            }
        }
        return Iq::Set {
            from: None,
            to: None,
            id: id.to_owned(),
            payload: query.build(),
        };
    }
    let mut fields: Vec<Field> = form
        .hidden
        .iter()
        .map(|(var, value)| Field::new(var, FieldType::Hidden).with_value(value))
        .collect();
    for field in &form.fields {
        let Some(value) = filled(&field.var) else {
            continue;
        };
        let mut answer = Field::new(&field.var, FieldType::TextSingle);
        if field.kind == FieldKind::Multiline {
            // One <value/> a line (XEP-0004 §3.3).
            answer.type_ = FieldType::TextMulti;
            answer.values = value.lines().map(str::to_owned).collect();
        } else {
            answer.values = vec![value.clone()];
        }
        fields.push(answer);
    }
    let data = DataForm {
        type_: DataFormType::Submit,
        title: None,
        instructions: None,
        fields,
    };
    Iq::from_set(
        id,
        FormQuery {
            instructions: None,
            form: data,
        },
    )
}

/// Reads the answer to [`submit`].
pub fn classify_result(iq: &Iq) -> Result<(), RegistrationError> {
    match iq {
        Iq::Result { .. } => Ok(()),
        Iq::Error { error, .. } => Err(refusal(error)),
        Iq::Get { .. } | Iq::Set { .. } => Err(ProtocolError::Unexpected {
            expected: "an answer to the registration",
            found: "a request",
        }
        .into()),
    }
}

/// A stanza error as a registration refusal.
fn refusal(stanza_error: &StanzaError) -> RegistrationError {
    use DefinedCondition as C;
    let text = error::server_text(stanza_error);
    if stanza_error.type_ == ErrorType::Wait {
        return RegistrationError::TryLater(text);
    }
    match stanza_error.defined_condition {
        C::Conflict => RegistrationError::NameTaken,
        C::NotAllowed
        | C::Forbidden
        | C::ServiceUnavailable
        | C::FeatureNotImplemented
        | C::RegistrationRequired => RegistrationError::NotAllowed,
        C::NotAcceptable | C::BadRequest | C::JidMalformed => {
            RegistrationError::NotAcceptable(text)
        }
        C::ResourceConstraint => RegistrationError::TryLater(text),
        _ => RegistrationError::Refused(error::describe(stanza_error)),
    }
}

/// A legacy field: present means required (XEP-0077 §3.1).
fn legacy_field(child: &Element) -> RegistrationField {
    RegistrationField::legacy(child.name())
}

/// Reads the parts of a data form: the fields a person fills in, the notes, the hidden values,
/// and whether it needs a CAPTCHA. Overlong text is clipped and overlong lists cut.
fn read_data_form(data: &DataForm, form: &mut RegistrationForm) {
    let text = |t: &Option<String>| t.as_deref().map(|t| clip(t.trim(), MAX_TEXT));
    for field in &data.fields {
        if !field.media.is_empty() || field.var.as_deref() == Some("ocr") {
            form.captcha = true;
        }
        let Some(var) = field.var.clone() else {
            // A `fixed` field without a name: text to show.
            form.notes
                .extend(field.values.iter().map(|v| clip(v.trim(), MAX_TEXT)));
            continue;
        };
        let kind = match field.type_ {
            FieldType::Hidden => {
                let value = field.values.first().cloned().unwrap_or_default();
                form.hidden.push((var, value));
                continue;
            }
            FieldType::Fixed => {
                form.notes
                    .extend(field.values.iter().map(|v| clip(v.trim(), MAX_TEXT)));
                continue;
            }
            FieldType::TextPrivate => FieldKind::Secret,
            FieldType::TextMulti => FieldKind::Multiline,
            FieldType::Boolean => FieldKind::Boolean,
            FieldType::ListSingle => FieldKind::Choice {
                options: field
                    .options
                    .iter()
                    .take(MAX_OPTIONS)
                    .map(|o| {
                        let label = text(&o.label).unwrap_or_else(|| o.value.clone());
                        (o.value.clone(), label)
                    })
                    .collect(),
            },
            _ => FieldKind::Text,
        };
        if form.fields.len() == MAX_FIELDS {
            continue;
        }
        let value = match field.type_ {
            FieldType::TextMulti => Some(field.values.join("\n")).filter(|v| !v.is_empty()),
            _ => field.values.first().cloned(),
        };
        form.fields.push(RegistrationField {
            var,
            label: text(&field.label),
            required: field.required,
            kind,
            value,
            description: text(&field.desc),
        });
    }
}
