//! Validation of GUIDs and registrations, table-driven, including hostile input.

use std::path::PathBuf;

use super::sample;
use crate::apps::registration::{validate_download_url, validate_name, RegistrationError};
use crate::apps::{Guid, Registration};

#[test]
fn good_guids_are_accepted_and_made_uppercase() {
    let cases = [
        (
            "{44BBA842-CC51-11CF-AAFA-00AA00B6015C}",
            "{44BBA842-CC51-11CF-AAFA-00AA00B6015C}",
        ),
        (
            "{44bba842-cc51-11cf-aafa-00aa00b6015c}",
            "{44BBA842-CC51-11CF-AAFA-00AA00B6015C}",
        ),
        (
            "{00000000-0000-0000-0000-000000000000}",
            "{00000000-0000-0000-0000-000000000000}",
        ),
        (
            "{aBcDeF01-2345-6789-abcd-EF0123456789}",
            "{ABCDEF01-2345-6789-ABCD-EF0123456789}",
        ),
    ];
    for (input, canonical) in cases {
        let guid = Guid::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(guid.as_str(), canonical);
        assert_eq!(guid.to_string(), canonical);
    }
    // Two spellings are one application.
    assert_eq!(
        Guid::parse("{44bba842-cc51-11cf-aafa-00aa00b6015c}").ok(),
        Guid::parse("{44BBA842-CC51-11CF-AAFA-00AA00B6015C}").ok()
    );
}

#[test]
fn the_wire_reads_only_the_canonical_form() {
    let canonical = "{44BBA842-CC51-11CF-AAFA-00AA00B6015C}";
    assert_eq!(
        Guid::parse_canonical(canonical).map(String::from),
        Ok(canonical.to_string())
    );
    for spelling in [
        "{44bba842-cc51-11cf-aafa-00aa00b6015c}",
        "{44BBA842-CC51-11CF-AAFA-00AA00B6015c}",
    ] {
        assert!(Guid::parse(spelling).is_ok(), "{spelling}");
        let refused = Guid::parse_canonical(spelling).expect_err(spelling);
        assert_eq!(refused.found, spelling);
    }
}

#[test]
fn bad_guids_are_refused_with_the_expected_form() {
    let cases = [
        "",
        "{}",
        "44BBA842-CC51-11CF-AAFA-00AA00B6015C",
        "{44BBA842-CC51-11CF-AAFA-00AA00B6015C",
        "44BBA842-CC51-11CF-AAFA-00AA00B6015C}",
        "(44BBA842-CC51-11CF-AAFA-00AA00B6015C)",
        " {44BBA842-CC51-11CF-AAFA-00AA00B6015C}",
        "{44BBA842-CC51-11CF-AAFA-00AA00B6015C}\n",
        "{44BBA842CC5111CFAAFA00AA00B6015C}",
        "{44BBA842-CC51-11CF-AAFA-00AA00B6015}",
        "{44BBA842-CC51-11CF-AAFA-00AA00B6015CD}",
        "{44BBA84-2CC51-11CF-AAFA-00AA00B6015C}",
        "{44BBA842-CC51-11CF-AAFA-00AA-00B6015C}",
        "{G4BBA842-CC51-11CF-AAFA-00AA00B6015C}",
        "{44BBA842-CC51-11CF-AAFA-00AA00B6015C}.toml",
        "{../../../../etc/passwd-0000-0000-0000}",
        "{+4BBA842-CC51-11CF-AAFA-00AA00B6015C}",
        "{４4BBA842-CC51-11CF-AAFA-00AA00B6015C}",
    ];
    for input in cases {
        let error = Guid::parse(input).expect_err(input);
        assert_eq!(Guid::parse_canonical(input), Err(error.clone()), "{input}");
        let error = RegistrationError::from(error);
        assert!(matches!(error, RegistrationError::BadGuid(_)), "{input}");
        let message = error.to_string();
        assert!(
            message.contains("{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}"),
            "{message}"
        );
        assert!(
            !message.contains('\n'),
            "quoted input is escaped: {message}"
        );
    }
}

#[test]
fn guid_file_names_hold_only_safe_characters() {
    let guid = Guid::parse("{44bba842-cc51-11cf-aafa-00aa00b6015c}").expect("guid");
    let name = guid.file_name();
    assert_eq!(name, "{44BBA842-CC51-11CF-AAFA-00AA00B6015C}.toml");
    let stem = name.strip_suffix(".toml").expect("a .toml file");
    assert!(stem
        .chars()
        .all(|c| c.is_ascii_hexdigit() || "{}-".contains(c)));
    assert!(!name.contains(".."));
}

#[test]
fn download_urls_must_be_plain_https() {
    let good = [
        "https://example.org",
        "https://example.org/",
        "HTTPS://example.org/get",
        "https://example.org:8443/apps/game?v=2&os=linux#download",
        "https://xn--bcher-kva.example/dl",
        "https://127.0.0.1/app",
        "https://[::1]:443/app",
        "https://example.org/a%20b",
    ];
    for url in good {
        validate_download_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    }
    let bad = [
        ("javascript:alert(1)", "https://"),
        ("http://x", "https://"),
        ("file:///etc/passwd", "https://"),
        ("ftp://example.org/app", "https://"),
        ("example.org/app", "https://"),
        ("//example.org/app", "https://"),
        ("data:text/html,<script>", "character"),
        ("https://", "no host"),
        ("https:///path", "no host"),
        ("https://?q", "no host"),
        (" https://x", "spaces"),
        ("https://x ", "spaces"),
        ("https://x/\n", "spaces"),
        ("https://x/\u{7}", "control"),
        ("https://x/a b", "spaces"),
        ("https://x/\u{202E}gpj.exe", "ASCII"),
        ("https://bücher.example/", "ASCII"),
        ("https://good.example@evil.example/", "user name"),
        ("https://user:pw@example.org/", "user name"),
        ("https://good.example\\@evil.example/", "character"),
        ("https://exa_mple.org/", "host name"),
        ("https://-example.org/", "host name"),
        ("https://example..org/", "host name"),
        ("https://[not-v6]/", "host name"),
        ("https://example.org:/", "port"),
        ("https://example.org:http/", "port"),
        ("https://example.org:0/", "port"),
        ("https://example.org:70000/", "port"),
        ("https://example.org/<script>", "character"),
        ("", "https://"),
    ];
    for (url, reason) in bad {
        let error = validate_download_url(url).expect_err(url);
        assert!(matches!(error, RegistrationError::BadUrl { .. }), "{url}");
        assert!(error.to_string().contains(reason), "{url:?}: {error}");
    }
    let long = format!("https://example.org/{}", "a".repeat(3000));
    let message = validate_download_url(&long).expect_err("long").to_string();
    assert!(message.contains("too long"), "{message}");
    assert!(message.len() < 300, "the URL is clipped in the message");
}

#[test]
fn names_are_printable_and_bounded() {
    let good = ["NetMeeting", "Chess 3D", "Échecs — jeu", "象棋", "a"];
    for name in good {
        validate_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let max = "n".repeat(crate::apps::registration::MAX_NAME_CHARS);
    validate_name(&max).expect("the limit itself is allowed");
    let bad = [
        ("", RegistrationError::EmptyName),
        ("   ", RegistrationError::EmptyName),
        (
            "Chess\nInvite accepted!",
            RegistrationError::NameControlCharacters,
        ),
        ("Chess\r", RegistrationError::NameControlCharacters),
        ("Tab\tbed", RegistrationError::NameControlCharacters),
        ("Bell\u{7}", RegistrationError::NameControlCharacters),
        ("Nul\0", RegistrationError::NameControlCharacters),
        (
            "Game\u{202E}exe.txt",
            RegistrationError::NameControlCharacters,
        ),
        ("Iso\u{2066}late", RegistrationError::NameControlCharacters),
        (" Chess", RegistrationError::NameSpaces),
        ("Chess ", RegistrationError::NameSpaces),
    ];
    for (name, expected) in bad {
        assert_eq!(validate_name(name), Err(expected), "{name:?}");
    }
    let long = "n".repeat(crate::apps::registration::MAX_NAME_CHARS + 1);
    assert_eq!(validate_name(&long), Err(RegistrationError::NameTooLong));
}

#[test]
fn registrations_check_every_field() {
    sample("{11111111-2222-3333-4444-555555555555}", "Chess")
        .validate()
        .expect("the sample is valid");
    type Edit = fn(&mut Registration);
    let cases: [(Edit, &str); 9] = [
        (|r| r.path = PathBuf::from("chess"), "not a full path"),
        (|r| r.path = PathBuf::from("./bin/chess"), "not a full path"),
        (|r| r.path = PathBuf::from("../chess"), "not a full path"),
        (|r| r.path = PathBuf::new(), "empty"),
        (|r| r.path = PathBuf::from("/opt/che\nss"), "control"),
        (|r| r.download_url = "http://x".into(), "https://"),
        (
            |r| r.args = vec!["ok".into(), "bad\0arg".into()],
            "argument 2",
        ),
        (|r| r.key = Some(String::new()), "key"),
        (|r| r.key = Some("has space".into()), "key"),
    ];
    for (edit, expected) in cases {
        let mut registration = sample("{11111111-2222-3333-4444-555555555555}", "Chess");
        edit(&mut registration);
        let message = registration.validate().expect_err(expected).to_string();
        assert!(message.contains(expected), "{message}");
    }
    // Arguments are data, not shell: quotes and `$(..)` are fine (they stay literal at launch).
    let mut registration = sample("{11111111-2222-3333-4444-555555555555}", "Chess");
    registration.args = vec!["--board=$(rm -rf ~)".into(), "'; ls".into(), String::new()];
    registration
        .validate()
        .expect("shell-looking arguments are plain data");
}

#[test]
fn installed_means_an_executable_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut registration = sample("{11111111-2222-3333-4444-555555555555}", "Chess");
    registration.path = dir.path().join("chess");
    assert!(!registration.is_installed(), "missing");
    std::fs::write(&registration.path, "#!/bin/sh\nexit 0\n").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert!(!registration.is_installed(), "not executable");
        let executable = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(&registration.path, executable).expect("chmod");
    }
    assert!(registration.is_installed());
    registration.path = dir.path().to_path_buf();
    assert!(!registration.is_installed(), "a folder is not a program");
}

#[test]
fn the_public_view_never_shows_the_key_or_the_program() {
    let mut registration = sample("{44bba842-cc51-11cf-aafa-00aa00b6015c}", "Chess");
    registration.key = Some("s3cret-key".into());
    let info = registration.info();
    assert_eq!(info.guid, "{44BBA842-CC51-11CF-AAFA-00AA00B6015C}");
    assert_eq!(info.name, "Chess");
    assert!(!info.installed, "/opt/games/chess is not installed here");
    let shown = serde_json::to_string(&info).expect("json");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(!shown.contains("/opt/games"), "{shown}");
}

#[test]
fn registrations_read_from_toml_refuse_unknown_fields_and_bad_guids() {
    let good = r#"
        guid = "{44bba842-cc51-11cf-aafa-00aa00b6015c}"
        name = "NetMeeting"
        path = "/usr/bin/netmeeting"
        download_url = "https://example.org/netmeeting"
    "#;
    let registration: Registration = toml::from_str(good).expect("parses");
    assert_eq!(
        registration.guid.as_str(),
        "{44BBA842-CC51-11CF-AAFA-00AA00B6015C}"
    );
    assert!(registration.args.is_empty() && registration.key.is_none());

    let typo = good.replace("path =", "pth =");
    let error = toml::from_str::<Registration>(&typo).expect_err("typo");
    assert!(error.message().contains("pth"), "{}", error.message());

    let bad_guid = good.replace("{44bba842", "{44bba84");
    let error = toml::from_str::<Registration>(&bad_guid).expect_err("bad guid");
    assert!(
        error.message().contains("not an application GUID"),
        "{}",
        error.message()
    );
}
