//! Bodies a hostile client declares but does not send, labels with a content coding, or
//! wraps in a head hyper refuses: each gets a prompt problem+json answer and stores
//! nothing.

use std::time::Duration;

use reqwest::Method;

use crate::helpers::{api_key, problem, spawn_app, spawn_with, Backend};
use crate::hostile_wire::{closed_within, read_answer, send};

const PROMPT: Duration = Duration::from_secs(3);

/// `{"email":"gzip@example.com"}`, gzipped.
const GZIPPED: &[u8] = &[
    0x1f, 0x8b, 0x8, 0x0, 0x0, 0x0, 0x0, 0x0, 0x2, 0x3, 0xab, 0x56, 0x4a, 0xcd, 0x4d, 0xcc, 0xcc,
    0x51, 0xb2, 0x52, 0x4a, 0xaf, 0xca, 0x2c, 0x70, 0x48, 0xad, 0x48, 0xcc, 0x2d, 0xc8, 0x49, 0xd5,
    0x4b, 0xce, 0xcf, 0x55, 0xaa, 0x5, 0x0, 0x3e, 0xcd, 0x57, 0x2f, 0x1c, 0x0, 0x0, 0x0,
];

fn post_contact_head(extra: &str) -> String {
    format!(
        "POST /api/v3/contacts HTTP/1.1\r\nHost: restock\r\napikey: {}\r\n\
         content-type: application/json\r\n{extra}\r\n",
        api_key()
    )
}

#[tokio::test]
async fn an_oversized_declared_body_gets_413_before_it_is_sent() {
    let app = spawn_with(Backend::sqlite(), |c| c.max_body_bytes = 1_000).await;
    let head = post_contact_head("content-length: 5000000\r\n");
    let mut stream = send(&app, head.as_bytes()).await;
    let answer = read_answer(&mut stream, PROMPT).await;
    assert_eq!(answer.status, 413, "{}", answer.head);
    let problem = answer.problem();
    assert_eq!(problem["errorCode"], "PayloadTooLarge");
    assert!(problem["detail"].as_str().unwrap().contains("1000 bytes"));
    assert!(closed_within(&mut stream, PROMPT).await.is_some());
    // The refusal is an answer like any other: counted, so an operator sees it.
    let metrics = app
        .request(Method::GET, "/metrics")
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.lines().any(
            |line| line.starts_with("restock_http_request_duration_seconds_count")
                && line.contains("method=\"POST\"")
                && line.contains("status=\"413\"")
        ),
        "the 413 is not counted:\n{metrics}"
    );
}

#[tokio::test]
async fn expect_100_continue_with_an_oversized_body_gets_413_and_no_100() {
    let app = spawn_with(Backend::sqlite(), |c| c.max_body_bytes = 1_000).await;
    let head = post_contact_head("content-length: 5000000\r\nexpect: 100-continue\r\n");
    let mut stream = send(&app, head.as_bytes()).await;
    let answer = read_answer(&mut stream, PROMPT).await;
    assert_eq!(
        answer.status, 413,
        "the first answer is the refusal, not 100 Continue"
    );
    assert_eq!(answer.problem()["errorCode"], "PayloadTooLarge");
}

#[tokio::test]
async fn expect_100_continue_then_no_body_times_out_with_408() {
    let app = spawn_with(Backend::sqlite(), |c| {
        c.http.body_read_timeout = Duration::from_secs(1)
    })
    .await;
    let head = post_contact_head("content-length: 40\r\nexpect: 100-continue\r\n");
    let mut stream = send(&app, head.as_bytes()).await;
    let proceed = read_answer(&mut stream, PROMPT).await;
    assert_eq!(proceed.status, 100);
    let answer = read_answer(&mut stream, PROMPT).await;
    assert_eq!(answer.status, 408);
    assert_eq!(answer.problem()["errorCode"], "RequestTimeout");
    assert!(closed_within(&mut stream, PROMPT).await.is_some());
}

async fn content_encoding_is_refused_with_415(backend: Backend) {
    let app = spawn_app(backend).await;
    let labelled = |body: Vec<u8>, coding: &'static str| {
        app.request(Method::POST, "/api/v3/contacts")
            .header("content-type", "application/json")
            .header("content-encoding", coding)
            .body(body)
            .send()
    };
    let plain = br#"{"email":"gzip@example.com"}"#.to_vec();
    for (body, coding) in [
        (plain, "gzip"),
        (GZIPPED.to_vec(), "gzip"),
        (GZIPPED.to_vec(), "br"),
    ] {
        let p = problem(labelled(body, coding).await.unwrap(), 415).await;
        assert_eq!(p["errorCode"], "UnsupportedContentEncoding");
        assert!(p["detail"].as_str().unwrap().contains(coding), "{p}");
    }
    // Nothing was stored: the address is still free.
    app.create_contact("gzip@example.com").await;
    let identity = labelled(br#"{"email":"plain@example.com"}"#.to_vec(), "identity");
    assert_eq!(identity.await.unwrap().status(), 201);
}

#[tokio::test]
async fn protocol_errors_have_problem_bodies() {
    let app = spawn_app(Backend::sqlite()).await;
    let long_uri = format!(
        "GET /health?{} HTTP/1.1\r\nHost: restock\r\n\r\n",
        "a".repeat(10_000)
    );
    let many_headers: String = (0..150).map(|i| format!("x-h{i}: v\r\n")).collect();
    let huge_header = format!("x-big: {}\r\n", "b".repeat(40_000));
    // Past hyper's own header count (twice ours): hyper answers, and still with a body.
    let beyond_hyper: String = (0..250).map(|i| format!("x-h{i}: v\r\n")).collect();
    let cases = [
        (long_uri, 414, "UriTooLong"),
        (
            format!("GET /health HTTP/1.1\r\nHost: r\r\n{many_headers}\r\n"),
            431,
            "HeadersTooLarge",
        ),
        (
            format!("GET /health HTTP/1.1\r\nHost: r\r\n{huge_header}\r\n"),
            431,
            "HeadersTooLarge",
        ),
        (
            format!("GET /health HTTP/1.1\r\nHost: r\r\n{beyond_hyper}\r\n"),
            431,
            "HeadersTooLarge",
        ),
        (
            post_contact_head("content-length: 5\r\ncontent-length: 7\r\n") + "{}",
            400,
            "BadRequest",
        ),
        (
            "GET /health HTTP/1.1\r\nHost: r\r\nbad header\r\n\r\n".to_owned(),
            400,
            "BadRequest",
        ),
    ];
    for (request, status, code) in cases {
        let mut stream = send(&app, request.as_bytes()).await;
        let answer = read_answer(&mut stream, PROMPT).await;
        assert_eq!(answer.status, status, "{}", answer.head);
        let problem = answer.problem();
        assert_eq!(problem["errorCode"], code);
        assert_eq!(problem["status"], status);
        assert!(!problem["detail"].as_str().unwrap().is_empty());
    }
}

crate::on_both_backends!(content_encoding_is_refused_with_415);
