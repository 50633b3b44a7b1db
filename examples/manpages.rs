//! Writes Nudge's man pages, generated from its command-line definition (`nudge::cli::Cli`),
//! into the folder given: `nudge.1` and one page per subcommand (`nudge-ctl-send.1`, …), so
//! they can never describe options the program does not have.
//!
//! `packaging/build-deb` runs it before packaging:
//! `cargo run --example manpages -- target/deb-assets/man`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;

fn main() -> ExitCode {
    let Some(out_dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: manpages OUT_DIR");
        return ExitCode::FAILURE;
    };
    let written = std::fs::create_dir_all(&out_dir)
        .and_then(|()| clap_mangen::generate_to(nudge::cli::Cli::command(), &out_dir));
    match written {
        Ok(()) => {
            println!("wrote the man pages to {}", out_dir.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "could not write the man pages to {}: {error}",
                out_dir.display()
            );
            ExitCode::FAILURE
        }
    }
}
