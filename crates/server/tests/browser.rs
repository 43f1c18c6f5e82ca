//! End-to-end tests in a real browser: headless Chromium, driven through
//! chromedriver, against a server holding a demo company. Each page is
//! opened, its content checked against numbers computed here from the same
//! events, the what-if and planner forms are filled in and sent, and a
//! screenshot of every page is saved under target/screenshots/.
//!
//! Chromium and chromedriver come from Debian (`.ci/run` installs them).
//! Without them the suite says so and passes; with `CI=true` a skip fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use fantoccini::{Client, Locator};
use handshake_core::demo::{DemoSpec, generate};
use handshake_core::engine::{PeriodKey, evaluate};
use handshake_store::{Store, Workspace};
use serde_json::json;

#[path = "support/browser.rs"]
mod web_driver;
use web_driver::*;

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")),
        PathBuf::from,
    );
    target.join("screenshots")
}

async fn shot(client: &Client, name: &str) {
    shot_to(client, &screenshots(), name).await;
}

struct Site {
    base: String,
    token: String,
    store: Store,
    ws: Workspace,
    demo: handshake_core::demo::Demo,
    events: usize,
    _dir: TempDir,
}

async fn demo_site() -> Site {
    let dir = std::env::temp_dir().join(format!("handshake-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("demo.db").display()))
        .await
        .unwrap();
    let ws = Workspace::new("default").unwrap();
    let spec = DemoSpec {
        seed: 11,
        leads: 2_000,
        as_of: jiff::Timestamp::now(),
    };
    let loaded = handshake_server::load_demo(&store, &ws, &spec)
        .await
        .unwrap();
    let demo = generate(&spec).unwrap();
    let token = store
        .create_token(&ws, "browser", handshake_store::TokenRole::Admin, None)
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
    Site {
        base,
        token,
        store,
        ws,
        demo,
        events: loaded.events,
        _dir: TempDir(dir),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_signed_in_in_a_real_browser() {
    if !browser_present() {
        return;
    }
    let site = demo_site().await;
    let profile = site._dir.0.join("profile");
    let (_driver, c) = browser(&profile).await;
    let eval = evaluate(
        &site.demo.agreement,
        &site.demo.events,
        jiff::Timestamp::now(),
    );
    let tz = &site.demo.agreement.time_zone.tz;

    // Every page needs sign-in: the scorecard sends a stranger to the form.
    c.goto(&format!("{}/", site.base)).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    shot(&c, "login").await;
    fill(
        &c,
        "#token",
        "hs_000000000000_0000000000000000000000000000000000000000",
    )
    .await;
    click(&c, "form button").await;
    assert!(text(&c, ".error").await.contains("not valid"));
    fill(&c, "#token", &site.token).await;
    click(&c, "form button").await;

    // Scorecard: the demo's numbers, as the engine computes them here.
    c.wait().for_element(Locator::Css(".teams")).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/");
    assert!(text(&c, "h1").await.contains("Northwind Cloud"));
    assert!(
        text(&c, ".freshness")
            .await
            .contains(&format!("{} events", site.events)),
        "freshness stamp: {}",
        text(&c, ".freshness").await
    );
    let month = PeriodKey::containing(handshake_core::agreement::Period::Month, eval.as_of, tz);
    let mqls = eval
        .goals
        .iter()
        .find(|g| g.id == "mql-volume" && g.period == month)
        .unwrap();
    let card = text(&c, ".goal").await;
    assert!(
        card.contains("mql-volume") && card.contains(&format!("{} of 400", mqls.actual)),
        "{card}"
    );
    let teams = text(&c, ".teams").await;
    assert!(
        teams.contains("Marketing") && teams.contains("Sales"),
        "{teams}"
    );
    assert!(c.find(Locator::Css(".goal svg.chart rect")).await.is_ok());
    assert!(text(&c, "table").await.contains("enterprise-first-touch"));
    shot(&c, "scorecard").await;

    // Every goal number on the scorecard is a link: clicking it opens the
    // list of what it counted, as many rows as the number (a count, a
    // rate's denominator, a median's cases), and the list's CSV holds the
    // same leads in the same order.
    let cards = c.find_all(Locator::Css(".goal")).await.unwrap().len();
    let links = c.find_all(Locator::Css(".goal .actual a")).await.unwrap();
    assert_eq!(links.len(), cards, "one link per goal card");
    let mut hrefs = Vec::new();
    for a in links {
        hrefs.push(a.attr("href").await.unwrap().unwrap());
    }
    let cookie = c
        .get_all_cookies()
        .await
        .unwrap()
        .iter()
        .map(|k| format!("{}={}", k.name(), k.value()))
        .collect::<Vec<_>>()
        .join("; ");
    for (i, href) in hrefs.iter().enumerate() {
        c.goto(&format!("{}/", site.base)).await.unwrap();
        let link = c
            .find_all(Locator::Css(".goal .actual a"))
            .await
            .unwrap()
            .remove(i);
        link.click().await.unwrap();
        c.wait()
            .for_element(Locator::Css("main .figure"))
            .await
            .unwrap();
        assert_eq!(&c.current_url().await.unwrap().path(), href);
        let mut parts = href.trim_start_matches("/goals/").split('/');
        let (id, period) = (parts.next().unwrap(), parts.next().unwrap());
        let result = eval
            .goals
            .iter()
            .find(|g| g.id == id && g.period.to_string() == period)
            .unwrap_or_else(|| panic!("no {id} {period} in the evaluation"));
        let listed = c
            .find_all(Locator::Css("table.drill tbody tr"))
            .await
            .unwrap()
            .len();
        let all = text(&c, "main").await;
        let total = match &result.actual {
            handshake_core::engine::Actual::Count(n) => *n,
            other => other.counts().1.unwrap_or(listed as u64),
        };
        assert!(all.contains(&format!(" {total} in all")), "{href}: {all}");
        assert_eq!(
            listed as u64,
            total.min(100),
            "{href}: rows on the first page"
        );
        let csv = reqwest::Client::new()
            .get(format!("{}{href}?format=csv", site.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(csv.lines().count() as u64 - 1, total, "{href}: {csv}");
        let mut first_page = Vec::new();
        for row in c
            .find_all(Locator::Css(
                "table.drill tbody tr td:first-child a:first-child",
            ))
            .await
            .unwrap()
        {
            first_page.push(row.text().await.unwrap());
        }
        let csv_leads: Vec<&str> = csv
            .lines()
            .skip(1)
            .take(100)
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(csv_leads, first_page, "{href}");
    }
    shot(&c, "goal-rows").await;

    // At-risk queue: reps by name, and a lead to click through to.
    c.goto(&format!("{}/queue", site.base)).await.unwrap();
    let queue = text(&c, "main").await;
    assert!(
        queue.contains("rep-hugo") && queue.contains("open"),
        "{queue}"
    );
    shot(&c, "queue").await;
    // The breaches list: the demo's reps missed some, still open or met late.
    c.goto(&format!("{}/breaches", site.base)).await.unwrap();
    let breaches = text(&c, "main").await;
    assert!(
        breaches.contains("Showing 1 to") && breaches.contains(" late"),
        "{breaches}"
    );
    shot(&c, "breaches").await;
    c.goto(&format!("{}/queue", site.base)).await.unwrap();
    let link = c.find(Locator::Css("section.rep td a")).await.unwrap();
    let lead = link.text().await.unwrap();
    link.click().await.unwrap();
    c.wait()
        .for_element(Locator::Css("ol.timeline"))
        .await
        .unwrap();
    assert_eq!(text(&c, "h1").await, format!("Lead {lead}"));
    let timeline = text(&c, "ol.timeline").await;
    let first = site
        .demo
        .events
        .iter()
        .filter(|e| e.subject.as_str() == lead)
        .count();
    assert_eq!(
        c.find_all(Locator::Css("ol.timeline li"))
            .await
            .unwrap()
            .len(),
        first,
        "{timeline}"
    );
    shot(&c, "lead").await;

    // Lead quality: each source's lead count this month.
    c.goto(&format!("{}/quality", site.base)).await.unwrap();
    let table = text(&c, "table").await;
    let quality = eval.quality(
        &site.demo.agreement,
        &handshake_core::engine::report::Range::period(month, &site.demo.agreement),
    );
    assert!(!quality.sources.is_empty());
    for q in &quality.sources {
        assert!(
            table.contains(&format!("{} {}", q.source, q.leads)),
            "{} {} not in {table}",
            q.source,
            q.leads
        );
    }
    shot(&c, "quality").await;

    // Requests: the demo's requests of every kind, last month's per party
    // (sent, around the agreed channels, fees) as the report counts them
    // (last month: this one may be hours old).
    let last_month = month.previous();
    c.goto(&format!("{}/requests?period={last_month}", site.base))
        .await
        .unwrap();
    let parties = text(&c, "table.request-parties").await;
    let report = handshake_core::engine::Report::new(
        &eval,
        &site.demo.agreement,
        handshake_core::engine::report::Range::period(last_month, &site.demo.agreement),
        None,
    );
    let sales = report
        .requests
        .iter()
        .find(|r| r.party == "sales")
        .expect("the demo's sales team sends requests every month");
    assert!(
        parties.contains(&format!("sales {} {}", sales.sent, sales.outside_channels)),
        "sales {} {} not in {parties}",
        sales.sent,
        sales.outside_channels
    );
    for f in &sales.fees {
        assert!(parties.contains(&f.amount), "{} not in {parties}", f.amount);
    }
    let kinds: std::collections::BTreeSet<&str> = site
        .demo
        .events
        .iter()
        .filter(|e| e.kind.is_request())
        .map(|e| e.kind.type_name())
        .collect();
    assert_eq!(
        kinds.len(),
        11,
        "the demo has requests of every kind: {kinds:?}"
    );
    shot(&c, "requests").await;

    // What-if: a draft asking 1,000 MQLs a month, pasted and sent.
    c.goto(&format!("{}/whatif", site.base)).await.unwrap();
    let prefilled = c
        .wait()
        .for_element(Locator::Css("#draft"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        prefilled.contains("target = 400"),
        "the form starts from the active version"
    );
    let draft = site
        .demo
        .agreement_text
        .replacen("target = 400", "target = 1000", 1);
    c.execute(
        "document.getElementById('draft').value = arguments[0];",
        vec![json!(draft)],
    )
    .await
    .unwrap();
    click(&c, "form.stack button").await;
    let comparison = text(&c, "#comparison").await;
    let row = comparison
        .lines()
        .find(|l| l.contains("goal mql-volume"))
        .unwrap_or_else(|| panic!("no mql-volume row in {comparison}"));
    assert!(
        row.contains(&format!("{} of 400", mqls.actual))
            && row.contains(&format!("{} of 1000", mqls.actual)),
        "{row}"
    );
    shot(&c, "whatif").await;

    // Planner: a $3M goal; the first month's leads as the planner computes them.
    c.goto(&format!("{}/planner", site.base)).await.unwrap();
    fill(&c, "input[name=goal]", "3000000 USD").await;
    fill(&c, "input[name=horizon]", "2027").await;
    click(&c, "form.grid-form button").await;
    let spec = handshake_core::planner::spec::PlanSpec {
        goal: Some("3000000 USD".into()),
        horizon: Some("2027".into()),
        deal_size: Some("25000".into()),
        lead_to_mql: Some("20%".into()),
        mql_to_sql: Some("40%".into()),
        sql_to_opportunity: Some("60%".into()),
        opportunity_to_won: Some("25%".into()),
        marketing_share: Some("60%".into()),
        cycle: Some("90".into()),
        ..Default::default()
    };
    let plan = handshake_core::planner::plan(&spec.resolve(None).unwrap()).unwrap();
    let m = &plan.months[0];
    let first_row = text(&c, "#plan tbody tr").await;
    assert_eq!(
        first_row,
        format!(
            "{} {} {} {} {} {} {:.0} USD",
            m.month, m.leads, m.mqls, m.sqls, m.opportunities, m.deals, m.revenue
        )
    );
    assert!(c.find(Locator::Css("#plan svg.chart")).await.is_ok());
    shot(&c, "planner").await;

    // Agreement: in plain words, and the diff of a second version.
    let v1 = &site.demo.agreement_text;
    let v2 = v1.replacen("target = 400", "target = 450", 1);
    site.store.add_agreement(&site.ws, "v2", &v2).await.unwrap();
    c.goto(&format!("{}/agreement?from=1&to=2", site.base))
        .await
        .unwrap();
    assert!(
        text(&c, ".prose")
            .await
            .contains("Marketing delivers at least")
    );
    // Markdown rendered: the parties are bold, not wrapped in asterisks.
    assert_eq!(text(&c, ".prose li strong").await, "Marketing");
    assert_eq!(
        text(&c, "ul.changes li").await,
        "goal mql-volume: target 400 → 450"
    );
    shot(&c, "agreement").await;
    // The text diff is one click away.
    c.find(Locator::LinkText("The text, line by line"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(text(&c, "pre.diff .add").await, "+ target = 450");
    assert_eq!(text(&c, "pre.diff .del").await, "- target = 400");

    // At phone width (390 px) no page scrolls sideways, and the queue keeps
    // the columns a rep acts on in view: lead, guarantee, due, time left.
    c.set_window_size(390, 844).await.unwrap();
    let lead_path = format!("/leads/{}", site.demo.events[0].subject.as_str());
    for (path, name) in [
        ("/", "scorecard"),
        ("/queue", "queue"),
        ("/breaches", "breaches"),
        ("/quality", "quality"),
        ("/requests", "requests"),
        ("/agreement", "agreement"),
        ("/whatif", "whatif"),
        ("/planner", "planner"),
        ("/notifications", "notifications"),
        (lead_path.as_str(), "lead"),
    ] {
        c.goto(&format!("{}{path}", site.base)).await.unwrap();
        c.wait().for_element(Locator::Css("main")).await.unwrap();
        assert!(fits_width(&c).await, "{path} scrolls sideways on a phone");
        if path == "/queue" {
            for column in ["Lead", "Guarantee", "Due", "Business time left"] {
                let visible = c
                    .execute(
                        "const th = [...document.querySelectorAll('table.queue th')].find(t => t.textContent === arguments[0]);
                         if (!th) return 'missing';
                         const r = th.getBoundingClientRect();
                         return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth + 1 ? 'visible' : `at ${r.left}-${r.right}`;",
                        vec![json!(column)],
                    )
                    .await
                    .unwrap();
                assert_eq!(
                    visible,
                    json!("visible"),
                    "queue column {column} on a phone"
                );
            }
        }
        shot(&c, &format!("{name}-phone")).await;
    }

    // An unknown page is a page, not JSON; signing out ends the session.
    c.set_window_size(1280, 1000).await.unwrap();
    c.goto(&format!("{}/no-such-page", site.base))
        .await
        .unwrap();
    assert_eq!(text(&c, "h1").await, "Page not found");
    c.goto(&format!("{}/", site.base)).await.unwrap();
    click(&c, ".signout button").await;
    c.wait().for_element(Locator::Css("#token")).await.unwrap();
    c.goto(&format!("{}/queue", site.base)).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    c.close().await.unwrap();
}
