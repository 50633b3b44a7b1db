//! A TCP relay between a client and the test server that can cut or freeze the link, to test
//! stream resumption and dead-link detection without touching the server.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// How long a connection asked to break mid-stanza waits for bytes to break before it is cut
/// anyway (an idle link has no stanza to break).
const MID_STANZA_PATIENCE: Duration = Duration::from_secs(2);

/// A relay listening on a free loopback port and forwarding to `target`.
pub struct Relay {
    port: u16,
    cut: watch::Sender<u64>,
    chop: watch::Sender<u64>,
    frozen: Arc<AtomicBool>,
    chopped: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

/// What one relayed connection shares with the relay.
struct Controls {
    cut: watch::Receiver<u64>,
    chop: watch::Receiver<u64>,
    frozen: Arc<AtomicBool>,
    /// Connections broken in the middle of a chunk so far.
    chopped: Arc<AtomicU64>,
}

impl Relay {
    /// Starts relaying to 127.0.0.1:`target`.
    pub async fn start(target: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("relay binds");
        let port = listener.local_addr().expect("relay address").port();
        let (cut, _) = watch::channel(0u64);
        let (chop, _) = watch::channel(0u64);
        let frozen = Arc::new(AtomicBool::new(false));
        let chopped = Arc::new(AtomicU64::new(0));
        let (cuts, chops) = (cut.clone(), chop.clone());
        let (freeze, counter) = (frozen.clone(), chopped.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else {
                    continue;
                };
                // Subscribed now: only cuts asked for from now on concern this connection.
                let controls = Controls {
                    cut: cuts.subscribe(),
                    chop: chops.subscribe(),
                    frozen: freeze.clone(),
                    chopped: counter.clone(),
                };
                tokio::spawn(relay(client, server, controls));
            }
        });
        Self {
            port,
            cut,
            chop,
            frozen,
            chopped,
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

    /// Breaks every open connection in the middle of the next bytes it carries (either way):
    /// the first half of the chunk is forwarded, the rest is lost and the connection closed, as
    /// when a link dies while a stanza is on the wire. A connection that carries nothing for
    /// two seconds is cut between stanzas instead.
    pub fn cut_mid_stanza(&self) {
        self.chop.send_modify(|n| *n += 1);
    }

    /// How many connections [`Relay::cut_mid_stanza`] broke inside a chunk of bytes.
    pub fn chopped(&self) -> u64 {
        self.chopped.load(Ordering::SeqCst)
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

async fn relay(mut client: TcpStream, mut server: TcpStream, controls: Controls) {
    let Controls {
        mut cut,
        chop: mut chops,
        frozen,
        chopped,
    } = controls;
    let chop = AtomicBool::new(false);
    {
        let (mut client_read, mut client_write) = client.split();
        let (mut server_read, mut server_write) = server.split();
        let link = Link {
            frozen: &frozen,
            chop: &chop,
            chopped: &chopped,
        };
        let up = pump(&mut client_read, &mut server_write, link);
        let down = pump(&mut server_read, &mut client_write, link);
        tokio::pin!(up, down);
        let mut deadline = None;
        loop {
            let patience = async {
                match deadline {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = &mut up => break,
                _ = &mut down => break,
                _ = cut.changed() => break,
                _ = patience => break,
                changed = chops.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    chop.store(true, Ordering::SeqCst);
                    deadline = Some(tokio::time::Instant::now() + MID_STANZA_PATIENCE);
                }
            }
        }
    }
    // Dropping the halves is not enough: close both sockets so each side sees the end.
    let _ = client.shutdown().await;
    let _ = server.shutdown().await;
}

/// What both directions of one connection share.
#[derive(Clone, Copy)]
struct Link<'a> {
    frozen: &'a AtomicBool,
    /// Set: the next chunk either way is broken in the middle.
    chop: &'a AtomicBool,
    chopped: &'a AtomicU64,
}

/// Forwards bytes one way until either side closes, the link is broken mid-chunk, or the
/// relay stops.
async fn pump(
    from: &mut tokio::net::tcp::ReadHalf<'_>,
    to: &mut tokio::net::tcp::WriteHalf<'_>,
    link: Link<'_>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        // A frozen link swallows bytes, like a connection whose other end vanished.
        if link.frozen.load(Ordering::SeqCst) {
            continue;
        }
        if link.chop.swap(false, Ordering::SeqCst) {
            // Half a chunk (at least one byte) reaches the other side; the rest is lost.
            let half = (n / 2).max(1);
            let _ = to.write_all(&buffer[..half]).await;
            let _ = to.flush().await;
            link.chopped.fetch_add(1, Ordering::SeqCst);
            return;
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}
