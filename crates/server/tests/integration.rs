//! The HTTP API end to end: the real router on a real socket, on a fresh SQLite and a
//! fresh PostgreSQL database per test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed expectation is a failed test

use shanyrak_store::testing::Backend;
use support::{TestApp, family, problem};

mod support;

/// One test a backend for each scenario, on an app of `TestApp::spawn` or, after
/// `spawn = super::app;`, of the scenario module's own `async fn app(Backend) -> TestApp`.
macro_rules! on_both_backends {
    (spawn = $spawn:path; $($scenario:ident),+ $(,)?) => {
        $(mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario($spawn(super::Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$scenario($spawn(super::Backend::Postgres).await).await;
            }
        })+
    };
    ($($scenario:ident),+ $(,)?) => {
        on_both_backends!(spawn = super::TestApp::spawn; $($scenario),+);
    };
}

mod access;
mod canary;
mod cases;
mod essentials;
mod figures;
mod heavy;
mod identity;
mod metrics;
mod places;
mod protection;
mod registration;
mod resettlement;
mod roles;
mod search;
mod sharing;
mod shelter;
mod side_doors;
mod spreadsheets;
mod startup;
mod statistics;
mod web;
