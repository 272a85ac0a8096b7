//! Raw HTTP/1.1 over TCP for the hostile-client tests: what a client sends byte by byte,
//! and what comes back, without a client library that would fix the request up.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

pub async fn connect(app: &TestApp) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    TcpStream::connect(address).await.expect("connect")
}

/// A connection that has already sent `bytes`.
pub async fn send(app: &TestApp, bytes: &[u8]) -> TcpStream {
    let mut stream = connect(app).await;
    stream.write_all(bytes).await.expect("send");
    stream
}

/// One answer: its status, its head as text, and its body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as a problem+json document, asserting the content type.
    pub fn problem(&self) -> Value {
        assert!(
            self.head
                .to_ascii_lowercase()
                .contains("content-type: application/problem+json"),
            "not problem+json: {}",
            self.head
        );
        serde_json::from_slice(&self.body).expect("problem+json body")
    }
}

/// Reads one answer (head, then a `content-length` body) within `limit`.
pub async fn read_answer(stream: &mut TcpStream, limit: Duration) -> Answer {
    tokio::time::timeout(limit, read_answer_now(stream))
        .await
        .expect("an answer within the limit")
}

async fn read_answer_now(stream: &mut TcpStream) -> Answer {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(
            n > 0,
            "closed before an answer: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let status = head[9..12].parse().expect("status");
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0u8; length - body.len()];
        let n = stream.read(&mut chunk).await.expect("read body");
        assert!(n > 0, "closed in the middle of the body");
        body.extend_from_slice(&chunk[..n]);
    }
    Answer { status, head, body }
}

/// How long until the server closed the connection, and what it sent before; `None` if
/// it is still open after `limit`.
pub async fn closed_within<R: AsyncRead + Unpin>(
    stream: &mut R,
    limit: Duration,
) -> Option<(Duration, Vec<u8>)> {
    let start = Instant::now();
    let mut received = Vec::new();
    let wait = async {
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(limit, wait).await.ok()?;
    Some((start.elapsed(), received))
}
