//! The database gone is a 503 within a second, whatever the request was doing.
//!
//! The store already answers `Unavailable` within its acquire timeout (500 ms) when a
//! request asks for a connection and none answers. What that cannot bound is a request
//! whose statement was already sent when the server stopped answering: its bytes wait in
//! a socket, and PostgreSQL's `statement_timeout` is the server's own clock, frozen with
//! it. So every route runs under [`bound`], a watchdog: a request still running after
//! [`FIRST_LOOK`] makes the database answer a trivial query ([`Store::ping`], within
//! [`PROBE`]), again every [`EVERY`] while it runs, and is answered 503
//! (`database_unavailable`) the first time the database does not answer.
//!
//! Why a watchdog rather than a plain request timeout: a request that is slow while the
//! database answers — a large page on a loaded machine, a SQLite write waiting its turn
//! for the write lock, a PostgreSQL statement waiting on a row lock until the statement
//! timeout — goes on; only a request stuck behind a database that has stopped answering
//! is cut. A healthy request never pays anything but a timer.
//!
//! What a cut write becomes: the handler's future is dropped. A transaction whose commit
//! was not sent is rolled back (the pool rolls back a connection returned mid-transaction,
//! and a server that lost the connection aborts it); one whose commit was already on its
//! way may land once the database answers again. Either way the answer was a 503, never a
//! success: nothing acknowledged is lost, and a client that retries a creation may find
//! it done.
//!
//! [`Store::ping`]: seldinger_store::Store::ping

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::error::AppError;

/// How long a request runs before its first look at the database.
pub(crate) const FIRST_LOOK: Duration = Duration::from_millis(500);
/// How long the database has to answer a look.
pub(crate) const PROBE: Duration = Duration::from_millis(250);
/// How often a request still running looks again.
pub(crate) const EVERY: Duration = Duration::from_millis(250);
/// How long `/readyz` waits for the database's answer.
pub(crate) const READY_WITHIN: Duration = Duration::from_millis(800);

/// Every request is answered within this of the database stopping to answer: the look
/// that finds it gone starts at most [`FIRST_LOOK`] (a request that had just begun) or
/// [`EVERY`] (one already running) after, and ends within [`PROBE`].
const _: () = assert!(
    FIRST_LOOK.as_millis() + PROBE.as_millis() < 1000
        && EVERY.as_millis() + PROBE.as_millis() < 1000
        && READY_WITHIN.as_millis() < 1000
);

/// Runs the request; answers 503 if, while it runs, the database stops answering.
pub(crate) async fn bound(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = crate::is_api(req.uri().path());
    let work = next.run(req);
    tokio::pin!(work);
    let mut wait = FIRST_LOOK;
    loop {
        tokio::select! {
            biased;
            response = &mut work => return response,
            () = tokio::time::sleep(wait) => {}
        }
        let look = tokio::time::timeout(PROBE, state.store().ping());
        tokio::select! {
            biased;
            response = &mut work => return response,
            answer = look => {
                if !matches!(answer, Ok(Ok(()))) {
                    tracing::warn!("the database stopped answering while a request waited: 503");
                    return if api {
                        AppError::Unavailable.problem()
                    } else {
                        AppError::Unavailable.page()
                    };
                }
            }
        }
        wait = EVERY;
    }
}
