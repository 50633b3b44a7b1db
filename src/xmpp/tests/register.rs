//! In-band registration (XEP-0077).

use xmpp_parsers::ns;

use std::collections::BTreeMap;

use super::{fixture, iq, round_trip};
use crate::xmpp::register::{
    classify_result, fields_request, parse_fields, submit, FieldKind, RegistrationError,
    RegistrationField, RegistrationForm,
};
use crate::xmpp::ProtocolError;

/// A field as the tests write it.
fn field(var: &str, label: Option<&str>, required: bool, secret: bool) -> RegistrationField {
    RegistrationField {
        var: var.into(),
        label: label.map(Into::into),
        required,
        kind: if secret {
            FieldKind::Secret
        } else {
            FieldKind::Text
        },
        value: None,
        description: None,
    }
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
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
fn a_legacy_form_goes_back_as_legacy_fields() {
    let form = parse_fields(&iq(fixture!("register_legacy"))).unwrap();
    let answers = values(&[
        ("username", "alice"),
        ("password", "s3cret <&>"),
        ("email", "a@example.org"),
        ("nick", "not asked for"),
    ]);
    let stanza = round_trip(submit("reg-2", &form, &answers));
    assert_eq!(stanza.attr("type"), Some("set"));
    assert_eq!(stanza.attr("id"), Some("reg-2"));
    let query = stanza.get_child("query", ns::REGISTER).unwrap();
    let sent: Vec<(String, String)> = query
        .children()
        .map(|c| (c.name().to_string(), c.text()))
        .collect();
    assert_eq!(
        sent,
        vec![
            ("username".into(), "alice".into()),
            ("password".into(), "s3cret <&>".into()),
            ("email".into(), "a@example.org".into()),
        ],
        "only the fields the server listed, escaped, nothing empty"
    );
}

#[test]
fn a_rich_data_form_is_read_field_by_field() {
    let form = parse_fields(&iq(fixture!("register_form_rich"))).unwrap();
    assert!(form.data_form && !form.captcha);
    assert_eq!(form.notes, vec!["By registering you accept the rules."]);
    assert_eq!(
        form.hidden,
        vec![
            ("FORM_TYPE".to_string(), "jabber:iq:register".to_string()),
            ("challenge-token".to_string(), "a1b2c3".to_string()),
        ]
    );
    let kinds: Vec<(&str, &FieldKind)> = form
        .fields
        .iter()
        .map(|f| (f.var.as_str(), &f.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("username", &FieldKind::Text),
            ("password", &FieldKind::Secret),
            ("pin", &FieldKind::Secret),
            ("about", &FieldKind::Multiline),
            ("newsletter", &FieldKind::Boolean),
            (
                "lang",
                &FieldKind::Choice {
                    options: vec![
                        ("en".to_string(), "English".to_string()),
                        ("fr".to_string(), "fr".to_string()),
                    ]
                }
            ),
        ]
    );
    let about = &form.fields[3];
    assert_eq!(about.value.as_deref(), Some("line one\nline two"));
    assert_eq!(about.description.as_deref(), Some("A few words."));
    let extra: Vec<&str> = form
        .extra_required()
        .iter()
        .map(|f| f.var.as_str())
        .collect();
    assert_eq!(extra, vec!["lang"]);
    assert_eq!(
        form.missing(&values(&[("username", "alice"), ("password", " ")])),
        vec!["Password", "Language"],
        "blank counts as missing; named by label"
    );
}

#[test]
fn a_data_form_goes_back_as_a_submitted_form_with_the_hidden_values() {
    let form = parse_fields(&iq(fixture!("register_form_rich"))).unwrap();
    let answers = values(&[
        ("username", "alice"),
        ("password", "pw"),
        ("about", "first\nsecond"),
        ("lang", "fr"),
        ("pin", ""),
    ]);
    let stanza = round_trip(submit("reg-2", &form, &answers));
    let x = stanza
        .get_child("query", ns::REGISTER)
        .and_then(|q| q.get_child("x", ns::DATA_FORMS))
        .expect("a data form");
    assert_eq!(x.attr("type"), Some("submit"));
    let sent: Vec<(String, Vec<String>)> = x
        .children()
        .map(|f| {
            let values = f.children().map(|v| v.text()).collect();
            (f.attr("var").unwrap_or_default().to_string(), values)
        })
        .collect();
    let expected = |v: &str, vals: &[&str]| {
        (
            v.to_string(),
            vals.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        sent,
        vec![
            expected("FORM_TYPE", &["jabber:iq:register"]),
            expected("challenge-token", &["a1b2c3"]),
            expected("username", &["alice"]),
            expected("password", &["pw"]),
            expected("about", &["first", "second"]),
            expected("lang", &["fr"]),
        ]
    );
}

#[test]
fn a_captcha_is_noticed_and_hostile_forms_are_bounded() {
    let captcha = "<iq xmlns='jabber:client' type='result' id='r'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='form'><field var='username' type='text-single'/><field var='ocr' type='text-single' label='Enter the text you see'><media xmlns='urn:xmpp:media-element'><uri type='image/png'>cid:sha1+abc@bob.xmpp.org</uri></media></field></x><x xmlns='jabber:x:oob'><url>https://example.org/register</url></x></query></iq>";
    let form = parse_fields(&iq(captcha)).unwrap();
    assert!(form.captcha);
    assert_eq!(
        form.web_page.as_deref(),
        Some("https://example.org/register")
    );

    let long_label = "L".repeat(5_000);
    let many: String = (0..500)
        .map(|i| format!("<field var='f{i}' type='text-single' label='{long_label}'/>"))
        .collect();
    let xml = format!("<iq xmlns='jabber:client' type='result' id='r'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='form'>{many}</x></query></iq>");
    let form = parse_fields(&iq(&xml)).unwrap();
    assert_eq!(form.fields.len(), 30);
    assert!(form.fields[0].label.as_ref().unwrap().chars().count() <= 201);
}

#[test]
fn a_form_round_trips_through_json_for_the_local_api() {
    let form = parse_fields(&iq(fixture!("register_form_rich"))).unwrap();
    let json = serde_json::to_string(&form).unwrap();
    assert!(json.contains(r#""type":"choice""#), "{json}");
    let back: RegistrationForm = serde_json::from_str(&json).unwrap();
    assert_eq!(back, form);
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
