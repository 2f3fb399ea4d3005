//! What a booking needs besides the patient: rooms with their opening hours, equipment
//! and the rooms it can serve, bed units with their capacity per night, and the weekly
//! availability of operators and anesthetists with its exceptions. All hours are local
//! wall-clock time in the department's zone.

use serde::{Deserialize, Serialize};
use time::{Date, Weekday};

use crate::catalog::{EquipmentKind, RoomType};
use crate::invalid::{Collector, FieldError, Invalid, Problem};
use crate::localtime::{minute_of_day, parse_clock};
use crate::text;
use crate::user::string_enum;

/// A span of local time within one day, in minutes since midnight, `start < end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: u16,
    pub end: u16,
}

impl Span {
    pub fn contains(&self, start: u16, end: u16) -> bool {
        self.start <= start && end <= self.end
    }

    /// `08:00-12:30`.
    pub fn label(&self) -> String {
        format!(
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

/// Hours for each weekday (Monday first), each day a sorted list of disjoint spans.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours(pub [Vec<Span>; 7]);

/// Weekday codes, Monday first, as forms and JSON name them.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn weekday_index(day: Weekday) -> usize {
    usize::from(day.number_days_from_monday())
}

/// Parses `08:00-12:00, 13:30-18:00` (empty: closed that day). Spans must not overlap.
pub fn parse_spans(field: &str, raw: &str) -> Result<Vec<Span>, FieldError> {
    let bad = || {
        FieldError::new(
            field,
            Problem::BadFormat {
                expected: "hours as HH:MM-HH:MM, separated by commas",
            },
        )
    };
    let mut spans = Vec::new();
    for part in raw
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (start, end) = part.split_once('-').ok_or_else(bad)?;
        let start = minute_of_day(parse_clock(field, start).map_err(|_| bad())?);
        let end = end.trim();
        // "24:00" closes the day.
        let end = if end == "24:00" {
            24 * 60
        } else {
            minute_of_day(parse_clock(field, end).map_err(|_| bad())?)
        };
        if start >= end {
            return Err(FieldError::new(
                field,
                Problem::Inconsistent {
                    en: "each span ends after it starts",
                    fr: "chaque plage finit après son début",
                },
            ));
        }
        spans.push(Span { start, end });
    }
    spans.sort();
    if spans.windows(2).any(|w| w[0].end > w[1].start) {
        return Err(FieldError::new(
            field,
            Problem::Inconsistent {
                en: "spans that do not overlap",
                fr: "des plages qui ne se chevauchent pas",
            },
        ));
    }
    Ok(spans)
}

impl WeeklyHours {
    /// Parses one text per weekday (Monday first), naming `field.mon`… on error.
    pub fn parse(errors: &mut Collector, field: &str, days: &[String; 7]) -> Self {
        let mut hours = WeeklyHours::default();
        for (i, raw) in days.iter().enumerate() {
            if let Some(spans) = errors.check(parse_spans(&format!("{field}.{}", WEEKDAYS[i]), raw))
            {
                hours.0[i] = spans;
            }
        }
        hours
    }

    pub fn day(&self, weekday: Weekday) -> &[Span] {
        &self.0[weekday_index(weekday)]
    }

    /// Whether `[start, end)` (minutes of one day) lies within one span of `weekday`.
    pub fn covers(&self, weekday: Weekday, start: u16, end: u16) -> bool {
        self.day(weekday).iter().any(|s| s.contains(start, end))
    }

    /// Each day as text, for forms: `08:00-12:00, 13:30-18:00`.
    pub fn texts(&self) -> [String; 7] {
        std::array::from_fn(|i| {
            self.0[i]
                .iter()
                .map(Span::label)
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Vec::is_empty)
    }
}

/// A resource code: 1–32 characters, upper-case letters, digits, `-`, `_`.
pub fn resource_code(raw: &str) -> Result<String, FieldError> {
    let value = raw.trim().to_uppercase();
    if value.is_empty() {
        return Err(FieldError::new("code", Problem::Required));
    }
    if value.chars().count() > 32 {
        return Err(FieldError::new("code", Problem::TooLong { max: 32 }));
    }
    let mut bad: Vec<char> = value
        .chars()
        .filter(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '_')))
        .collect();
    bad.dedup();
    if !bad.is_empty() {
        return Err(FieldError::new(
            "code",
            Problem::ForbiddenCharacters {
                found: bad.into_iter().take(8).collect(),
            },
        ));
    }
    Ok(value)
}

fn label(raw: &str) -> Result<String, FieldError> {
    text::free_text("name", raw, 120)?.ok_or_else(|| FieldError::new("name", Problem::Required))
}

/// A room as typed: one text of hours per weekday.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub room_type: String,
    /// Monday first: `08:00-18:00`, empty when closed.
    #[serde(default)]
    pub hours: [String; 7],
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomDef {
    pub code: String,
    pub name: String,
    pub room_type: RoomType,
    pub hours: WeeklyHours,
    pub active: bool,
}

impl RoomDef {
    pub fn parse(input: &RoomInput) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let code = errors.check(resource_code(&input.code));
        let name = errors.check(label(&input.name));
        let room_type = errors.check(RoomType::parse(&input.room_type));
        let hours = WeeklyHours::parse(&mut errors, "hours", &input.hours);
        errors.finish()?;
        match (code, name, room_type) {
            (Some(code), Some(name), Some(room_type)) => Ok(Self {
                code,
                name,
                room_type,
                hours,
                active: input.active,
            }),
            _ => Err(Invalid(Vec::new())),
        }
    }
}

/// A piece of equipment as typed: the codes of the rooms it can serve.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquipmentInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub rooms: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EquipmentDef {
    pub code: String,
    pub name: String,
    pub kind: EquipmentKind,
    /// Room codes (resolved by the store).
    pub rooms: Vec<String>,
    pub active: bool,
}

impl EquipmentDef {
    pub fn parse(input: &EquipmentInput) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let code = errors.check(resource_code(&input.code));
        let name = errors.check(label(&input.name));
        let kind = errors.check(EquipmentKind::parse(&input.kind));
        let mut rooms = Vec::new();
        for (i, raw) in input.rooms.iter().enumerate() {
            if let Some(room) = errors.check(
                resource_code(raw).map_err(|e| FieldError::new(format!("rooms.{i}"), e.problem)),
            ) && !rooms.contains(&room)
            {
                rooms.push(room);
            }
        }
        if input.rooms.is_empty() {
            errors.push(FieldError::new("rooms", Problem::Required));
        }
        errors.finish()?;
        match (code, name, kind) {
            (Some(code), Some(name), Some(kind)) => Ok(Self {
                code,
                name,
                kind,
                rooms,
                active: input.active,
            }),
            _ => Err(Invalid(Vec::new())),
        }
    }
}

string_enum!(
    /// Where a patient stays: the day unit (a place for the day) or the ward (a bed for
    /// each night).
    BedUnitKind, "kind" { DayUnit = "day_unit", Ward = "ward" }
);

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BedUnitInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub capacity: Option<u32>,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BedUnitDef {
    pub code: String,
    pub name: String,
    pub kind: BedUnitKind,
    /// Places per day (day unit) or beds per night (ward).
    pub capacity: u16,
    pub active: bool,
}

impl BedUnitDef {
    pub fn parse(input: &BedUnitInput) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let code = errors.check(resource_code(&input.code));
        let name = errors.check(label(&input.name));
        let kind = errors.check(BedUnitKind::parse(&input.kind));
        let capacity = match input.capacity {
            None => {
                errors.push(FieldError::new("capacity", Problem::Required));
                None
            }
            Some(c) if !(1..=500).contains(&c) => {
                errors.push(FieldError::new(
                    "capacity",
                    Problem::BadFormat {
                        expected: "a number of beds from 1 to 500",
                    },
                ));
                None
            }
            Some(c) => u16::try_from(c).ok(),
        };
        errors.finish()?;
        match (code, name, kind, capacity) {
            (Some(code), Some(name), Some(kind), Some(capacity)) => Ok(Self {
                code,
                name,
                kind,
                capacity,
                active: input.active,
            }),
            _ => Err(Invalid(Vec::new())),
        }
    }
}

/// A change to someone's weekly availability on one date: away (leave, training), or
/// present at other hours than usual (an extra list).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailabilityException {
    pub date: Date,
    /// Hours present that day; empty when away all day.
    pub hours: Vec<Span>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityExceptionInput {
    #[serde(default)]
    pub date: String,
    /// Hours present that day, `HH:MM-HH:MM, …`; empty: away all day.
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub reason: String,
}

impl AvailabilityException {
    pub fn parse(input: &AvailabilityExceptionInput) -> Result<Self, Invalid> {
        let mut errors = Collector::default();
        let date = errors.check(crate::patient::parse_date("date", &input.date));
        let hours = errors.check(parse_spans("hours", &input.hours));
        let reason = errors.check(text::free_text("reason", &input.reason, 200));
        errors.finish()?;
        match (date, hours, reason) {
            (Some(date), Some(hours), Some(reason)) => Ok(Self {
                date,
                hours,
                reason,
            }),
            _ => Err(Invalid(Vec::new())),
        }
    }
}

/// Someone's availability: a weekly template and dated exceptions that replace it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Availability {
    pub weekly: WeeklyHours,
    pub exceptions: Vec<AvailabilityException>,
}

impl Availability {
    /// The hours present on `date`.
    pub fn on(&self, date: Date) -> &[Span] {
        match self.exceptions.iter().find(|e| e.date == date) {
            Some(exception) => &exception.hours,
            None => self.weekly.day(date.weekday()),
        }
    }

    /// Whether `[start, end)` (minutes of `date`) lies within one span present that day.
    pub fn covers(&self, date: Date, start: u16, end: u16) -> bool {
        self.on(date).iter().any(|s| s.contains(start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn hours_parse_sorted_and_refuse_overlaps() {
        assert_eq!(
            parse_spans("h", "13:30-18:00, 08:00-12:00"),
            Ok(vec![
                Span {
                    start: 480,
                    end: 720
                },
                Span {
                    start: 810,
                    end: 1080
                }
            ])
        );
        assert_eq!(parse_spans("h", ""), Ok(vec![]));
        assert!(parse_spans("h", "08:00-12:00, 11:00-13:00").is_err());
        assert!(parse_spans("h", "12:00-08:00").is_err());
        assert!(parse_spans("h", "8h-12h").is_err());
        assert_eq!(
            parse_spans("h", "00:00-24:00"),
            Ok(vec![Span {
                start: 0,
                end: 1440
            }])
        );
    }

    #[test]
    fn an_exception_replaces_the_weekly_template_on_its_date() {
        let mut weekly = WeeklyHours::default();
        weekly.0[0] = vec![Span {
            start: 480,
            end: 1080,
        }];
        let availability = Availability {
            weekly,
            exceptions: vec![AvailabilityException {
                date: date!(2026 - 11 - 30),
                hours: vec![],
                reason: Some("congrès".into()),
            }],
        };
        // 2026-11-23 and 2026-11-30 are Mondays.
        assert!(availability.covers(date!(2026 - 11 - 23), 540, 600));
        assert!(!availability.covers(date!(2026 - 11 - 30), 540, 600));
        assert!(!availability.covers(date!(2026 - 11 - 24), 540, 600));
    }

    #[test]
    fn a_room_names_the_day_with_bad_hours() {
        let mut hours: [String; 7] = Default::default();
        hours[2] = "9h-17h".into();
        let errors = RoomDef::parse(&RoomInput {
            code: "ct-1".into(),
            name: "Scanner 1".into(),
            room_type: "ct".into(),
            hours,
            active: true,
        })
        .expect_err("bad hours");
        assert!(errors.for_field("hours.wed").is_some(), "{errors}");
    }
}
