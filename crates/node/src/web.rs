//! The web trading app, compiled into the binary and served on the API's port (same origin, so
//! no CORS): `web/dist`, the bundle `npm run build` writes in `web/`, committed so that cargo
//! alone builds a node that serves it.
//!
//! `/` is `index.html`. Files under `/assets/` carry a content hash in their names, so browsers
//! may keep them forever (`immutable`); every other file, `index.html` first, is revalidated on
//! each load (`no-cache` with an `ETag`), so a new node's app is picked up at once. The app routes
//! with the URL hash, so an unknown path is a 404, not `index.html`.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

/// The bundle: every file of `web/dist` by its path relative to it.
#[derive(Embed)]
#[folder = "../../web/dist/"]
struct Bundle;

/// Where hashed, never-changing files live inside the bundle.
const ASSETS_PREFIX: &str = "assets/";
/// Cache policy of hashed assets: a year, never revalidated.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache policy of everything else: keep, but ask the node each time (cheap with the ETag).
pub const CACHE_REVALIDATE: &str = "no-cache";

/// The content type of a bundle file, by extension (the kinds a vite build emits).
pub fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, extension)| extension);
    match extension.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The bundle file a request path names: `/` is `index.html`; `None` for paths the bundle
/// does not hold (and for the API's own prefix, which never falls back to the app).
fn bundle_path(path: &str) -> Option<&str> {
    if path.starts_with("/v1/") || path == "/v1" {
        return None;
    }
    match path.strip_prefix('/')? {
        "" => Some("index.html"),
        file => Some(file),
    }
}

/// The answer to `GET path` from the bundle, or `None` when it holds no such file.
pub fn serve(path: &str, request: &HeaderMap) -> Option<Response> {
    serve_from::<Bundle>(bundle_path(path)?, request)
}

/// The answer to a request for bundle file `name` of bundle `B` (a test bundle in tests).
fn serve_from<B: Embed>(name: &str, request: &HeaderMap) -> Option<Response> {
    let file = B::get(name)?;
    let etag = format!("\"{}\"", alloy_primitives::hex::encode(&file.metadata.sha256_hash()[..16]));
    let cache = if name.starts_with(ASSETS_PREFIX) { CACHE_IMMUTABLE } else { CACHE_REVALIDATE };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type(name))),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::ETAG, HeaderValue::from_str(&etag).expect("hex is a valid header value")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    if fresh {
        return Some((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    Some((headers, file.data.into_owned()).into_response())
}

/// Paths of every file in the bundle (diagnostics and tests).
pub fn files() -> impl Iterator<Item = String> {
    Bundle::iter().map(|name| name.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bundle as vite lays one out: `index.html` and hashed files under `assets/`.
    #[derive(Embed)]
    #[folder = "tests/fixtures/web/"]
    struct Fixture;

    async fn body(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()
    }

    fn header(response: &Response, name: header::HeaderName) -> &str {
        response.headers().get(name).map_or("", |v| v.to_str().unwrap())
    }

    #[tokio::test]
    async fn hashed_assets_are_immutable_and_the_page_is_revalidated() {
        let none = HeaderMap::new();
        let page = serve_from::<Fixture>("index.html", &none).unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(header(&page, header::CONTENT_TYPE), "text/html; charset=utf-8");
        assert_eq!(header(&page, header::CACHE_CONTROL), CACHE_REVALIDATE);
        let etag = header(&page, header::ETAG).to_string();
        assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
        assert!(String::from_utf8(body(page).await).unwrap().contains("/assets/app-3f9a1c.js"));
        for (name, kind) in [
            ("assets/app-3f9a1c.js", "text/javascript; charset=utf-8"),
            ("assets/guest-77b2e0.wasm", "application/wasm"),
        ] {
            let asset = serve_from::<Fixture>(name, &none).unwrap();
            assert_eq!(
                (header(&asset, header::CONTENT_TYPE), header(&asset, header::CACHE_CONTROL)),
                (kind, CACHE_IMMUTABLE)
            );
            assert_eq!(body(asset).await, Fixture::get(name).unwrap().data.as_ref());
        }
        assert!(serve_from::<Fixture>("assets/missing.js", &none).is_none());

        // A revalidation with the current tag is answered 304 without a body; a stale tag gets
        // the file.
        let mut request = HeaderMap::new();
        request.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&format!("\"old\", {etag}")).unwrap());
        let again = serve_from::<Fixture>("index.html", &request).unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(header(&again, header::ETAG), etag);
        assert!(body(again).await.is_empty());
        request.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"old\""));
        assert_eq!(serve_from::<Fixture>("index.html", &request).unwrap().status(), StatusCode::OK);
    }

    #[test]
    fn the_api_prefix_never_reaches_the_bundle() {
        assert_eq!(bundle_path("/"), Some("index.html"));
        assert_eq!(bundle_path("/assets/index-abc123.js"), Some("assets/index-abc123.js"));
        assert_eq!(bundle_path("/v1/nope"), None);
        assert_eq!(bundle_path("/v1"), None);
        assert_eq!(bundle_path("relative"), None);
        assert!(serve("/v1/index.html", &HeaderMap::new()).is_none());
        assert!(serve("/../Cargo.toml", &HeaderMap::new()).is_none());
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("assets/app-1a2b.JS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("assets/guest_bg-9f.wasm"), "application/wasm");
        assert_eq!(content_type("favicon.ico"), "image/x-icon");
        assert_eq!(content_type("assets/logo.svg"), "image/svg+xml");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
