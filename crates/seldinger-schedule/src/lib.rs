//! The scheduler of Seldinger: whether a procedure can be booked at a given time, and
//! which times it could be booked at (PRODUCT.md, pathway step 5).
//!
//! A booking needs a room of a fitting type, open for the whole booking in local time and
//! free; an operator, available and free; an anesthetist when the anesthesia needs one;
//! one free unit of each kind of equipment the procedure requires, serving that room; and
//! a bed for the planned stay (a day-unit place for a day case, a ward bed for each night
//! of an inpatient stay), within each unit's capacity.
//!
//! Pure: no IO, no clock read. The storage layer loads what a decision needs into a
//! [`Context`] (resources, availability, the active bookings around the requested time)
//! and calls [`check()`] inside the transaction that writes the booking, so that the check
//! and the write see the same data; it calls [`next_slots`] to propose times. Instants
//! are UTC [`time::OffsetDateTime`]s; opening hours and availability are local wall-clock
//! time in the department's [`jiff::tz::TimeZone`], passed in.
//!
//! Intervals are half-open: a booking ending at 10:00 and one starting at 10:00 do not
//! overlap.
//!
//! Modules:
//! - [`check`](mod@check): the feasibility check of one request, and the bed dates of a stay.
//! - [`conflict`]: why a request cannot be booked, in French and English.
//! - [`slots`]: the search for the next feasible slots.

use jiff::tz::TimeZone;
use seldinger_domain::catalog::{EquipmentKind, ProcedureType, RoomType};
use seldinger_domain::resources::{Availability, BedUnitKind, WeeklyHours};
use seldinger_domain::{BedUnitId, BookingId, CaseId, EquipmentId, RoomId, UserId};
use time::{Date, OffsetDateTime};

pub mod check;
pub mod conflict;
pub mod slots;

pub use check::{bed_dates, check};
pub use conflict::Conflict;
pub use slots::{Slot, SlotQuery, next_slots};

/// A room where procedures are performed, with its weekly opening hours (local time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Room {
    pub id: RoomId,
    pub code: String,
    pub name: String,
    pub room_type: RoomType,
    pub hours: WeeklyHours,
    pub active: bool,
}

/// A piece of equipment and the rooms it can serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equipment {
    pub id: EquipmentId,
    pub code: String,
    pub name: String,
    pub kind: EquipmentKind,
    pub rooms: Vec<RoomId>,
    pub active: bool,
}

/// A day unit (places per day) or a ward (beds per night).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BedUnit {
    pub id: BedUnitId,
    pub code: String,
    pub name: String,
    pub kind: BedUnitKind,
    pub capacity: u16,
    pub active: bool,
}

/// An operator or an anesthetist, with the hours they are present (local time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub name: String,
    pub availability: Availability,
}

/// A booking already made (active), as the check sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booked {
    pub id: BookingId,
    pub case: CaseId,
    pub room: RoomId,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub operator: UserId,
    pub anesthetist: Option<UserId>,
    pub equipment: Vec<EquipmentId>,
    pub bed_unit: Option<BedUnitId>,
    /// The local dates the stay occupies a place in `bed_unit` (see [`bed_dates`]).
    pub bed_dates: Vec<Date>,
}

impl Booked {
    /// Whether this booking overlaps `[start, end)`.
    pub fn overlaps(&self, start: OffsetDateTime, end: OffsetDateTime) -> bool {
        self.start < end && start < self.end
    }

    /// Whether `person` works on this booking, as operator or as anesthetist.
    pub fn involves(&self, person: UserId) -> bool {
        self.operator == person || self.anesthetist == Some(person)
    }
}

/// What a decision is made over, loaded by the storage layer. `booked` may hold more
/// bookings than the ones that matter: the check filters by time and date itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context<'a> {
    /// The department's zone: opening hours and availability are in its local time.
    pub zone: &'a TimeZone,
    pub rooms: &'a [Room],
    pub equipment: &'a [Equipment],
    pub bed_units: &'a [BedUnit],
    pub operators: &'a [Person],
    pub anesthetists: &'a [Person],
    pub booked: &'a [Booked],
}

/// A booking asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    pub case: CaseId,
    pub procedure: &'a ProcedureType,
    pub room: RoomId,
    pub start: OffsetDateTime,
    /// Usually `start` plus the procedure's duration.
    pub end: OffsetDateTime,
    pub operator: UserId,
    pub anesthetist: Option<UserId>,
    /// `None`: pick one free unit of each required kind automatically.
    pub equipment: Option<Vec<EquipmentId>>,
    /// `None`: pick the first unit of the right kind with room automatically.
    pub bed_unit: Option<BedUnitId>,
    /// When moving a booking: that booking is ignored in the conflict checks.
    pub replacing: Option<BookingId>,
}

/// What a feasible request gets: the equipment and the bed to write with the booking.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allocation {
    pub equipment: Vec<EquipmentId>,
    pub bed_unit: Option<BedUnitId>,
    /// The local dates the stay occupies a place in `bed_unit`; empty without a bed.
    pub bed_dates: Vec<Date>,
}
