//! Whether there is a graphical desktop to open the window on, checked before anything starts,
//! so the answer is a sentence rather than the windowing library's internals.

/// Why the window cannot open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayError {
    /// No X11 or Wayland display is named in the environment.
    #[error(
        "Nudge needs a graphical desktop to open its window, and none was found (neither \
         DISPLAY nor WAYLAND_DISPLAY is set). Start it from your desktop session, or run \
         `nudge --headless` to use it without a window."
    )]
    NoDisplay,
    /// The windowing system refused.
    #[error("Nudge could not open its window: {0}")]
    Refused(String),
}

/// Checks that a display is named, looking the variables up with `var` (the process
/// environment in the app, a table in tests). Only X11/Wayland desktops need one.
pub fn check(var: impl Fn(&str) -> Option<String>) -> Result<(), DisplayError> {
    if cfg!(any(windows, target_os = "macos")) {
        return Ok(());
    }
    let named = ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
        .iter()
        .any(|name| var(name).is_some_and(|value| !value.is_empty()));
    match named {
        true => Ok(()),
        false => Err(DisplayError::NoDisplay),
    }
}

/// A windowing error in words: the library's text without the source locations it adds
/// (`os error at /path/to/crate/src/file.rs:765: ...`).
pub fn refused(error: &dyn std::fmt::Display) -> DisplayError {
    let text = without_location(&error.to_string());
    DisplayError::Refused(text.trim_end_matches('.').to_string())
}

/// `head at /some/file.rs:12: tail` as `head: tail`; other text as it is.
fn without_location(text: &str) -> String {
    let located = text.find(" at /").and_then(|at| {
        let line = at + text[at..].find(".rs:")? + ".rs:".len();
        let tail = line + text[line..].find(": ")?;
        Some(format!("{}{}", &text[..at], &text[tail..]))
    });
    located.unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_display_the_answer_is_a_sentence_with_a_way_out() {
        let error = check(|_| None).unwrap_err();
        assert_eq!(error, DisplayError::NoDisplay);
        let text = error.to_string();
        assert!(
            text.contains("--headless") && !text.contains(".rs"),
            "{text}"
        );
        assert_eq!(
            check(|name| (name == "DISPLAY").then(String::new)),
            Err(DisplayError::NoDisplay)
        );
        assert!(check(|name| (name == "WAYLAND_DISPLAY").then(|| "wayland-0".into())).is_ok());
        assert!(check(|name| (name == "DISPLAY").then(|| ":0".into())).is_ok());
    }

    #[test]
    fn windowing_errors_lose_their_source_locations() {
        let raw = "winit EventLoopError: os error at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/winit-0.30.13/src/platform_impl/linux/mod.rs:765: the X server refused.";
        let text = refused(&raw).to_string();
        assert_eq!(
            text,
            "Nudge could not open its window: winit EventLoopError: os error: the X server refused"
        );
        assert_eq!(
            refused(&"no GL context").to_string(),
            "Nudge could not open its window: no GL context"
        );
    }
}
