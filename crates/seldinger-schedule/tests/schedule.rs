//! The scheduler's rules, one story each, then the slot search and its properties.
//!
//! The department of these tests is in Paris: rooms and people work Monday to Friday;
//! 2026-11-23 is a Monday.

use std::fmt::Debug;
use std::str::FromStr;

use jiff::tz::TimeZone;
use proptest::prelude::*;
use seldinger_domain::catalog::{
    Anesthesia, Bilingual, BleedingRisk, EquipmentKind, Guidance, Organ, ProcedureCode,
    ProcedureFamily, ProcedureType, RoomType, Stay,
};
use seldinger_domain::localtime::from_local;
use seldinger_domain::resources::{
    Availability, AvailabilityException, BedUnitKind, Span, WeeklyHours,
};
use seldinger_domain::{BedUnitId, BookingId, CaseId, EquipmentId, Lang, RoomId, UserId};
use seldinger_schedule::{
    Allocation, BedUnit, Booked, Conflict, Context, Equipment, Person, Request, Room, Slot,
    SlotQuery, bed_dates, next_slots,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

// ---------------------------------------------------------------------------------------
// The department

fn id<T: FromStr>(n: u128) -> T
where
    T::Err: Debug,
{
    format!("{n:032x}").parse().expect("a valid uuid")
}

fn ct1() -> RoomId {
    id(101)
}
fn ct2() -> RoomId {
    id(102)
}
fn us1() -> RoomId {
    id(103)
}
fn ct_old() -> RoomId {
    id(104)
}
fn emergency() -> RoomId {
    id(105)
}
fn rf1() -> EquipmentId {
    id(201)
}
fn rf2() -> EquipmentId {
    id(202)
}
fn mw_old() -> EquipmentId {
    id(203)
}
fn endo() -> EquipmentId {
    id(204)
}
fn day_unit() -> BedUnitId {
    id(301)
}
fn ward_a() -> BedUnitId {
    id(302)
}
fn ward_b() -> BedUnitId {
    id(303)
}
fn ward_closed() -> BedUnitId {
    id(304)
}
fn martin() -> UserId {
    id(401)
}
fn dupont() -> UserId {
    id(402)
}
fn leroy() -> UserId {
    id(411)
}
fn petit() -> UserId {
    id(412)
}
fn case() -> CaseId {
    id(601)
}

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").expect("bundled zone")
}

/// A local time in Paris as an instant.
fn at(local: PrimitiveDateTime) -> OffsetDateTime {
    from_local(local, &paris())
}

fn span(start: &str, end: &str) -> Span {
    let minute = |t: &str| {
        let (h, m) = t.split_once(':').expect("HH:MM");
        h.parse::<u16>().expect("hour") * 60 + m.parse::<u16>().expect("minute")
    };
    Span {
        start: minute(start),
        end: minute(end),
    }
}

/// The same spans Monday to Friday, closed at the weekend.
fn weekdays(spans: &[Span]) -> WeeklyHours {
    let mut hours = WeeklyHours::default();
    for day in &mut hours.0[..5] {
        *day = spans.to_vec();
    }
    hours
}

fn every_day(spans: &[Span]) -> WeeklyHours {
    WeeklyHours(std::array::from_fn(|_| spans.to_vec()))
}

fn room(id: RoomId, code: &str, name: &str, room_type: RoomType, hours: WeeklyHours) -> Room {
    Room {
        id,
        code: code.into(),
        name: name.into(),
        room_type,
        hours,
        active: true,
    }
}

fn unit(id: EquipmentId, name: &str, kind: EquipmentKind, rooms: &[RoomId]) -> Equipment {
    Equipment {
        id,
        code: name.to_uppercase().replace(' ', "-"),
        name: name.into(),
        kind,
        rooms: rooms.to_vec(),
        active: true,
    }
}

fn beds(id: BedUnitId, name: &str, kind: BedUnitKind, capacity: u16) -> BedUnit {
    BedUnit {
        id,
        code: name.to_uppercase().replace(' ', "-"),
        name: name.into(),
        kind,
        capacity,
        active: true,
    }
}

fn person(id: UserId, name: &str, hours: WeeklyHours) -> Person {
    Person {
        id,
        name: name.into(),
        availability: Availability {
            weekly: hours,
            exceptions: Vec::new(),
        },
    }
}

struct World {
    zone: TimeZone,
    rooms: Vec<Room>,
    equipment: Vec<Equipment>,
    bed_units: Vec<BedUnit>,
    operators: Vec<Person>,
    anesthetists: Vec<Person>,
    booked: Vec<Booked>,
}

impl World {
    fn new() -> Self {
        let day = weekdays(&[span("08:00", "18:00")]);
        let mut ct_old_room = room(ct_old(), "CT-OLD", "CT old", RoomType::Ct, day.clone());
        ct_old_room.active = false;
        let mut mw = unit(mw_old(), "MW old", EquipmentKind::MwGenerator, &[ct1()]);
        mw.active = false;
        let mut closed = beds(ward_closed(), "Ward closed", BedUnitKind::Ward, 10);
        closed.active = false;
        Self {
            zone: paris(),
            rooms: vec![
                room(ct1(), "CT1", "CT 1", RoomType::Ct, day.clone()),
                room(
                    ct2(),
                    "CT2",
                    "CT 2",
                    RoomType::Ct,
                    weekdays(&[span("08:00", "12:00"), span("13:00", "17:00")]),
                ),
                room(us1(), "US1", "Echo 1", RoomType::Ultrasound, day.clone()),
                ct_old_room,
                room(
                    emergency(),
                    "ANGIO-URG",
                    "Angio urgences",
                    RoomType::Angiography,
                    every_day(&[span("00:00", "24:00")]),
                ),
            ],
            equipment: vec![
                unit(rf1(), "RF 1", EquipmentKind::RfGenerator, &[ct1()]),
                unit(rf2(), "RF 2", EquipmentKind::RfGenerator, &[ct1(), ct2()]),
                mw,
                unit(endo(), "Cellvizio", EquipmentKind::Endomicroscopy, &[ct1()]),
            ],
            bed_units: vec![
                beds(day_unit(), "HDJ", BedUnitKind::DayUnit, 2),
                closed,
                beds(ward_a(), "Ward A", BedUnitKind::Ward, 1),
                beds(ward_b(), "Ward B", BedUnitKind::Ward, 1),
            ],
            operators: vec![
                person(martin(), "Dr Martin", day.clone()),
                person(dupont(), "Dr Dupont", day.clone()),
            ],
            anesthetists: vec![
                person(leroy(), "Dr Leroy", day),
                person(petit(), "Dr Petit", weekdays(&[span("13:00", "18:00")])),
            ],
            booked: Vec::new(),
        }
    }

    fn ctx(&self) -> Context<'_> {
        Context {
            zone: &self.zone,
            rooms: &self.rooms,
            equipment: &self.equipment,
            bed_units: &self.bed_units,
            operators: &self.operators,
            anesthetists: &self.anesthetists,
            booked: &self.booked,
        }
    }

    /// Books case `n` in `room` from `start` to `end` (local) with Dr Dupont, and gives
    /// the booking to `edit` for its people, equipment and beds.
    fn book(
        &mut self,
        n: u128,
        room: RoomId,
        start: PrimitiveDateTime,
        end: PrimitiveDateTime,
        edit: impl FnOnce(&mut Booked),
    ) -> BookingId {
        let mut booking = Booked {
            id: id(500 + n),
            case: id(700 + n),
            room,
            start: at(start),
            end: at(end),
            operator: dupont(),
            anesthetist: None,
            equipment: Vec::new(),
            bed_unit: None,
            bed_dates: Vec::new(),
        };
        edit(&mut booking);
        let booking_id = booking.id;
        self.booked.push(booking);
        booking_id
    }

    fn booking(&self, booking: BookingId) -> &Booked {
        self.booked
            .iter()
            .find(|b| b.id == booking)
            .expect("booked")
    }
}

fn procedure(
    code: &str,
    anesthesia: Anesthesia,
    stay: Stay,
    minutes: u16,
    room_types: &[RoomType],
    equipment: &[EquipmentKind],
) -> ProcedureType {
    ProcedureType {
        code: ProcedureCode::parse(code).expect("code"),
        name: Bilingual {
            fr: code.into(),
            en: code.into(),
        },
        family: ProcedureFamily::Biopsy,
        target_organs: vec![Organ::Lung],
        guidance: vec![Guidance::Ct],
        anesthesia,
        stay,
        duration_minutes: minutes,
        room_types: room_types.to_vec(),
        equipment: equipment.to_vec(),
        bleeding_risk: BleedingRisk::Low,
        contrast: false,
        risks: Bilingual::default(),
        preparation: Bilingual::default(),
        information_sheet: Bilingual::default(),
    }
}

/// A CT-guided lung biopsy: outpatient, local anesthesia, one hour, no equipment.
fn biopsy() -> ProcedureType {
    procedure(
        "BIO-LUNG-CT",
        Anesthesia::Local,
        Stay::outpatient(),
        60,
        &[RoomType::Ct],
        &[],
    )
}

/// A liver radiofrequency ablation: general anesthesia, two nights, two hours.
fn ablation() -> ProcedureType {
    procedure(
        "RFA-LIVER",
        Anesthesia::General,
        Stay::nights(2),
        120,
        &[RoomType::Ct],
        &[EquipmentKind::RfGenerator],
    )
}

/// An endomicroscopy-guided biopsy under sedation, as a day case.
fn endomicroscopy() -> ProcedureType {
    procedure(
        "BIO-ENDO",
        Anesthesia::Sedation,
        Stay::day_case(),
        90,
        &[RoomType::Ct],
        &[EquipmentKind::Endomicroscopy],
    )
}

/// `procedure` in CT 1 with Dr Martin from `start` (local) for its duration.
fn request(procedure: &ProcedureType, start: PrimitiveDateTime) -> Request<'_> {
    let start = at(start);
    Request {
        case: case(),
        procedure,
        room: ct1(),
        start,
        end: start + Duration::minutes(i64::from(procedure.duration_minutes)),
        operator: martin(),
        anesthetist: None,
        equipment: None,
        bed_unit: None,
        replacing: None,
    }
}

#[track_caller]
fn check(world: &World, request: &Request, expected: Result<Allocation, Vec<Conflict>>) {
    assert_eq!(seldinger_schedule::check(request, &world.ctx()), expected);
}

fn busy_with(b: &Booked) -> (BookingId, CaseId, OffsetDateTime, OffsetDateTime) {
    (b.id, b.case, b.start, b.end)
}

fn no_allocation() -> Result<Allocation, Vec<Conflict>> {
    Ok(Allocation::default())
}

// ---------------------------------------------------------------------------------------
// The booking check

#[test]
fn a_free_open_room_with_an_available_operator_is_booked() {
    let world = World::new();
    check(
        &world,
        &request(&biopsy(), datetime!(2026-11-23 09:00)),
        no_allocation(),
    );
}

#[test]
fn a_booking_that_ends_before_it_starts_is_refused_on_that_alone() {
    let world = World::new();
    let procedure = biopsy();
    let mut request = request(&procedure, datetime!(2026-11-23 09:00));
    request.end = request.start;
    request.room = id(999);
    check(&world, &request, Err(vec![Conflict::EndsBeforeStart]));
}

#[test]
fn an_unknown_room_is_refused() {
    let world = World::new();
    let procedure = biopsy();
    let mut request = request(&procedure, datetime!(2026-11-23 09:00));
    request.room = id(999);
    check(&world, &request, Err(vec![Conflict::UnknownRoom]));
}

#[test]
fn a_room_out_of_use_is_refused() {
    let world = World::new();
    let procedure = biopsy();
    let mut request = request(&procedure, datetime!(2026-11-23 09:00));
    request.room = ct_old();
    check(
        &world,
        &request,
        Err(vec![Conflict::RoomInactive {
            room: "CT old".into(),
        }]),
    );
}

#[test]
fn a_room_of_a_type_the_procedure_cannot_use_is_refused_naming_the_types_allowed() {
    let world = World::new();
    let procedure = biopsy();
    let mut request = request(&procedure, datetime!(2026-11-23 09:00));
    request.room = us1();
    check(
        &world,
        &request,
        Err(vec![Conflict::RoomTypeUnfit {
            room: "Echo 1".into(),
            room_type: RoomType::Ultrasound,
            allowed: vec![RoomType::Ct],
        }]),
    );
}

#[test]
fn a_room_is_closed_unless_one_opening_span_holds_the_whole_booking() {
    let mut world = World::new();
    world.operators[0].availability.weekly = every_day(&[span("00:00", "24:00")]);
    let procedure = biopsy();
    let closed = || {
        Err(vec![Conflict::RoomClosed {
            room: "CT 2".into(),
        }])
    };
    let in_ct2 = |start| Request {
        room: ct2(),
        ..request(&procedure, start)
    };
    // CT 2 is open 08:00-12:00 and 13:00-17:00 on weekdays.
    check(&world, &in_ct2(datetime!(2026-11-23 07:30)), closed());
    check(&world, &in_ct2(datetime!(2026-11-23 11:30)), closed());
    check(&world, &in_ct2(datetime!(2026-11-23 16:30)), closed());
    check(&world, &in_ct2(datetime!(2026-11-28 09:00)), closed());
    check(
        &world,
        &in_ct2(datetime!(2026-11-23 11:00)),
        no_allocation(),
    );
    check(
        &world,
        &in_ct2(datetime!(2026-11-23 16:00)),
        no_allocation(),
    );
}

#[test]
fn a_booking_across_local_midnight_is_closed_even_in_a_room_open_all_day() {
    let mut world = World::new();
    world.operators[0].availability.weekly = every_day(&[span("00:00", "24:00")]);
    let procedure = procedure(
        "EMBO-HEM",
        Anesthesia::Local,
        Stay::outpatient(),
        60,
        &[RoomType::Angiography],
        &[],
    );
    let in_emergency = |start| Request {
        room: emergency(),
        ..request(&procedure, start)
    };
    check(
        &world,
        &in_emergency(datetime!(2026-11-23 23:00)),
        no_allocation(),
    );
    check(
        &world,
        &in_emergency(datetime!(2026-11-23 23:30)),
        Err(vec![
            Conflict::RoomClosed {
                room: "Angio urgences".into(),
            },
            Conflict::OperatorUnavailable {
                name: "Dr Martin".into(),
            },
        ]),
    );
}

#[test]
fn a_room_booked_at_an_overlapping_time_is_busy_naming_each_booking_in_the_way() {
    let mut world = World::new();
    let early = world.book(
        1,
        ct1(),
        datetime!(2026-11-23 08:00),
        datetime!(2026-11-23 09:30),
        |_| {},
    );
    let late = world.book(
        2,
        ct1(),
        datetime!(2026-11-23 09:45),
        datetime!(2026-11-23 11:00),
        |b| b.operator = leroy(),
    );
    world.book(
        3,
        ct2(),
        datetime!(2026-11-23 09:00),
        datetime!(2026-11-23 10:00),
        |b| b.operator = petit(),
    );
    let (booking, case, start, end) = busy_with(world.booking(early));
    let first = Conflict::RoomBusy {
        room: "CT 1".into(),
        booking,
        case,
        start,
        end,
    };
    let (booking, case, start, end) = busy_with(world.booking(late));
    let second = Conflict::RoomBusy {
        room: "CT 1".into(),
        booking,
        case,
        start,
        end,
    };
    check(
        &world,
        &request(&biopsy(), datetime!(2026-11-23 09:15)),
        Err(vec![first, second]),
    );
}

#[test]
fn two_bookings_touching_end_to_start_do_not_conflict() {
    let mut world = World::new();
    let procedure = ablation();
    world.book(
        1,
        ct1(),
        datetime!(2026-11-23 08:00),
        datetime!(2026-11-23 10:00),
        |b| {
            b.operator = martin();
            b.anesthetist = Some(leroy());
            b.equipment = vec![rf1(), rf2()];
        },
    );
    world.book(
        2,
        ct1(),
        datetime!(2026-11-23 12:00),
        datetime!(2026-11-23 13:00),
        |b| {
            b.operator = martin();
            b.anesthetist = Some(leroy());
            b.equipment = vec![rf1(), rf2()];
        },
    );
    let request = Request {
        anesthetist: Some(leroy()),
        ..request(&procedure, datetime!(2026-11-23 10:00))
    };
    check(
        &world,
        &request,
        Ok(Allocation {
            equipment: vec![rf1()],
            bed_unit: Some(ward_a()),
            bed_dates: vec![date!(2026 - 11 - 23), date!(2026 - 11 - 24)],
        }),
    );
}

#[test]
fn moving_a_booking_does_not_conflict_with_itself() {
    let mut world = World::new();
    let procedure = ablation();
    world.bed_units.retain(|u| u.id != ward_b());
    let moved = world.book(
        1,
        ct1(),
        datetime!(2026-11-23 09:00),
        datetime!(2026-11-23 11:00),
        |b| {
            b.case = case();
            b.operator = martin();
            b.anesthetist = Some(leroy());
            b.equipment = vec![rf1()];
            b.bed_unit = Some(ward_a());
            b.bed_dates = vec![date!(2026 - 11 - 23), date!(2026 - 11 - 24)];
        },
    );
    let request = Request {
        anesthetist: Some(leroy()),
        equipment: Some(vec![rf1()]),
        bed_unit: Some(ward_a()),
        ..request(&procedure, datetime!(2026-11-23 10:00))
    };
    assert!(seldinger_schedule::check(&request, &world.ctx()).is_err());
    check(
        &world,
        &Request {
            replacing: Some(moved),
            ..request
        },
        Ok(Allocation {
            equipment: vec![rf1()],
            bed_unit: Some(ward_a()),
            bed_dates: vec![date!(2026 - 11 - 23), date!(2026 - 11 - 24)],
        }),
    );
}

#[test]
fn an_operator_who_is_not_one_of_the_departments_operators_is_refused() {
    let world = World::new();
    let procedure = biopsy();
    let request = Request {
        operator: leroy(),
        ..request(&procedure, datetime!(2026-11-23 09:00))
    };
    check(&world, &request, Err(vec![Conflict::UnknownOperator]));
}

#[test]
fn an_operator_away_on_that_date_or_outside_their_hours_is_unavailable() {
    let mut world = World::new();
    world.operators[0]
        .availability
        .exceptions
        .push(AvailabilityException {
            date: date!(2026 - 11 - 24),
            hours: Vec::new(),
            reason: Some("congrès".into()),
        });
    let procedure = biopsy();
    let unavailable = || {
        Err(vec![Conflict::OperatorUnavailable {
            name: "Dr Martin".into(),
        }])
    };
    check(
        &world,
        &request(&procedure, datetime!(2026-11-24 09:00)),
        unavailable(),
    );
    // The room is open until 18:00, and so is Dr Martin; not a minute later.
    world.rooms[0].hours = weekdays(&[span("08:00", "20:00")]);
    check(
        &world,
        &request(&procedure, datetime!(2026-11-23 17:01)),
        unavailable(),
    );
    check(
        &world,
        &request(&procedure, datetime!(2026-11-23 17:00)),
        no_allocation(),
    );
}

#[test]
fn an_operator_busy_elsewhere_is_refused_whether_operating_or_anesthetising() {
    let mut world = World::new();
    // Dr Martin is also on the anesthetists' list (a radiologist who sedates).
    world.anesthetists.push(world.operators[0].clone());
    let operating = world.book(
        1,
        ct2(),
        datetime!(2026-11-23 08:30),
        datetime!(2026-11-23 09:30),
        |b| b.operator = martin(),
    );
    let sedating = world.book(
        2,
        us1(),
        datetime!(2026-11-23 09:30),
        datetime!(2026-11-23 10:30),
        |b| b.anesthetist = Some(martin()),
    );
    let busy = |booking: &Booked| {
        let (booking, case, start, end) = busy_with(booking);
        Conflict::OperatorBusy {
            name: "Dr Martin".into(),
            booking,
            case,
            start,
            end,
        }
    };
    check(
        &world,
        &request(&biopsy(), datetime!(2026-11-23 09:00)),
        Err(vec![
            busy(world.booking(operating)),
            busy(world.booking(sedating)),
        ]),
    );
}

#[test]
fn general_anesthesia_requires_an_anesthetist() {
    let world = World::new();
    let procedure = ablation();
    let request = request(&procedure, datetime!(2026-11-23 09:00));
    check(&world, &request, Err(vec![Conflict::AnesthetistRequired]));
}

#[test]
fn an_anesthetist_who_is_not_one_of_the_departments_anesthetists_is_refused() {
    let world = World::new();
    let procedure = ablation();
    let request = Request {
        anesthetist: Some(dupont()),
        ..request(&procedure, datetime!(2026-11-23 09:00))
    };
    check(&world, &request, Err(vec![Conflict::UnknownAnesthetist]));
}

#[test]
fn an_anesthetist_outside_their_hours_is_unavailable() {
    let world = World::new();
    let procedure = ablation();
    // Dr Petit works from 13:00.
    let request = Request {
        anesthetist: Some(petit()),
        ..request(&procedure, datetime!(2026-11-23 12:00))
    };
    check(
        &world,
        &request,
        Err(vec![Conflict::AnesthetistUnavailable {
            name: "Dr Petit".into(),
        }]),
    );
}

#[test]
fn an_anesthetist_busy_elsewhere_is_refused() {
    let mut world = World::new();
    let procedure = ablation();
    let elsewhere = world.book(
        1,
        us1(),
        datetime!(2026-11-23 10:30),
        datetime!(2026-11-23 12:00),
        |b| b.anesthetist = Some(leroy()),
    );
    let (booking, case, start, end) = busy_with(world.booking(elsewhere));
    let request = Request {
        anesthetist: Some(leroy()),
        ..request(&procedure, datetime!(2026-11-23 09:00))
    };
    check(
        &world,
        &request,
        Err(vec![Conflict::AnesthetistBusy {
            name: "Dr Leroy".into(),
            booking,
            case,
            start,
            end,
        }]),
    );
}

#[test]
fn equipment_is_picked_from_the_free_active_units_that_serve_the_room() {
    let mut world = World::new();
    let procedure = ablation();
    world.book(
        1,
        ct2(),
        datetime!(2026-11-23 08:00),
        datetime!(2026-11-23 10:00),
        |b| b.equipment = vec![rf1()],
    );
    let request = Request {
        anesthetist: Some(leroy()),
        ..request(&procedure, datetime!(2026-11-23 09:00))
    };
    let allocation = seldinger_schedule::check(&request, &world.ctx()).map(|a| a.equipment);
    assert_eq!(allocation, Ok(vec![rf2()]));
}

#[test]
fn equipment_is_missing_when_no_free_unit_of_the_kind_serves_the_room() {
    let mut world = World::new();
    let procedure = ablation();
    // CT 2 is served by RF 2 only, which is in use.
    world.book(
        1,
        ct1(),
        datetime!(2026-11-23 08:00),
        datetime!(2026-11-23 10:00),
        |b| b.equipment = vec![rf2()],
    );
    let request = Request {
        room: ct2(),
        anesthetist: Some(leroy()),
        ..request(&procedure, datetime!(2026-11-23 09:00))
    };
    check(
        &world,
        &request,
        Err(vec![Conflict::EquipmentMissing {
            kind: EquipmentKind::RfGenerator,
        }]),
    );
    // Chosen by hand, none of the units is a radiofrequency generator.
    let request = Request {
        anesthetist: Some(leroy()),
        equipment: Some(vec![]),
        ..crate::request(&procedure, datetime!(2026-11-23 13:00))
    };
    check(
        &world,
        &request,
        Err(vec![Conflict::EquipmentMissing {
            kind: EquipmentKind::RfGenerator,
        }]),
    );
}

#[test]
fn a_chosen_unit_not_needed_out_of_use_or_serving_other_rooms_is_unfit() {
    let world = World::new();
    let procedure = ablation();
    let request = Request {
        room: ct2(),
        anesthetist: Some(leroy()),
        equipment: Some(vec![rf1(), rf2(), mw_old(), endo(), id(299)]),
        ..request(&procedure, datetime!(2026-11-23 09:00))
    };
    check(
        &world,
        &request,
        Err(vec![
            Conflict::EquipmentUnfit {
                equipment: "RF 1".into(),
            },
            Conflict::EquipmentUnfit {
                equipment: "MW old".into(),
            },
            Conflict::EquipmentUnfit {
                equipment: "Cellvizio".into(),
            },
            Conflict::EquipmentUnfit {
                equipment: id::<EquipmentId>(299).to_string(),
            },
        ]),
    );
}

#[test]
fn a_chosen_unit_booked_at_that_time_is_busy() {
    let mut world = World::new();
    let procedure = ablation();
    let other = world.book(
        1,
        ct2(),
        datetime!(2026-11-23 10:30),
        datetime!(2026-11-23 11:30),
        |b| b.equipment = vec![rf2()],
    );
    let (booking, case, start, end) = busy_with(world.booking(other));
    let request = Request {
        anesthetist: Some(leroy()),
        equipment: Some(vec![rf2()]),
        ..request(&procedure, datetime!(2026-11-23 09:00))
    };
    check(
        &world,
        &request,
        Err(vec![Conflict::EquipmentBusy {
            equipment: "RF 2".into(),
            booking,
            case,
            start,
            end,
        }]),
    );
}

#[test]
fn a_stay_needs_an_active_unit_of_its_kind() {
    let mut world = World::new();
    world.bed_units.retain(|u| u.kind != BedUnitKind::DayUnit);
    let procedure = endomicroscopy();
    let request = Request {
        anesthetist: Some(leroy()),
        ..request(&procedure, datetime!(2026-11-23 09:00))
    };
    check(
        &world,
        &request,
        Err(vec![Conflict::NoBedUnit {
            kind: BedUnitKind::DayUnit,
        }]),
    );
}

#[test]
fn a_chosen_bed_unit_of_the_wrong_kind_or_closed_or_for_a_stay_without_bed_is_unfit() {
    let world = World::new();
    let procedure = ablation();
    let request = Request {
        anesthetist: Some(leroy()),
        ..request(&procedure, datetime!(2026-11-23 09:00))
    };
    for (unit, name) in [(day_unit(), "HDJ"), (ward_closed(), "Ward closed")] {
        check(
            &world,
            &Request {
                bed_unit: Some(unit),
                ..request.clone()
            },
            Err(vec![Conflict::BedUnfit { unit: name.into() }]),
        );
    }
    let outpatient = biopsy();
    check(
        &world,
        &Request {
            bed_unit: Some(ward_a()),
            ..crate::request(&outpatient, datetime!(2026-11-23 09:00))
        },
        Err(vec![Conflict::BedUnfit {
            unit: "Ward A".into(),
        }]),
    );
}

#[test]
fn a_day_case_takes_a_day_unit_place_on_the_local_date_of_its_start() {
    let zone = paris();
    // 00:30 in Paris is still the day before in UTC.
    let start = at(datetime!(2026-11-24 00:30));
    assert_eq!(start.date(), date!(2026 - 11 - 23));
    assert_eq!(
        bed_dates(&endomicroscopy(), start, &zone),
        (Some(BedUnitKind::DayUnit), vec![date!(2026 - 11 - 24)])
    );
    assert_eq!(bed_dates(&biopsy(), start, &zone), (None, vec![]));
    let world = World::new();
    let procedure = endomicroscopy();
    check(
        &world,
        &Request {
            anesthetist: Some(leroy()),
            ..request(&procedure, datetime!(2026-11-23 09:00))
        },
        Ok(Allocation {
            equipment: vec![endo()],
            bed_unit: Some(day_unit()),
            bed_dates: vec![date!(2026 - 11 - 23)],
        }),
    );
}

#[test]
fn a_two_night_stay_takes_ward_beds_on_the_night_of_the_procedure_and_the_next() {
    let zone = paris();
    assert_eq!(
        bed_dates(&ablation(), at(datetime!(2026-11-30 09:00)), &zone),
        (
            Some(BedUnitKind::Ward),
            vec![date!(2026 - 11 - 30), date!(2026 - 12 - 01)]
        )
    );
    let ten_nights = procedure(
        "RFA-LONG",
        Anesthesia::Local,
        Stay::nights(10),
        60,
        &[RoomType::Ct],
        &[],
    );
    let (_, dates) = bed_dates(&ten_nights, at(datetime!(2026-12-28 09:00)), &zone);
    assert_eq!(dates.len(), 10);
    assert_eq!(dates.last(), Some(&date!(2027 - 01 - 06)));
}

#[test]
fn a_bed_unit_at_capacity_on_one_night_of_the_stay_is_full_on_that_date() {
    let mut world = World::new();
    let procedure = ablation();
    // Ward A's only bed is taken on the second night.
    world.book(
        1,
        ct2(),
        datetime!(2026-11-24 08:00),
        datetime!(2026-11-24 09:00),
        |b| {
            b.bed_unit = Some(ward_a());
            b.bed_dates = vec![date!(2026 - 11 - 24)];
        },
    );
    let request = Request {
        anesthetist: Some(leroy()),
        ..request(&procedure, datetime!(2026-11-23 09:00))
    };
    let nights = vec![date!(2026 - 11 - 23), date!(2026 - 11 - 24)];
    check(
        &world,
        &Request {
            bed_unit: Some(ward_a()),
            ..request.clone()
        },
        Err(vec![Conflict::BedFull {
            unit: "Ward A".into(),
            date: date!(2026 - 11 - 24),
        }]),
    );
    // Picked automatically, the stay goes to Ward B.
    check(
        &world,
        &request,
        Ok(Allocation {
            equipment: vec![rf1()],
            bed_unit: Some(ward_b()),
            bed_dates: nights,
        }),
    );
    // Once Ward B's bed is taken on the first night, every ward is full.
    world.book(
        2,
        ct2(),
        datetime!(2026-11-20 08:00),
        datetime!(2026-11-20 09:00),
        |b| {
            b.bed_unit = Some(ward_b());
            b.bed_dates = vec![
                date!(2026 - 11 - 20),
                date!(2026 - 11 - 21),
                date!(2026 - 11 - 22),
                date!(2026 - 11 - 23),
            ];
        },
    );
    check(
        &world,
        &request,
        Err(vec![
            Conflict::BedFull {
                unit: "Ward A".into(),
                date: date!(2026 - 11 - 24),
            },
            Conflict::BedFull {
                unit: "Ward B".into(),
                date: date!(2026 - 11 - 23),
            },
        ]),
    );
}

#[test]
fn a_day_unit_takes_as_many_day_cases_as_its_capacity() {
    let mut world = World::new();
    let procedure = endomicroscopy();
    for n in 1..=2 {
        world.book(
            n,
            ct2(),
            datetime!(2026-11-23 08:00),
            datetime!(2026-11-23 09:00),
            |b| {
                b.bed_unit = Some(day_unit());
                b.bed_dates = vec![date!(2026 - 11 - 23)];
            },
        );
    }
    let request = Request {
        anesthetist: Some(leroy()),
        ..request(&procedure, datetime!(2026-11-23 14:00))
    };
    check(
        &world,
        &request,
        Err(vec![Conflict::BedFull {
            unit: "HDJ".into(),
            date: date!(2026 - 11 - 23),
        }]),
    );
    // The next day has room.
    let next_day = Request {
        start: request.start + Duration::days(1),
        end: request.end + Duration::days(1),
        ..request
    };
    assert!(seldinger_schedule::check(&next_day, &world.ctx()).is_ok());
}

#[test]
fn opening_hours_follow_paris_local_time_across_the_daylight_saving_change() {
    let world = World::new();
    let procedure = biopsy();
    // Summer time begins on Sunday 29 March 2026: 08:00 in Paris is 07:00 UTC on the
    // Friday before, 06:00 UTC on the Monday after. CT 1 opens at 08:00 on both.
    let winter = request(&procedure, datetime!(2026-03-27 08:00));
    let summer = request(&procedure, datetime!(2026-03-30 08:00));
    assert_eq!(winter.start, datetime!(2026-03-27 07:00 UTC));
    assert_eq!(summer.start, datetime!(2026-03-30 06:00 UTC));
    check(&world, &winter, no_allocation());
    check(&world, &summer, no_allocation());
    // 06:00 UTC in winter is 07:00 in Paris: closed; 16:00 UTC in summer is 18:00.
    let closed = || {
        Err(vec![
            Conflict::RoomClosed {
                room: "CT 1".into(),
            },
            Conflict::OperatorUnavailable {
                name: "Dr Martin".into(),
            },
        ])
    };
    fn shifted<'a>(request: &Request<'a>, start: OffsetDateTime) -> Request<'a> {
        Request {
            start,
            end: start + Duration::hours(1),
            ..request.clone()
        }
    }
    check(
        &world,
        &shifted(&winter, datetime!(2026-03-27 06:00 UTC)),
        closed(),
    );
    check(
        &world,
        &shifted(&summer, datetime!(2026-03-30 16:00 UTC)),
        closed(),
    );
    check(
        &world,
        &shifted(&summer, datetime!(2026-03-30 15:00 UTC)),
        no_allocation(),
    );
}

#[test]
fn every_conflict_of_a_request_is_reported_at_once() {
    let mut world = World::new();
    let procedure = ablation();
    world.bed_units.retain(|u| u.kind != BedUnitKind::Ward);
    let other = world.book(
        1,
        ct1(),
        datetime!(2026-11-28 08:00),
        datetime!(2026-11-28 10:00),
        |b| {
            b.operator = martin();
            b.equipment = vec![rf1(), rf2()];
        },
    );
    let (booking, case, start, end) = busy_with(world.booking(other));
    // A Saturday: the room is closed and Dr Martin is not working.
    let request = request(&procedure, datetime!(2026-11-28 09:00));
    check(
        &world,
        &request,
        Err(vec![
            Conflict::RoomClosed {
                room: "CT 1".into(),
            },
            Conflict::RoomBusy {
                room: "CT 1".into(),
                booking,
                case,
                start,
                end,
            },
            Conflict::OperatorUnavailable {
                name: "Dr Martin".into(),
            },
            Conflict::OperatorBusy {
                name: "Dr Martin".into(),
                booking,
                case,
                start,
                end,
            },
            Conflict::AnesthetistRequired,
            Conflict::EquipmentMissing {
                kind: EquipmentKind::RfGenerator,
            },
            Conflict::NoBedUnit {
                kind: BedUnitKind::Ward,
            },
        ]),
    );
}

#[test]
fn messages_name_the_resource_and_the_other_bookings_local_time_in_both_languages() {
    let zone = paris();
    let booking: BookingId = id(501);
    let other_case: CaseId = id(701);
    let busy = Conflict::RoomBusy {
        room: "CT 1".into(),
        booking,
        case: other_case,
        start: at(datetime!(2026-11-23 09:00)),
        end: at(datetime!(2026-11-23 10:00)),
    };
    assert_eq!(
        busy.message(Lang::En, &zone),
        format!("room CT 1 is already booked 23 Nov 2026 09:00–10:00 (case {other_case})")
    );
    assert_eq!(
        busy.message(Lang::Fr, &zone),
        format!("la salle CT 1 est déjà réservée le 23/11/2026 09:00–10:00 (dossier {other_case})")
    );
    assert_eq!(busy.code(), "room_busy");
    assert_eq!(busy.resource().as_deref(), Some("CT 1"));
    assert_eq!(busy.booking(), Some(booking));
    let full = Conflict::BedFull {
        unit: "Ward A".into(),
        date: date!(2026 - 11 - 24),
    };
    assert_eq!(
        full.message(Lang::Fr, &zone),
        "l'unité Ward A est complète le 24/11/2026"
    );
    assert_eq!(
        full.message(Lang::En, &zone),
        "unit Ward A is full on 24 Nov 2026"
    );
    let missing = Conflict::EquipmentMissing {
        kind: EquipmentKind::RfGenerator,
    };
    assert_eq!(missing.resource(), None);
    assert_eq!(
        missing.message(Lang::Fr, &zone),
        "aucun équipement « générateur de radiofréquence » desservant cette salle n'est libre à cet horaire"
    );
}

#[test]
fn a_request_free_of_a_hundred_bookings_of_the_day_passes_the_check() {
    let mut world = World::new();
    let procedure = ablation();
    for n in 0..100u8 {
        let start = datetime!(2026-11-23 08:00) + Duration::minutes(i64::from(n) * 5);
        world.book(
            u128::from(n),
            id(900 + u128::from(n)),
            start,
            start + Duration::minutes(30),
            |b| {
                b.operator = id(950);
                b.equipment = vec![id(960)];
                b.bed_unit = Some(id(970));
                b.bed_dates = vec![date!(2026 - 11 - 23)];
            },
        );
    }
    let request = Request {
        anesthetist: Some(leroy()),
        ..request(&procedure, datetime!(2026-11-23 13:00))
    };
    // How fast the check is, is measured by `scripts/bench pathway` (booking end to
    // end), not by a timed test.
    assert!(seldinger_schedule::check(&request, &world.ctx()).is_ok());
}

// ---------------------------------------------------------------------------------------
// The slot search

fn query(procedure: &ProcedureType, from: PrimitiveDateTime) -> SlotQuery<'_> {
    SlotQuery {
        procedure,
        case: case(),
        from: at(from),
        days: 7,
        count: 5,
        step_minutes: 15,
        room: None,
        operator: None,
        anesthetist: None,
    }
}

/// The slots as (room, local start, operator, anesthetist).
fn summary(slots: &[Slot]) -> Vec<(RoomId, PrimitiveDateTime, UserId, Option<UserId>)> {
    slots
        .iter()
        .map(|s| {
            let local = seldinger_domain::localtime::to_local(s.start, &paris());
            (s.room, local, s.operator, s.anesthetist)
        })
        .collect()
}

/// The request that books `slot` as the search found it.
fn booking_of<'a>(query: &SlotQuery<'a>, slot: &Slot) -> Request<'a> {
    Request {
        case: query.case,
        procedure: query.procedure,
        room: slot.room,
        start: slot.start,
        end: slot.end,
        operator: slot.operator,
        anesthetist: slot.anesthetist,
        equipment: None,
        bed_unit: None,
        replacing: None,
    }
}

#[track_caller]
fn assert_each_slot_passes_the_check(query: &SlotQuery, ctx: &Context, slots: &[Slot]) {
    for slot in slots {
        let request = booking_of(query, slot);
        assert_eq!(
            seldinger_schedule::check(&request, ctx),
            Ok(slot.allocation.clone()),
            "{slot:?}"
        );
        let chosen = Request {
            equipment: Some(slot.allocation.equipment.clone()),
            bed_unit: slot.allocation.bed_unit,
            ..request
        };
        assert_eq!(
            seldinger_schedule::check(&chosen, ctx),
            Ok(slot.allocation.clone()),
            "{slot:?}"
        );
    }
}

#[test]
fn next_slots_come_in_time_order_then_room_order_and_each_passes_the_check() {
    let mut world = World::new();
    world.book(
        1,
        ct1(),
        datetime!(2026-11-23 08:00),
        datetime!(2026-11-23 08:30),
        |_| {},
    );
    let procedure = biopsy();
    let query = query(&procedure, datetime!(2026-11-23 08:00));
    let slots = next_slots(&query, &world.ctx());
    let t = |h: u8, m: u8| {
        datetime!(2026-11-23 00:00)
            .replace_hour(h)
            .and_then(|d| d.replace_minute(m))
            .expect("a time")
    };
    // CT 1 is taken until 08:30, so CT 2 comes first; from 08:30 both rooms are free,
    // CT 1 first. Slots are alternatives: each may take Dr Martin.
    assert_eq!(
        summary(&slots),
        vec![
            (ct2(), t(8, 0), martin(), None),
            (ct2(), t(8, 15), martin(), None),
            (ct1(), t(8, 30), martin(), None),
            (ct2(), t(8, 30), martin(), None),
            (ct1(), t(8, 45), martin(), None),
        ]
    );
    assert_each_slot_passes_the_check(&query, &world.ctx(), &slots);
}

#[test]
fn next_slots_start_no_earlier_than_from_on_the_grid() {
    let world = World::new();
    let procedure = biopsy();
    let query = SlotQuery {
        room: Some(ct1()),
        count: 2,
        ..query(&procedure, datetime!(2026-11-23 10:07))
    };
    let slots = next_slots(&query, &world.ctx());
    assert_eq!(
        summary(&slots),
        vec![
            (ct1(), datetime!(2026-11-23 10:15), martin(), None),
            (ct1(), datetime!(2026-11-23 10:30), martin(), None),
        ]
    );
}

#[test]
fn next_slots_skip_closed_days() {
    let world = World::new();
    let procedure = biopsy();
    // Friday 17:10: the next hour that fits before closing is gone; the weekend is closed.
    let query = SlotQuery {
        room: Some(ct1()),
        count: 1,
        ..query(&procedure, datetime!(2026-11-27 17:10))
    };
    let slots = next_slots(&query, &world.ctx());
    assert_eq!(
        summary(&slots),
        vec![(ct1(), datetime!(2026-11-30 08:00), martin(), None)]
    );
}

#[test]
fn next_slots_skip_busy_rooms_people_and_equipment() {
    let mut world = World::new();
    let procedure = ablation();
    // CT 1 is taken 08:00-09:00; Dr Leroy is busy until 10:00 and Dr Petit comes at
    // 13:00; the generators are both in use 10:00-11:00.
    world.book(
        1,
        ct1(),
        datetime!(2026-11-23 08:00),
        datetime!(2026-11-23 09:00),
        |_| {},
    );
    world.book(
        2,
        us1(),
        datetime!(2026-11-23 08:00),
        datetime!(2026-11-23 10:00),
        |b| b.anesthetist = Some(leroy()),
    );
    world.book(
        3,
        ct2(),
        datetime!(2026-11-23 10:00),
        datetime!(2026-11-23 11:00),
        |b| b.equipment = vec![rf1(), rf2()],
    );
    let query = SlotQuery {
        room: Some(ct1()),
        count: 2,
        ..query(&procedure, datetime!(2026-11-23 07:00))
    };
    let slots = next_slots(&query, &world.ctx());
    assert_eq!(
        summary(&slots),
        vec![
            (ct1(), datetime!(2026-11-23 11:00), martin(), Some(leroy())),
            (ct1(), datetime!(2026-11-23 11:15), martin(), Some(leroy())),
        ]
    );
    assert_each_slot_passes_the_check(&query, &world.ctx(), &slots);
}

#[test]
fn next_slots_take_the_next_free_operator_and_never_the_operator_as_anesthetist() {
    let mut world = World::new();
    // Dr Martin also sedates, and comes first on both lists; he is busy until 09:00.
    let martin_too = world.operators[0].clone();
    world.anesthetists.insert(0, martin_too);
    world.book(
        1,
        us1(),
        datetime!(2026-11-23 08:00),
        datetime!(2026-11-23 09:00),
        |b| b.operator = martin(),
    );
    let procedure = endomicroscopy();
    let query = SlotQuery {
        room: Some(ct1()),
        count: 1,
        ..query(&procedure, datetime!(2026-11-23 08:00))
    };
    assert_eq!(
        summary(&next_slots(&query, &world.ctx())),
        vec![(ct1(), datetime!(2026-11-23 08:00), dupont(), Some(leroy()))]
    );
    let later = SlotQuery {
        from: at(datetime!(2026-11-23 09:00)),
        ..query
    };
    assert_eq!(
        summary(&next_slots(&later, &world.ctx())),
        vec![(ct1(), datetime!(2026-11-23 09:00), martin(), Some(leroy()))]
    );
}

#[test]
fn next_slots_offer_each_instant_once_on_the_night_summer_time_begins() {
    let mut world = World::new();
    world.operators[0].availability.weekly = every_day(&[span("00:00", "24:00")]);
    let procedure = procedure(
        "EMBO-HEM",
        Anesthesia::Local,
        Stay::outpatient(),
        60,
        &[RoomType::Angiography],
        &[],
    );
    // On 29 March 2026 Paris skips from 02:00 to 03:00: 02:00 and 02:15 do not exist.
    let query = SlotQuery {
        count: 6,
        ..query(&procedure, datetime!(2026-03-29 01:00))
    };
    let slots = next_slots(&query, &world.ctx());
    let starts: Vec<PrimitiveDateTime> = summary(&slots).into_iter().map(|s| s.1).collect();
    assert_eq!(
        starts,
        vec![
            datetime!(2026-03-29 01:00),
            datetime!(2026-03-29 01:15),
            datetime!(2026-03-29 01:30),
            datetime!(2026-03-29 01:45),
            datetime!(2026-03-29 03:00),
            datetime!(2026-03-29 03:15),
        ]
    );
    assert_each_slot_passes_the_check(&query, &world.ctx(), &slots);
}

#[test]
fn next_slots_return_fewer_when_the_horizon_is_exhausted() {
    let mut world = World::new();
    world.rooms[0].hours = weekdays(&[span("08:00", "10:00")]);
    let procedure = biopsy();
    let query = SlotQuery {
        room: Some(ct1()),
        days: 1,
        count: 100,
        step_minutes: 30,
        ..query(&procedure, datetime!(2026-11-23 00:00))
    };
    let slots = next_slots(&query, &world.ctx());
    assert_eq!(
        summary(&slots),
        vec![
            (ct1(), datetime!(2026-11-23 08:00), martin(), None),
            (ct1(), datetime!(2026-11-23 08:30), martin(), None),
            (ct1(), datetime!(2026-11-23 09:00), martin(), None),
        ]
    );
    // Saturday and Sunday: nothing.
    let weekend = SlotQuery {
        days: 2,
        from: at(datetime!(2026-11-28 00:00)),
        ..query
    };
    assert_eq!(next_slots(&weekend, &world.ctx()), vec![]);
}

#[test]
fn next_slots_keep_to_the_people_asked_for_and_find_a_bed() {
    let world = World::new();
    let procedure = ablation();
    let query = SlotQuery {
        operator: Some(dupont()),
        anesthetist: Some(petit()),
        count: 1,
        ..query(&procedure, datetime!(2026-11-23 07:00))
    };
    let slots = next_slots(&query, &world.ctx());
    // Dr Petit comes at 13:00.
    assert_eq!(
        summary(&slots),
        vec![(ct1(), datetime!(2026-11-23 13:00), dupont(), Some(petit()))]
    );
    assert_eq!(
        slots[0].allocation,
        Allocation {
            equipment: vec![rf1()],
            bed_unit: Some(ward_a()),
            bed_dates: vec![date!(2026 - 11 - 23), date!(2026 - 11 - 24)],
        }
    );
    let unknown = SlotQuery {
        operator: Some(leroy()),
        ..query
    };
    assert_eq!(next_slots(&unknown, &world.ctx()), vec![]);
}

// ---------------------------------------------------------------------------------------
// Properties

/// A booking on Monday 23 November, as indices into the world's resources.
#[derive(Clone, Debug)]
struct RandomBooking {
    room: usize,
    start: i64,
    minutes: i64,
    person: usize,
    anesthetist: Option<usize>,
    equipment: Vec<usize>,
    bed: Option<(usize, u8)>,
}

fn random_booking() -> impl Strategy<Value = RandomBooking> {
    (
        0..5usize,
        0..144i64,
        1..36i64,
        0..4usize,
        proptest::option::of(0..2usize),
        proptest::collection::vec(0..4usize, 0..3),
        proptest::option::of((0..4usize, 1..3u8)),
    )
        .prop_map(
            |(room, start, minutes, person, anesthetist, equipment, bed)| RandomBooking {
                room,
                start: start * 5,
                minutes: minutes * 5,
                person,
                anesthetist,
                equipment,
                bed,
            },
        )
}

#[derive(Clone, Debug)]
struct RandomQuery {
    procedure: usize,
    from: i64,
    days: u16,
    count: usize,
    step: u16,
    room: Option<usize>,
    operator: Option<usize>,
    anesthetist: Option<usize>,
}

fn random_query() -> impl Strategy<Value = RandomQuery> {
    (
        0..4usize,
        0..200i64,
        1..4u16,
        1..15usize,
        proptest::sample::select(vec![5u16, 10, 15, 20, 30, 45, 60]),
        proptest::option::of(0..5usize),
        proptest::option::of(0..2usize),
        proptest::option::of(0..2usize),
    )
        .prop_map(
            |(procedure, from, days, count, step, room, operator, anesthetist)| RandomQuery {
                procedure,
                from: from * 5,
                days,
                count,
                step,
                room,
                operator,
                anesthetist,
            },
        )
}

fn random_world(bookings: &[RandomBooking]) -> World {
    let mut world = World::new();
    // Tighter beds and a shorter day for one operator, so that they matter.
    world.bed_units[0].capacity = 1;
    world.operators[1].availability.weekly = weekdays(&[span("07:00", "13:00")]);
    let people: Vec<UserId> = world
        .operators
        .iter()
        .chain(&world.anesthetists)
        .map(|p| p.id)
        .collect();
    let monday = datetime!(2026-11-23 07:00);
    for (n, random) in bookings.iter().enumerate() {
        let start = monday + Duration::minutes(random.start);
        let room = world.rooms[random.room].id;
        let person = people[random.person];
        let anesthetist = random.anesthetist.map(|i| world.anesthetists[i].id);
        let equipment: Vec<EquipmentId> = random
            .equipment
            .iter()
            .map(|&i| world.equipment[i].id)
            .collect();
        let bed = random.bed.map(|(unit, nights)| {
            let unit = world.bed_units[unit].id;
            let dates = std::iter::successors(Some(date!(2026 - 11 - 23)), |d| d.next_day())
                .take(usize::from(nights))
                .collect::<Vec<_>>();
            (unit, dates)
        });
        world.book(
            n as u128,
            room,
            start,
            start + Duration::minutes(random.minutes),
            |b| {
                b.operator = person;
                b.anesthetist = anesthetist;
                b.equipment = equipment;
                if let Some((unit, dates)) = bed {
                    b.bed_unit = Some(unit);
                    b.bed_dates = dates;
                }
            },
        );
    }
    world
}

/// The procedures the random queries ask for.
fn random_procedures() -> [ProcedureType; 4] {
    [
        biopsy(),
        ablation(),
        endomicroscopy(),
        procedure(
            "DRAIN-US",
            Anesthesia::Local,
            Stay::day_case(),
            45,
            &[RoomType::Ct, RoomType::Ultrasound],
            &[],
        ),
    ]
}

fn random_slot_query<'a>(
    world: &World,
    procedures: &'a [ProcedureType],
    random: &RandomQuery,
) -> SlotQuery<'a> {
    SlotQuery {
        procedure: &procedures[random.procedure],
        case: case(),
        from: at(datetime!(2026-11-23 06:00) + Duration::minutes(random.from)),
        days: random.days,
        count: random.count,
        step_minutes: random.step,
        room: random.room.map(|i| world.rooms[i].id),
        operator: random.operator.map(|i| world.operators[i].id),
        anesthetist: random.anesthetist.map(|i| world.anesthetists[i].id),
    }
}

/// Whether some choice of people lets `check` accept `procedure` in `room` at `start`.
fn feasible(query: &SlotQuery, ctx: &Context, room: RoomId, start: OffsetDateTime) -> bool {
    let operators: Vec<UserId> = match query.operator {
        Some(id) => vec![id],
        None => ctx.operators.iter().map(|p| p.id).collect(),
    };
    let anesthetists: Vec<Option<UserId>> = match query.anesthetist {
        Some(id) => vec![Some(id)],
        None if query.procedure.anesthesia.needs_anesthetist() => {
            ctx.anesthetists.iter().map(|p| Some(p.id)).collect()
        }
        None => vec![None],
    };
    let end = start + Duration::minutes(i64::from(query.procedure.duration_minutes));
    operators.iter().any(|&operator| {
        anesthetists.iter().any(|&anesthetist| {
            let request = Request {
                case: query.case,
                procedure: query.procedure,
                room,
                start,
                end,
                operator,
                anesthetist,
                equipment: None,
                bed_unit: None,
                replacing: None,
            };
            seldinger_schedule::check(&request, ctx).is_ok()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_slot_next_slots_returns_passes_the_check_once_and_in_order(
        bookings in proptest::collection::vec(random_booking(), 0..40),
        random in random_query(),
    ) {
        let world = random_world(&bookings);
        let ctx = world.ctx();
        let procedures = random_procedures();
        let query = random_slot_query(&world, &procedures, &random);
        let procedure = query.procedure;
        let slots = next_slots(&query, &ctx);
        prop_assert!(slots.len() <= query.count);
        let room_order = |room: RoomId| world.rooms.iter().position(|r| r.id == room);
        for pair in slots.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            prop_assert!(
                (a.start, room_order(a.room)) < (b.start, room_order(b.room)),
                "out of order or repeated: {a:?} then {b:?}"
            );
        }
        for slot in &slots {
            prop_assert!(slot.start >= query.from);
            prop_assert_eq!(slot.end - slot.start, Duration::minutes(i64::from(procedure.duration_minutes)));
            prop_assert!(query.room.is_none_or(|r| r == slot.room));
            prop_assert!(query.operator.is_none_or(|o| o == slot.operator));
            prop_assert!(query.anesthetist.is_none_or(|a| Some(a) == slot.anesthetist));
            prop_assert!(slot.anesthetist != Some(slot.operator));
        }
        assert_each_slot_passes_the_check(&query, &ctx, &slots);
        // Asking for more gives the same first ones.
        let more = next_slots(&SlotQuery { count: query.count + 3, ..query.clone() }, &ctx);
        prop_assert_eq!(&more[..slots.len()], &slots[..]);
    }

    #[test]
    fn next_slots_skip_no_feasible_grid_start_before_the_last_one_they_return(
        bookings in proptest::collection::vec(random_booking(), 0..40),
        random in random_query(),
    ) {
        let world = random_world(&bookings);
        let ctx = world.ctx();
        let procedures = random_procedures();
        let query = random_slot_query(&world, &procedures, &random);
        let slots = next_slots(&query, &ctx);
        let room_order = |room: RoomId| world.rooms.iter().position(|r| r.id == room);
        let last = (slots.len() == query.count)
            .then(|| slots.last().map(|s| (s.start, room_order(s.room))))
            .flatten();
        let first_day = seldinger_domain::localtime::local_date(query.from, &paris());
        for offset in 0..query.days {
            let day = first_day + Duration::days(i64::from(offset));
            for minute in (0..24 * 60).step_by(usize::from(query.step_minutes)) {
                let start = at(day.midnight() + Duration::minutes(minute));
                if start < query.from {
                    continue;
                }
                for room in world.rooms.iter().filter(|r| query.room.is_none_or(|id| id == r.id)) {
                    if last.is_some_and(|last| (start, room_order(room.id)) > last) {
                        continue;
                    }
                    let found = slots.iter().any(|s| s.room == room.id && s.start == start);
                    prop_assert_eq!(
                        found,
                        feasible(&query, &ctx, room.id, start),
                        "{} at {}", room.name, start
                    );
                }
            }
        }
    }
}
