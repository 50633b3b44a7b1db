//! Opening a web page in the user's browser: https only, honouring `$BROWSER`, never a shell.

use std::process::{Command, Stdio};

use crate::web_url::{HttpsUrl, UrlError};

/// Why a page could not be opened, in plain words.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Only plain `https://` addresses with a host are opened ([`crate::web_url`]).
    #[error("only secure web addresses (https://) are opened, and {url:?} is not one: {reason}")]
    NotHttps {
        /// The address (clipped).
        url: String,
        /// What is wrong with it.
        reason: UrlError,
    },
    /// No browser could be started.
    #[error("no web browser could be started to open {url}: {reason}")]
    NoBrowser {
        /// The address.
        url: String,
        /// Why.
        reason: String,
    },
}

/// Checks `url` by the app's one rule for web addresses and gives its normalised form.
pub fn check_https(url: &str) -> Result<HttpsUrl, OpenError> {
    HttpsUrl::parse(url).map_err(|reason| OpenError::NotHttps {
        url: url.chars().take(200).collect(),
        reason,
    })
}

/// Opens `url`, normalised ([`HttpsUrl`]), with `$BROWSER` (a `:`-separated list of
/// programs; `%s` in one is replaced by the address) or the desktop's opener (`xdg-open`,
/// `open`). Returns once a browser started.
pub fn open_url(url: &str) -> Result<(), OpenError> {
    let url = check_https(url)?;
    let url = url.as_str();
    let mut reasons = Vec::new();
    for candidate in candidates(url) {
        let Some((program, args)) = candidate.split_first() else {
            continue;
        };
        match Command::new(program)
            .args(args)
            // The browser is no business of the account's password (see `runner`).
            .env_remove(crate::runner::PASSWORD_VARIABLE)
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

    /// The environment is process-wide: the tests here that change it take turns.
    static ENVIRONMENT: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn only_https_with_a_host_is_accepted() {
        for good in [
            "https://example.org",
            "https://example.org/get?x=1#y",
            "https://a.b:8443/p",
            "HTTPS://example.org",
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
            "example.org",
        ] {
            assert!(check_https(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn browser_variable_is_split_without_a_shell() {
        let _turn = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
        unsafe { std::env::set_var("BROWSER", "firefox --new-tab %s:/usr/bin/chromium") };
        let list = candidates("https://x.org/a;b");
        unsafe { std::env::remove_var("BROWSER") };
        assert_eq!(list[0], ["firefox", "--new-tab", "https://x.org/a;b"]);
        assert_eq!(list[1], ["/usr/bin/chromium", "https://x.org/a;b"]);
        assert_eq!(list.len(), 3);
    }

    /// Waits for the file a started program writes, then reads it.
    #[cfg(unix)]
    fn written_by_program(path: &std::path::Path) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if let Ok(text) = std::fs::read_to_string(path) {
                if text.ends_with("end\n") {
                    return text;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the program never ran"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn started_programs_never_see_the_password() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        // Writes its whole environment and first argument, then a line saying it is done.
        let dump = |name: &str| {
            let out = dir.path().join(format!("{name}.env"));
            let script = dir.path().join(name);
            std::fs::write(
                &script,
                format!(
                    "#!/bin/sh\nenv > '{0}.tmp'\necho \"argument=$1\" >> '{0}.tmp'\n\
                     echo end >> '{0}.tmp'\nmv '{0}.tmp' '{0}'\n",
                    out.display()
                ),
            )
            .expect("script");
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
            (script, out)
        };
        let (browser, browser_env) = dump("browser");
        let (app, app_env) = dump("app");
        let secret = "hunter2-must-not-leak";
        {
            let _turn = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
            // As if a host program had set it again after Nudge removed it at start.
            unsafe { std::env::set_var(crate::runner::PASSWORD_VARIABLE, secret) };
            unsafe { std::env::set_var("BROWSER", &browser) };
            let opened = open_url("HTTPS://Example.ORG/get");
            let launched = crate::apps::launch::launch(&app, &[], &[]);
            unsafe { std::env::remove_var("BROWSER") };
            unsafe { std::env::remove_var(crate::runner::PASSWORD_VARIABLE) };
            opened.expect("the browser starts");
            launched.expect("the application starts");
        }
        // The browser is given the address in its normalised form.
        let browser_saw = written_by_program(&browser_env);
        assert!(
            browser_saw.contains("\nargument=https://example.org/get\n"),
            "{browser_saw}"
        );
        for out in [browser_env, app_env] {
            let env = written_by_program(&out);
            assert!(env.contains("PATH="), "{env}");
            assert!(!env.contains(secret), "{}: {env}", out.display());
            assert!(!env.contains(crate::runner::PASSWORD_VARIABLE), "{env}");
        }
    }
}
