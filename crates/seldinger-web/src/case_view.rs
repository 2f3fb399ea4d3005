//! What the pages of several areas show about a case: the case with everything its page
//! shows ([`CaseView`], loaded with audited reads), the case, patient and procedure on top
//! of any page about a case ([`case_header`], [`Banner`]), the pathway's codes in the
//! user's language ([`Words`]), why the store refused an action ([`conflict_message`]),
//! the active booking, and a specimen as the report and the pathology pages list it; and
//! the words they show, in both languages (`WORDS`: the patient's identity and alerts, a
//! case's codes, its history's events).
//!
//! Status changes never happen here: pages ask [`CaseStatus::apply`] beforehand which
//! actions to show ([`CaseView::allows`]); the store applies the event the handler names.

use seldinger_domain::audit::Actor;
use seldinger_domain::case::{CaseEvent, CaseStatus, MdtDecision, Side, Urgency, status_label};
use seldinger_domain::catalog::{Anesthesia, Bilingual, Organ, ProcedureFamily, Stay};
use seldinger_domain::consultation::{ConsentDecision, ConsultationKind, ConsultationStatus};
use seldinger_domain::mdt::MeetingKind;
use seldinger_domain::patient::{AllergyKind, AnticoagulantDrug, Sex};
use seldinger_domain::{CaseId, Lang};
use seldinger_store::bookings::BookingRecord;
use seldinger_store::cases::{CaseEventRecord, CaseRecord};
use seldinger_store::catalog::{ProcedureTypeRecord, ProcedureVersion};
use seldinger_store::consultations::{Consent, Consultation};
use seldinger_store::mdt::AgendaItem;
use seldinger_store::reports::SpecimenRecord;
use seldinger_store::{Conflict, Patient};
use time::{Date, OffsetDateTime};

use crate::AppState;
use crate::error::AppError;
use crate::html::Layout;
use crate::i18n::lookup;
use crate::i18n::messages;

/// A case with everything its page (and the API's detail) shows. Loading it audits the
/// read of the case and of its patient; the rest is read with the case.
pub(crate) struct CaseView {
    pub case: CaseRecord,
    pub patient: Patient,
    /// The catalog version the case is planned with.
    pub planned: ProcedureVersion,
    /// The requested procedure, when planning changed the type.
    pub requested: Option<ProcedureTypeRecord>,
    pub history: Vec<CaseEventRecord>,
    pub consultations: Vec<Consultation>,
    pub consents: Vec<Consent>,
    pub mdt_items: Vec<AgendaItem>,
    pub bookings: Vec<BookingRecord>,
}

impl CaseView {
    pub async fn load(state: &AppState, actor: &Actor, id: CaseId) -> Result<Self, AppError> {
        let store = state.store();
        let now = state.now();
        let file = store.case_file(actor, id, now).await?;
        let case = file.case;
        let planned = store.procedure_version(case.planned_version_id).await?;
        let requested = if planned.type_id == case.requested_type_id {
            None
        } else {
            Some(store.procedure_type(case.requested_type_id).await?)
        };
        Ok(Self {
            history: file.history,
            consultations: file.consultations,
            consents: file.consents,
            mdt_items: file.mdt_items,
            bookings: file.bookings,
            patient: file.patient,
            case,
            planned,
            requested,
        })
    }

    /// The last consent decision, if any.
    pub fn consent(&self) -> Option<ConsentDecision> {
        self.consents.last().map(|c| c.decision)
    }

    pub fn active_booking(&self) -> Option<&BookingRecord> {
        self.bookings.iter().find(|b| b.active)
    }

    /// Whether the state machine lets `event` happen now.
    pub fn allows(&self, event: &CaseEvent) -> bool {
        self.case.status.apply(event).is_ok()
    }
}

/// Stand-in reason used only to ask the state machine whether a reasoned event could
/// happen (the real reason is checked when the user sends it).
pub(crate) fn any_reason() -> String {
    "-".into()
}

/// A case, its patient and the catalog version it is planned with: the top of every
/// page about a case (one audited read naming the patient).
pub(crate) async fn case_header(
    state: &AppState,
    actor: &Actor,
    id: CaseId,
    now: OffsetDateTime,
) -> Result<(CaseRecord, Patient, ProcedureVersion), AppError> {
    let store = state.store();
    let (case, patient) = store.case_with_patient(actor, id, now).await?;
    let procedure = store.procedure_version(case.planned_version_id).await?;
    Ok((case, patient, procedure))
}

/// What a refused action says, in `lang`, times on the department's clock `zone` (the
/// store's conflicts on a case).
pub(crate) fn conflict_message(
    conflict: &Conflict,
    lang: Lang,
    zone: &jiff::tz::TimeZone,
) -> String {
    match conflict {
        Conflict::Transition(refusal) => refusal.message(lang),
        Conflict::Rule(rule) => rule.message(lang),
        Conflict::Locked => lookup("case.locked", lang).unwrap_or("locked").to_string(),
        Conflict::StaleVersion { .. } => lookup("case.stale", lang).unwrap_or("stale").to_string(),
        Conflict::Booking(conflicts) => conflicts
            .iter()
            .map(|c| c.message(lang, zone))
            .collect::<Vec<_>>()
            .join("; "),
        Conflict::Duplicate { field } => format!(
            "{field}: {}",
            lookup("case.duplicate", lang).unwrap_or("already used")
        ),
    }
}

/// The pathway's codes in the user's language, for templates.
#[derive(Clone, Copy, Debug)]
pub struct Words(pub Lang);

impl Words {
    fn word(self, prefix: &str, code: &'static str) -> &'static str {
        lookup(&format!("{prefix}.{code}"), self.0).unwrap_or(code)
    }

    pub fn urgency(&self, urgency: &Urgency) -> &'static str {
        self.word("case.urgency", urgency.code())
    }

    pub fn organ(&self, organ: &Organ) -> &'static str {
        self.word("case.organ", organ.code())
    }

    pub fn side(&self, side: &Side) -> &'static str {
        self.word("case.side", side.code())
    }

    pub fn family(&self, family: &ProcedureFamily) -> &'static str {
        self.word("case.family", family.code())
    }

    pub fn anesthesia(&self, anesthesia: &Anesthesia) -> &'static str {
        self.word("case.anesthesia", anesthesia.code())
    }

    pub fn stay(&self, stay: &Stay) -> String {
        stay.label(self.0)
    }

    pub fn status(&self, status: &CaseStatus) -> &'static str {
        status_label(*status, self.0)
    }

    /// A status as stored in the history (a code), in words.
    pub fn status_code(&self, code: &str) -> String {
        match CaseStatus::parse(code) {
            Ok(status) => status_label(status, self.0).to_string(),
            Err(_) => code.to_string(),
        }
    }

    /// An event of the history, in words.
    pub fn event(&self, code: &str) -> String {
        lookup(&format!("case.event.{code}"), self.0)
            .map(str::to_string)
            .unwrap_or_else(|| code.to_string())
    }

    pub fn consultation_kind(&self, kind: &ConsultationKind) -> &'static str {
        self.word("consult.kind", kind.code())
    }

    pub fn consultation_status(&self, status: &ConsultationStatus) -> &'static str {
        self.word("consult.status", status.code())
    }

    pub fn consent(&self, decision: &ConsentDecision) -> &'static str {
        self.word("consult.consent", decision.code())
    }

    pub fn meeting(&self, kind: &MeetingKind) -> &'static str {
        self.word("case.meeting", kind.code())
    }

    pub fn decision(&self, decision: &MdtDecision) -> &'static str {
        self.word("case.decision", decision.code())
    }

    pub fn allergy(&self, kind: &AllergyKind) -> &'static str {
        self.word("allergy", kind.code())
    }

    pub fn drug(&self, drug: &AnticoagulantDrug) -> &'static str {
        self.word("drug", drug.code())
    }

    pub fn sex(&self, sex: &Sex) -> &'static str {
        self.word("sex", sex.code())
    }

    pub fn language(&self, lang: &Lang) -> &'static str {
        self.word("consult.language", lang.code())
    }

    pub fn text<'a>(&self, text: &'a Bilingual) -> &'a str {
        text.get(self.0)
    }
}

/// The patient shown at the top of every page about a case.
pub struct Banner {
    pub patient: Patient,
    pub age: i32,
}

impl Banner {
    pub fn new(patient: Patient, today: Date) -> Self {
        let age = crate::i18n::age(patient.birth_date, today);
        Self { patient, age }
    }
}

/// A specimen as shown on the report and the worklist.
pub struct SpecimenView {
    pub id: String,
    pub label: String,
    pub collected: String,
    pub result: Option<String>,
}

pub(crate) fn specimen_view(s: &SpecimenRecord, l: &Layout) -> SpecimenView {
    let lang = l.lang();
    SpecimenView {
        id: s.id.to_string(),
        label: s.label.clone(),
        collected: l.date(&s.collected_on),
        result: s.result.as_ref().map(|r| {
            format!(
                "{} · {}",
                r.result.category.label(lang),
                r.result.adequacy.label(lang)
            )
        }),
    }
}

/// The active booking of a case, if any.
pub(crate) fn active(bookings: Vec<BookingRecord>) -> Option<BookingRecord> {
    bookings.into_iter().find(|b| b.active)
}

// The words of a case several areas show: the patient's identity and alerts (the
// banner), the pathway's codes (`Words`), why the store refused an action.
messages! { WORDS {
    "patient.mrn" => "MRN", "IPP";

    "patient.years" => "years", "ans";

    "sex.female" => "Female", "Femme";
    "sex.male" => "Male", "Homme";
    "sex.other" => "Other", "Autre";
    "sex.unknown" => "Unknown", "Inconnu";
    "allergy.iodinated_contrast" => "Iodinated contrast", "Produit de contraste iodé";
    "allergy.latex" => "Latex", "Latex";
    "allergy.other" => "Other", "Autre";
    "drug.warfarin" => "Warfarin", "Warfarine";
    "drug.fluindione" => "Fluindione", "Fluindione";
    "drug.acenocoumarol" => "Acenocoumarol", "Acénocoumarol";
    "drug.apixaban" => "Apixaban", "Apixaban";
    "drug.rivaroxaban" => "Rivaroxaban", "Rivaroxaban";
    "drug.dabigatran" => "Dabigatran", "Dabigatran";
    "drug.edoxaban" => "Edoxaban", "Edoxaban";
    "drug.lmwh" => "Low-molecular-weight heparin", "Héparine de bas poids moléculaire";
    "drug.ufh" => "Unfractionated heparin", "Héparine non fractionnée";
    "drug.aspirin" => "Aspirin", "Aspirine";
    "drug.clopidogrel" => "Clopidogrel", "Clopidogrel";
    "drug.prasugrel" => "Prasugrel", "Prasugrel";
    "drug.ticagrelor" => "Ticagrelor", "Ticagrélor";
    "drug.other" => "Other", "Autre";

    "case.banner" => "Patient", "Patient";
    "case.banner.allergy" => "Allergy", "Allergie";
    "case.banner.no_flags" => "No known allergy, no anticoagulant or antiplatelet treatment.", "Pas d'allergie connue, pas de traitement anticoagulant ni antiagrégant.";

    "case.locked" => "the case is closed and can no longer change", "le dossier est clos et ne peut plus être modifié";
    "case.stale" => "the case was changed by someone else; look at it again", "le dossier a été modifié par quelqu'un d'autre ; consultez-le à nouveau";
    "case.duplicate" => "already used", "déjà utilisé";

    "case.urgency.emergency" => "Emergency", "Urgence vitale";
    "case.urgency.urgent" => "Urgent", "Urgent";
    "case.urgency.semi_urgent" => "Semi-urgent", "Semi-urgent";
    "case.urgency.elective" => "Elective", "Non urgent";
    "case.side.left" => "Left", "Gauche";
    "case.side.right" => "Right", "Droit";
    "case.side.bilateral" => "Bilateral", "Bilatéral";
    "case.side.midline" => "Midline", "Médian";
    "case.side.not_applicable" => "Not applicable", "Sans objet";
    "case.organ.lung" => "Lung", "Poumon";
    "case.organ.pleura" => "Pleura", "Plèvre";
    "case.organ.mediastinum" => "Mediastinum", "Médiastin";
    "case.organ.liver" => "Liver", "Foie";
    "case.organ.bile_ducts" => "Bile ducts", "Voies biliaires";
    "case.organ.gallbladder" => "Gallbladder", "Vésicule biliaire";
    "case.organ.pancreas" => "Pancreas", "Pancréas";
    "case.organ.kidney" => "Kidney", "Rein";
    "case.organ.adrenal" => "Adrenal gland", "Surrénale";
    "case.organ.urinary_tract" => "Urinary tract", "Voies urinaires";
    "case.organ.uterus" => "Uterus", "Utérus";
    "case.organ.prostate" => "Prostate", "Prostate";
    "case.organ.bone" => "Bone", "Os";
    "case.organ.spine" => "Spine", "Rachis";
    "case.organ.soft_tissue" => "Soft tissue", "Tissus mous";
    "case.organ.lymph_node" => "Lymph node", "Ganglion";
    "case.organ.thyroid" => "Thyroid", "Thyroïde";
    "case.organ.abdomen" => "Abdomen", "Abdomen";
    "case.organ.pelvis" => "Pelvis", "Pelvis";
    "case.organ.arteries" => "Arteries", "Artères";
    "case.organ.veins" => "Veins", "Veines";
    "case.organ.portal_vein" => "Portal vein", "Veine porte";
    "case.organ.other" => "Other", "Autre";
    "case.family.biopsy" => "Image-guided biopsy", "Biopsie guidée par l'imagerie";
    "case.family.drainage" => "Percutaneous drainage", "Drainage percutané";
    "case.family.ablation" => "Thermal ablation", "Ablation thermique";
    "case.family.embolization" => "Embolization", "Embolisation";
    "case.family.recanalization" => "Vascular recanalization", "Recanalisation vasculaire";
    "case.family.visceral_angiography" => "Visceral angiography", "Angiographie viscérale";
    "case.family.spinal_infiltration" => "Spinal infiltration", "Infiltration rachidienne";
    "case.family.cementoplasty" => "Cementoplasty", "Cimentoplastie";
    "case.family.biliary_stone" => "Biliary stones", "Lithiase biliaire";
    "case.family.intratumoral_injection" => "Intratumoral injection", "Injection intratumorale";
    "case.anesthesia.local" => "Local", "Locale";
    "case.anesthesia.sedation" => "Sedation", "Sédation";
    "case.anesthesia.general" => "General", "Générale";
    "case.meeting.thoracic_oncology" => "Thoracic oncology", "Oncologie thoracique";
    "case.meeting.digestive_oncology" => "Digestive oncology", "Oncologie digestive";
    "case.meeting.hepatobiliary" => "Hepatobiliary", "Hépatobiliaire";
    "case.meeting.urologic_oncology" => "Urologic oncology", "Onco-urologie";
    "case.meeting.gynecologic_oncology" => "Gynecologic oncology", "Onco-gynécologie";
    "case.meeting.musculoskeletal" => "Musculoskeletal", "Ostéo-articulaire";
    "case.meeting.vascular" => "Vascular", "Vasculaire";
    "case.meeting.general" => "General", "Générale";
    "case.decision.ir_procedure" => "IR procedure", "Geste de radiologie interventionnelle";
    "case.decision.surgery" => "Surgery", "Chirurgie";
    "case.decision.radiotherapy" => "Radiotherapy", "Radiothérapie";
    "case.decision.systemic_therapy" => "Systemic therapy", "Traitement systémique";
    "case.decision.surveillance" => "Surveillance", "Surveillance";
    "case.decision.more_work_up" => "More work-up", "Bilan complémentaire";
    "case.event.refer" => "Referral", "Demande";
    "case.event.accept" => "Accepted", "Acceptation";
    "case.event.decline" => "Declined", "Refus";
    "case.event.send_to_mdt" => "Sent to the MDT", "Présentation en RCP";
    "case.event.record_consultation" => "Consultation", "Consultation";
    "case.event.plan_procedure" => "Procedure planned", "Geste programmé";
    "case.event.mdt_decision" => "MDT decision", "Décision de RCP";
    "case.event.book" => "Booked", "Réservation";
    "case.event.release_booking" => "Booking released", "Réservation libérée";
    "case.event.reschedule" => "Rescheduled", "Déplacement";
    "case.event.complete_checklist" => "Checklist complete", "Check-list complète";
    "case.event.reopen_checklist" => "Checklist reopened", "Check-list rouverte";
    "case.event.perform" => "Performed", "Réalisation";
    "case.event.sign_report" => "Report signed", "Compte rendu signé";
    "case.event.close" => "Closed", "Clôture";
    "case.event.reopen" => "Reopened", "Réouverture";
    "case.event.cancel" => "Cancelled", "Annulation";
    "case.event.timeout" => "Time-out", "Time-out";

    "consult.kind.ir_pre" => "Pre-procedure IR consultation", "Consultation pré-interventionnelle de radiologie";
    "consult.kind.anesthesia" => "Anesthesia consultation", "Consultation d'anesthésie";
    "consult.kind.post_procedure" => "Post-procedure consultation", "Consultation post-interventionnelle";

    "consult.status.booked" => "Booked", "Prévue";
    "consult.status.done" => "Done", "Faite";
    "consult.status.missed" => "Missed", "Non honorée";
    "consult.status.cancelled" => "Cancelled", "Annulée";

    "consult.language.fr" => "French", "Français";
    "consult.language.en" => "English", "Anglais";

    "consult.consent.title" => "Consent", "Consentement";
    "consult.consent.none" => "No consent recorded yet.", "Aucun consentement enregistré.";
    "consult.consent.not_asked" => "Not asked at this consultation", "Non recueilli à cette consultation";
    "consult.consent.given" => "Consent given", "Consentement donné";
    "consult.consent.refused" => "Consent refused", "Consentement refusé";
    "consult.consent.withdrawn" => "Consent withdrawn", "Consentement retiré";
    "consult.consent.date" => "Date of the decision", "Date de la décision";
    "consult.consent.decision" => "Decision", "Décision";
    "consult.consent.at_consultation" => "at the consultation", "en consultation";
} }

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{assert_labelled, exists};

    #[test]
    fn every_code_the_pages_show_has_words_in_both_languages() {
        assert_labelled("case.urgency", Urgency::ALL.iter().map(|v| v.code()));
        assert_labelled("case.organ", Organ::ALL.iter().map(|v| v.code()));
        assert_labelled("case.side", Side::ALL.iter().map(|v| v.code()));
        assert_labelled("case.family", ProcedureFamily::ALL.iter().map(|v| v.code()));
        assert_labelled("case.anesthesia", Anesthesia::ALL.iter().map(|v| v.code()));
        assert_labelled("case.meeting", MeetingKind::ALL.iter().map(|v| v.code()));
        assert_labelled("case.decision", MdtDecision::ALL.iter().map(|v| v.code()));
        assert_labelled(
            "consult.kind",
            ConsultationKind::ALL.iter().map(|v| v.code()),
        );
        assert_labelled(
            "consult.status",
            ConsultationStatus::ALL.iter().map(|v| v.code()),
        );
        assert_labelled(
            "consult.consent",
            ConsentDecision::ALL.iter().map(|v| v.code()),
        );
        assert_labelled("consult.language", vec!["fr", "en"]);
        assert_labelled(
            "case.event",
            vec![
                "refer",
                "accept",
                "decline",
                "send_to_mdt",
                "record_consultation",
                "plan_procedure",
                "mdt_decision",
                "book",
                "release_booking",
                "reschedule",
                "complete_checklist",
                "reopen_checklist",
                "perform",
                "sign_report",
                "close",
                "reopen",
                "cancel",
                // Not a transition: the store records the time-out in the history too.
                "timeout",
            ],
        );
        assert_labelled("case", vec!["locked", "stale", "duplicate"]);
    }

    #[test]
    fn every_event_the_state_machine_knows_has_words() {
        let events = [
            CaseEvent::Accept,
            CaseEvent::Decline {
                reason: any_reason(),
            },
            CaseEvent::SendToMdt,
            CaseEvent::RecordConsultation,
            CaseEvent::PlanProcedure,
            CaseEvent::DecideAtMdt(MdtDecision::Surgery),
            CaseEvent::Book,
            CaseEvent::ReleaseBooking,
            CaseEvent::CompleteChecklist,
            CaseEvent::ReopenChecklist,
            CaseEvent::Perform,
            CaseEvent::SignReport,
            CaseEvent::Close,
            CaseEvent::Reopen {
                reason: any_reason(),
            },
            CaseEvent::Cancel {
                reason: any_reason(),
            },
        ];
        for event in events {
            assert!(
                exists(&format!("case.event.{}", event.code())),
                "{}",
                event.code()
            );
        }
    }
}
