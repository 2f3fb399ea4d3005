//! The department's calendar: "now" and "today" on its clock (`WebConfig::timezone`),
//! the instants a local day spans, days between two instants. Pages show local times;
//! the domain's "not in the future" checks take the department's day, not UTC's.

use seldinger_domain::localtime::{from_local, local_date};
use time::{Date, Duration, OffsetDateTime};

use crate::AppState;
use crate::auth::Ctx;

/// `now` as the department's clock shows it: the same instant, at the zone's offset, so
/// that the domain's "today" (`now.date()`: a referral or consent date not in the future)
/// is the department's day, not UTC's.
pub(crate) fn local_now(now: OffsetDateTime, zone: &jiff::tz::TimeZone) -> OffsetDateTime {
    let local = seldinger_domain::localtime::to_local(now, zone).assume_utc();
    let seconds = (local - now).whole_seconds();
    i32::try_from(seconds)
        .ok()
        .and_then(|s| time::UtcOffset::from_whole_seconds(s).ok())
        .map(|offset| now.to_offset(offset))
        .unwrap_or(now)
}

/// Full days between the local dates of `from` and `now`.
pub(crate) fn days_between(
    from: OffsetDateTime,
    now: OffsetDateTime,
    zone: &jiff::tz::TimeZone,
) -> i64 {
    let start = seldinger_domain::localtime::local_date(from, zone);
    let end = seldinger_domain::localtime::local_date(now, zone);
    (end - start).whole_days()
}

/// The department's today, on its clock.
pub(crate) fn today(state: &AppState, ctx: &Ctx) -> Date {
    local_date(state.now(), &ctx.timezone)
}

/// The instants of a local day: `[midnight, next midnight)` in the department's zone.
pub(crate) fn day_bounds(day: Date, zone: &jiff::tz::TimeZone) -> (OffsetDateTime, OffsetDateTime) {
    (
        from_local(day.midnight(), zone),
        from_local((day + Duration::days(1)).midnight(), zone),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_department_day_is_the_local_one() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").expect("bundled zone");
        let late = time::macros::datetime!(2026-11-22 23:30 UTC);
        let local = local_now(late, &paris);
        assert_eq!(local, late, "the same instant");
        assert_eq!(local.date(), time::macros::date!(2026 - 11 - 23));
        assert_eq!(
            local_now(late, &jiff::tz::TimeZone::UTC).date(),
            late.date()
        );
    }
}
