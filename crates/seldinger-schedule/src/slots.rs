//! The search for the next feasible slots of a procedure: a plain scan of the local days
//! from a given time, each slot confirmed by the same [`check`](crate::check()) a booking
//! goes through.

use seldinger_domain::catalog::ProcedureType;
use seldinger_domain::localtime::{from_local, local_date};
use seldinger_domain::{CaseId, RoomId, UserId};
use time::{Duration, OffsetDateTime, PrimitiveDateTime, Time};

use crate::check::{available, bed_dates, check_among, local_span};
use crate::{Allocation, Booked, Context, Person, Request, Room};

/// What to search for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotQuery<'a> {
    pub procedure: &'a ProcedureType,
    pub case: CaseId,
    /// No slot starts before this instant.
    pub from: OffsetDateTime,
    /// The horizon: the number of local days searched, the day of `from` included.
    pub days: u16,
    /// How many slots at most.
    pub count: usize,
    /// Slots start on multiples of this many minutes after local midnight (0 counts as 1).
    pub step_minutes: u16,
    /// Only this room; otherwise every active room that fits the procedure.
    pub room: Option<RoomId>,
    /// Only this operator; otherwise the first available and free one.
    pub operator: Option<UserId>,
    /// Only this anesthetist; otherwise, when the anesthesia needs one, the first
    /// available and free one.
    pub anesthetist: Option<UserId>,
}

/// A feasible booking: [`check`](crate::check()) accepts it as it is, and gives it this
/// allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub room: RoomId,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub operator: UserId,
    pub anesthetist: Option<UserId>,
    pub allocation: Allocation,
}

/// The first `query.count` feasible slots in time order (earliest start first; for one
/// start, rooms in the order of `ctx.rooms`). For each local day of the horizon, each
/// room that fits, each grid start within the room's opening spans (and not before
/// `query.from`), the first operator (or the given one) and anesthetist (or the given
/// one, when needed or given) that are available and free; equipment and bed are picked
/// as [`check`](crate::check()) picks them. Stops as soon as `count` are found; returns
/// fewer when the horizon is exhausted.
///
/// Slots are alternatives, not a plan: two slots may overlap each other. To search for
/// a move, leave the booking being moved out of `ctx.booked`.
pub fn next_slots(query: &SlotQuery, ctx: &Context) -> Vec<Slot> {
    let mut slots = Vec::new();
    let duration = Duration::minutes(i64::from(query.procedure.duration_minutes));
    if query.count == 0 || query.days == 0 || duration <= Duration::ZERO {
        return slots;
    }
    let step = u32::from(query.step_minutes.max(1));
    let rooms: Vec<&Room> = ctx
        .rooms
        .iter()
        .filter(|r| {
            r.active
                && query.procedure.fits_room(r.room_type)
                && query.room.is_none_or(|id| id == r.id)
        })
        .collect();
    let operators = people(ctx.operators, query.operator);
    let needs_anesthetist =
        query.procedure.anesthesia.needs_anesthetist() || query.anesthetist.is_some();
    let anesthetists = people(ctx.anesthetists, query.anesthetist);
    if rooms.is_empty() || operators.is_empty() || (needs_anesthetist && anesthetists.is_empty()) {
        return slots;
    }

    let mut day = local_date(query.from, ctx.zone);
    for _ in 0..query.days {
        let Some(next_day) = day.next_day() else {
            break;
        };
        let day_start = from_local(day.midnight(), ctx.zone);
        let day_end = from_local(next_day.midnight(), ctx.zone);
        // Every candidate of the day starts and ends within it and has the same bed
        // dates, so these bookings are all that matter to any of them.
        let (_, beds) = bed_dates(query.procedure, day_start, ctx.zone);
        let relevant: Vec<&Booked> = ctx
            .booked
            .iter()
            .filter(|b| {
                b.overlaps(day_start, day_end) || b.bed_dates.iter().any(|d| beds.contains(d))
            })
            .collect();

        let mut candidates: Vec<(OffsetDateTime, usize)> = Vec::new();
        for (index, room) in rooms.iter().enumerate() {
            for span in room.hours.day(day.weekday()) {
                let mut minute = u32::from(span.start).div_ceil(step) * step;
                while minute < u32::from(span.end) {
                    let time = Time::from_hms(
                        u8::try_from(minute / 60).unwrap_or(0),
                        u8::try_from(minute % 60).unwrap_or(0),
                        0,
                    );
                    if let Ok(time) = time {
                        let start = from_local(PrimitiveDateTime::new(day, time), ctx.zone);
                        if start >= query.from {
                            candidates.push((start, index));
                        }
                    }
                    minute += step;
                }
            }
        }
        // A local time skipped by a daylight-saving change lands on a later one.
        candidates.sort();
        candidates.dedup();

        for (start, index) in candidates {
            let room = rooms[index];
            let end = start + duration;
            let local = local_span(start, end, ctx.zone);
            let fits = local.is_some_and(|(date, from, to)| {
                date == day && room.hours.covers(date.weekday(), from, to)
            });
            if !fits {
                continue;
            }
            let overlapping: Vec<&Booked> = relevant
                .iter()
                .copied()
                .filter(|b| b.overlaps(start, end))
                .collect();
            if overlapping.iter().any(|b| b.room == room.id) {
                continue;
            }
            let free =
                |p: &Person| available(p, local) && !overlapping.iter().any(|b| b.involves(p.id));
            let Some(operator) = operators.iter().copied().find(|p| free(p)) else {
                continue;
            };
            let anesthetist = if needs_anesthetist {
                match anesthetists
                    .iter()
                    .copied()
                    .find(|p| p.id != operator.id && free(p))
                {
                    Some(person) => Some(person.id),
                    None => continue,
                }
            } else {
                None
            };
            let request = Request {
                case: query.case,
                procedure: query.procedure,
                room: room.id,
                start,
                end,
                operator: operator.id,
                anesthetist,
                equipment: None,
                bed_unit: None,
                replacing: None,
            };
            if let Ok(allocation) = check_among(&request, ctx, &relevant) {
                slots.push(Slot {
                    room: room.id,
                    start,
                    end,
                    operator: operator.id,
                    anesthetist,
                    allocation,
                });
                if slots.len() >= query.count {
                    return slots;
                }
            }
        }
        day = next_day;
    }
    slots
}

/// The people to choose from: the one asked for (none if unknown), or all of them.
fn people(all: &[Person], only: Option<UserId>) -> Vec<&Person> {
    all.iter()
        .filter(|p| only.is_none_or(|id| id == p.id))
        .collect()
}
