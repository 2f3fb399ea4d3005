//! The demo department's pathway: rooms, equipment, beds and staff hours, then about
//! eighty cases spread over the last five weeks and the next three, at every step from
//! referral to closure (see `outcomes`) — weekly MDT meetings with their decisions, consultations with
//! consent, bookings found by the slot search, checklists complete or not, and today's
//! time-outs. Everything goes through the store's public methods, as the interface would,
//! with the history dated as it would have happened.

mod outcomes;

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use seldinger_domain::case::{CaseEvent, MdtDecision, NewReferral, Side, Urgency};
use seldinger_domain::catalog::{EquipmentKind, RoomType};
use seldinger_domain::catalog::{Organ, ProcedureCode};
use seldinger_domain::checklist::{
    AnticoagulantPlan, Checklist, Inr, Lab, PregnancyStatus, Premedication, TimeOut,
};
use seldinger_domain::consultation::{
    ConsentDecision, ConsultationKind, ConsultationRecord, ConsultationStatus,
};
use seldinger_domain::localtime::{from_local, to_local};
use seldinger_domain::mdt::{Attendee, Decision, MeetingKind, NewMeeting, Specialty};
use seldinger_domain::resources::{
    AvailabilityException, BedUnitDef, BedUnitKind, EquipmentDef, RoomDef, Span, WeeklyHours,
};
use seldinger_domain::{CaseId, Lang, PatientId};
use seldinger_store::bookings::BookingRequest;
use seldinger_store::consultations::ConsultationSlot;
use seldinger_store::{Store, User};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

/// The staff the demo acts as, by username.
pub struct Staff(pub HashMap<String, User>);

impl Staff {
    fn get(&self, username: &str) -> anyhow::Result<&User> {
        self.0
            .get(username)
            .with_context(|| format!("demo user {username} missing"))
    }

    fn actor(&self, username: &str) -> anyhow::Result<seldinger_domain::audit::Actor> {
        Ok(self.get(username)?.actor(None))
    }
}

fn hours(spans: &[(u16, u16)], days: &[usize]) -> WeeklyHours {
    let mut weekly = WeeklyHours::default();
    for &day in days {
        weekly.0[day] = spans
            .iter()
            .map(|&(start, end)| Span { start, end })
            .collect();
    }
    weekly
}

const WEEKDAYS: [usize; 5] = [0, 1, 2, 3, 4];

async fn resources(store: &Store, staff: &Staff, now: OffsetDateTime) -> anyhow::Result<()> {
    let admin = staff.actor("admin")?;
    let rooms = [
        (
            "CT-1",
            "Scanner interventionnel",
            RoomType::Ct,
            hours(&[(8 * 60, 18 * 60)], &WEEKDAYS),
        ),
        (
            "US-1",
            "Salle d'échographie",
            RoomType::Ultrasound,
            hours(&[(8 * 60, 17 * 60)], &WEEKDAYS),
        ),
        (
            "ANGIO-1",
            "Salle d'angiographie",
            RoomType::Angiography,
            hours(&[(8 * 60, 18 * 60)], &WEEKDAYS),
        ),
        (
            "HYB-1",
            "Salle hybride (bloc)",
            RoomType::HybridOr,
            hours(&[(8 * 60, 16 * 60)], &[1, 3]),
        ),
        (
            "MRI-1",
            "IRM interventionnelle",
            RoomType::Mri,
            hours(&[(13 * 60, 18 * 60)], &[2]),
        ),
    ];
    for (code, name, room_type, hours) in rooms {
        let def = RoomDef {
            code: code.into(),
            name: name.into(),
            room_type,
            hours,
            active: true,
        };
        store.create_room(&admin, &def, now).await?;
    }
    let equipment = [
        (
            "RF-1",
            "Générateur de radiofréquence",
            EquipmentKind::RfGenerator,
            vec!["CT-1", "HYB-1"],
        ),
        (
            "MW-1",
            "Générateur micro-ondes",
            EquipmentKind::MwGenerator,
            vec!["CT-1", "US-1", "HYB-1"],
        ),
        (
            "MW-2",
            "Générateur micro-ondes (2)",
            EquipmentKind::MwGenerator,
            vec!["CT-1", "HYB-1"],
        ),
        (
            "CRYO-1",
            "Console de cryoablation",
            EquipmentKind::CryoConsole,
            vec!["CT-1"],
        ),
        (
            "ENDO-1",
            "Système d'endomicroscopie",
            EquipmentKind::Endomicroscopy,
            vec!["CT-1", "US-1"],
        ),
        (
            "ECHO-P1",
            "Échographe portable",
            EquipmentKind::PortableUltrasound,
            vec!["CT-1", "ANGIO-1", "HYB-1"],
        ),
        (
            "LITHO-1",
            "Lithotriteur",
            EquipmentKind::Lithotripsy,
            vec!["ANGIO-1"],
        ),
    ];
    for (code, name, kind, rooms) in equipment {
        let def = EquipmentDef {
            code: code.into(),
            name: name.into(),
            kind,
            rooms: rooms.into_iter().map(str::to_string).collect(),
            active: true,
        };
        store.create_equipment(&admin, &def, now).await?;
    }
    for (code, name, kind, capacity) in [
        ("HDJ", "Hôpital de jour", BedUnitKind::DayUnit, 8),
        (
            "HC-RI",
            "Hospitalisation radiologie interventionnelle",
            BedUnitKind::Ward,
            6,
        ),
    ] {
        let def = BedUnitDef {
            code: code.into(),
            name: name.into(),
            kind,
            capacity,
            active: true,
        };
        store.create_bed_unit(&admin, &def, now).await?;
    }
    let scheduler = staff.actor("sfournier")?;
    for (username, weekly) in [
        ("clemaire", hours(&[(8 * 60, 18 * 60)], &WEEKDAYS)),
        ("jokafor", hours(&[(8 * 60, 18 * 60)], &[0, 1, 2, 3])),
        ("nbenali", hours(&[(8 * 60, 17 * 60)], &WEEKDAYS)),
        ("lmercier", hours(&[(8 * 60, 17 * 60)], &[1, 2, 3])),
    ] {
        let user = staff.get(username)?;
        store
            .set_weekly_availability(&scheduler, user.id, 0, &weekly, now)
            .await?;
    }
    // Dr Okafor is at a congress on the second Friday… and the Monday after.
    let monday = next_weekday(to_local(now, store.zone()).date(), Weekday::Monday);
    store
        .set_availability_exception(
            &scheduler,
            staff.get("jokafor")?.id,
            &AvailabilityException {
                date: monday + Duration::days(7),
                hours: Vec::new(),
                reason: Some("Congrès JFR / congress".into()),
            },
            now,
        )
        .await?;
    Ok(())
}

fn next_weekday(from: Date, day: Weekday) -> Date {
    let mut date = from;
    while date.weekday() != day {
        date += Duration::days(1);
    }
    date
}

/// Where a demo case stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Referred,
    Accepted,
    Consulted,
    AwaitingMdt,
    OnNextAgenda,
    ToSchedule,
    Scheduled,
    Ready,
    Declined,
    Cancelled,
    ClosedAtMdt,
    /// Booked on the (virtual) day of the demo's clock, checklist complete: the first
    /// step of the performed cases below.
    ReadyToday,
    /// Performed, its report still a draft.
    Performed,
    /// Report signed, specimens and follow-up under way, some of it due or overdue.
    FollowUp,
    /// Follow-up complete, case closed.
    Closed,
}

/// Procedures decided without an MDT, and those an MDT decides.
const DIRECT: &[&str] = &[
    "BIO-LUNG-CT",
    "BIO-LUNG-CT-ENDO",
    "BIO-LIVER-US",
    "BIO-LIVER-US-ENDO",
    "BIO-KIDNEY",
    "BIO-BONE-CT",
    "BIO-SUPERF-US",
    "DRN-COLL",
    "DRN-NEPHRO",
    "DRN-BIL",
    "INF-FORAM-CT",
    "INF-EPI-CT",
    "CEM-VERTEBRO",
    "EMB-UFE",
];
const MDT: &[&str] = &[
    "ABL-LIVER-MW",
    "ABL-LIVER-RF",
    "ABL-KIDNEY-CRYO",
    "ABL-LUNG-MW",
    "EMB-PVE",
    "EMB-TACE",
];

const REFERRERS: &[(&str, &str)] = &[
    ("Dr Thomas Girard", "Oncologie thoracique"),
    ("Dr Anne Morel", "Hépato-gastro-entérologie"),
    ("Dr Karim Haddad", "Urologie"),
    ("Dr Sarah Cohen", "Chirurgie digestive"),
    ("Dr Pierre Lambert", "Rhumatologie"),
    ("Dr Emily Carter", "Medical oncology"),
];

fn indication(code: &str) -> &'static str {
    match code {
        c if c.starts_with("BIO-LUNG") => "Nodule pulmonaire suspect au scanner, TEP positive",
        c if c.starts_with("BIO-LIVER") => "Lésion hépatique indéterminée, histologie demandée",
        "BIO-KIDNEY" => "Masse rénale de 3 cm, caractérisation",
        "BIO-BONE-CT" => "Lésion osseuse lytique, suspicion de métastase",
        "BIO-SUPERF-US" => "Adénopathie cervicale persistante",
        "DRN-COLL" => "Collection post-opératoire fébrile",
        "DRN-NEPHRO" => "Dilatation pyélocalicielle obstructive, insuffisance rénale",
        "DRN-BIL" => "Ictère obstructif, obstacle hilaire",
        c if c.starts_with("INF-") => "Radiculalgie L5 résistante au traitement médical",
        "CEM-VERTEBRO" => "Fracture vertébrale ostéoporotique douloureuse",
        "EMB-UFE" => "Fibromes utérins symptomatiques (ménorragies)",
        c if c.starts_with("ABL-LIVER") => "Métastase hépatique unique de cancer colorectal, 18 mm",
        "ABL-KIDNEY-CRYO" => "Tumeur rénale de 25 mm chez un patient non opérable",
        "ABL-LUNG-MW" => "Métastase pulmonaire unique, contre-indication chirurgicale",
        "EMB-PVE" => "Hépatectomie droite prévue, foie restant insuffisant",
        "EMB-TACE" => "Carcinome hépatocellulaire multifocal, BCLC B",
        _ => "Avis de radiologie interventionnelle",
    }
}

struct Demo<'a> {
    store: &'a Store,
    staff: &'a Staff,
    rng: StdRng,
    now: OffsetDateTime,
    zone: jiff::tz::TimeZone,
    /// Consultation times already given, per clinician, to keep them apart.
    clinic_slots: HashMap<String, u32>,
    /// The patients the demo's referring physician registered, and so refers.
    referrer_patients: &'a HashSet<PatientId>,
}

impl Demo<'_> {
    /// `days` before now, at `hour`:`minute` local.
    fn at(&self, days_ago: i64, hour: u8, minute: u8) -> OffsetDateTime {
        let date = to_local(self.now, &self.zone).date() - Duration::days(days_ago);
        let time = Time::from_hms(hour, minute, 0).unwrap_or(Time::MIDNIGHT);
        from_local(PrimitiveDateTime::new(date, time), &self.zone)
    }

    /// The instant `days` after `at` (history steps), never after now.
    fn later(&self, at: OffsetDateTime, hours: i64) -> OffsetDateTime {
        (at + Duration::hours(hours)).min(self.now)
    }

    async fn referral(
        &mut self,
        patient: PatientId,
        code: &str,
        referred_at: OffsetDateTime,
    ) -> anyhow::Result<CaseId> {
        let procedure = ProcedureCode::parse(code).map_err(|e| anyhow::anyhow!("{e}"))?;
        let record = self.store.procedure_type_by_code(&procedure).await?;
        let organ = record
            .definition
            .target_organs
            .first()
            .copied()
            .unwrap_or(Organ::Other);
        let side = match organ {
            Organ::Lung | Organ::Kidney | Organ::Adrenal | Organ::Pleura => {
                *[Side::Left, Side::Right]
                    .choose(&mut self.rng)
                    .unwrap_or(&Side::Right)
            }
            Organ::Liver => Side::Right,
            Organ::Spine => Side::Midline,
            _ => Side::NotApplicable,
        };
        let urgency = match code {
            "DRN-NEPHRO" | "DRN-COLL" | "DRN-BIL" => {
                if self.rng.random_bool(0.5) {
                    Urgency::Urgent
                } else {
                    Urgency::SemiUrgent
                }
            }
            _ if self.rng.random_bool(0.2) => Urgency::SemiUrgent,
            _ => Urgency::Elective,
        };
        let (referrer, service) = *REFERRERS.choose(&mut self.rng).unwrap_or(&REFERRERS[0]);
        let referral = NewReferral {
            patient_id: patient,
            referring_physician: referrer.into(),
            referring_service: Some(service.into()),
            indication: indication(code).into(),
            target_organ: organ,
            target_site: None,
            side,
            lesion_size_mm: matches!(
                record.definition.family,
                seldinger_domain::catalog::ProcedureFamily::Biopsy
                    | seldinger_domain::catalog::ProcedureFamily::Ablation
            )
            .then(|| self.rng.random_range(8..45)),
            requested_procedure: procedure,
            urgency,
            clinical_question: Some("Faisabilité et date ? / Feasibility and date?".into()),
            anticoagulants: Vec::new(),
            allergies: Vec::new(),
            referral_date: to_local(referred_at, &self.zone).date(),
        };
        let referrer_account = if self.referrer_patients.contains(&patient) {
            "tgirard"
        } else {
            "clemaire"
        };
        let case = self
            .store
            .create_referral(&self.staff.actor(referrer_account)?, &referral, referred_at)
            .await?;
        Ok(case.id)
    }

    /// Books and records a consultation `at`, with consent given when `consent`.
    async fn consultation(
        &mut self,
        case: CaseId,
        kind: ConsultationKind,
        clinician: &str,
        day: OffsetDateTime,
        consent: bool,
    ) -> anyhow::Result<()> {
        let n = self.clinic_slots.entry(clinician.to_string()).or_insert(0);
        *n += 1;
        let local_day = to_local(day, &self.zone).date();
        // Clinic from 09:00, every 30 minutes, wrapping over the afternoon.
        let minutes = 9 * 60 + (*n % 16) * 30;
        let start = from_local(
            PrimitiveDateTime::new(
                local_day,
                Time::from_hms(
                    u8::try_from(minutes / 60).unwrap_or(9),
                    u8::try_from(minutes % 60).unwrap_or(0),
                    0,
                )
                .unwrap_or(Time::MIDNIGHT),
            ),
            &self.zone,
        );
        let scheduler = self.staff.actor("sfournier")?;
        let slot = ConsultationSlot {
            kind,
            clinician,
            starts_at: start,
            ends_at: start + Duration::minutes(30),
        };
        let booked_at = (start - Duration::days(2)).min(self.now);
        let booked = self
            .store
            .book_consultation(&scheduler, case, &slot, booked_at)
            .await?;
        if start > self.now {
            return Ok(());
        }
        let record = ConsultationRecord {
            outcome: ConsultationStatus::Done,
            information_sheet: Some(Lang::Fr),
            risks_explained: Some(
                "Risques expliqués : saignement, infection, douleur au point de ponction ; \
                 pneumothorax pour le poumon."
                    .into(),
            ),
            alternatives_discussed: Some(
                "Alternatives discutées (surveillance, chirurgie) ; possibilité d'un second avis."
                    .into(),
            ),
            consent: consent.then_some((ConsentDecision::Given, local_day)),
            notes: None,
        };
        self.store
            .record_consultation(
                &self.staff.actor(clinician)?,
                booked.id,
                &record,
                self.later(start, 1),
            )
            .await?;
        Ok(())
    }

    async fn book(&mut self, case: CaseId, from: OffsetDateTime) -> anyhow::Result<bool> {
        let slots = self
            .store
            .next_slots(case, from, 21, 1, None, None, None)
            .await?;
        let Some(slot) = slots.into_iter().next() else {
            return Ok(false);
        };
        let request = BookingRequest {
            room: slot.room,
            start: slot.start,
            end: Some(slot.end),
            operator: slot.operator,
            anesthetist: slot.anesthetist,
            equipment: None,
            bed_unit: None,
        };
        self.store
            .book_case(&self.staff.actor("sfournier")?, case, &request, self.now)
            .await?;
        Ok(true)
    }

    /// Fills the checklist of a booked case: complete, or with one thing missing.
    async fn checklist(&mut self, case: CaseId, complete: bool) -> anyhow::Result<()> {
        let today = to_local(self.now, &self.zone).date();
        let view = self
            .store
            .checklist(&self.staff.actor("croussel")?, case, self.now)
            .await?;
        let sampled = today - Duration::days(self.rng.random_range(0..3));
        let checklist = Checklist {
            information_sheet_delivered: true,
            inr: Some(Lab {
                value: Inr(self.rng.random_range(95..125)),
                taken_on: Some(sampled),
            }),
            platelets: complete.then(|| Lab {
                value: self.rng.random_range(160..380),
                taken_on: Some(sampled),
            }),
            creatinine: Some(Lab {
                value: self.rng.random_range(60..105),
                taken_on: Some(sampled),
            }),
            egfr: Some(Lab {
                value: self.rng.random_range(62..110),
                taken_on: Some(sampled),
            }),
            anticoagulant_plan: Some(AnticoagulantPlan::Stopped),
            anticoagulant_note: Some("Arrêt 48 h avant / stopped 48 h before".into()),
            fasting_confirmed: true,
            premedication: Some(Premedication::Prescribed),
            pregnancy: Some(PregnancyStatus::NotApplicable),
            notes: None,
        };
        self.store
            .save_checklist(
                &self.staff.actor("croussel")?,
                case,
                view.version,
                &checklist,
                self.now,
            )
            .await?;
        Ok(())
    }

    async fn walk(&mut self, patient: PatientId, step: Step, index: usize) -> anyhow::Result<()> {
        let through_mdt = matches!(
            step,
            Step::AwaitingMdt | Step::OnNextAgenda | Step::ClosedAtMdt
        );
        let code = if through_mdt {
            *MDT.choose(&mut self.rng).unwrap_or(&MDT[0])
        } else {
            *DIRECT.choose(&mut self.rng).unwrap_or(&DIRECT[0])
        };
        let days_ago = match step {
            Step::Referred => self.rng.random_range(0..5),
            Step::ClosedAtMdt => self.rng.random_range(25..35),
            Step::Accepted | Step::Consulted => self.rng.random_range(5..12),
            _ => self.rng.random_range(12..35),
        };
        let referred_at = self.at(days_ago, 9 + (index % 8) as u8, 15);
        let case = self.referral(patient, code, referred_at).await?;
        let ir = self.staff.actor("clemaire")?;
        let triaged_at = self.later(referred_at, 20);
        match step {
            Step::Referred => return Ok(()),
            Step::Declined => {
                self.store
                    .transition_case(
                        &ir,
                        case,
                        &CaseEvent::Decline {
                            reason: "Indication non retenue : surveillance à 3 mois".into(),
                        },
                        triaged_at,
                    )
                    .await?;
                return Ok(());
            }
            _ => {}
        }
        if through_mdt {
            self.store
                .transition_case(&ir, case, &CaseEvent::SendToMdt, triaged_at)
                .await?;
            return Ok(());
        }
        self.store
            .transition_case(&ir, case, &CaseEvent::Accept, triaged_at)
            .await?;
        if step == Step::Accepted {
            // Their consultation is booked for the coming days.
            let upcoming = self.now + Duration::days(self.rng.random_range(1..6));
            self.consultation(case, ConsultationKind::IrPre, "clemaire", upcoming, false)
                .await?;
            return Ok(());
        }
        let consulted_at = self.later(triaged_at, 72);
        self.consultation(
            case,
            ConsultationKind::IrPre,
            "clemaire",
            consulted_at,
            true,
        )
        .await?;
        if step == Step::Consulted {
            return Ok(());
        }
        if step == Step::Cancelled {
            self.store
                .transition_case(
                    &ir,
                    case,
                    &CaseEvent::Cancel {
                        reason: "Le patient ne souhaite plus le geste".into(),
                    },
                    self.later(consulted_at, 24),
                )
                .await?;
            return Ok(());
        }
        self.store
            .plan_procedure(&ir, case, None, self.later(consulted_at, 2))
            .await?;
        self.schedule(case, step).await
    }

    /// Books and prepares a case that is to schedule, as far as `step`.
    async fn schedule(&mut self, case: CaseId, step: Step) -> anyhow::Result<()> {
        let record = self
            .store
            .get_case(&self.staff.actor("sfournier")?, case, self.now)
            .await?;
        let procedure = self
            .store
            .procedure_version(record.planned_version_id)
            .await?;
        if procedure.definition.anesthesia.needs_anesthetist() {
            let at = self.later(self.now - Duration::days(2), 0);
            self.consultation(case, ConsultationKind::Anesthesia, "nbenali", at, false)
                .await?;
        }
        match step {
            Step::ToSchedule => Ok(()),
            Step::Scheduled | Step::Ready | Step::ReadyToday => {
                let today = to_local(self.now, &self.zone).date();
                let from = if step == Step::ReadyToday
                    || step == Step::Ready && self.rng.random_bool(0.5)
                {
                    from_local(PrimitiveDateTime::new(today, Time::MIDNIGHT), &self.zone)
                } else {
                    self.now + Duration::days(self.rng.random_range(1..10))
                };
                if self.book(case, from).await? {
                    self.checklist(case, matches!(step, Step::Ready | Step::ReadyToday))
                        .await?;
                    self.time_out_if_today(case).await?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Records the time-out of a ready case booked earlier today.
    async fn time_out_if_today(&mut self, case: CaseId) -> anyhow::Result<()> {
        let bookings = self
            .store
            .case_bookings(&self.staff.actor("croussel")?, case, self.now)
            .await?;
        let Some(booking) = bookings.iter().find(|b| b.active) else {
            return Ok(());
        };
        let today = to_local(self.now, &self.zone).date();
        if to_local(booking.starts_at, &self.zone).date() == today && booking.starts_at < self.now {
            let timeout = TimeOut {
                identity_confirmed: true,
                site_confirmed: true,
                side_confirmed: true,
                procedure_confirmed: true,
                notes: None,
            };
            // A case whose checklist is incomplete is not ready: no time-out for it.
            let _ = self
                .store
                .record_timeout(&self.staff.actor("jmorel")?, case, &timeout, self.now)
                .await;
        }
        Ok(())
    }

    /// Weekly meetings: three past ones that decided, the next one with an agenda.
    async fn meetings(&mut self, awaiting: &[CaseId], upcoming: &[CaseId]) -> anyhow::Result<()> {
        let scheduler = self.staff.actor("sfournier")?;
        let today = to_local(self.now, &self.zone).date();
        let next_tuesday = next_weekday(today + Duration::days(1), Weekday::Tuesday);
        let attendees = vec![
            Attendee {
                name: "Dr Claire Lemaire".into(),
                specialty: Specialty::InterventionalRadiology,
            },
            Attendee {
                name: "Dr Thomas Girard".into(),
                specialty: Specialty::Oncology,
            },
            Attendee {
                name: "Dr Sarah Cohen".into(),
                specialty: Specialty::Surgery,
            },
            Attendee {
                name: "Dr Hugo Blanc".into(),
                specialty: Specialty::RadiationOncology,
            },
            Attendee {
                name: "Dr Marc Vidal".into(),
                specialty: Specialty::Pathology,
            },
        ];
        let mut past = Vec::new();
        for weeks_ago in (1..=3).rev() {
            let day = next_tuesday - Duration::days(7 * weeks_ago);
            let kind = if weeks_ago % 2 == 0 {
                MeetingKind::ThoracicOncology
            } else {
                MeetingKind::DigestiveOncology
            };
            let meeting = NewMeeting {
                kind,
                starts_at: PrimitiveDateTime::new(
                    day,
                    Time::from_hms(14, 0, 0).unwrap_or(Time::MIDNIGHT),
                ),
                location: Some("Salle de staff, 3e étage".into()),
                attendees: attendees.clone(),
            };
            let created_at = from_local(
                PrimitiveDateTime::new(day - Duration::days(6), Time::MIDNIGHT),
                &self.zone,
            );
            past.push((
                self.store
                    .create_meeting(&scheduler, &meeting, created_at.min(self.now))
                    .await?,
                from_local(meeting.starts_at, &self.zone),
            ));
        }
        // Past meetings decided on the cases sent then; the decided ones are in `awaiting`
        // with their fate chosen by the caller.
        for (i, case) in awaiting.iter().enumerate() {
            let (meeting, held_at) = &past[i % past.len()];
            let added = (*held_at - Duration::days(2)).min(self.now);
            self.store
                .add_to_agenda(&scheduler, meeting.id, *case, added)
                .await?;
        }
        let next = NewMeeting {
            kind: MeetingKind::DigestiveOncology,
            starts_at: PrimitiveDateTime::new(
                next_tuesday,
                Time::from_hms(14, 0, 0).unwrap_or(Time::MIDNIGHT),
            ),
            location: Some("Salle de staff, 3e étage".into()),
            attendees,
        };
        let next_meeting = self
            .store
            .create_meeting(&scheduler, &next, self.now)
            .await?;
        for case in upcoming {
            self.store
                .add_to_agenda(&scheduler, next_meeting.id, *case, self.now)
                .await?;
        }
        Ok(())
    }
}

/// Fills the demo department's pathway. `patients` are the demo patients' ids.
pub async fn fill(
    store: &Store,
    staff: &Staff,
    patients: &[PatientId],
    referrer_patients: &HashSet<PatientId>,
    now: OffsetDateTime,
) -> anyhow::Result<usize> {
    resources(store, staff, now).await?;
    let mut demo = Demo {
        store,
        staff,
        rng: StdRng::seed_from_u64(2026),
        now,
        zone: store.zone().clone(),
        clinic_slots: HashMap::new(),
        referrer_patients,
    };
    let plan: &[(Step, usize)] = &[
        (Step::Performed, 2),
        (Step::FollowUp, 14),
        (Step::Closed, 5),
        (Step::Referred, 7),
        (Step::Accepted, 5),
        (Step::Consulted, 3),
        (Step::AwaitingMdt, 6),
        (Step::OnNextAgenda, 4),
        (Step::ClosedAtMdt, 3),
        (Step::ToSchedule, 8),
        (Step::Scheduled, 10),
        (Step::Ready, 7),
        (Step::Declined, 2),
        (Step::Cancelled, 2),
    ];
    let mut next_patient = patients.iter();
    let mut sent_to_mdt = Vec::new();
    let mut for_next_agenda = Vec::new();
    let mut to_decide = Vec::new();
    let mut count = 0;
    for (step, n) in plan {
        for index in 0..*n {
            let patient = *next_patient.next().context("not enough demo patients")?;
            let case_step = match step {
                // Cases decided at a past MDT (IR) come back as ToSchedule/Scheduled/Ready.
                s @ (Step::ToSchedule | Step::Scheduled | Step::Ready) if index % 3 == 0 => {
                    to_decide.push((patient, *s));
                    continue;
                }
                s => *s,
            };
            if matches!(case_step, Step::Performed | Step::FollowUp | Step::Closed) {
                if demo.perform(patient, case_step, index).await? {
                    count += 1;
                }
                continue;
            }
            demo.walk(patient, case_step, index).await?;
            count += 1;
            let case = store
                .patient_cases(&staff.actor("clemaire")?, patient, now)
                .await?
                .first()
                .map(|c| c.id)
                .context("the demo case was created")?;
            match case_step {
                Step::AwaitingMdt | Step::ClosedAtMdt => sent_to_mdt.push((case, case_step)),
                Step::OnNextAgenda => for_next_agenda.push(case),
                _ => {}
            }
        }
    }
    // The cases an MDT decided for IR: referred weeks ago, sent to the MDT, decided.
    let mut decided_ir = Vec::new();
    for (patient, step) in &to_decide {
        let code = *MDT.choose(&mut demo.rng).unwrap_or(&MDT[0]);
        let days_ago = demo.rng.random_range(20..35);
        let referred_at = demo.at(days_ago, 10, 0);
        let case = demo.referral(*patient, code, referred_at).await?;
        store
            .transition_case(
                &staff.actor("clemaire")?,
                case,
                &CaseEvent::SendToMdt,
                demo.later(referred_at, 24),
            )
            .await?;
        decided_ir.push((case, *step, code));
        count += 1;
    }
    let past_agenda: Vec<CaseId> = sent_to_mdt
        .iter()
        .filter(|(_, s)| *s == Step::ClosedAtMdt)
        .map(|(c, _)| *c)
        .chain(decided_ir.iter().map(|(c, _, _)| *c))
        .collect();
    demo.meetings(&past_agenda, &for_next_agenda).await?;
    let ir = staff.actor("clemaire")?;
    for meeting in store.list_meetings(now - Duration::days(40), now).await? {
        let (_, agenda) = store.meeting(&ir, meeting.id, now).await?;
        for item in agenda {
            let decided_at = meeting.starts_at + Duration::hours(1);
            let ir_decision = decided_ir.iter().find(|(c, _, _)| *c == item.case.id);
            let decision = match ir_decision {
                Some((_, _, code)) => Decision {
                    decision: MdtDecision::IrProcedure,
                    procedure: ProcedureCode::parse(code).ok(),
                    rationale:
                        "Lésion accessible, patient non opérable : traitement percutané retenu."
                            .into(),
                    responsible_physician: "Dr Claire Lemaire".into(),
                },
                None => Decision {
                    decision: if item.case.id.as_uuid().as_u128() % 2 == 0 {
                        MdtDecision::Surgery
                    } else {
                        MdtDecision::Radiotherapy
                    },
                    procedure: None,
                    rationale: "Chirurgie ou radiothérapie préférée après discussion.".into(),
                    responsible_physician: "Dr Sarah Cohen".into(),
                },
            };
            store
                .decide(
                    &ir,
                    meeting.id,
                    item.case.id,
                    &decision,
                    decided_at.min(now),
                )
                .await?;
        }
    }
    for (case, step, _) in &decided_ir {
        demo.consultation(
            *case,
            ConsultationKind::IrPre,
            "jokafor",
            now - Duration::days(3),
            true,
        )
        .await?;
        demo.schedule(*case, *step).await?;
    }
    Ok(count)
}
