//! `spawn_app()`: a running server, a token for it, and a client.

use handshake_store::{Store, Workspace};
use reqwest::{Client, Response};

pub struct App {
    pub base: String,
    pub token: String,
    pub client: Client,
    pub store: Store,
    _dir: TempDir,
}

pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub async fn spawn_app() -> App {
    spawn_app_with(handshake_server::Settings::default()).await
}

/// A running server with these settings.
pub async fn spawn_app_with(settings: handshake_server::Settings) -> App {
    let dir = std::env::temp_dir().join(format!("handshake-server-it-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("test.db").display()))
        .await
        .unwrap();
    let token = store
        .create_token(
            &Workspace::new("default").unwrap(),
            "test",
            handshake_store::TokenRole::Admin,
            None,
        )
        .await
        .unwrap()
        .reveal();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(handshake_server::serve(
        listener,
        handshake_server::AppState::with_settings(store.clone(), settings),
        std::future::pending(),
    ));
    App {
        base,
        token,
        client: Client::new(),
        store,
        _dir: TempDir(dir),
    }
}

impl App {
    pub async fn post(&self, path: &str, body: impl Into<String>) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .body(body.into())
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    /// A client whose requests come from this loopback address (127.0.0.x),
    /// as another machine's would.
    pub fn client_from(&self, last: u8) -> Client {
        Client::builder()
            .local_address(std::net::IpAddr::from([127, 0, 0, last]))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A token of another workspace.
    pub async fn token_for(&self, workspace: &str) -> String {
        self.store
            .create_token(
                &Workspace::new(workspace).unwrap(),
                "other",
                handshake_store::TokenRole::Admin,
                None,
            )
            .await
            .unwrap()
            .reveal()
    }
}

pub fn event(id: &str, lead: &str, at: &str) -> String {
    format!(
        r#"{{"id":"{id}","type":"lead.created","lead_id":"{lead}","occurred_at":"{at}","attributes":{{"segment":"enterprise","source":"webinar"}}}}"#
    )
}

pub async fn json(r: Response) -> serde_json::Value {
    r.json().await.unwrap()
}
