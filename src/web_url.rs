//! The one rule for web addresses in Nudge: the download page of a Session Invite application,
//! whether it comes from a registration file, arrives in an invitation, is shown in the
//! invitation dialog or is opened in the browser.
//!
//! Before this rule was shared, `HTTPS://` passed the invitation check and then failed in the
//! opener. Now every place asks [`HttpsUrl::parse`], which checks the text strictly (plain
//! ASCII, `https` only, a real host, no `user@` part that could disguise the host) and then
//! lets the `url` crate (the WHATWG URL standard browsers follow) normalise it: the scheme and
//! host in lower case, a default port dropped. What is opened is that normalised form.

/// The longest web address accepted, in bytes (it is ASCII).
pub const MAX_URL_BYTES: usize = 2048;

/// Why a text is not a usable web address, in plain words (they finish "the address ...").
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.reason())]
pub enum UrlError {
    /// Longer than [`MAX_URL_BYTES`].
    TooLong,
    /// Spaces, line breaks or control characters.
    Spaces,
    /// Characters outside ASCII (they must be %-encoded, hosts written in punycode).
    NotAscii,
    /// A character RFC 3986 does not allow in a URI.
    BadCharacter,
    /// Another scheme than `https`.
    NotHttps,
    /// A user name or password before the host (`https://good.example@evil.example`).
    UserName,
    /// No host.
    NoHost,
    /// A host that is neither a DNS name nor an IP address.
    BadHost,
    /// A port that is not a number.
    BadPort,
    /// A port outside 1 to 65535.
    PortOutOfRange,
}

impl UrlError {
    /// What is wrong, as the end of a sentence about the address.
    pub fn reason(self) -> &'static str {
        match self {
            Self::TooLong => "it is too long",
            Self::Spaces => "it contains spaces, line breaks or control characters",
            Self::NotAscii => "it contains characters outside plain ASCII (write them %-encoded)",
            Self::BadCharacter => "it contains a character that does not belong in a web address",
            Self::NotHttps => "it must start with https://",
            Self::UserName => "it must not hold a user name or password",
            Self::NoHost => "it has no host name",
            Self::BadHost => "its host name is not valid",
            Self::BadPort => "its port is not a number",
            Self::PortOutOfRange => "its port is out of range",
        }
    }
}

/// A checked `https://` address in its normalised form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpsUrl(String);

impl HttpsUrl {
    /// Checks `text` and normalises it; the first problem found is the error.
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        check(text)?;
        // The checks above leave only text the URL standard reads the same way; a refusal
        // here (an invalid punycode label, say) is still a bad host.
        let url = url::Url::parse(text).map_err(|_| UrlError::BadHost)?;
        if url.scheme() != "https" {
            return Err(UrlError::NotHttps);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlError::UserName);
        }
        if url.host().is_none() {
            return Err(UrlError::NoHost);
        }
        Ok(Self(url.into()))
    }

    /// The normalised address: what is shown and opened.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for HttpsUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `text` is an address Nudge would open.
pub fn is_https_url(text: &str) -> bool {
    HttpsUrl::parse(text).is_ok()
}

/// The strict checks, before any parsing.
fn check(url: &str) -> Result<(), UrlError> {
    if url.len() > MAX_URL_BYTES {
        return Err(UrlError::TooLong);
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlError::Spaces);
    }
    if let Some(c) = url.chars().find(|&c| !is_url_char(c)) {
        return Err(if c.is_ascii() {
            UrlError::BadCharacter
        } else {
            UrlError::NotAscii
        });
    }
    let rest = strip_prefix_ignore_case(url, "https://").ok_or(UrlError::NotHttps)?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.contains('@') {
        return Err(UrlError::UserName);
    }
    let (host, port) = split_port(authority);
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    if !is_host(host) {
        return Err(UrlError::BadHost);
    }
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UrlError::BadPort);
        }
        if !matches!(port.parse::<u32>(), Ok(1..=65535)) {
            return Err(UrlError::PortOutOfRange);
        }
    }
    Ok(())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Splits `host:port` (or `[v6]:port`) into the host and the port text, if any.
fn split_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => {
                let (host, rest) = authority.split_at(end + 1);
                (host, rest.strip_prefix(':'))
            }
            None => (authority, None),
        };
    }
    match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// A DNS name of letters, digits and dashes (IDNs in their `xn--` form), or a bracketed IPv6
/// address. Non-ASCII names are refused so a look-alike host cannot hide in a download link.
fn is_host(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The characters RFC 3986 allows in a URI (unreserved, reserved and `%`).
fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_and_host_are_normalised_once() {
        for (given, opened) in [
            ("HTTPS://Example.ORG/Get", "https://example.org/Get"),
            ("https://example.org", "https://example.org/"),
            ("https://example.org:443/a", "https://example.org/a"),
            ("HtTpS://[::1]:8443/x?y#z", "https://[::1]:8443/x?y#z"),
            (
                "https://xn--bcher-kva.example/dl",
                "https://xn--bcher-kva.example/dl",
            ),
        ] {
            let url = HttpsUrl::parse(given).unwrap_or_else(|e| panic!("{given}: {e}"));
            assert_eq!(url.as_str(), opened, "{given}");
            // Normalising twice changes nothing.
            assert_eq!(
                HttpsUrl::parse(url.as_str()).map(|u| u.0),
                Ok(url.0.clone())
            );
        }
    }

    #[test]
    fn everything_that_is_not_plain_https_is_refused_with_its_reason() {
        for (text, error) in [
            ("http://example.org", UrlError::NotHttps),
            ("javascript:alert(1)", UrlError::NotHttps),
            ("https://", UrlError::NoHost),
            ("https:///path", UrlError::NoHost),
            ("https://user@example.org/", UrlError::UserName),
            ("https://example.org:0/", UrlError::PortOutOfRange),
            ("https://example.org:x/", UrlError::BadPort),
            ("https://exa_mple.org/", UrlError::BadHost),
            ("https://xn--a-ecp.xn--zz/", UrlError::BadHost),
            ("https://bücher.example/", UrlError::NotAscii),
            ("https://x/<a>", UrlError::BadCharacter),
            ("https://x/ y", UrlError::Spaces),
        ] {
            assert_eq!(HttpsUrl::parse(text), Err(error), "{text:?}");
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_BYTES));
        assert_eq!(HttpsUrl::parse(&long), Err(UrlError::TooLong));
    }

    #[test]
    fn registrations_invitations_the_dialog_and_the_opener_agree() {
        for text in [
            "https://example.org/app",
            "HTTPS://example.org/app",
            "Https://Example.org",
            "https://[::1]/a",
            "https://127.0.0.1/app",
            "http://example.org/app",
            "https://good.example@evil.example/",
            "https://example.org:70000/",
            "https://bad..example/",
            "javascript:alert(1)",
        ] {
            let here = is_https_url(text);
            let registration = crate::apps::registration::validate_download_url(text).is_ok();
            let invitation = crate::xmpp::invite::validate_download_url(text).is_ok();
            let opener = crate::platform::opener::check_https(text).is_ok();
            let dialog = crate::ui::words::download_note(text)
                == crate::ui::words::download_note("https://example.org/");
            assert_eq!(
                [registration, invitation, opener, dialog],
                [here; 4],
                "{text:?}: registration, invitation, opener, dialog"
            );
        }
    }
}
