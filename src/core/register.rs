//! Creating an account on its server (XEP-0077 in-band registration).

use std::collections::BTreeMap;

use futures_util::{SinkExt, StreamExt};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::xmlstream::{FallibleStreamElement, ReadError, Timeouts, XmppStreamElement};
use tokio_xmpp::Stanza;

use super::connect::{self, ConnectError, Secured};

/// Why an account could not be created (or its form not fetched). The texts are for the user.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Connecting to the server failed.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The server wants a CAPTCHA solved, which Nudge cannot show.
    #[error(
        "this server asks to solve a picture puzzle, which Nudge cannot show; create the \
         account on {}",
        .web_page.as_deref().unwrap_or("the server's website")
    )]
    Captcha {
        /// Where the server says an account can be created instead.
        web_page: Option<String>,
    },
    /// The form asks for fields that were not filled in.
    #[error("the server also needs: {}", .0.join(", "))]
    Missing(Vec<String>),
    /// The server refused, or answered with something unreadable.
    #[error(transparent)]
    Refused(#[from] register::RegistrationError),
    /// The link broke during the exchange.
    #[error("the connection was lost ({0})")]
    Lost(String),
}
use crate::config::AccountConfig;
use crate::xmpp::register::{self, RegistrationField, RegistrationForm};

/// Asks the server of `account.jid` what it wants to create an account. Errors are in plain
/// words.
pub async fn fetch_form(account: &AccountConfig) -> Result<RegistrationForm, RegisterError> {
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
) -> Result<(), RegisterError> {
    let jid = connect::account_jid(account)?;
    let mut values = fields.clone();
    values.insert(
        "username".into(),
        jid.node().map(|n| n.to_string()).unwrap_or_default(),
    );
    values.insert("password".into(), password.to_owned());
    within_limit(async {
        let (mut stream, mut form) = open(account).await?;
        if form.captcha {
            return Err(RegisterError::Captcha {
                web_page: form.web_page.clone(),
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
            return Err(RegisterError::Missing(missing));
        }
        let answer = ask(&mut stream, register::submit("reg-2", &form, &values)).await?;
        register::classify_result(&answer)?;
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
    RegisterError,
> {
    let Secured {
        mut stream,
        encrypted,
        ..
    } = connect::secure(account, Timeouts::tight()).await?;
    if !encrypted {
        tracing::info!("registering over an unencrypted loopback connection");
    }
    let fields = ask(&mut stream, register::fields_request("reg-1")).await?;
    let form = register::parse_fields(&fields)?;
    Ok((stream, form))
}

/// Runs `work` with the time limit of one registration exchange.
async fn within_limit<T>(
    work: impl std::future::Future<Output = Result<T, RegisterError>>,
) -> Result<T, RegisterError> {
    tokio::time::timeout(std::time::Duration::from_secs(30), work)
        .await
        .map_err(|_| ConnectError::Timeout)?
}

async fn ask(
    stream: &mut tokio_xmpp::xmlstream::XmppStream<connect::BoxedIo>,
    iq: Iq,
) -> Result<Iq, RegisterError> {
    let id = iq_id(&iq).to_string();
    stream
        .send(&XmppStreamElement::Stanza(Stanza::Iq(iq)))
        .await
        .map_err(|e| RegisterError::Lost(e.to_string()))?;
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
            Some(Err(e)) => return Err(RegisterError::Lost(e.to_string())),
            None => return Err(RegisterError::Lost("the server closed it".into())),
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
