//! In-band account creation (XEP-0077): asking which fields the server wants, submitting a
//! name and password, and reading the answer in plain words.

use minidom::Element;
use xmpp_parsers::data_forms::{DataForm, FieldType};
use xmpp_parsers::ibr::{FieldsQuery, LegacyQuery};
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

/// What the server wants to create an account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistrationForm {
    /// The server's instructions, if any.
    pub instructions: Option<String>,
    /// The fields to fill in, in the server's order.
    pub fields: Vec<RegistrationField>,
    /// Whether the fields came from a data form (XEP-0004) rather than the legacy elements.
    pub data_form: bool,
    /// A web page to register on instead (XEP-0066), when the server wants that.
    pub web_page: Option<String>,
    /// The account is already registered (the request was made while signed in).
    pub registered: bool,
}

impl RegistrationForm {
    /// Required fields other than user name and password, which [`submit`] cannot fill in.
    pub fn extra_required(&self) -> Vec<&RegistrationField> {
        self.fields
            .iter()
            .filter(|f| f.required && f.var != "username" && f.var != "password")
            .collect()
    }
}

/// One field of a registration form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationField {
    /// The field's name (`username`, `password`, `email`...).
    pub var: String,
    /// The label to show, if the server gave one.
    pub label: Option<String>,
    /// Whether the server insists on it.
    pub required: bool,
    /// Whether the value is secret (a password).
    pub secret: bool,
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
            form.fields = data_form_fields(&data);
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

/// Creates the account `username` with `password` (legacy fields, which every server takes).
pub fn submit(id: &str, username: &str, password: &str) -> Iq {
    Iq::from_set(
        id,
        LegacyQuery {
            username: Some(username.to_owned()),
            password: Some(password.to_owned()),
            ..LegacyQuery::default()
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
    RegistrationField {
        var: child.name().to_owned(),
        label: None,
        required: true,
        secret: child.name() == "password",
    }
}

/// The fields of a data form a person fills in (not hidden or fixed ones).
fn data_form_fields(form: &DataForm) -> Vec<RegistrationField> {
    form.fields
        .iter()
        .filter(|f| !matches!(f.type_, FieldType::Hidden | FieldType::Fixed))
        .filter_map(|f| {
            Some(RegistrationField {
                var: f.var.clone()?,
                label: f.label.clone(),
                required: f.required,
                secret: f.type_ == FieldType::TextPrivate,
            })
        })
        .collect()
}
