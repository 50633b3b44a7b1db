//! Stanza errors (RFC 6120 §8.3) in plain words, produced in this one place.

use xmpp_parsers::stanza_error::{DefinedCondition, StanzaError};

/// The longest server-supplied explanation shown to the user.
const MAX_SERVER_TEXT: usize = 200;

/// Describes a stanza error for the user: what the condition means, then what the server said.
pub fn describe(error: &StanzaError) -> String {
    let words = condition_words(&error.defined_condition);
    match server_text(error) {
        Some(text) => format!("{words} (the server said: {text})"),
        None => words.to_owned(),
    }
}

/// The human explanation the server attached, preferring English or no language.
pub fn server_text(error: &StanzaError) -> Option<String> {
    let text = ["en", ""]
        .iter()
        .find_map(|lang| error.texts.get(*lang))
        .or_else(|| error.texts.values().next())?;
    let text = super::clip(text.trim(), MAX_SERVER_TEXT);
    (!text.is_empty()).then_some(text)
}

/// What each defined condition means to someone chatting.
fn condition_words(condition: &DefinedCondition) -> &'static str {
    use DefinedCondition as C;
    match condition {
        C::ItemNotFound => "that address does not exist",
        C::RemoteServerNotFound => "the contact's server could not be found",
        C::RemoteServerTimeout => "the contact's server did not answer in time",
        C::ServiceUnavailable | C::RecipientUnavailable => "the contact cannot receive this now",
        C::Forbidden | C::NotAllowed | C::NotAuthorized => "you are not allowed to do that",
        C::SubscriptionRequired => "the contact has to accept you first",
        C::PolicyViolation => "the server's rules do not allow it",
        C::ResourceConstraint => "the server is too busy right now",
        C::JidMalformed => "that address is not valid",
        C::Gone { .. } => "that address is no longer in use",
        C::Redirect { .. } => "that address has moved",
        C::RegistrationRequired => "you need an account on that service first",
        C::Conflict => "that conflicts with something that already exists",
        C::BadRequest | C::NotAcceptable => "the server could not accept it",
        C::FeatureNotImplemented => "the other side does not support that",
        C::InternalServerError => "the server had an internal error",
        C::UnexpectedRequest => "the server did not expect that now",
        C::UndefinedCondition => "it failed for an unknown reason",
    }
}
