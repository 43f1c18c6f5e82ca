//! What the server's benches share: signing in as a browser, a fresh
//! PostgreSQL schema, milliseconds. Each bench binary uses a part of it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `name=value` of the response's Set-Cookie for `name`.
pub fn cookie(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap()
}

/// The value of the hidden form field `name` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = html.find(&key).unwrap() + key.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// Signs in at `base` with `token` as a browser would; the session cookie.
pub async fn sign_in(c: &reqwest::Client, base: &str, token: &str) -> String {
    let form = c.get(format!("{base}/login")).send().await.unwrap();
    let login = cookie(&form, "hs_login");
    let csrf = hidden(&form.text().await.unwrap(), "csrf");
    let r = c
        .post(format!("{base}/login"))
        .header("cookie", &login)
        .form(&[("token", token), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    cookie(&r, "hs_session")
}

/// A new, empty schema `hs_test_bench_{tag}_{pid}` on the PostgreSQL at
/// `base`, as a URL whose connections use it.
pub async fn fresh_pg_schema(base: &str, tag: &str) -> String {
    let schema = format!("hs_test_bench_{tag}_{}", std::process::id());
    let admin = sqlx::PgPool::connect(base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-csearch_path%3D{schema}")
}
