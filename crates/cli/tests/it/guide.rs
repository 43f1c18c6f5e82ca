//! docs/getting-started.md, walked as a reader would: every `sh` block runs
//! in order with `sh -e` in a fresh directory, the `handshake` just built
//! first on PATH; the block marked `serve` is started on a free port, and a
//! real browser signs in with the token the guide created and takes the
//! guide's screenshots. The images the guide shows must be exactly the
//! screenshots taken here, and be in the repository.
//!
//! With `HANDSHAKE_UPDATE_SCREENSHOTS=1` the screenshots are written into
//! docs/getting-started/ (commit them); otherwise under
//! target/screenshots/getting-started/. Without Chromium the commands still
//! run and the browser part says it is skipped; with `CI=true` it must run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use fantoccini::Locator;

#[path = "../../../server/tests/support/browser.rs"]
mod web_driver;
use web_driver::*;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// One fenced `sh` block and the `<!-- guide-test: WORD ... -->` marker
/// right above it, if any.
struct Block {
    marker: Option<String>,
    script: String,
}

fn blocks(guide: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut marker = None;
    let mut lines = guide.lines();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("<!-- guide-test:") {
            marker = rest.split_whitespace().next().map(str::to_string);
        } else if line.trim() == "```sh" {
            let script: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            out.push(Block {
                marker: marker.take(),
                script: script.join("\n"),
            });
        } else if !line.trim().is_empty() {
            marker = None;
        }
    }
    out
}

/// The `NAME` of every `![...](getting-started/NAME.png)` in the guide.
fn images(guide: &str) -> Vec<String> {
    let mut names: Vec<String> = guide
        .split("](getting-started/")
        .skip(1)
        .filter_map(|rest| rest.split_once(".png)").map(|(n, _)| n.to_string()))
        .collect();
    names.sort();
    names
}

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A command in the guide's directory, with the built `handshake` first on
/// PATH and no Handshake settings from the caller's environment.
fn in_dir(dir: &Path, program: &str) -> Command {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_handshake"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new(program);
    c.current_dir(dir)
        .env("PATH", path)
        .env_remove("HANDSHAKE_DB")
        .env_remove("HANDSHAKE_WORKSPACE")
        .env_remove("HANDSHAKE_BIND");
    c
}

fn screenshots() -> PathBuf {
    if std::env::var("HANDSHAKE_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        return Path::new(REPO).join("docs/getting-started");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(REPO).join("target"), PathBuf::from);
    target.join("screenshots/getting-started")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn getting_started() {
    let guide = std::fs::read_to_string(Path::new(REPO).join("docs/getting-started.md")).unwrap();
    let with_browser = browser_present();
    let dir = Dir(std::env::temp_dir().join(format!("handshake-guide-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).unwrap();
    // The guide is read from a checkout: its examples and sample exports are there.
    for shared in ["examples", "docs"] {
        std::os::unix::fs::symlink(Path::new(REPO).join(shared), dir.0.join(shared)).unwrap();
    }

    let mut token = None;
    let mut server = None;
    let mut browser_session = None;
    let mut taken: Vec<String> = Vec::new();
    let shots = screenshots();
    let steps = blocks(&guide);
    assert!(
        steps.len() >= 6,
        "the guide lost its steps: {} blocks",
        steps.len()
    );
    for block in &steps {
        match block.marker.as_deref() {
            Some("skip") => continue,
            Some("serve") => {
                assert_eq!(block.script.trim(), "handshake serve");
                let mut serve = in_dir(&dir.0, "handshake");
                serve.args(["serve", "--bind", "127.0.0.1:0"]);
                let (child, base) = crate::spawn_serve(serve);
                server = Some((Server(child), base));
                if !with_browser {
                    continue;
                }
                let (_, base) = server.as_ref().unwrap();
                let token: &String = token
                    .as_ref()
                    .expect("the guide creates a token before serve");
                let (driver, c) = browser(&dir.0.join("profile")).await;
                c.set_window_size(1200, 860).await.unwrap();

                c.goto(&format!("{base}/")).await.unwrap();
                c.wait().for_element(Locator::Css("#token")).await.unwrap();
                shot_to(&c, &shots, "sign-in").await;
                taken.push("sign-in".into());
                fill(&c, "#token", token).await;
                click(&c, "form button").await;
                c.wait().for_element(Locator::Css(".teams")).await.unwrap();
                assert!(text(&c, "h1").await.contains("Initech"));

                // A month of the sample export.
                c.goto(&format!("{base}/?period=2026-10")).await.unwrap();
                let cards = text(&c, ".teams").await;
                assert!(
                    cards.contains("mql-volume") && cards.contains("of 25"),
                    "{cards}"
                );
                // The activities export's touches stop the follow-up clocks.
                let follow_up = c
                    .find(Locator::XPath(
                        "//article[.//h3[text()='follow-up']]//span[@class='actual']",
                    ))
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                assert!(
                    follow_up.ends_with('%') && follow_up != "0.0%",
                    "follow-up {follow_up}"
                );
                assert!(
                    text(&c, ".goal aside.outside")
                        .await
                        .contains("Outside figures, not your data"),
                    "the speed context beside the median first touch"
                );
                shot_to(&c, &shots, "scorecard").await;
                taken.push("scorecard".into());

                // The export is history: its breaches are older than the
                // queue keeps, and the breaches list has them.
                c.goto(&format!("{base}/queue")).await.unwrap();
                let queue = text(&c, "main").await;
                assert!(queue.contains("in the breaches list, not here"), "{queue}");
                c.goto(&format!("{base}/breaches")).await.unwrap();
                let breaches = text(&c, "table.breaches").await;
                assert!(breaches.contains("first-touch"), "{breaches}");
                shot_to(&c, &shots, "breaches").await;
                taken.push("breaches".into());
                browser_session = Some((driver, c));
            }
            Some(other) => panic!("unknown guide-test marker {other:?}"),
            None => {
                let out = in_dir(&dir.0, "sh")
                    .args(["-e", "-c", &block.script])
                    .output()
                    .unwrap();
                let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
                assert!(
                    out.status.success(),
                    "the guide's step failed:\n{}\n--- stdout\n{stdout}\n--- stderr\n{}",
                    block.script,
                    String::from_utf8_lossy(&out.stderr)
                );
                if let Some(t) = stdout.split_whitespace().find(|w| w.starts_with("hs_")) {
                    token = Some(t.to_string());
                }
                if block.script.starts_with("handshake init") {
                    let written = std::fs::read_to_string(dir.0.join("handshake.toml")).unwrap();
                    assert!(written.contains("subdivision = \"IL\""), "{written}");
                    assert!(
                        stdout.contains("2026-03-02 Casimir Pulaski Day"),
                        "{stdout}"
                    );
                    assert!(
                        written.contains("mql (181)"),
                        "the export's stages: {written}"
                    );
                }
                if block.script.contains("agreement diff 1 2") {
                    assert!(
                        stdout.ends_with("goal mql-volume: target 25 → 30\n"),
                        "{stdout}"
                    );
                }
            }
        }
    }
    assert!(server.is_some(), "the guide never starts the server");

    if let (Some((_driver, c)), Some((_, base))) = (&browser_session, &server) {
        c.goto(&format!("{base}/agreement?from=1&to=2"))
            .await
            .unwrap();
        assert_eq!(
            text(c, "ul.changes li").await,
            "goal mql-volume: target 25 → 30"
        );
        shot_to(c, &shots, "agreement").await;
        taken.push("agreement".into());
        taken.sort();
        // The guide shows exactly these pictures, and they are committed.
        assert_eq!(images(&guide), taken);
        for name in &taken {
            let committed = Path::new(REPO).join(format!("docs/getting-started/{name}.png"));
            assert!(
                committed.exists(),
                "{} is missing: run with HANDSHAKE_UPDATE_SCREENSHOTS=1",
                committed.display()
            );
        }
    } else {
        eprintln!("SKIPPED: the guide's browser steps (no Chromium); its commands ran");
    }
}
