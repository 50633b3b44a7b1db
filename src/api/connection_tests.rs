//! The connection code over an in-memory pipe: it serves any byte stream, so the same lines go
//! over a Unix socket and a Windows named pipe.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, WriteHalf};
use tokio::sync::{mpsc, watch};

use super::run;
use crate::api::server::{ServeContext, ServerOptions, Shared};
use crate::command::Command;
use crate::core::{CommandSender, EventBus};

const TOKEN: &str = "0123456789abcdef";

/// A client end, the core's command queue and the server's stop switch.
struct Rig {
    lines: Lines<BufReader<tokio::io::ReadHalf<DuplexStream>>>,
    writer: WriteHalf<DuplexStream>,
    commands: mpsc::UnboundedReceiver<Command>,
    stop: watch::Sender<bool>,
    served: tokio::task::JoinHandle<()>,
}

/// Serves one connection over an in-memory byte stream split in two halves, as a named pipe is.
fn serve() -> Rig {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let (command_tx, commands) = mpsc::unbounded_channel();
    let events = EventBus::default();
    let receiver = events.subscribe(None);
    let context = ServeContext::at(std::path::Path::new("unused/api.sock"));
    let shared = Arc::new(Shared::new(
        &context,
        CommandSender::new(command_tx),
        events,
        ServerOptions::default(),
        TOKEN.to_string(),
        receiver,
    ));
    let (stop, stopped) = watch::channel(false);
    let (server_reader, server_writer) = tokio::io::split(server);
    let served = tokio::spawn(run(server_reader, server_writer, shared, stopped));
    let (reader, writer) = tokio::io::split(client);
    Rig {
        lines: BufReader::new(reader).lines(),
        writer,
        commands,
        stop,
        served,
    }
}

impl Rig {
    async fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("write");
    }

    async fn answer(&mut self) -> Value {
        let line = self.lines.next_line().await.expect("read").expect("a line");
        serde_json::from_str(&line).expect("JSON")
    }
}

#[tokio::test]
async fn a_locked_connection_is_answered_locked() {
    let mut rig = serve();
    rig.send(r#"{"id":2,"method":"status"}"#).await;
    let answer = rig.answer().await;
    assert_eq!(answer["id"], 2);
    assert_eq!(answer["error"]["code"], "locked", "{answer}");
    assert!(rig.commands.try_recv().is_err(), "nothing reaches the core");
}

#[tokio::test]
async fn the_ctl_token_unlocks_and_commands_reach_the_core_in_order() {
    let mut rig = serve();
    rig.send(&json!({"id": 1, "method": "unlock", "params": {"token": TOKEN}}).to_string())
        .await;
    assert_eq!(rig.answer().await, json!({"id": 1, "result": {}}));
    rig.send(r#"{"id":"a","method":"send","params":{"to":"bob@example.org","body":"Hi"}}"#)
        .await;
    rig.send(r#"{"id":"b","method":"contact_remove","params":{"jid":"eve@example.org"}}"#)
        .await;
    let sent = rig.answer().await;
    assert_eq!(sent["id"], "a");
    assert!(sent["result"]["id"].is_string(), "{sent}");
    assert_eq!(rig.answer().await, json!({"id": "b", "result": {}}));
    assert!(matches!(
        rig.commands.recv().await,
        Some(Command::SendMessage { body, .. }) if body == "Hi"
    ));
    assert!(matches!(
        rig.commands.recv().await,
        Some(Command::RemoveContact { jid }) if jid.as_str() == "eve@example.org"
    ));
}

#[tokio::test]
async fn a_line_split_across_writes_and_bad_lines_get_answers() {
    let mut rig = serve();
    rig.writer
        .write_all(br#"{"id":7,"meth"#)
        .await
        .expect("write");
    rig.writer.flush().await.expect("flush");
    rig.send(r#"od":"apps"}"#).await;
    let apps = rig.answer().await;
    assert_eq!(apps["id"], 7, "{apps}");
    assert!(apps.get("result").is_some(), "{apps}");
    rig.send("not json").await;
    let answer = rig.answer().await;
    assert_eq!(answer["id"], Value::Null);
    assert_eq!(answer["error"]["code"], "parse_error", "{answer}");
}

#[tokio::test]
async fn the_client_closing_its_end_ends_the_connection() {
    let mut rig = serve();
    rig.send(r#"{"id":1,"method":"apps"}"#).await;
    rig.writer.shutdown().await.expect("shut down");
    assert_eq!(rig.answer().await["id"], 1);
    assert!(rig.lines.next_line().await.expect("read").is_none());
    rig.served.await.expect("the connection ends");
}

#[tokio::test]
async fn stopping_the_server_ends_the_connection() {
    let mut rig = serve();
    rig.stop.send(true).expect("stop");
    rig.served.await.expect("the connection ends");
    assert!(rig.lines.next_line().await.expect("read").is_none());
}
