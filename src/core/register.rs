//! Creating an account on its server (XEP-0077 in-band registration).

use std::collections::BTreeMap;

use futures_util::{SinkExt, StreamExt};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::xmlstream::{FallibleStreamElement, ReadError, Timeouts, XmppStreamElement};
use tokio_xmpp::Stanza;

use super::connect::{self, ConnectError, Secured};
use crate::config::AccountConfig;
use crate::xmpp::register::{self, RegistrationField, RegistrationForm};

/// Asks the server of `account.jid` what it wants to create an account. Errors are in plain
/// words.
pub async fn fetch_form(account: &AccountConfig) -> Result<RegistrationForm, String> {
    within_limit(async {
        let (mut stream, form) = open(account).await?;
        let _ = stream.shutdown().await;
        Ok(form)
    })
    .await
}

/// Registers `account.jid` with `password` on its server, with `fields` (by name) for what
/// else the server's form asks. The form is asked for again on this connection, so values the
/// server hides in it are fresh. Errors are in plain words.
pub async fn register_account(
    account: &AccountConfig,
    password: &str,
    fields: &BTreeMap<String, String>,
) -> Result<(), String> {
    let jid = connect::account_jid(account).map_err(|e| e.to_string())?;
    let mut values = fields.clone();
    values.insert(
        "username".into(),
        jid.node().map(|n| n.to_string()).unwrap_or_default(),
    );
    values.insert("password".into(), password.to_owned());
    within_limit(async {
        let (mut stream, mut form) = open(account).await?;
        if form.captcha {
            return Err(match &form.web_page {
                Some(url) => format!(
                    "this server asks to solve a picture puzzle, which Nudge cannot show; \
                     create the account on {url}"
                ),
                None => "this server asks to solve a picture puzzle, which Nudge cannot show; \
                         create the account on the server's website"
                    .into(),
            });
        }
        // Every server takes these two, even one whose form forgot to list them.
        for var in ["username", "password"] {
            if !form.fields.iter().any(|f| f.var == var) {
                form.fields.push(RegistrationField::legacy(var));
            }
        }
        let missing = form.missing(&values);
        if !missing.is_empty() {
            return Err(format!("the server also needs: {}", missing.join(", ")));
        }
        let answer = ask(&mut stream, register::submit("reg-2", &form, &values)).await?;
        register::classify_result(&answer).map_err(|e| e.to_string())?;
        let _ = stream.shutdown().await;
        Ok(())
    })
    .await
}

/// A secured connection to the account's server and the registration form it gave.
async fn open(
    account: &AccountConfig,
) -> Result<
    (
        tokio_xmpp::xmlstream::XmppStream<connect::BoxedIo>,
        RegistrationForm,
    ),
    String,
> {
    let Secured {
        mut stream,
        encrypted,
        ..
    } = connect::secure(account, Timeouts::tight())
        .await
        .map_err(|e| e.to_string())?;
    if !encrypted {
        tracing::info!("registering over an unencrypted loopback connection");
    }
    let fields = ask(&mut stream, register::fields_request("reg-1")).await?;
    let form = register::parse_fields(&fields).map_err(|e| e.to_string())?;
    Ok((stream, form))
}

/// Runs `work` with the time limit of one registration exchange.
async fn within_limit<T>(
    work: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, String> {
    tokio::time::timeout(std::time::Duration::from_secs(30), work)
        .await
        .map_err(|_| ConnectError::Timeout.to_string())?
}

async fn ask(
    stream: &mut tokio_xmpp::xmlstream::XmppStream<connect::BoxedIo>,
    iq: Iq,
) -> Result<Iq, String> {
    let id = iq_id(&iq).to_string();
    stream
        .send(&XmppStreamElement::Stanza(Stanza::Iq(iq)))
        .await
        .map_err(|e| format!("the connection was lost ({e})"))?;
    loop {
        match stream.next().await {
            Some(Ok(FallibleStreamElement::Ok(XmppStreamElement::Stanza(Stanza::Iq(answer)))))
                if iq_id(&answer) == id =>
            {
                return Ok(answer)
            }
            Some(Ok(_))
            | Some(Err(ReadError::SoftTimeout))
            | Some(Err(ReadError::ParseError(_))) => {}
            Some(Err(e)) => return Err(format!("the connection was lost ({e})")),
            None => return Err("the server closed the connection".into()),
        }
    }
}

/// The id of any iq.
pub fn iq_id(iq: &Iq) -> &str {
    match iq {
        Iq::Get { id, .. } | Iq::Set { id, .. } | Iq::Result { id, .. } | Iq::Error { id, .. } => {
            id
        }
    }
}
