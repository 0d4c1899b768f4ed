//! What a browser gets from a node: the embedded web app on the API's port (the page, the hashed
//! assets it references with their types and cache policy), the API's JSON 404s kept apart from
//! it, and `GET /v1/info`, the app's first question.

mod common;

use numo_node::config::{RunInfo, RunMode};
use numo_node::web::{content_type, CACHE_IMMUTABLE, CACHE_REVALIDATE};
use serde_json::{json, Value};

/// The `/assets/…` files a page references (`src="/assets/…"`, `href="./assets/…"`).
fn referenced_assets(page: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in page.match_indices("assets/") {
        let quote_at = page[..at].rfind(['"', '\'']).unwrap_or(0);
        let prefix = &page[quote_at + 1..at];
        if prefix != "/" && prefix != "./" {
            continue;
        }
        let end = page[at..].find(['"', '\'']).map_or(page.len(), |e| at + e);
        found.push(format!("/{}", &page[at..end]));
    }
    found.sort();
    found.dedup();
    found
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).map_or(String::new(), |v| v.to_str().unwrap().to_string())
}

#[test]
fn asset_references_are_found_in_a_vite_page() {
    let page = r#"<script type="module" crossorigin src="/assets/index-B1x.js"></script>
        <link rel="stylesheet" href="./assets/index-C2y.css"><img src="https://x/assets/no.png">"#;
    assert_eq!(referenced_assets(page), ["/assets/index-B1x.js", "/assets/index-C2y.css"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_serves_the_app_beside_the_api() {
    let n = common::start_dev_node(50).await;
    let client = reqwest::Client::new();
    let page = client.get(format!("{}/", n.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&page, "cache-control"), CACHE_REVALIDATE);
    let etag = header(&page, "etag");
    let html = page.text().await.unwrap();
    assert!(html.to_ascii_lowercase().contains("<html"), "{html}");
    let same = client.get(format!("{}/index.html", n.url)).send().await.unwrap();
    assert_eq!(same.text().await.unwrap(), html);
    let revalidated = client.get(format!("{}/", n.url)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(revalidated.status(), 304);

    // Whatever bundle is embedded: every asset its page references is served with its type and
    // the immutable policy, byte for byte the embedded file.
    for path in referenced_assets(&html) {
        let asset = client.get(format!("{}{path}", n.url)).send().await.unwrap();
        assert_eq!(asset.status(), 200, "{path}");
        assert_eq!(header(&asset, "content-type"), content_type(&path), "{path}");
        assert_eq!(header(&asset, "cache-control"), CACHE_IMMUTABLE, "{path}");
        assert!(!asset.bytes().await.unwrap().is_empty(), "{path}");
    }
    for file in numo_node::web::files().filter(|f| f.starts_with("assets/")) {
        let asset = client.get(format!("{}/{file}", n.url)).send().await.unwrap();
        assert_eq!((asset.status().as_u16(), header(&asset, "cache-control")), (200, CACHE_IMMUTABLE.into()), "{file}");
    }

    // The API's unknown paths stay JSON; other unknown paths are plain 404s (the app routes
    // with the URL hash, so nothing falls back to the page).
    for path in ["/v1/nope", "/v1/index.html", "/assets/missing-0000.js", "/orders"] {
        let response = client.get(format!("{}{path}", n.url)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "no_route", "{path}");
    }
    let post = client.post(format!("{}/", n.url)).body("x").send().await.unwrap();
    assert_eq!(post.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_tells_the_mode_the_dev_accounts_and_the_evm_rpc() {
    let n = common::start_dev_node(50).await;
    let client = reqwest::Client::new();
    let info =
        || async { client.get(format!("{}/v1/info", n.url)).send().await.unwrap().json::<Value>().await.unwrap() };
    // Nobody said how it runs: a node of a genesis file, without dev accounts or an EVM RPC.
    let plain = info().await;
    assert_eq!((plain["mode"].as_str(), plain["devAccounts"].as_u64()), (Some("genesis"), Some(0)));
    assert_eq!(plain["evmRpc"], Value::Null);
    n.node
        .run_info
        .set(RunInfo { mode: RunMode::Dev, dev_accounts: 10, evm_rpc: Some("http://127.0.0.1:9545".into()) })
        .unwrap();
    let dev = info().await;
    assert_eq!(
        dev,
        json!({
            "chainId": n.genesis.chain_id, "venueId": n.genesis.venue_id, "mode": "dev", "devAccounts": 10,
            "evmRpc": "http://127.0.0.1:9545", "version": env!("CARGO_PKG_VERSION"),
        })
    );
    assert_eq!(dev["chainId"], 7357);
}
