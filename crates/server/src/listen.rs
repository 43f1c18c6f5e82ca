//! The accept loop: a function of a listener, the router and a shutdown
//! signal (the shape of mini-redis's server). It bounds what connections can
//! hold: at most [`Limits::max_connections`] at once (a semaphore, taken
//! before `accept`), request heads of at most [`Limits::max_header_bytes`]
//! that must arrive within [`Limits::header_read_timeout`] (a slow client
//! cannot pin a connection), and bodies that must keep arriving
//! ([`Limits::body_timeout`], a tower-http layer in the router).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// What one server lets its clients hold.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections open at once; more wait in the listen backlog. Each costs a
    /// file descriptor: keep it under `ulimit -n`.
    pub max_connections: usize,
    /// Time for a client to send a request's line and headers, from the
    /// first byte of the request (or of the connection).
    pub header_read_timeout: Duration,
    /// The largest request line plus headers, in bytes (larger: 431).
    pub max_header_bytes: usize,
    /// Time a request body may go without a chunk arriving (then the request is refused).
    pub body_timeout: Duration,
    /// On shutdown, time given to requests in flight before connections close.
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 4_096,
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: 32 * 1024,
            body_timeout: Duration::from_secs(30),
            drain: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the
/// requests in flight finish (at most `limits.drain`).
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req
            });
        let connection = graceful
            .watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            // A client that hangs up or times out ends its connection; that is
            // not the server's error.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the drain time were cut off");
    }
    Ok(())
}
