//! The feasibility check of one request: every rule, every conflict found at once.

use jiff::tz::TimeZone;
use seldinger_domain::catalog::{ProcedureType, StayKind};
use seldinger_domain::localtime::{minute_of_day, to_local};
use seldinger_domain::resources::BedUnitKind;
use seldinger_domain::{EquipmentId, UserId};
use time::{Date, OffsetDateTime};

use crate::{Allocation, BedUnit, Booked, Conflict, Context, Person, Request};

/// Whether `request` can be booked: the equipment and bed it gets, or every conflict
/// found (not just the first).
///
/// `ctx.booked` may be any superset of the bookings that matter (those overlapping the
/// request, and those holding a bed on one of its bed dates); a request ending at or
/// before its start gets [`Conflict::EndsBeforeStart`] alone, as nothing else about it
/// makes sense.
pub fn check(request: &Request, ctx: &Context) -> Result<Allocation, Vec<Conflict>> {
    let booked: Vec<&Booked> = ctx.booked.iter().collect();
    check_among(request, ctx, &booked)
}

/// The days a stay occupies a bed, and the kind of unit it needs: outpatient, none; day
/// case, a day-unit place on the local date of `start`; inpatient for N nights, a ward
/// bed on the local dates of `start`, the day after, … N dates in all. An inpatient stay
/// of 0 nights (which the catalog refuses) occupies none.
pub fn bed_dates(
    procedure: &ProcedureType,
    start: OffsetDateTime,
    zone: &TimeZone,
) -> (Option<BedUnitKind>, Vec<Date>) {
    let first = to_local(start, zone).date();
    match procedure.stay.kind {
        StayKind::Outpatient => (None, Vec::new()),
        StayKind::DayCase => (Some(BedUnitKind::DayUnit), vec![first]),
        StayKind::Inpatient if procedure.stay.nights == 0 => (None, Vec::new()),
        StayKind::Inpatient => {
            let dates = std::iter::successors(Some(first), |d| d.next_day())
                .take(usize::from(procedure.stay.nights))
                .collect();
            (Some(BedUnitKind::Ward), dates)
        }
    }
}

/// A booking's place on the local clock: its date and its minutes `[start, end)` of that
/// date; `None` when it does not lie within one local date (across midnight, or across a
/// daylight-saving change that turns the clock back over it). The start is rounded down
/// and the end up to the minute, so a booking is never judged shorter than it is; an end
/// at the next midnight is minute 1440.
pub(crate) fn local_span(
    start: OffsetDateTime,
    end: OffsetDateTime,
    zone: &TimeZone,
) -> Option<(Date, u16, u16)> {
    let local_start = to_local(start, zone);
    let local_end = to_local(end, zone);
    let start_minute = minute_of_day(local_start.time());
    let end_minute =
        minute_of_day(local_end.time()) + u16::from(local_end.second() > 0 || end.nanosecond() > 0);
    let date = local_start.date();
    let end_minute = if local_end.date() == date {
        end_minute
    } else if Some(local_end.date()) == date.next_day() && end_minute == 0 {
        24 * 60
    } else {
        return None;
    };
    (start_minute < end_minute).then_some((date, start_minute, end_minute))
}

/// Whether `person` is present for the whole local span.
pub(crate) fn available(person: &Person, local: Option<(Date, u16, u16)>) -> bool {
    local.is_some_and(|(date, start, end)| person.availability.covers(date, start, end))
}

/// The check over a subset of the bookings (the caller guarantees it holds every booking
/// that matters): [`crate::next_slots`] filters once per day, not once per candidate.
pub(crate) fn check_among(
    request: &Request,
    ctx: &Context,
    booked: &[&Booked],
) -> Result<Allocation, Vec<Conflict>> {
    if request.end <= request.start {
        return Err(vec![Conflict::EndsBeforeStart]);
    }
    let others: Vec<&Booked> = booked
        .iter()
        .copied()
        .filter(|b| Some(b.id) != request.replacing)
        .collect();
    let mut overlapping: Vec<&Booked> = others
        .iter()
        .copied()
        .filter(|b| b.overlaps(request.start, request.end))
        .collect();
    // Conflicts read in the order of the day.
    overlapping.sort_by_key(|b| (b.start, b.id));
    let local = local_span(request.start, request.end, ctx.zone);

    let mut conflicts = Vec::new();
    room(request, ctx, local, &overlapping, &mut conflicts);
    operator(request, ctx, local, &overlapping, &mut conflicts);
    anesthetist(request, ctx, local, &overlapping, &mut conflicts);
    let equipment = equipment(request, ctx, &overlapping, &mut conflicts);
    let (bed_unit, bed_dates) = bed(request, ctx, &others, &mut conflicts);
    if conflicts.is_empty() {
        Ok(Allocation {
            equipment,
            bed_unit,
            bed_dates,
        })
    } else {
        Err(conflicts)
    }
}

fn room(
    request: &Request,
    ctx: &Context,
    local: Option<(Date, u16, u16)>,
    overlapping: &[&Booked],
    conflicts: &mut Vec<Conflict>,
) {
    let Some(room) = ctx.rooms.iter().find(|r| r.id == request.room) else {
        conflicts.push(Conflict::UnknownRoom);
        return;
    };
    if !room.active {
        conflicts.push(Conflict::RoomInactive {
            room: room.name.clone(),
        });
    }
    if !request.procedure.fits_room(room.room_type) {
        conflicts.push(Conflict::RoomTypeUnfit {
            room: room.name.clone(),
            room_type: room.room_type,
            allowed: request.procedure.room_types.clone(),
        });
    }
    let open =
        local.is_some_and(|(date, start, end)| room.hours.covers(date.weekday(), start, end));
    if !open {
        conflicts.push(Conflict::RoomClosed {
            room: room.name.clone(),
        });
    }
    for b in overlapping.iter().filter(|b| b.room == room.id) {
        conflicts.push(Conflict::RoomBusy {
            room: room.name.clone(),
            booking: b.id,
            case: b.case,
            start: b.start,
            end: b.end,
        });
    }
}

fn busy<'b>(overlapping: &[&'b Booked], person: UserId) -> impl Iterator<Item = &'b Booked> {
    overlapping
        .iter()
        .copied()
        .filter(move |b| b.involves(person))
}

fn operator(
    request: &Request,
    ctx: &Context,
    local: Option<(Date, u16, u16)>,
    overlapping: &[&Booked],
    conflicts: &mut Vec<Conflict>,
) {
    let Some(person) = ctx.operators.iter().find(|p| p.id == request.operator) else {
        conflicts.push(Conflict::UnknownOperator);
        return;
    };
    if !available(person, local) {
        conflicts.push(Conflict::OperatorUnavailable {
            name: person.name.clone(),
        });
    }
    for b in busy(overlapping, person.id) {
        conflicts.push(Conflict::OperatorBusy {
            name: person.name.clone(),
            booking: b.id,
            case: b.case,
            start: b.start,
            end: b.end,
        });
    }
}

fn anesthetist(
    request: &Request,
    ctx: &Context,
    local: Option<(Date, u16, u16)>,
    overlapping: &[&Booked],
    conflicts: &mut Vec<Conflict>,
) {
    let Some(id) = request.anesthetist else {
        if request.procedure.anesthesia.needs_anesthetist() {
            conflicts.push(Conflict::AnesthetistRequired);
        }
        return;
    };
    let Some(person) = ctx.anesthetists.iter().find(|p| p.id == id) else {
        conflicts.push(Conflict::UnknownAnesthetist);
        return;
    };
    if !available(person, local) {
        conflicts.push(Conflict::AnesthetistUnavailable {
            name: person.name.clone(),
        });
    }
    for b in busy(overlapping, person.id) {
        conflicts.push(Conflict::AnesthetistBusy {
            name: person.name.clone(),
            booking: b.id,
            case: b.case,
            start: b.start,
            end: b.end,
        });
    }
}

/// The units booked: the chosen ones, or the first free unit of each required kind that
/// serves the room, in the order of `ctx.equipment`.
fn equipment(
    request: &Request,
    ctx: &Context,
    overlapping: &[&Booked],
    conflicts: &mut Vec<Conflict>,
) -> Vec<EquipmentId> {
    let in_use = |id: EquipmentId| overlapping.iter().any(|b| b.equipment.contains(&id));
    let required = &request.procedure.equipment;
    let Some(chosen) = &request.equipment else {
        let mut picked: Vec<EquipmentId> = Vec::new();
        for &kind in required {
            let unit = ctx.equipment.iter().find(|e| {
                e.kind == kind
                    && e.active
                    && e.rooms.contains(&request.room)
                    && !picked.contains(&e.id)
                    && !in_use(e.id)
            });
            match unit {
                Some(unit) => picked.push(unit.id),
                None => conflicts.push(Conflict::EquipmentMissing { kind }),
            }
        }
        return picked;
    };
    let mut units: Vec<EquipmentId> = Vec::new();
    let mut covered = Vec::new();
    for &id in chosen {
        if units.contains(&id) {
            continue;
        }
        units.push(id);
        let Some(unit) = ctx.equipment.iter().find(|e| e.id == id) else {
            conflicts.push(Conflict::EquipmentUnfit {
                equipment: id.to_string(),
            });
            continue;
        };
        // A unit of a required kind that cannot be used is named as unfit; the kind is
        // not named missing as well.
        covered.push(unit.kind);
        if !(required.contains(&unit.kind) && unit.active && unit.rooms.contains(&request.room)) {
            conflicts.push(Conflict::EquipmentUnfit {
                equipment: unit.name.clone(),
            });
        }
        for b in overlapping.iter().filter(|b| b.equipment.contains(&id)) {
            conflicts.push(Conflict::EquipmentBusy {
                equipment: unit.name.clone(),
                booking: b.id,
                case: b.case,
                start: b.start,
                end: b.end,
            });
        }
    }
    for &kind in required {
        if !covered.contains(&kind) {
            conflicts.push(Conflict::EquipmentMissing { kind });
        }
    }
    units
}

/// The first of `dates` on which `unit` has no place left, counting the places that
/// `others` hold in it.
fn first_full(unit: &BedUnit, dates: &[Date], others: &[&Booked]) -> Option<Date> {
    dates.iter().copied().find(|date| {
        let taken = others
            .iter()
            .filter(|b| b.bed_unit == Some(unit.id) && b.bed_dates.contains(date))
            .count();
        taken >= usize::from(unit.capacity)
    })
}

fn bed(
    request: &Request,
    ctx: &Context,
    others: &[&Booked],
    conflicts: &mut Vec<Conflict>,
) -> (Option<crate::BedUnitId>, Vec<Date>) {
    let (kind, dates) = bed_dates(request.procedure, request.start, ctx.zone);
    let unit_name = |id: crate::BedUnitId| {
        ctx.bed_units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    };
    let Some(kind) = kind else {
        // A stay without a bed has no unit to fit: a chosen one is a mistake to name.
        if let Some(id) = request.bed_unit {
            conflicts.push(Conflict::BedUnfit {
                unit: unit_name(id),
            });
        }
        return (None, Vec::new());
    };
    if let Some(id) = request.bed_unit {
        match ctx.bed_units.iter().find(|u| u.id == id) {
            Some(unit) if unit.kind == kind && unit.active => {
                if let Some(date) = first_full(unit, &dates, others) {
                    conflicts.push(Conflict::BedFull {
                        unit: unit.name.clone(),
                        date,
                    });
                }
            }
            _ => conflicts.push(Conflict::BedUnfit {
                unit: unit_name(id),
            }),
        }
        return (Some(id), dates);
    }
    let mut units = ctx
        .bed_units
        .iter()
        .filter(|u| u.kind == kind && u.active)
        .peekable();
    if units.peek().is_none() {
        conflicts.push(Conflict::NoBedUnit { kind });
        return (None, dates);
    }
    let mut full = Vec::new();
    for unit in units {
        match first_full(unit, &dates, others) {
            None => return (Some(unit.id), dates),
            Some(date) => full.push(Conflict::BedFull {
                unit: unit.name.clone(),
                date,
            }),
        }
    }
    conflicts.extend(full);
    (None, dates)
}
