//! Wall-clock time in the department's zone. Instants are stored in UTC; opening hours,
//! availability, calendars and forms speak local time. The zone is a parameter (from
//! the configuration), never read from the machine.

use jiff::tz::TimeZone;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::invalid::{FieldError, Problem};

/// The local wall-clock time of `at` in `zone`.
pub fn to_local(at: OffsetDateTime, zone: &TimeZone) -> PrimitiveDateTime {
    let instant =
        jiff::Timestamp::new(at.unix_timestamp(), at.nanosecond().try_into().unwrap_or(0))
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let local = zone.to_datetime(instant);
    let date = Date::from_calendar_date(
        i32::from(local.year()),
        Month::try_from(u8::try_from(local.month()).unwrap_or(1)).unwrap_or(Month::January),
        u8::try_from(local.day()).unwrap_or(1),
    )
    .unwrap_or(at.date());
    let time = Time::from_hms(
        u8::try_from(local.hour()).unwrap_or(0),
        u8::try_from(local.minute()).unwrap_or(0),
        u8::try_from(local.second()).unwrap_or(0),
    )
    .unwrap_or(Time::MIDNIGHT);
    PrimitiveDateTime::new(date, time)
}

/// The instant of a local wall-clock time in `zone`. A time skipped by a daylight-saving
/// change is moved forward; a repeated one takes the earlier instant.
pub fn from_local(local: PrimitiveDateTime, zone: &TimeZone) -> OffsetDateTime {
    let civil = jiff::civil::DateTime::new(
        i16::try_from(local.year()).unwrap_or(2000),
        i8::try_from(u8::from(local.month())).unwrap_or(1),
        i8::try_from(local.day()).unwrap_or(1),
        i8::try_from(local.hour()).unwrap_or(0),
        i8::try_from(local.minute()).unwrap_or(0),
        i8::try_from(local.second()).unwrap_or(0),
        0,
    );
    let instant = civil
        .ok()
        .and_then(|c| zone.to_ambiguous_timestamp(c).compatible().ok());
    match instant {
        Some(ts) => OffsetDateTime::from_unix_timestamp(ts.as_second())
            .unwrap_or_else(|_| local.assume_utc()),
        None => local.assume_utc(),
    }
}

/// The local date of `at` in `zone` ("today" for the department).
pub fn local_date(at: OffsetDateTime, zone: &TimeZone) -> Date {
    to_local(at, zone).date()
}

/// Parses a local date and time as forms send it: `YYYY-MM-DDTHH:MM` (what
/// `<input type=datetime-local>` sends), also with a space, or `DD/MM/YYYY HH:MM`.
pub fn parse_local_datetime(field: &str, raw: &str) -> Result<PrimitiveDateTime, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    let bad = || {
        FieldError::new(
            field,
            Problem::BadFormat {
                expected: "a date and time, YYYY-MM-DDTHH:MM",
            },
        )
    };
    let (date, time) = raw
        .split_once('T')
        .or_else(|| raw.split_once(' '))
        .ok_or_else(bad)?;
    let date = crate::patient::parse_date(field, date).map_err(|_| bad())?;
    let time = parse_clock(field, time).map_err(|_| bad())?;
    Ok(PrimitiveDateTime::new(date, time))
}

/// `YYYY-MM-DDTHH:MM`: a local time as [`parse_local_datetime`] reads it and a
/// `datetime-local` input shows it.
pub fn local_input(local: PrimitiveDateTime) -> String {
    format!("{}T{:02}:{:02}", local.date(), local.hour(), local.minute())
}

/// Parses `HH:MM` (or `HH:MM:SS`, seconds dropped).
pub fn parse_clock(field: &str, raw: &str) -> Result<Time, FieldError> {
    let bad = || {
        FieldError::new(
            field,
            Problem::BadFormat {
                expected: "a time, HH:MM",
            },
        )
    };
    let mut parts = raw.trim().split(':');
    let hour: u8 = parts.next().and_then(|h| h.parse().ok()).ok_or_else(bad)?;
    let minute: u8 = parts.next().and_then(|m| m.parse().ok()).ok_or_else(bad)?;
    if let Some(seconds) = parts.next()
        && seconds.parse::<u8>().is_err()
    {
        return Err(bad());
    }
    if parts.next().is_some() {
        return Err(bad());
    }
    Time::from_hms(hour, minute, 0).map_err(|_| bad())
}

/// Minutes since local midnight.
pub fn minute_of_day(t: Time) -> u16 {
    u16::from(t.hour()) * 60 + u16::from(t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").expect("bundled zone")
    }

    #[test]
    fn local_times_round_trip_through_paris_in_winter_and_summer() {
        let winter = datetime!(2026-11-23 08:30);
        let at = from_local(winter, &paris());
        assert_eq!(at, datetime!(2026-11-23 07:30 UTC));
        assert_eq!(to_local(at, &paris()), winter);
        let summer = datetime!(2026-07-01 08:30);
        assert_eq!(
            from_local(summer, &paris()),
            datetime!(2026-07-01 06:30 UTC)
        );
    }

    #[test]
    fn form_datetimes_parse_or_say_what_is_expected() {
        assert_eq!(
            parse_local_datetime("starts_at", "2026-11-23T08:30"),
            Ok(datetime!(2026-11-23 08:30))
        );
        assert_eq!(
            parse_local_datetime("starts_at", "23/11/2026 08:30"),
            Ok(datetime!(2026-11-23 08:30))
        );
        assert!(parse_local_datetime("starts_at", "2026-11-23T25:00").is_err());
        assert_eq!(
            parse_local_datetime("starts_at", "").unwrap_err().problem,
            Problem::Required
        );
        assert_eq!(
            local_date(datetime!(2026-11-22 23:30 UTC), &paris()),
            date!(2026 - 11 - 23)
        );
    }
}
