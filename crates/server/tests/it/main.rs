//! The server as a client sees it: each test starts the real server on a
//! random port with a fresh SQLite database, and talks HTTP to it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod alerts;
mod api;
mod app;
mod directory;
mod drill;
mod engine;
mod hardening;
mod hooks;
mod operations;
mod pages;
mod requests;
mod writeback;
