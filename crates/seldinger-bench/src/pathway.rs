//! `--scenario pathway`: booking checks and the "cases to schedule" worklist with a year
//! of bookings in the database.
//!
//! For each engine: migrations and patients through the CLI; a department of eight rooms,
//! ten operators and four anesthetists through the store's public methods; then, in one
//! bulk transaction, a year of working days of bookings (`--bookings`, six per room and
//! day, with their cases, bed nights and equipment) and `--to-schedule` open cases
//! waiting for a slot. Measured:
//! - `Store::check_booking` (the check every booking runs: load the window, check every
//!   constraint) on `--checks` requests at random times, rooms and teams of that year;
//! - `GET /api/v1/worklists/to_schedule?limit=100` and the page `/worklists/to_schedule`
//!   on the real `seldinger serve`, server time read from its JSON request log (`ms`)
//!   beside the client's round trip;
//! - `Store::book_case` (check and write under the booking lock) on free slots.
//!
//! Figures go to `<target dir>/bench/pathway.json`.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use seldinger_domain::audit::Actor;
use seldinger_domain::case::{CaseStatus, Side, Urgency};
use seldinger_domain::catalog::RoomType;
use seldinger_domain::localtime::from_local;
use seldinger_domain::resources::{
    BedUnitDef, BedUnitKind, EquipmentDef, RoomDef, Span, WeeklyHours,
};
use seldinger_domain::user::Username;
use seldinger_domain::{CaseId, EquipmentId, Lang, Role, UserId};
use seldinger_store::bookings::BookingRequest;
use seldinger_store::catalog::ProcedureTypeRecord;
use seldinger_store::resources::RoomRecord;
use seldinger_store::{NewUser, Store, StoreError, StoreOptions};
use time::{Date, Duration as Days, OffsetDateTime, PrimitiveDateTime, Time, Weekday};
use uuid::Uuid;

use crate::Settings;
use crate::engine::{self, Scratch};
use crate::load::percentile;
use crate::server::Server;

/// The department's zone, for the store here and for the server.
pub(crate) const ZONE: &str = "Europe/Paris";
/// Bookings per room and working day: 75-minute slots from 08:00.
const SLOTS_PER_ROOM: usize = 6;
const SLOT_MINUTES: i64 = 75;
/// Requests before the measured ones, on each route.
pub(crate) const WARMUP: usize = 50;
/// Measured requests on each route.
const ROUTE_REQUESTS: usize = 500;
/// `book_case` calls measured (on free slots, after the worklist runs).
const BOOKINGS_MADE: usize = 200;
/// Targets of the issue.
pub const CHECK_P99_TARGET_MS: f64 = 5.0;
pub const WORKLIST_P50_TARGET_MS: f64 = 10.0;

/// The sizes of the run.
pub struct Sizes {
    pub bookings: usize,
    pub to_schedule: usize,
    pub checks: usize,
}

/// Sorted milliseconds of one measured operation.
#[derive(Default)]
pub struct Timings {
    pub ms: Vec<f64>,
}

impl Timings {
    pub(crate) fn push(&mut self, started: Instant) {
        self.ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }

    pub(crate) fn sorted(mut self) -> Self {
        self.ms.sort_by(f64::total_cmp);
        self
    }

    pub fn p(&self, q: f64) -> f64 {
        percentile(&self.ms, q)
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "count": self.ms.len(),
            "p50_ms": self.p(0.5),
            "p90_ms": self.p(0.9),
            "p99_ms": self.p(0.99),
            "max_ms": self.ms.last().copied().unwrap_or(f64::NAN),
        })
    }

    pub(crate) fn line(&self) -> String {
        format!(
            "p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
            self.p(0.5),
            self.p(0.9),
            self.p(0.99),
            self.ms.last().copied().unwrap_or(f64::NAN),
            self.ms.len()
        )
    }
}

/// One route: the server's own time (from its log) and the client's round trip.
pub struct Route {
    pub path: &'static str,
    pub query: &'static str,
    pub server: Timings,
    pub client: Timings,
    /// Cases the answer held (API) or bytes of the page.
    pub size: usize,
}

pub struct PathwayReport {
    pub engine: &'static str,
    pub fixture_time: Duration,
    pub bookings: usize,
    pub to_schedule: usize,
    pub check: Timings,
    pub checks_accepted: usize,
    pub checks_refused: usize,
    pub book: Timings,
    pub routes: Vec<Route>,
}

impl crate::report::Figures for PathwayReport {
    fn missed(&self) -> Vec<String> {
        let mut missed = Vec::new();
        if self.check.p(0.99) > CHECK_P99_TARGET_MS {
            missed.push(format!(
                "booking check p99 {:.2} ms > {CHECK_P99_TARGET_MS} ms",
                self.check.p(0.99)
            ));
        }
        for route in &self.routes {
            if route.server.p(0.5) > WORKLIST_P50_TARGET_MS {
                missed.push(format!(
                    "{} server p50 {:.2} ms > {WORKLIST_P50_TARGET_MS} ms",
                    route.path,
                    route.server.p(0.5)
                ));
            }
        }
        missed
    }

    fn print(&self) {
        println!("\n-- {} --", self.engine);
        println!(
            "  fixture: {} bookings and {} cases to schedule in {:.2} s",
            self.bookings,
            self.to_schedule,
            self.fixture_time.as_secs_f64()
        );
        println!(
            "  booking check (Store::check_booking): {}; {} accepted, {} refused with conflicts \
             [target p99 ≤ {CHECK_P99_TARGET_MS} ms]",
            self.check.line(),
            self.checks_accepted,
            self.checks_refused
        );
        println!(
            "  booking (Store::book_case, lock + check + write): {}",
            self.book.line()
        );
        for route in &self.routes {
            println!(
                "  GET {}{} ({}): server {} [target p50 ≤ {WORKLIST_P50_TARGET_MS} ms]; client round trip p50 {:.2} ms",
                route.path,
                route.query,
                route.size,
                route.server.line(),
                route.client.p(0.5)
            );
        }
        for miss in self.missed() {
            println!("  MISSED: {miss}");
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "engine": self.engine,
            "fixture_seconds": self.fixture_time.as_secs_f64(),
            "bookings": self.bookings,
            "to_schedule": self.to_schedule,
            "booking_check": self.check.json(),
            "booking_check_accepted": self.checks_accepted,
            "booking_check_refused": self.checks_refused,
            "book_case": self.book.json(),
            "routes": self.routes.iter().map(|r| serde_json::json!({
                "path": r.path,
                "server": r.server.json(),
                "client": r.client.json(),
                "size": r.size,
            })).collect::<Vec<_>>(),
            "missed": self.missed(),
        })
    }
}

/// Runs the scenario on the chosen engines; `Ok(false)` when one could not be measured
/// or missed a target.
pub async fn run(
    settings: &Settings,
    sizes: &Sizes,
    sqlite: bool,
    postgres: Option<&str>,
) -> anyhow::Result<bool> {
    println!(
        "seldinger-bench pathway: {} bookings, {} cases to schedule, {} checks, {} CPU(s), load average {}",
        sizes.bookings,
        sizes.to_schedule,
        sizes.checks,
        std::thread::available_parallelism().map_or(0, usize::from),
        crate::load_average()
    );
    let mut results = Vec::new();
    if sqlite {
        let r = engine::on_sqlite(|s| bench(settings, sizes, s, "sqlite")).await;
        results.push(("sqlite", r));
    }
    if let Some(admin_url) = postgres {
        let r = engine::on_postgres(admin_url, |s| bench(settings, sizes, s, "postgres")).await;
        results.push(("postgres", r));
    }
    crate::report::settle(settings, "pathway", &results)
}

async fn bench(
    settings: &Settings,
    sizes: &Sizes,
    scratch: Scratch,
    engine: &'static str,
) -> anyhow::Result<PathwayReport> {
    let minutes = |m: u64| Duration::from_secs(60 * m);
    let db = &scratch.args;
    engine::cli(settings, db, &["migrate"], None, minutes(5)).await?;
    let patients = (sizes.bookings + sizes.to_schedule + BOOKINGS_MADE).to_string();
    engine::cli(
        settings,
        db,
        &["generate-patients", "--count", &patients],
        None,
        minutes(30),
    )
    .await?;
    let token = engine::bench_token(settings, db).await?;

    let zone = jiff::tz::TimeZone::get(ZONE).context("no time zone data for Europe/Paris")?;
    let mut options = StoreOptions::new(scratch.url.clone());
    options.zone = zone.clone();
    let store = Store::connect(&options)
        .await
        .context("cannot open the store")?;
    let dept = Department::create(&store).await?;
    let today = OffsetDateTime::now_utc().date();
    let days = working_days(
        today + Days::days(28),
        sizes.bookings.div_ceil(dept.per_day()),
    );
    let started = Instant::now();
    let open = fixture(&scratch.url, &dept, &days, sizes, &zone).await?;
    let fixture_time = started.elapsed();
    println!(
        "  fixture: {} bookings over {} working days from {} and {} cases to schedule in {:.2} s",
        sizes.bookings,
        days.len(),
        days.first().map_or(String::new(), ToString::to_string),
        open.len(),
        fixture_time.as_secs_f64()
    );

    // The booking check, on requests spread over the year.
    let mut rng = StdRng::seed_from_u64(12_000);
    let mut check = Timings::default();
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..sizes.checks + WARMUP {
        let (case, procedure) = open.choose(&mut rng).context("no open case")?;
        let request = dept.request(&mut rng, procedure, &days, &zone)?;
        let started = Instant::now();
        let result = store.check_booking(*case, &request).await;
        if i >= WARMUP {
            check.push(started);
            match result {
                Ok(_) => accepted += 1,
                Err(StoreError::Conflict(_)) => refused += 1,
                Err(e) => bail!("check_booking failed: {e}"),
            }
        }
    }
    let check = check.sorted();
    println!("  booking check: {}", check.line());

    // The worklist, through the real server.
    let log = settings
        .out_dir
        .join(format!("seldinger-pathway-{engine}.log"));
    let server = Server::start(
        settings,
        &db.0,
        &["--log-format", "json", "--timezone", ZONE],
        &log,
    )
    .await?;
    let routes = measure_routes(
        &server.base,
        &token,
        &[
            ("/api/v1/worklists/to_schedule", "?limit=100"),
            ("/worklists/to_schedule", ""),
        ],
    )
    .await;
    let stopped = server.stop().await;
    let mut routes = routes?;
    stopped?;
    server_times(&mut routes, &log)?;

    // Real bookings: free slots found by the slot search, booked under the lock.
    let actor = Actor::system("bench");
    let mut book = Timings::default();
    let mut booked = 0;
    for (case, _) in open.iter().skip(open.len() / 2) {
        if booked == BOOKINGS_MADE {
            break;
        }
        let slots = store
            .next_slots(
                *case,
                from_local(days[days.len() / 2].midnight(), &zone),
                14,
                1,
                None,
                None,
                None,
            )
            .await?;
        let Some(slot) = slots.first() else { continue };
        let request = BookingRequest {
            room: slot.room,
            start: slot.start,
            end: None,
            operator: slot.operator,
            anesthetist: slot.anesthetist,
            equipment: None,
            bed_unit: None,
        };
        let started = Instant::now();
        match store
            .book_case(&actor, *case, &request, OffsetDateTime::now_utc())
            .await
        {
            Ok(_) => {
                book.push(started);
                booked += 1;
            }
            Err(StoreError::Conflict(_)) => {}
            Err(e) => bail!("book_case failed: {e}"),
        }
    }
    store.close().await;
    Ok(PathwayReport {
        engine,
        fixture_time,
        bookings: sizes.bookings,
        to_schedule: open.len(),
        check,
        checks_accepted: accepted,
        checks_refused: refused,
        book: book.sorted(),
        routes,
    })
}

/// The next `n` Mondays-to-Fridays from `from`.
fn working_days(from: Date, n: usize) -> Vec<Date> {
    let mut days = Vec::with_capacity(n);
    let mut day = from;
    while days.len() < n {
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            days.push(day);
        }
        day += Days::days(1);
    }
    days
}

fn weekdays(start: u16, end: u16) -> WeeklyHours {
    let mut weekly = WeeklyHours::default();
    for day in 0..5 {
        weekly.0[day] = vec![Span { start, end }];
    }
    weekly
}

/// A department that performs about 12,000 procedures a year.
struct Department {
    rooms: Vec<RoomRecord>,
    operators: Vec<UserId>,
    anesthetists: Vec<UserId>,
    ablation_kit: EquipmentId,
    day_unit: Uuid,
    ward: Uuid,
    types: Vec<ProcedureTypeRecord>,
}

impl Department {
    async fn create(store: &Store) -> anyhow::Result<Self> {
        let actor = Actor::system("bench");
        let now = OffsetDateTime::now_utc();
        let room_types = [
            ("CT-1", RoomType::Ct),
            ("CT-2", RoomType::Ct),
            ("CT-3", RoomType::Ct),
            ("US-1", RoomType::Ultrasound),
            ("US-2", RoomType::Ultrasound),
            ("ANGIO-1", RoomType::Angiography),
            ("ANGIO-2", RoomType::Angiography),
            ("HYB-1", RoomType::HybridOr),
        ];
        let mut rooms = Vec::new();
        for (code, room_type) in room_types {
            let def = RoomDef {
                code: code.into(),
                name: format!("Room {code}"),
                room_type,
                hours: weekdays(8 * 60, 18 * 60),
                active: true,
            };
            rooms.push(store.create_room(&actor, &def, now).await?);
        }
        let mut ablation_kit = None;
        for (code, kind, in_rooms) in [
            (
                "MW-1",
                seldinger_domain::catalog::EquipmentKind::MwGenerator,
                vec!["CT-1", "CT-2", "HYB-1"],
            ),
            (
                "ENDO-1",
                seldinger_domain::catalog::EquipmentKind::Endomicroscopy,
                vec!["CT-1", "CT-2", "US-1"],
            ),
        ] {
            let def = EquipmentDef {
                code: code.into(),
                name: format!("Equipment {code}"),
                kind,
                rooms: in_rooms.into_iter().map(str::to_string).collect(),
                active: true,
            };
            let created = store.create_equipment(&actor, &def, now).await?;
            ablation_kit.get_or_insert(created.equipment.id);
        }
        let mut units = Vec::new();
        for (code, kind, capacity) in [
            ("HDJ", BedUnitKind::DayUnit, 40),
            ("HC", BedUnitKind::Ward, 30),
        ] {
            let def = BedUnitDef {
                code: code.into(),
                name: format!("Unit {code}"),
                kind,
                capacity,
                active: true,
            };
            units.push(
                store
                    .create_bed_unit(&actor, &def, now)
                    .await?
                    .unit
                    .id
                    .as_uuid(),
            );
        }
        let staff = |prefix: &str, role: Role, n: usize| {
            (1..=n)
                .map(|i| (format!("{prefix}{i:02}"), role))
                .collect::<Vec<_>>()
        };
        let mut operators = Vec::new();
        let mut anesthetists = Vec::new();
        let people = [
            staff("ir", Role::InterventionalRadiologist, 10),
            staff("an", Role::Anesthetist, 4),
        ]
        .concat();
        for (username, role) in people {
            let user = NewUser {
                username: Username::parse(&username).map_err(|e| anyhow::anyhow!("{e}"))?,
                full_name: format!("Dr {username}"),
                role,
                language: Lang::Fr,
                // Not a password hash: these accounts never sign in.
                password_hash: "!".into(),
            };
            let created = store.create_user(&actor, user, now).await?;
            store
                .set_weekly_availability(&actor, created.id, 0, &weekdays(8 * 60, 18 * 60), now)
                .await?;
            match role {
                Role::Anesthetist => anesthetists.push(created.id),
                _ => operators.push(created.id),
            }
        }
        // Procedure types that one of these rooms can host.
        let types = store
            .list_procedure_types(false)
            .await?
            .into_iter()
            .filter(|t| {
                rooms
                    .iter()
                    .any(|r| t.definition.room_types.contains(&r.room.room_type))
            })
            .collect();
        Ok(Self {
            rooms,
            operators,
            anesthetists,
            ablation_kit: ablation_kit.context("no equipment created")?,
            day_unit: units[0],
            ward: units[1],
            types,
        })
    }

    fn per_day(&self) -> usize {
        self.rooms.len() * SLOTS_PER_ROOM
    }

    /// A booking request for `procedure` at a random time of the year, in a room that fits.
    fn request(
        &self,
        rng: &mut StdRng,
        procedure: &ProcedureTypeRecord,
        days: &[Date],
        zone: &jiff::tz::TimeZone,
    ) -> anyhow::Result<BookingRequest> {
        let fitting: Vec<&RoomRecord> = self
            .rooms
            .iter()
            .filter(|r| procedure.definition.room_types.contains(&r.room.room_type))
            .collect();
        let room = fitting.choose(rng).context("no room fits")?;
        let day = *days.choose(rng).context("no day")?;
        let minute = 8 * 60 + 15 * rng.random_range(0..36u16);
        let start = from_local(
            PrimitiveDateTime::new(day, Time::from_hms(0, 0, 0)?)
                + Days::minutes(i64::from(minute)),
            zone,
        );
        Ok(BookingRequest {
            room: room.room.id,
            start,
            end: None,
            operator: *self.operators.choose(rng).context("no operator")?,
            anesthetist: if procedure.definition.anesthesia.needs_anesthetist() {
                Some(*self.anesthetists.choose(rng).context("no anesthetist")?)
            } else {
                None
            },
            equipment: None,
            bed_unit: None,
        })
    }
}

pub(crate) fn name(s: &str) -> Alias {
    Alias::new(s)
}

pub(crate) const CASE_COLUMNS: [&str; 23] = [
    "id",
    "patient_id",
    "status",
    "version",
    "urgency",
    "urgency_rank",
    "referring_physician",
    "indication",
    "target_organ",
    "side",
    "requested_type_id",
    "planned_version_id",
    "anticoagulants",
    "allergies",
    "referral_date",
    "referred_at",
    "status_changed_at",
    "updated_at",
    "referring_service",
    "target_site",
    "lesion_size_mm",
    "clinical_question",
    "referred_by",
];

/// Rows of the `cases` table, one patient each.
pub(crate) struct CaseRows<'a> {
    pub rows: Vec<Vec<sea_orm::Value>>,
    patients: std::slice::Iter<'a, Uuid>,
    now: OffsetDateTime,
}

impl<'a> CaseRows<'a> {
    pub(crate) fn new(patients: &'a [Uuid], now: OffsetDateTime) -> Self {
        Self {
            rows: Vec::new(),
            patients: patients.iter(),
            now,
        }
    }

    /// A case of `procedure` at `status`, referred in the last 200 days.
    pub(crate) fn add(
        &mut self,
        rng: &mut StdRng,
        status: CaseStatus,
        procedure: &ProcedureTypeRecord,
    ) -> anyhow::Result<Uuid> {
        let id = Uuid::now_v7();
        let urgency = match rng.random_range(0..20) {
            0 => Urgency::Urgent,
            1..=3 => Urgency::SemiUrgent,
            _ => Urgency::Elective,
        };
        let now = self.now;
        let referred = now - Days::minutes(rng.random_range(60..200 * 24 * 60));
        let organ = procedure
            .definition
            .target_organs
            .first()
            .context("a procedure type without organ")?;
        self.rows.push(vec![
            id.into(),
            (*self.patients.next().context("out of patients")?).into(),
            status.code().into(),
            1i64.into(),
            urgency.code().into(),
            i32::from(urgency.rank()).into(),
            "Dr Referrer".into(),
            "Bench indication".into(),
            organ.code().into(),
            Side::NotApplicable.code().into(),
            procedure.id.as_uuid().into(),
            procedure.version_id.as_uuid().into(),
            "[]".into(),
            "[]".into(),
            referred.date().into(),
            referred.into(),
            now.into(),
            now.into(),
            Option::<String>::None.into(),
            Option::<String>::None.into(),
            Option::<i32>::None.into(),
            Option::<String>::None.into(),
            Option::<Uuid>::None.into(),
        ]);
        Ok(id)
    }
}

/// The ids of every patient, for fixtures.
pub(crate) async fn patient_ids(db: &impl ConnectionTrait) -> anyhow::Result<Vec<Uuid>> {
    let rows = db
        .query_all(
            &Query::select()
                .column(name("id"))
                .from(name("patients"))
                .to_owned(),
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<Uuid>("", "id"))
        .collect::<Result<_, _>>()?)
}

/// Writes the year of bookings and the open cases in one transaction, straight into the
/// tables (the store books one case at a time, under its lock: a year of that would take
/// longer than the measure). Returns the open cases with their procedure type.
async fn fixture(
    url: &str,
    dept: &Department,
    days: &[Date],
    sizes: &Sizes,
    zone: &jiff::tz::TimeZone,
) -> anyhow::Result<Vec<(CaseId, ProcedureTypeRecord)>> {
    let db = Database::connect(url)
        .await
        .context("cannot connect for the fixture")?;
    let patients = patient_ids(&db).await?;
    let needed = sizes.bookings + sizes.to_schedule;
    if patients.len() < needed {
        bail!("{} patients, {needed} needed", patients.len());
    }
    let mut rng = StdRng::seed_from_u64(2026);
    let now = OffsetDateTime::now_utc();
    let txn = db.begin().await?;
    let mut open = Vec::new();
    let mut bookings = Vec::new();
    let mut beds = Vec::new();
    let mut rows = CaseRows::new(&patients, now);
    for (d, day) in days.iter().enumerate() {
        for (r, room) in dept.rooms.iter().enumerate() {
            let fitting: Vec<&ProcedureTypeRecord> = dept
                .types
                .iter()
                .filter(|t| t.definition.room_types.contains(&room.room.room_type))
                .collect();
            let operator = dept.operators[(r + d) % dept.operators.len()];
            // The angiography and hybrid rooms have an anesthetist all day.
            let anesthetist = (r >= 5).then(|| dept.anesthetists[(r - 5 + d) % 4]);
            for slot in 0..SLOTS_PER_ROOM {
                if bookings.len() == sizes.bookings {
                    break;
                }
                let procedure = *fitting.choose(&mut rng).context("no type for a room")?;
                let case = rows.add(&mut rng, CaseStatus::Scheduled, procedure)?;
                let start = from_local(
                    PrimitiveDateTime::new(*day, Time::from_hms(8, 0, 0)?)
                        + Days::minutes(SLOT_MINUTES * slot as i64),
                    zone,
                );
                let end = start + Days::minutes(SLOT_MINUTES);
                let equipment: Vec<EquipmentId> = if r == 0 && slot % 2 == 0 {
                    vec![dept.ablation_kit]
                } else {
                    Vec::new()
                };
                let bed = match (r, slot) {
                    (5.., 0) => Some((dept.ward, 2)),
                    (_, 1 | 3) => Some((dept.day_unit, 1)),
                    _ => None,
                };
                let id = Uuid::now_v7();
                bookings.push(vec![
                    id.into(),
                    case.into(),
                    room.room.id.as_uuid().into(),
                    start.into(),
                    end.into(),
                    operator.as_uuid().into(),
                    anesthetist.map(|a| a.as_uuid()).into(),
                    serde_json::to_string(&equipment)?.into(),
                    bed.map(|(unit, _)| unit).into(),
                    "active".into(),
                    now.into(),
                    now.into(),
                    1i64.into(),
                ]);
                if let Some((unit, nights)) = bed {
                    for night in 0..nights {
                        beds.push(vec![
                            id.into(),
                            unit.into(),
                            (*day + Days::days(night)).into(),
                        ]);
                    }
                }
            }
        }
    }
    for _ in 0..sizes.to_schedule + BOOKINGS_MADE {
        let procedure = dept.types.choose(&mut rng).context("no procedure type")?;
        let case = rows.add(&mut rng, CaseStatus::ToSchedule, procedure)?;
        open.push((CaseId::from_uuid(case), procedure.clone()));
    }
    insert(&txn, "cases", &CASE_COLUMNS, rows.rows).await?;
    let booking_columns = [
        "id",
        "case_id",
        "room_id",
        "starts_at",
        "ends_at",
        "operator_id",
        "anesthetist_id",
        "equipment",
        "bed_unit_id",
        "status",
        "created_at",
        "updated_at",
        "version",
    ];
    insert(&txn, "bookings", &booking_columns, bookings).await?;
    insert(
        &txn,
        "booking_beds",
        &["booking_id", "bed_unit_id", "date"],
        beds,
    )
    .await?;
    txn.commit().await?;
    // Fresh statistics, as a database that has grown to this size would have.
    db.execute_unprepared("ANALYZE").await?;
    db.close().await?;
    Ok(open)
}

/// Inserts `rows` into `table`, 500 rows per statement.
pub(crate) async fn insert(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<sea_orm::Value>>,
) -> anyhow::Result<()> {
    for chunk in rows.chunks(500) {
        let mut insert = Query::insert();
        insert
            .into_table(name(table))
            .columns(columns.iter().map(|c| name(c)));
        for row in chunk {
            insert.values_panic(row.iter().cloned().map(sea_orm::sea_query::Expr::val));
        }
        db.execute(&insert)
            .await
            .with_context(|| format!("cannot fill {table}"))?;
    }
    Ok(())
}

/// Loads each route (path, query) one request at a time: the client's round trips.
pub(crate) async fn measure_routes(
    base: &str,
    token: &str,
    targets: &[(&'static str, &'static str)],
) -> anyhow::Result<Vec<Route>> {
    let client = crate::load::client(token, 1)?;
    let mut routes = Vec::new();
    for &(path, query) in targets {
        let url = format!("{base}{path}{query}");
        let mut client_times = Timings::default();
        let mut size = 0;
        for i in 0..WARMUP + ROUTE_REQUESTS {
            let started = Instant::now();
            let response = client.get(&url).send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            if !status.is_success() {
                bail!("GET {path}: {status}: {}", String::from_utf8_lossy(&body));
            }
            if i >= WARMUP {
                client_times.push(started);
            }
            size = if path.starts_with("/api/") {
                serde_json::from_slice::<serde_json::Value>(&body)?["items"]
                    .as_array()
                    .map_or(0, Vec::len)
            } else {
                body.len()
            };
        }
        routes.push(Route {
            path,
            query,
            server: Timings::default(),
            client: client_times.sorted(),
            size,
        });
    }
    Ok(routes)
}

/// Whether a concrete path is an instance of a route template: the same segments, a
/// `{name}` standing for any one.
fn instance_of(path: &str, template: &str) -> bool {
    let (path, template): (Vec<&str>, Vec<&str>) =
        (path.split('/').collect(), template.split('/').collect());
    path.len() == template.len()
        && path
            .iter()
            .zip(&template)
            .all(|(p, t)| p == t || (t.starts_with('{') && t.ends_with('}')))
}

/// The server's own time of each measured request, from its JSON log (read once the
/// server has stopped, so that every line is written). Routes were loaded one after the
/// other, so the lines of a path measured twice (with two queries) come in that order.
pub(crate) fn server_times(routes: &mut [Route], log: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(log)
        .with_context(|| format!("cannot read the server log {}", log.display()))?;
    let expected = WARMUP + ROUTE_REQUESTS;
    let mut times: Vec<Timings> = routes.iter().map(|_| Timings::default()).collect();
    for line in text.lines() {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let fields = &entry["fields"];
        // The log names the route's template (`/api/v1/worklists/{list}`), never the path.
        let (Some(template), Some(ms)) = (fields["route"].as_str(), fields["ms"].as_f64()) else {
            continue;
        };
        if fields["message"] != "request" {
            continue;
        }
        if let Some(i) = routes
            .iter()
            .zip(&times)
            .position(|(r, t)| instance_of(r.path, template) && t.ms.len() < expected)
        {
            times[i].ms.push(ms);
        }
    }
    for (route, mut server) in routes.iter_mut().zip(times) {
        if server.ms.len() != expected {
            bail!(
                "{} request lines for {}{} in the server log, {expected} expected",
                server.ms.len(),
                route.path,
                route.query,
            );
        }
        // The warm-up requests came first.
        server.ms.drain(..WARMUP);
        route.server = server.sorted();
    }
    Ok(())
}
