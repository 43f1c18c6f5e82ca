//! Page speed: every dashboard page against a demo store of N leads
//! (default 100,000), signed in as a browser would be, each page fetched
//! repeatedly over HTTP on loopback. Beside them, `/healthz` fetched the same
//! way: the floor any page pays for the round trip.
//!
//! Run: `cargo bench -p handshake-server --bench pages -- [LEADS] [ROUNDS]`
//! (defaults 100,000 and 30). Prints the load time, the first evaluation
//! (done once per change of data, then in the background), and per page the
//! median, 95th percentile and slowest time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use handshake_core::demo::DemoSpec;
use handshake_store::{Store, Workspace};
use reqwest::redirect::Policy;

mod common;
use common::{hidden, ms, sign_in};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let leads: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let rounds: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let dir = std::env::temp_dir().join(format!("handshake-bench-pages-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("pages.db").display()))
        .await
        .unwrap();
    let ws = Workspace::new("default").unwrap();
    let t = Instant::now();
    let loaded = handshake_server::load_demo(
        &store,
        &ws,
        &DemoSpec {
            seed: 7,
            leads,
            as_of: jiff::Timestamp::now(),
        },
    )
    .await
    .unwrap();
    println!(
        "demo: {leads} leads, {} events, loaded in {:.1} s",
        loaded.events,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let events = store.all_events(&ws).await.unwrap();
    let read = t.elapsed();
    let (versions, _) = store.agreement_history(&ws).await.unwrap().unwrap();
    let t = Instant::now();
    let e = handshake_core::engine::evaluate_versions(&versions, &events, jiff::Timestamp::now());
    println!(
        "parts of an evaluation: read {} events from the store {:.0} ms, evaluate ({} clocks) {:.0} ms",
        events.len(),
        ms(read),
        e.clocks.len(),
        ms(t.elapsed())
    );
    drop((events, e));
    let token = store
        .create_token(&ws, "bench", handshake_store::TokenRole::Admin, None)
        .await
        .unwrap()
        .reveal();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(handshake_server::serve(
        listener,
        handshake_server::AppState::new(store.clone()),
        std::future::pending(),
    ));
    let c = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let session = sign_in(&c, &base, &token).await;
    let t = Instant::now();
    let first = c
        .get(format!("{base}/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let page = first.text().await.unwrap();
    println!(
        "first evaluation (store read + replay, then cached): {:.0} ms",
        ms(t.elapsed())
    );
    let csrf = hidden(&page, "csrf");
    let plan_form: Vec<(&str, &str)> = vec![
        ("csrf", csrf.as_str()),
        ("goal", "2000000 USD"),
        ("horizon", "2027"),
        ("deal_size", "25000"),
        ("lead_to_mql", "20%"),
        ("mql_to_sql", "40%"),
        ("sql_to_opportunity", "60%"),
        ("opportunity_to_won", "25%"),
        ("marketing_share", "60%"),
        ("cycle", "90"),
    ];
    let pages = [
        "/healthz",
        "/",
        "/?period=2026-08",
        "/queue",
        "/queue?owner=rep-hugo",
        "/leads/L-000042",
        "/agreement",
        "/whatif",
        "/planner",
        "/quality",
        "POST /planner",
    ];
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>9}",
        "page", "median", "p95", "max", "bytes"
    );
    for p in pages {
        let mut times = Vec::with_capacity(rounds);
        let mut bytes = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            let r = match p.strip_prefix("POST ") {
                Some(path) => c
                    .post(format!("{base}{path}"))
                    .header("cookie", &session)
                    .form(&plan_form),
                None => c.get(format!("{base}{p}")).header("cookie", &session),
            }
            .send()
            .await
            .unwrap();
            assert_eq!(r.status(), 200, "{p}");
            bytes = r.bytes().await.unwrap().len();
            let took = t.elapsed();
            if took.as_millis() > 100 {
                println!(
                    "  (slow: {p} round {} took {:.0} ms)",
                    times.len(),
                    ms(took)
                );
            }
            times.push(took);
        }
        times.sort();
        println!(
            "{:<24} {:>7.2}ms {:>7.2}ms {:>7.2}ms {:>9}",
            p,
            ms(times[times.len() / 2]),
            ms(times[times.len() * 95 / 100]),
            ms(times[times.len() - 1]),
            bytes
        );
    }
    // What-if re-reads every event and evaluates the draft: a computation, timed apart.
    let source = store.agreement(&ws, 1).await.unwrap().unwrap().source;
    let t = Instant::now();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("draft", source.replacen("target = 400", "target = 450", 1))
        .text("period", "");
    let r = c
        .post(format!("{base}/whatif"))
        .header("cookie", &session)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    println!(
        "what-if (read all events, evaluate the draft): {:.0} ms",
        ms(t.elapsed())
    );
    let _ = std::fs::remove_dir_all(&dir);
}
