//! Starting a registered program for a session: an argument vector, never a shell.
//!
//! Only programs named in the registry are started. Values that came from the network (JIDs,
//! addresses, context data) reach the program only as environment variables, after checks of
//! their length and characters, so `;`, `$(..)` and quotes stay literal text.

use std::path::{Path, PathBuf};

use crate::invite::MAX_CONTEXT_BYTES;

/// Why a program could not be started, in plain words.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The registered path is not absolute.
    #[error("the program path {0} is not absolute")]
    RelativePath(PathBuf),
    /// Nothing is installed at the registered path.
    #[error("the program {0} is not installed")]
    NotInstalled(PathBuf),
    /// Something is there but it cannot be run.
    #[error("{0} is not an executable program")]
    NotExecutable(PathBuf),
    /// A value for the program's environment is not acceptable.
    #[error("the session's {name} cannot be passed to the program (too long or a NUL byte)")]
    BadValue {
        /// Which variable.
        name: &'static str,
    },
    /// The operating system refused to start it.
    #[error("the program {path} could not be started: {source}")]
    Spawn {
        /// The program.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Whether `path` is an absolute path to an existing file this user may execute.
pub fn check_program(path: &Path) -> Result<(), LaunchError> {
    if !path.is_absolute() {
        return Err(LaunchError::RelativePath(path.to_path_buf()));
    }
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(_) => return Err(LaunchError::NotInstalled(path.to_path_buf())),
    };
    if !is_executable(&metadata) {
        return Err(LaunchError::NotExecutable(path.to_path_buf()));
    }
    Ok(())
}

/// Whether `path` is a file this user may execute; the program is never run. This is what
/// "installed" means everywhere: the registry, the Invite menu, the local API and launching.
pub fn is_executable_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|metadata| is_executable(&metadata))
}

/// A file with an execute permission bit (on Unix; elsewhere any file).
fn is_executable(metadata: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        metadata.is_file() && metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        metadata.is_file()
    }
}

/// Starts `program` with `args` and `env`, detached from Nudge's input and output. The child
/// is reaped in the background when it exits.
pub fn launch(
    program: &Path,
    args: &[String],
    env: &[(&'static str, String)],
) -> Result<u32, LaunchError> {
    check_program(program)?;
    for (name, value) in env {
        if value.contains('\0') || value.len() > MAX_CONTEXT_BYTES {
            return Err(LaunchError::BadValue { name });
        }
    }
    if args.iter().any(|a| a.contains('\0')) {
        return Err(LaunchError::BadValue { name: "arguments" });
    }
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        // Removed from Nudge's environment at start; removed here too in case a host program
        // set it again. A remote invitation can start this program.
        .env_remove(crate::runner::PASSWORD_VARIABLE)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(false);
    let mut child = command.spawn().map_err(|source| LaunchError::Spawn {
        path: program.to_path_buf(),
        source,
    })?;
    let pid = child.id().unwrap_or_default();
    let path = program.to_path_buf();
    tokio::spawn(async move {
        match child.wait().await {
            Ok(status) => tracing::info!("{} exited: {status}", path.display()),
            Err(error) => tracing::warn!("waiting for {} failed: {error}", path.display()),
        }
    });
    Ok(pid)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &Path, name: &str, body: &str, mode: u32) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, body).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        path
    }

    #[test]
    fn only_absolute_executable_files_pass() {
        let dir = tempfile::tempdir().expect("dir");
        assert!(matches!(
            check_program(Path::new("bin/app")),
            Err(LaunchError::RelativePath(_))
        ));
        assert!(matches!(
            check_program(&dir.path().join("missing")),
            Err(LaunchError::NotInstalled(_))
        ));
        let plain = script(dir.path(), "plain", "#!/bin/sh\n", 0o644);
        assert!(matches!(
            check_program(&plain),
            Err(LaunchError::NotExecutable(_))
        ));
        assert!(matches!(
            check_program(dir.path()),
            Err(LaunchError::NotExecutable(_))
        ));
        let runnable = script(dir.path(), "runnable", "#!/bin/sh\n", 0o755);
        assert!(check_program(&runnable).is_ok());
    }

    #[tokio::test]
    async fn hostile_values_reach_the_program_literally() {
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("out");
        // The script writes its argument and environment value exactly, one per line.
        let program = script(
            dir.path(),
            "echoer",
            &format!(
                "#!/bin/sh\nprintf '%s\\n' \"$1\" \"$NUDGE_CONTEXT_DATA\" > '{}'\n",
                out.display()
            ),
            0o755,
        );
        let hostile = "x; rm -rf / $(touch pwned) `id` \"q\" 'q'".to_string();
        launch(
            &program,
            std::slice::from_ref(&hostile),
            &[("NUDGE_CONTEXT_DATA", hostile.clone())],
        )
        .expect("launches");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let written = loop {
            if let Ok(text) = std::fs::read_to_string(&out) {
                if text.lines().count() == 2 {
                    break text;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the program did not run"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        assert_eq!(written, format!("{hostile}\n{hostile}\n"));
        assert!(!dir.path().join("pwned").exists());
        assert!(!Path::new("pwned").exists());
    }

    #[tokio::test]
    async fn values_with_nul_or_over_the_limit_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let program = script(dir.path(), "ok", "#!/bin/sh\n", 0o755);
        let nul = launch(&program, &[], &[("NUDGE_COOKIE", "a\0b".into())]);
        assert!(matches!(
            nul,
            Err(LaunchError::BadValue {
                name: "NUDGE_COOKIE"
            })
        ));
        let big = "x".repeat(MAX_CONTEXT_BYTES + 1);
        assert!(launch(&program, &[], &[("NUDGE_CONTEXT_DATA", big)]).is_err());
    }
}
