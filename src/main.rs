//! The `nudge` binary: the window, headless mode, account setup, `nudge ctl`, `nudge apps` and
//! `nudge history`.

use std::process::ExitCode;

use clap::Parser;
use nudge::cli::{AccountAction, Cli, CliCommand};
use nudge::config::{AccountConfig, Profile};

fn main() -> ExitCode {
    // Before anything else (and before any thread): programs Nudge starts must not inherit it.
    let env_password = nudge::runner::take_environment_password();
    nudge::runner::init_logging();
    let cli = Cli::parse();
    match run(cli, env_password) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("nudge: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, env_password: Option<String>) -> anyhow::Result<()> {
    let profile = Profile::named(&cli.profile)?;
    match cli.command {
        None if cli.headless => nudge::runner::run_headless(profile, env_password),
        None => window(profile, cli, env_password),
        Some(CliCommand::Account { action }) => account(&profile, action),
        Some(CliCommand::Ctl { command }) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(nudge::api::ctl::run(&profile, command))?;
            Ok(())
        }
        Some(CliCommand::Apps { action }) => Ok(nudge::apps::cli::run(&profile, action)?),
        Some(CliCommand::History { action }) => nudge::history::cli::run(&profile, action),
    }
}

/// Opens the window, or hands the request (and the link) to the Nudge already running for the
/// profile and exits.
fn window(profile: Profile, cli: Cli, env_password: Option<String>) -> anyhow::Result<()> {
    use nudge::runner::HandOver;
    let link = cli
        .link
        .as_deref()
        .map(nudge::xmpp::uri::parse)
        .transpose()?;
    // Started hidden (at login) while Nudge runs already: nothing to show, nothing to do.
    let running = match cli.hidden && link.is_none() {
        true => nudge::runner::find_running(&profile)?,
        false => nudge::runner::hand_over(&profile, cli.link.as_deref())?,
    };
    match running {
        HandOver::Taken if cli.hidden && link.is_none() => Ok(()),
        HandOver::Taken => {
            println!(
                "Nudge is already running for profile {:?}; it has come to the front.",
                profile.name
            );
            Ok(())
        }
        HandOver::NoneRunning => nudge::runner::run_window(profile, cli.hidden, env_password, link),
    }
}

fn account(profile: &Profile, action: AccountAction) -> anyhow::Result<()> {
    match action {
        AccountAction::Show => {
            let account = profile.load_account()?;
            println!("{}", serde_json::to_string_pretty(&account)?);
        }
        AccountAction::Set {
            jid,
            host,
            port,
            trust_cert,
            tls,
        } => {
            let mut account = profile.load_account()?.unwrap_or_default();
            if account.jid != jid {
                account = AccountConfig::default();
            }
            account.jid = nudge::xmpp::address::parse_bare(&jid)?.to_string();
            account.host = host;
            account.port = port;
            account.tls = tls.into();
            if let Some(path) = trust_cert {
                let pem = std::fs::read_to_string(&path)
                    .map_err(|e| anyhow::anyhow!("could not read {}: {e}", path.display()))?;
                let fingerprint = nudge::core::tls::pem_fingerprint(&pem).ok_or_else(|| {
                    anyhow::anyhow!("{} holds no PEM certificate", path.display())
                })?;
                if !account.pinned_certificates.contains(&fingerprint) {
                    account.pinned_certificates.push(fingerprint);
                }
            }
            profile.create_dirs()?;
            profile.save_account(&account)?;
            println!("{}", serde_json::to_string_pretty(&account)?);
        }
    }
    Ok(())
}
