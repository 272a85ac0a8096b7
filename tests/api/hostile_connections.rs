//! Slow and silent clients: every connection is closed within its configured timeout, and
//! the server keeps answering everyone else meanwhile.

use std::time::{Duration, Instant};

use restock::config::HttpConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::helpers::{api_key, spawn_with, Backend, TestApp};
use crate::hostile_wire::{closed_within, connect, read_answer, send};

const TIMEOUT: Duration = Duration::from_secs(1);
/// Scheduling slack on a machine shared with the rest of the suite (the watchdog itself
/// looks every quarter timeout). Without timeouts no connection ever closes, so any margin
/// still tells the two apart.
const MARGIN: Duration = Duration::from_secs(3);

fn short_timeouts() -> HttpConfig {
    HttpConfig {
        header_read_timeout: TIMEOUT,
        body_read_timeout: TIMEOUT,
        keep_alive_timeout: TIMEOUT,
        ..HttpConfig::default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Slow {
    /// Half a request head, then nothing.
    HalfHead,
    /// A header line every 200 ms, never the end of the head.
    Dribble,
    /// A whole head announcing 100 bytes, then 9 of them.
    HalfBody,
    /// One request answered, then silence on the kept-alive connection.
    IdleKeepAlive,
    /// Connects and never sends a byte.
    Silent,
}

async fn open(app: &TestApp, kind: Slow) -> TcpStream {
    match kind {
        Slow::HalfHead => send(app, b"GET /ready HTTP/1.1\r\nHost: restock\r\nX-Slow: ").await,
        Slow::Dribble => {
            let stream = send(app, b"GET /ready HTTP/1.1\r\nHost: restock\r\n").await;
            let std = stream.into_std().expect("std stream");
            let writer = TcpStream::from_std(std.try_clone().expect("clone")).expect("tokio");
            tokio::spawn(dribble(writer));
            TcpStream::from_std(std).expect("tokio stream")
        }
        Slow::HalfBody => {
            let head = format!(
                "POST /api/v3/contacts HTTP/1.1\r\nHost: restock\r\napikey: {}\r\n\
                 content-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"email\":",
                api_key()
            );
            send(app, head.as_bytes()).await
        }
        Slow::IdleKeepAlive => {
            let mut stream = send(app, b"GET /health HTTP/1.1\r\nHost: restock\r\n\r\n").await;
            let answer = read_answer(&mut stream, Duration::from_secs(5)).await;
            assert_eq!(answer.status, 200);
            stream
        }
        Slow::Silent => connect(app).await,
    }
}

async fn dribble(mut writer: TcpStream) {
    for i in 0.. {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if writer
            .write_all(format!("X-{i}: y\r\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_slow_connections_are_closed_while_ready_answers() {
    let app = spawn_with(Backend::sqlite(), |c| c.http = short_timeouts()).await;
    let kinds = [
        Slow::HalfHead,
        Slow::Dribble,
        Slow::HalfBody,
        Slow::IdleKeepAlive,
        Slow::Silent,
    ];
    let mut waits = Vec::new();
    for i in 0..200 {
        let kind = kinds[i % kinds.len()];
        let mut stream = open(&app, kind).await;
        let deadline = Instant::now() + TIMEOUT + MARGIN;
        waits.push(tokio::spawn(async move {
            let left = deadline.saturating_duration_since(Instant::now());
            (kind, closed_within(&mut stream, left).await)
        }));
    }
    let all_closed = futures::future::join_all(waits);
    tokio::pin!(all_closed);
    let mut ready_answers = 0;
    let results = loop {
        tokio::select! {
            results = &mut all_closed => break results,
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                let started = Instant::now();
                let ready = app.client.get(format!("{}/ready", app.address)).send().await;
                assert_eq!(ready.expect("/ready answers").status(), 200);
                assert!(started.elapsed() < Duration::from_secs(2), "/ready was slow");
                ready_answers += 1;
            }
        }
    };
    assert!(
        ready_answers >= 5,
        "/ready was asked only {ready_answers} times"
    );
    for result in results {
        let (kind, closed) = result.expect("client task");
        let (_, received) = closed.unwrap_or_else(|| panic!("a {kind:?} connection stayed open"));
        if kind == Slow::HalfBody {
            let text = String::from_utf8_lossy(&received);
            assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
            assert!(text.contains("\"errorCode\":\"RequestTimeout\""), "{text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_drops_the_slow_clients_after_its_deadline() {
    let app = spawn_with(Backend::sqlite(), |c| {
        c.http = HttpConfig {
            header_read_timeout: Duration::from_secs(60),
            body_read_timeout: Duration::from_secs(60),
            keep_alive_timeout: Duration::from_secs(60),
            shutdown_timeout: TIMEOUT,
            ..HttpConfig::default()
        }
    })
    .await;
    let mut clients = Vec::new();
    for kind in [
        Slow::HalfBody,
        Slow::HalfHead,
        Slow::IdleKeepAlive,
        Slow::Silent,
    ] {
        clients.push((kind, open(&app, kind).await));
    }
    // The half-sent body is a request in flight: the server must not wait for it forever.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    tokio::time::timeout(TIMEOUT + MARGIN, app.stop())
        .await
        .expect("the server stops within shutdown_timeout");
    for (kind, mut stream) in clients {
        let closed = closed_within(&mut stream, Duration::from_millis(500)).await;
        assert!(
            closed.is_some(),
            "a {kind:?} connection outlived the server"
        );
    }
    assert!(started.elapsed() < TIMEOUT + MARGIN);
}
