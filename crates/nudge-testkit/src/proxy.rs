//! A TCP relay between a client and the test server that can cut or freeze the link, to test
//! stream resumption and dead-link detection without touching the server.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A relay listening on a free loopback port and forwarding to `target`.
pub struct Relay {
    port: u16,
    cut: watch::Sender<u64>,
    frozen: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    /// Starts relaying to 127.0.0.1:`target`.
    pub async fn start(target: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("relay binds");
        let port = listener.local_addr().expect("relay address").port();
        let (cut, _) = watch::channel(0u64);
        let frozen = Arc::new(AtomicBool::new(false));
        let cuts = cut.clone();
        let freeze = frozen.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else {
                    continue;
                };
                tokio::spawn(relay(client, server, cuts.subscribe(), freeze.clone()));
            }
        });
        Self {
            port,
            cut,
            frozen,
            task,
        }
    }

    /// The port clients should connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Drops every open connection at once, as a network change would.
    pub fn cut(&self) {
        self.cut.send_modify(|n| *n += 1);
    }

    /// Stops forwarding bytes (both ways) while keeping connections open: a dead link.
    pub fn freeze(&self, frozen: bool) {
        self.frozen.store(frozen, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.cut();
        self.task.abort();
    }
}

async fn relay(
    mut client: TcpStream,
    mut server: TcpStream,
    mut cut: watch::Receiver<u64>,
    frozen: Arc<AtomicBool>,
) {
    let (mut client_read, mut client_write) = client.split();
    let (mut server_read, mut server_write) = server.split();
    let up = pump(&mut client_read, &mut server_write, &frozen);
    let down = pump(&mut server_read, &mut client_write, &frozen);
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = cut.changed() => {}
    }
    let _ = client.shutdown().await;
    let _ = server.shutdown().await;
}

async fn pump(
    from: &mut tokio::net::tcp::ReadHalf<'_>,
    to: &mut tokio::net::tcp::WriteHalf<'_>,
    frozen: &AtomicBool,
) {
    use tokio::io::AsyncReadExt;
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        // A frozen link swallows bytes, like a connection whose other end vanished.
        if frozen.load(Ordering::SeqCst) {
            continue;
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}
