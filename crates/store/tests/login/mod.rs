//! Sign-in against a guesser: attempts are claimed before their password is checked, so a
//! parallel burst gets no more checks than the limit; the lock holds against the right
//! password; and one address cannot lock an account for its owner elsewhere. Both backends.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use shanyrak_store::{
    LOGIN_FAILURES_BEFORE_LOCK, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS,
    LOGIN_LOCK_MINUTES, Store, StoreError,
};

use super::{Fixture, now};

on_both_backends!(
    a_parallel_burst_gets_no_more_checks_than_the_limit,
    one_address_cannot_lock_an_account_for_other_addresses,
    an_address_guessing_many_accounts_is_stopped,
    an_account_guessed_from_many_addresses_is_locked_for_all,
);

const RIGHT: &str = "correct horse battery";

fn ip(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

async fn attempt(
    store: &Store,
    email: &str,
    password: &str,
    from: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    store
        .login_from(email, password, None, ip(from), at + Duration::hours(1), at)
        .await
        .map(|_| ())
}

/// What each attempt came to: checked and wrong, refused unchecked (or locked by its own
/// failure), signed in.
fn tally(outcomes: &[Result<(), StoreError>]) -> (usize, usize, usize) {
    let wrong = outcomes
        .iter()
        .filter(|o| matches!(o, Err(StoreError::InvalidCredentials)))
        .count();
    let locked = outcomes
        .iter()
        .filter(|o| matches!(o, Err(StoreError::LoginLocked { .. })))
        .count();
    let ok = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(wrong + locked + ok, outcomes.len(), "{outcomes:?}");
    (wrong, locked, ok)
}

async fn a_parallel_burst_gets_no_more_checks_than_the_limit(f: Fixture) {
    let store = Arc::new(f.store.clone());
    let mut tasks = Vec::new();
    for _ in 0..60 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            attempt(
                &store,
                "a@example.org",
                "wrong password",
                "203.0.113.7",
                now(),
            )
            .await
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("task"));
    }
    let (wrong, locked, ok) = tally(&outcomes);
    assert_eq!(ok, 0);
    // Every wrong answer is one password check; the attempt that reached the limit was
    // checked too and answered as locked. No more checks than the limit.
    assert_eq!(
        wrong,
        (LOGIN_FAILURES_BEFORE_LOCK - 1) as usize,
        "{outcomes:?}"
    );
    assert_eq!(locked, 60 - wrong);

    // The right password inside the lock period is refused from that address.
    let later = now() + Duration::minutes(1);
    let refused = attempt(&store, "a@example.org", RIGHT, "203.0.113.7", later).await;
    assert!(matches!(refused, Err(StoreError::LoginLocked { until }) if until > later));
    // After the lock period it signs in.
    let after = now() + Duration::minutes(LOGIN_LOCK_MINUTES + 1);
    attempt(&store, "a@example.org", RIGHT, "203.0.113.7", after)
        .await
        .expect("signed in after the lock");
}

async fn one_address_cannot_lock_an_account_for_other_addresses(f: Fixture) {
    for _ in 0..(LOGIN_FAILURES_BEFORE_LOCK * 3) {
        attempt(&f.store, "a@example.org", "wrong", "198.51.100.1", now())
            .await
            .ok();
    }
    assert!(matches!(
        attempt(&f.store, "a@example.org", RIGHT, "198.51.100.1", now()).await,
        Err(StoreError::LoginLocked { .. })
    ));
    // The owner at the reception desk signs in; so does an IPv6 user, counted by /64.
    attempt(&f.store, "a@example.org", RIGHT, "192.0.2.10", now())
        .await
        .expect("owner elsewhere");
    attempt(&f.store, "a@example.org", RIGHT, "2001:db8:1:2::5", now())
        .await
        .expect("owner over IPv6");
    // An IPv6 guesser changing the low 64 bits is one address.
    for n in 0..LOGIN_FAILURES_BEFORE_LOCK {
        attempt(
            &f.store,
            "b@example.org",
            "wrong",
            &format!("2001:db8:9:9::{n:x}"),
            now(),
        )
        .await
        .ok();
    }
    assert!(matches!(
        attempt(
            &f.store,
            "b@example.org",
            RIGHT,
            "2001:db8:9:9::ffff",
            now()
        )
        .await,
        Err(StoreError::LoginLocked { .. })
    ));
    attempt(&f.store, "b@example.org", RIGHT, "2001:db8:9:a::1", now())
        .await
        .expect("another network");
}

async fn an_address_guessing_many_accounts_is_stopped(f: Fixture) {
    // One wrong guess per account (never reaching an account's own limit), from one address.
    for n in 0..LOGIN_FAILURES_PER_ADDRESS {
        let outcome = attempt(
            &f.store,
            &format!("user{n}@example.org"),
            "guess",
            "203.0.113.50",
            now(),
        )
        .await;
        assert!(matches!(
            outcome,
            Err(StoreError::InvalidCredentials | StoreError::LoginLocked { .. })
        ));
    }
    // The address is stopped, even with a right password.
    assert!(matches!(
        attempt(&f.store, "a@example.org", RIGHT, "203.0.113.50", now()).await,
        Err(StoreError::LoginLocked { .. })
    ));
    // Everyone else signs in.
    attempt(&f.store, "a@example.org", RIGHT, "203.0.113.51", now())
        .await
        .expect("another address");
}

async fn an_account_guessed_from_many_addresses_is_locked_for_all(f: Fixture) {
    let per_address = LOGIN_FAILURES_BEFORE_LOCK - 1;
    let addresses = LOGIN_FAILURES_PER_ACCOUNT / per_address + 1;
    for a in 0..addresses {
        for _ in 0..per_address {
            attempt(
                &f.store,
                "b@example.org",
                "wrong",
                &format!("10.1.{}.{}", a / 200, a % 200 + 1),
                now(),
            )
            .await
            .ok();
        }
    }
    assert!(matches!(
        attempt(&f.store, "b@example.org", RIGHT, "192.0.2.99", now()).await,
        Err(StoreError::LoginLocked { .. })
    ));
    // Other accounts are untouched.
    attempt(&f.store, "a@example.org", RIGHT, "192.0.2.99", now())
        .await
        .expect("another account");
}
