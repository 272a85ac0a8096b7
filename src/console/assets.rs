//! The console's stylesheet and script, compiled into the binary (no CDN, no build step).
//! Pages link them with their content hash in the query (`?v=`), so a browser may keep
//! them for a year and still fetches a new version the moment the binary changes.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::ConsoleError;

/// One compiled-in file.
pub struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// The first 16 hex digits of the body's SHA-256: the `?v=` and the ETag.
    version: LazyLock<String>,
}

impl Asset {
    /// The path pages link, with the version that makes it cacheable forever.
    pub fn url(&self) -> String {
        format!("/admin/assets/{}?v={}", self.name, *self.version)
    }

    fn etag(&self) -> String {
        format!("\"{}\"", *self.version)
    }
}

fn version_of(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))[..16].to_owned()
}

pub static STYLESHEET: Asset = Asset {
    name: "console.css",
    content_type: "text/css; charset=utf-8",
    body: include_bytes!("assets/console.css"),
    version: LazyLock::new(|| version_of(include_bytes!("assets/console.css"))),
};

pub static SCRIPT: Asset = Asset {
    name: "console.js",
    content_type: "text/javascript; charset=utf-8",
    body: include_bytes!("assets/console.js"),
    version: LazyLock::new(|| version_of(include_bytes!("assets/console.js"))),
};

static ALL: [&Asset; 2] = [&STYLESHEET, &SCRIPT];

/// `GET /admin/assets/{name}`: the file, 304 when the browser's copy is current.
pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Result<Response, ConsoleError> {
    let asset = ALL
        .iter()
        .find(|a| a.name == name)
        .ok_or(ConsoleError::NotFound)?;
    let etag = asset.etag();
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let etag = HeaderValue::from_str(&etag).map_err(|_| ConsoleError::NotFound)?;
    if fresh {
        let headers = [(header::ETAG, etag), (header::CACHE_CONTROL, cache)];
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        ),
        (header::ETAG, etag),
        (header::CACHE_CONTROL, cache),
    ];
    Ok((headers, asset.body).into_response())
}
