//! The demo's performed cases: procedures done over the last two months, their reports
//! (one still a draft), specimens with their pathology, adverse events of several grades
//! (one serious, not yet reported), follow-up calls done, due and overdue, and closed
//! cases. Each step happens at its own time, through the store's public methods.

use anyhow::Context;
use rand::Rng;
use seldinger_domain::adverse::EventInput;
use seldinger_domain::case::CaseEvent;
use seldinger_domain::catalog::{Guidance, ProcedureFamily};
use seldinger_domain::checklist::TimeOut;
use seldinger_domain::followup::{ContactInput, Status};
use seldinger_domain::localtime::{from_local, to_local};
use seldinger_domain::pathology::ResultInput;
use seldinger_domain::{CaseId, PatientId};
use time::{Duration, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

use super::{Demo, Step};

/// Hours a serious event may wait for its report in the demo (the server's default).
const REPORTING_HOURS: u32 = 24;

impl Demo<'_> {
    /// Takes a case from referral to `step` (performed, in follow-up or closed), its
    /// procedure some weeks before now. Returns whether the case was created.
    pub(super) async fn perform(
        &mut self,
        patient: PatientId,
        step: Step,
        index: usize,
    ) -> anyhow::Result<bool> {
        let real_now = self.now;
        let weeks_ago = match step {
            Step::Performed => 0,
            Step::Closed => 7 + (index as i64 % 3),
            _ => 1 + (index as i64 % 6),
        };
        let mut day = to_local(real_now, &self.zone).date() - Duration::days(7 * weeks_ago + 1);
        while matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            day -= Duration::days(1);
        }
        // The demo's clock goes back to that morning for the referral, the consultation,
        // the booking and the checklist…
        self.now = from_local(
            PrimitiveDateTime::new(day, Time::from_hms(7, 0, 0)?),
            &self.zone,
        );
        let walked = self.walk(patient, Step::ReadyToday, index).await;
        let result = match walked {
            Ok(()) => self.after_procedure(patient, step, index, real_now).await,
            Err(e) => Err(e),
        };
        self.now = real_now;
        result
    }

    async fn after_procedure(
        &mut self,
        patient: PatientId,
        step: Step,
        index: usize,
        real_now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let ir = self.staff.actor("clemaire")?;
        let case = self
            .store
            .patient_cases(&ir, patient, self.now)
            .await?
            .first()
            .map(|c| c.id)
            .context("the demo case was created")?;
        let Some(booking) = self
            .store
            .case_bookings(&ir, case, self.now)
            .await?
            .into_iter()
            .find(|b| b.active)
        else {
            return Ok(true);
        };
        // … then to the time-out, the procedure and its report.
        let timeout = TimeOut {
            identity_confirmed: true,
            site_confirmed: true,
            side_confirmed: true,
            procedure_confirmed: true,
            notes: None,
        };
        if self
            .store
            .record_timeout(
                &self.staff.actor("jmorel")?,
                case,
                &timeout,
                booking.starts_at - Duration::minutes(5),
            )
            .await
            .is_err()
        {
            // Not ready (no slot that day, or a checklist item missing): left as it is.
            return Ok(true);
        }
        let written = booking.ends_at + Duration::minutes(30);
        let (procedure, mut input) = self.store.report_template(&ir, case, self.now).await?;
        let guidance: Vec<Guidance> = procedure.guidance.clone();
        if guidance
            .iter()
            .any(|g| matches!(g, Guidance::Ct | Guidance::ConeBeamCt))
        {
            input.ct_dlp_mgycm = self.rng.random_range(180..900).to_string();
            input.exposures = self.rng.random_range(4..20).to_string();
        }
        if guidance.contains(&Guidance::Fluoroscopy) {
            input.dap_gycm2 = format!("{:.1}", self.rng.random_range(8.0..160.0));
            input.fluoroscopy_s = self.rng.random_range(60..1500).to_string();
            input.air_kerma_mgy = self.rng.random_range(40..900).to_string();
            input.contrast_agent = "Iomeprol 350".into();
            input.contrast_ml = self.rng.random_range(30..150).to_string();
        }
        input.access_route = match procedure.family {
            ProcedureFamily::Embolization | ProcedureFamily::Recanalization => {
                "Artère fémorale commune droite, introducteur 5 F".into()
            }
            _ => "Percutané / percutaneous".into(),
        };
        let mut biopsy = false;
        match procedure.family {
            ProcedureFamily::Biopsy => {
                biopsy = true;
                let cores = self.rng.random_range(2..5);
                input.biopsy_needle_gauge = "18".into();
                input.biopsy_cores = cores.to_string();
                input.specimens = (1..=cores)
                    .map(|i| format!("{} — carotte {i} / core {i}", (b'A' + i as u8 - 1) as char))
                    .collect();
                input.devices = "Aiguille coaxiale 17 G, aiguille à biopsie 18 G".into();
            }
            ProcedureFamily::Ablation => {
                let code = procedure.code.as_str();
                input.ablation_modality = if code.ends_with("CRYO") {
                    "cryoablation"
                } else if code.ends_with("RF") {
                    "radiofrequency"
                } else {
                    "microwave"
                }
                .into();
                input.ablation_power_w = self.rng.random_range(60..140).to_string();
                input.ablation_duration_min = self.rng.random_range(4..12).to_string();
                input.ablation_applications = self.rng.random_range(1..3).to_string();
                input.ablation_zone_mm = self.rng.random_range(28..45).to_string();
            }
            ProcedureFamily::Embolization => {
                input.embolization_agent = if procedure.code.as_str() == "EMB-PVE" {
                    "Colle (N-butyl cyanoacrylate) et Lipiodol"
                } else {
                    "Microsphères 300–500 µm"
                }
                .into();
                input.embolization_target_vessel = "Branche portale droite / artère cible".into();
            }
            ProcedureFamily::Drainage => {
                input.drainage_catheter_fr = self.rng.random_range(8..14).to_string();
            }
            _ => {}
        }
        input.technical_success = "success".into();
        input.findings = "Geste conduit sans difficulté technique.".into();
        input.conclusion =
            "Procédure réalisée selon le plan. / Procedure performed as planned.".into();
        let draft = self
            .store
            .save_report(&ir, case, 0, &input, written)
            .await?;
        if step == Step::Performed {
            return Ok(true);
        }
        self.store
            .sign_report(&ir, case, draft.version, written)
            .await?;

        // Adverse events: several grades, one serious and still to report.
        let onset_of = |minutes: i64| {
            seldinger_domain::localtime::local_input(to_local(
                booking.starts_at + Duration::minutes(minutes),
                &self.zone,
            ))
        };
        let events: Vec<EventInput> = match index % 7 {
            0 => vec![EventInput {
                term: "pneumothorax".into(),
                onset: onset_of(20),
                cirse_grade: "1".into(),
                related_to_procedure: "definite".into(),
                action: "observation".into(),
                outcome: "resolved".into(),
                resolution_date: to_local(written, &self.zone).date().to_string(),
                ..EventInput::default()
            }],
            2 => vec![EventInput {
                term: "bleeding".into(),
                onset: onset_of(120),
                cirse_grade: "2".into(),
                ctcae_grade: "2".into(),
                related_to_procedure: "probable".into(),
                action: "observation".into(),
                outcome: "resolved".into(),
                resolution_date: (to_local(written, &self.zone).date() + Duration::days(1))
                    .to_string(),
                ..EventInput::default()
            }],
            4 => vec![EventInput {
                term: "pneumothorax_drain".into(),
                onset: onset_of(30),
                cirse_grade: "3".into(),
                sir_grade: "moderate".into(),
                serious: true,
                serious_criteria: vec!["hospitalisation".into()],
                related_to_procedure: "definite".into(),
                action: "drainage".into(),
                action_note: "Drain thoracique 8 F, retiré à J2".into(),
                outcome: "resolving".into(),
                ..EventInput::default()
            }],
            5 => vec![EventInput {
                term: "pain".into(),
                onset: onset_of(90),
                cirse_grade: "1".into(),
                related_to_procedure: "possible".into(),
                action: "medication".into(),
                outcome: "resolved".into(),
                resolution_date: to_local(written, &self.zone).date().to_string(),
                ..EventInput::default()
            }],
            _ => Vec::new(),
        };
        for event in &events {
            let at = (written + Duration::days(2)).min(real_now);
            let recorded = self
                .store
                .record_adverse_event(&ir, case, event, None, REPORTING_HOURS, at)
                .await?;
            // Serious events of older cases were reported in time.
            if event.serious && step == Step::Closed {
                self.store
                    .mark_reported(&ir, recorded.id, at + Duration::hours(6))
                    .await?;
            }
        }

        // Pathology, three days later, for the specimens of the older biopsies; a few of
        // the cases still in follow-up wait for theirs (the pathologists' worklist).
        let pathologist = self.staff.actor("mvidal")?;
        let result_day = written + Duration::days(3);
        let awaiting = step != Step::Closed && index % 3 == 2;
        if biopsy && result_day < real_now && !awaiting {
            for (i, specimen) in self
                .store
                .specimens(&pathologist, case, result_day)
                .await?
                .into_iter()
                .enumerate()
            {
                let malignant = index.is_multiple_of(2);
                let input = if i == 0 && index % 5 == 1 {
                    ResultInput {
                        adequacy: "inadequate".into(),
                        category: "non_diagnostic".into(),
                        histology: "Matériel nécrotique, non contributif.".into(),
                        result_date: to_local(result_day, &self.zone).date().to_string(),
                    }
                } else {
                    ResultInput {
                        adequacy: "adequate".into(),
                        category: if malignant { "malignant" } else { "benign" }.into(),
                        histology: if malignant {
                            "Adénocarcinome, TTF1 positif."
                        } else {
                            "Remaniements inflammatoires sans cellule tumorale."
                        }
                        .into(),
                        result_date: to_local(result_day, &self.zone).date().to_string(),
                    }
                };
                self.store
                    .record_pathology(&pathologist, specimen.id, &input, result_day)
                    .await?;
            }
        }

        // Follow-up: done on time when due, some left due or overdue; all of it for the
        // cases that close.
        let nurse = self.staff.actor("croussel")?;
        let today = to_local(real_now, &self.zone).date();
        for item in self.store.follow_ups(&nurse, case, self.now).await? {
            if item.due_on > today || item.status != Status::Planned {
                continue;
            }
            // Some calls still within their window wait for today's round; some older
            // ones were never made (overdue).
            let within = item.window_end >= today;
            let leave_open = step != Step::Closed
                && if within {
                    index.is_multiple_of(2)
                } else {
                    (index + item.code.len()).is_multiple_of(3)
                };
            if leave_open {
                continue;
            }
            let at = from_local(
                PrimitiveDateTime::new(item.due_on, Time::from_hms(10, 30, 0)?),
                &self.zone,
            )
            .min(real_now);
            let unreachable = item.code == "d30" && index % 4 == 1;
            let contact = ContactInput {
                status: if unreachable { "unreachable" } else { "done" }.into(),
                date: String::new(),
                findings: if unreachable {
                    String::new()
                } else {
                    "Pas de plainte, cicatrice propre. / No complaint, clean puncture site.".into()
                },
            };
            self.store
                .record_follow_up(&nurse, item.id, &contact, at)
                .await?;
        }
        if step == Step::Closed {
            let closing = self.closable_at(case).await?.min(real_now);
            self.store
                .transition_case(&ir, case, &CaseEvent::Close, closing)
                .await?;
        }
        Ok(true)
    }

    /// The day after the last follow-up item was recorded.
    async fn closable_at(&self, case: CaseId) -> anyhow::Result<OffsetDateTime> {
        let last = self
            .store
            .follow_ups(&self.staff.actor("croussel")?, case, self.now)
            .await?
            .into_iter()
            .filter_map(|f| f.recorded_at)
            .max()
            .context("a closed demo case has its follow-up")?;
        Ok(last + Duration::days(1))
    }
}
