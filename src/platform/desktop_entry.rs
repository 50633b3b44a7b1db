//! Desktop entries (freedesktop `.desktop` files): Nudge's application id and how to write an
//! `Exec` line that a desktop runs exactly as meant.
//!
//! The packaged entry is `packaging/linux/im.nudge.Nudge.desktop`; the autostart entry
//! (`platform::autostart`) is written at run time with the rules here.

use std::path::Path;

/// Nudge's application id. It names the desktop file (`im.nudge.Nudge.desktop`), the icon, the
/// AppStream component, and the windows (Wayland app id, X11 `WM_CLASS`), so docks, task bars
/// and window switchers can tell which entry and icon a window belongs to.
pub const APP_ID: &str = "im.nudge.Nudge";

/// Why an argument cannot go into an `Exec` line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    /// The argument is not valid UTF-8 (desktop files are UTF-8 text).
    #[error("{0} is not valid UTF-8, which a desktop entry cannot hold")]
    NotUtf8(String),
    /// The argument has a line break or another control character.
    #[error("{0:?} contains a line break or another control character")]
    ControlCharacter(String),
}

/// Characters that make the desktop entry specification require quoting an argument.
const RESERVED: &[char] = &[
    ' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(', ')',
    '`',
];

/// The `Exec` value (after `Exec=`) that runs `program` with `args`, quoted and escaped by the
/// desktop entry specification: arguments with reserved characters are double-quoted with
/// `"`, `` ` ``, `$` and `\` backslash-escaped inside, `%` is doubled (it starts field codes),
/// and then backslashes are escaped once more, as in every string value of the file.
pub fn exec_line(program: &Path, args: &[&str]) -> Result<String, ExecError> {
    let program = program
        .to_str()
        .ok_or_else(|| ExecError::NotUtf8(program.display().to_string()))?;
    let mut words = Vec::with_capacity(args.len() + 1);
    for arg in std::iter::once(program).chain(args.iter().copied()) {
        words.push(quote(arg)?);
    }
    Ok(words.join(" ").replace('\\', "\\\\"))
}

/// One argument as the `Exec` key's quoting rules want it (before the string escape).
fn quote(arg: &str) -> Result<String, ExecError> {
    if arg.chars().any(char::is_control) {
        return Err(ExecError::ControlCharacter(arg.to_string()));
    }
    let arg = arg.replace('%', "%%");
    if arg.is_empty() || arg.contains(RESERVED) {
        let mut quoted = String::with_capacity(arg.len() + 2);
        quoted.push('"');
        for c in arg.chars() {
            if matches!(c, '"' | '`' | '$' | '\\') {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        quoted.push('"');
        Ok(quoted)
    } else {
        Ok(arg)
    }
}

/// The arguments of an `Exec` value, undoing [`exec_line`]'s escapes (field codes are kept
/// as written). Used to read back an autostart entry, including one edited by hand.
pub fn exec_args(value: &str) -> Vec<String> {
    let value = unescape_string(value);
    let mut args = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            '\\' if quoted => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ' ' | '\t' if !quoted => {
                if in_word {
                    args.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            _ => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        args.push(current);
    }
    args.into_iter().map(|arg| arg.replace("%%", "%")).collect()
}

/// Undoes the escapes of a string value: `\s`, `\n`, `\t`, `\r` and `\\`.
fn unescape_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The value of `key` in the `[Desktop Entry]` group of a desktop file's text.
pub fn value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let mut in_main_group = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.starts_with('[') {
            in_main_group = line == "[Desktop Entry]";
            continue;
        }
        if !in_main_group {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        if name.trim_end() == key {
            return Some(value.trim_start());
        }
    }
    None
}

#[cfg(test)]
mod packaged;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_arguments_stay_as_they_are() {
        let line = exec_line(Path::new("/usr/bin/nudge"), &["--profile", "work"]);
        assert_eq!(line.as_deref(), Ok("/usr/bin/nudge --profile work"));
    }

    #[test]
    fn reserved_characters_are_quoted_and_escaped_as_the_specification_says() {
        let line = exec_line(
            Path::new("/home/a b/it's $HOME/100%/nudge"),
            &["x=\"y\"", "back\\slash"],
        )
        .expect("printable");
        // Quoted for the spaces, `$` and `"` escaped inside the quotes, `%` doubled, and every
        // backslash doubled again by the string escape.
        assert_eq!(
            line,
            r#""/home/a b/it's \\$HOME/100%%/nudge" "x=\\"y\\"" "back\\\\slash""#
        );
    }

    #[test]
    fn reading_an_exec_line_back_gives_the_arguments() {
        for args in [
            vec!["/usr/bin/nudge", "--hidden"],
            vec!["/opt/my apps/nudge", "--profile", "work"],
            vec!["/tmp/$odd`name\"\\%", ""],
        ] {
            let line = exec_line(Path::new(args[0]), &args[1..]).expect("printable");
            assert_eq!(exec_args(&line), args, "{line}");
        }
    }

    #[test]
    fn control_characters_are_refused() {
        let error = exec_line(Path::new("/tmp/a\nb"), &[]).expect_err("a line break");
        assert!(matches!(error, ExecError::ControlCharacter(_)), "{error}");
    }

    #[test]
    fn values_come_from_the_main_group_only() {
        let text = "[Desktop Entry]\nName=Nudge\nExec = nudge\n\n[Desktop Action x]\nIcon=other\n";
        assert_eq!(value(text, "Name"), Some("Nudge"));
        assert_eq!(value(text, "Exec"), Some("nudge"));
        assert_eq!(value(text, "Icon"), None);
    }
}
