//! Connects the proxy to the app, waiting out restarts instead of failing.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::Uri;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::hub::Hub;

/// How often a refused connection is retried.
const RETRY_EVERY: Duration = Duration::from_millis(5);

/// A connector for the hyper client that always dials the app, whatever the URI says.
///
/// While the app is not up it waits for it; a refused connection (the app died and devserve has
/// not noticed yet, or it is still binding its port) is retried. Both within `hold`. Because hyper
/// hands the request over only once a connection exists, no request body is lost on the way.
#[derive(Clone)]
pub(crate) struct AppConnector {
    pub(crate) addr: SocketAddr,
    pub(crate) hub: Hub,
    pub(crate) hold: Duration,
}

impl tower::Service<Uri> for AppConnector {
    type Response = TokioIo<TcpStream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { this.connect().await.map(TokioIo::new) })
    }
}

impl AppConnector {
    async fn connect(self) -> io::Result<TcpStream> {
        let deadline = Instant::now() + self.hold;
        loop {
            if !self.hub.wait_up_until(deadline).await {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "the app did not come up in time"));
            }
            match TcpStream::connect(self.addr).await {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    return Ok(stream);
                }
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused && Instant::now() < deadline => {
                    tokio::time::sleep(RETRY_EVERY).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}
