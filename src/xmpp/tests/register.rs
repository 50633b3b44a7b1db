//! In-band registration (XEP-0077).

use xmpp_parsers::ns;

use super::{fixture, iq, round_trip};
use crate::xmpp::register::{
    classify_result, fields_request, parse_fields, submit, RegistrationError, RegistrationField,
};
use crate::xmpp::ProtocolError;

/// A field as the tests write it.
fn field(var: &str, label: Option<&str>, required: bool, secret: bool) -> RegistrationField {
    RegistrationField {
        var: var.into(),
        label: label.map(Into::into),
        required,
        secret,
    }
}

/// An error answer with the given type, condition and optional text.
fn error_iq(type_: &str, condition: &str, text: Option<&str>) -> String {
    let text = text
        .map(|t| format!("<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>{t}</text>"))
        .unwrap_or_default();
    format!("<iq xmlns='jabber:client' type='error' id='reg'><error type='{type_}'><{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>{text}</error></iq>")
}

#[test]
fn fields_request_is_an_empty_register_get() {
    let stanza = round_trip(fields_request("reg-1"));
    assert_eq!(stanza.attr("type"), Some("get"));
    assert_eq!(stanza.attr("id"), Some("reg-1"));
    let query = stanza.get_child("query", ns::REGISTER).unwrap();
    assert_eq!(query.children().count(), 0);
}

#[test]
fn prosody_form_prefers_the_data_form() {
    let form = parse_fields(&iq(fixture!("register_form_prosody"))).unwrap();
    assert!(form.data_form);
    assert!(!form.registered);
    assert_eq!(
        form.instructions.as_deref(),
        Some("Choose a username and password for use with this service.")
    );
    assert_eq!(
        form.fields,
        vec![
            field("username", Some("Username"), true, false),
            field("password", Some("Password"), true, true),
            field("email", Some("Email"), false, false),
        ]
    );
    assert!(form.extra_required().is_empty(), "email is optional");
}

#[test]
fn legacy_form_requires_every_listed_field() {
    let form = parse_fields(&iq(fixture!("register_legacy"))).unwrap();
    assert!(!form.data_form);
    assert_eq!(
        form.fields,
        vec![
            field("username", None, true, false),
            field("password", None, true, true),
            field("email", None, true, false),
        ]
    );
    let extra: Vec<&str> = form
        .extra_required()
        .iter()
        .map(|f| f.var.as_str())
        .collect();
    assert_eq!(extra, vec!["email"]);
    assert!(form.instructions.unwrap().starts_with("Choose a username"));
}

#[test]
fn registered_flag_and_web_page() {
    let xml = "<iq xmlns='jabber:client' type='result' id='r'><query xmlns='jabber:iq:register'><registered/><username>alice</username><password/><x xmlns='jabber:x:oob'><url> https://example.org/signup </url></x></query></iq>";
    let form = parse_fields(&iq(xml)).unwrap();
    assert!(form.registered);
    assert_eq!(form.web_page.as_deref(), Some("https://example.org/signup"));
}

#[test]
fn unreadable_forms_are_protocol_errors() {
    let cases = [
        "<iq xmlns='jabber:client' type='result' id='r'/>",
        "<iq xmlns='jabber:client' type='result' id='r'><query xmlns='jabber:iq:roster'/></iq>",
        // A data form field without a name is invalid (XEP-0004).
        "<iq xmlns='jabber:client' type='result' id='r'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='form'><field type='text-single'/></x></query></iq>",
    ];
    for xml in cases {
        assert!(
            matches!(
                parse_fields(&iq(xml)),
                Err(RegistrationError::Protocol(ProtocolError::Malformed { .. }))
            ),
            "{xml}"
        );
    }
}

#[test]
fn server_without_registration_says_so() {
    for condition in [
        "service-unavailable",
        "not-allowed",
        "forbidden",
        "feature-not-implemented",
    ] {
        let result = parse_fields(&iq(&error_iq("cancel", condition, None)));
        assert_eq!(result, Err(RegistrationError::NotAllowed), "{condition}");
        assert_eq!(
            result.unwrap_err().to_string(),
            "this server does not allow creating accounts"
        );
    }
}

#[test]
fn submit_sends_username_and_password() {
    let stanza = round_trip(submit("reg-2", "alice", "s3cret <&>"));
    assert_eq!(stanza.attr("type"), Some("set"));
    assert_eq!(stanza.attr("id"), Some("reg-2"));
    let query = stanza.get_child("query", ns::REGISTER).unwrap();
    assert_eq!(
        query.get_child("username", ns::REGISTER).unwrap().text(),
        "alice"
    );
    assert_eq!(
        query.get_child("password", ns::REGISTER).unwrap().text(),
        "s3cret <&>"
    );
    assert_eq!(query.children().count(), 2, "no empty legacy fields");
}

#[test]
fn registration_results_in_plain_words() {
    let ok = "<iq xmlns='jabber:client' type='result' id='reg'/>";
    assert_eq!(classify_result(&iq(ok)), Ok(()));
    let cases = [
        (error_iq("cancel", "conflict", Some("The requested username already exists.")), "that name is taken"),
        (error_iq("cancel", "not-allowed", None), "this server does not allow creating accounts"),
        (
            error_iq("modify", "not-acceptable", Some("The requested username is invalid.")),
            "the server did not accept that name or password (the server said: The requested username is invalid.)",
        ),
        (error_iq("modify", "not-acceptable", None), "the server did not accept that name or password"),
        (
            error_iq("wait", "not-acceptable", Some("Please try again later")),
            "too many accounts were created from here recently; try again later (the server said: Please try again later)",
        ),
        (error_iq("wait", "resource-constraint", None), "too many accounts were created from here recently; try again later"),
        (
            error_iq("cancel", "policy-violation", Some("Your address is blocked")),
            "the server refused to create the account: the server's rules do not allow it (the server said: Your address is blocked)",
        ),
    ];
    for (xml, words) in cases {
        let error = classify_result(&iq(&xml)).unwrap_err();
        assert_eq!(error.to_string(), words, "{xml}");
    }
    let a_request =
        "<iq xmlns='jabber:client' type='get' id='reg'><query xmlns='jabber:iq:register'/></iq>";
    assert!(matches!(
        classify_result(&iq(a_request)),
        Err(RegistrationError::Protocol(_))
    ));
}
