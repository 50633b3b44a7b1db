//! Creating an account on its server (XEP-0077 in-band registration).

use futures_util::{SinkExt, StreamExt};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::xmlstream::{FallibleStreamElement, ReadError, Timeouts, XmppStreamElement};
use tokio_xmpp::Stanza;

use super::connect::{self, ConnectError, Secured};
use crate::config::AccountConfig;
use crate::xmpp::register;

/// Registers `account.jid` with `password` on its server. Errors are in plain words.
pub async fn register_account(account: &AccountConfig, password: &str) -> Result<(), String> {
    let jid = connect::account_jid(account).map_err(|e| e.to_string())?;
    let username = jid.node().map(|n| n.to_string()).unwrap_or_default();
    let work = async {
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
        let missing = form.extra_required();
        if !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .map(|f| f.label.clone().unwrap_or_else(|| f.var.clone()))
                .collect();
            return Err(format!(
                "this server asks for more than a name and password to create an account ({}); \
                 create it on the server's website instead",
                names.join(", ")
            ));
        }
        let answer = ask(&mut stream, register::submit("reg-2", &username, password)).await?;
        register::classify_result(&answer).map_err(|e| e.to_string())?;
        let _ = stream.shutdown().await;
        Ok(())
    };
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
