//! Opening a web page in the user's browser: https only, honouring `$BROWSER`, never a shell.

use std::process::{Command, Stdio};

/// Why a page could not be opened, in plain words.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Only `https://` addresses with a host are opened.
    #[error("only secure web addresses (https://) are opened, not {0:?}")]
    NotHttps(String),
    /// No browser could be started.
    #[error("no web browser could be started to open {url}: {reason}")]
    NoBrowser {
        /// The address.
        url: String,
        /// Why.
        reason: String,
    },
}

/// Checks that `url` is an https address with a host and no spaces or control characters.
pub fn check_https(url: &str) -> Result<(), OpenError> {
    let rest = url.strip_prefix("https://");
    let valid = rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty()
            && !host.starts_with(':')
            && !url.chars().any(|c| c.is_whitespace() || c.is_control())
    });
    if valid {
        Ok(())
    } else {
        Err(OpenError::NotHttps(url.chars().take(200).collect()))
    }
}

/// Opens `url` with `$BROWSER` (a `:`-separated list of programs; `%s` in one is replaced by
/// the address) or the desktop's opener (`xdg-open`, `open`). Returns once a browser started.
pub fn open_url(url: &str) -> Result<(), OpenError> {
    check_https(url)?;
    let mut reasons = Vec::new();
    for candidate in candidates(url) {
        let Some((program, args)) = candidate.split_first() else {
            continue;
        };
        match Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(mut child) => {
                // Reap it without blocking the caller.
                std::thread::spawn(move || child.wait());
                return Ok(());
            }
            Err(error) => reasons.push(format!("{program}: {error}")),
        }
    }
    Err(OpenError::NoBrowser {
        url: url.to_string(),
        reason: reasons.join("; "),
    })
}

/// The argument vectors to try, in order.
fn candidates(url: &str) -> Vec<Vec<String>> {
    let mut list = Vec::new();
    if let Ok(browser) = std::env::var("BROWSER") {
        for entry in browser.split(':').filter(|e| !e.trim().is_empty()) {
            // Split on whitespace only: `$BROWSER` names a program and fixed arguments.
            let mut words: Vec<String> = entry.split_whitespace().map(str::to_string).collect();
            if words.iter().any(|w| w.contains("%s")) {
                for word in &mut words {
                    *word = word.replace("%s", url);
                }
            } else {
                words.push(url.to_string());
            }
            list.push(words);
        }
    }
    let fallback = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    list.push(vec![fallback.to_string(), url.to_string()]);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_with_a_host_is_accepted() {
        for good in [
            "https://example.org",
            "https://example.org/get?x=1#y",
            "https://a.b:8443/p",
        ] {
            assert!(check_https(good).is_ok(), "{good}");
        }
        for bad in [
            "http://example.org",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://",
            "https:///path",
            " https://example.org",
            "https://exa mple.org",
            "https://example.org/\n",
            "HTTPS://example.org",
            "example.org",
        ] {
            assert!(check_https(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn browser_variable_is_split_without_a_shell() {
        // Environment is process-wide; only this test touches BROWSER.
        unsafe { std::env::set_var("BROWSER", "firefox --new-tab %s:/usr/bin/chromium") };
        let list = candidates("https://x.org/a;b");
        unsafe { std::env::remove_var("BROWSER") };
        assert_eq!(list[0], ["firefox", "--new-tab", "https://x.org/a;b"]);
        assert_eq!(list[1], ["/usr/bin/chromium", "https://x.org/a;b"]);
        assert_eq!(list.len(), 3);
    }
}
