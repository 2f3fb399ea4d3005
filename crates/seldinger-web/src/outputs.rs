//! The JSON shapes several areas answer with, so that a patient, a user, a case in a
//! list, a consultation or a consent reads the same wherever it appears: a patient
//! ([`PatientOut`]: its own routes and a case's detail), an account ([`UserOut`]: the
//! session's `me` and the users list), an API token ([`TokenOut`]: its owner's list and
//! an administrator's), a case in a list ([`CaseListItem`]: worklists and
//! a patient's cases), a consultation and a consent (their own routes and a case's
//! detail), a case named by a list after the procedure ([`case_body`]).

use seldinger_domain::case::{CaseStatus, Side, Urgency};
use seldinger_domain::catalog::{Bilingual, Organ};
use seldinger_domain::consultation::{ConsentDecision, ConsultationKind, ConsultationStatus};
use seldinger_domain::patient::Sex;
use seldinger_domain::{CaseId, ConsultationId, Lang, PatientId, Role, TokenId, UserId};
use seldinger_store::cases::CaseSummary;
use seldinger_store::consultations::{Consent, Consultation};
use seldinger_store::{ApiToken, Patient, User};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::calendar::days_between;

#[derive(Serialize)]
pub struct PatientOut {
    pub id: PatientId,
    pub mrn: String,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: String,
    pub sex: &'static str,
    pub allergies: Vec<seldinger_domain::patient::Allergy>,
    pub anticoagulants: Vec<seldinger_domain::patient::Anticoagulant>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Patient> for PatientOut {
    fn from(p: Patient) -> Self {
        Self {
            id: p.id,
            mrn: p.mrn,
            family_name: p.family_name,
            given_names: p.given_names,
            birth_date: p.birth_date.to_string(),
            sex: p.sex.code(),
            allergies: p.allergies,
            anticoagulants: p.anticoagulants,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Serialize)]
pub struct UserOut {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub language: Lang,
    pub active: bool,
    /// The password is a temporary one an administrator set: the user must replace it
    /// before anything else.
    pub must_change_password: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        Self {
            id: u.id.to_string(),
            active: u.is_active(),
            must_change_password: u.must_change_password,
            username: u.username,
            full_name: u.full_name,
            role: u.role,
            language: u.language,
            created_at: u.created_at,
        }
    }
}

/// An API token as its owner and administrators see it: never its secret; the secret is
/// in the answer that creates it ([`NewTokenOut`]) and nowhere else.
#[derive(Serialize)]
pub struct TokenOut {
    pub id: TokenId,
    pub label: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    pub active: bool,
}

impl From<ApiToken> for TokenOut {
    fn from(t: ApiToken) -> Self {
        Self {
            active: t.is_live(),
            id: t.id,
            label: t.label,
            created_at: t.created_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A token just created, with its secret (`token`, to send as `Authorization: Bearer
/// …`): shown in this answer only, a 201.
#[derive(Serialize)]
pub struct NewTokenOut {
    #[serde(flatten)]
    pub listed: TokenOut,
    pub token: String,
}

impl NewTokenOut {
    pub fn new(token: ApiToken, secret: String) -> Self {
        Self {
            listed: token.into(),
            token: secret,
        }
    }
}

impl axum::response::IntoResponse for NewTokenOut {
    fn into_response(self) -> axum::response::Response {
        (axum::http::StatusCode::CREATED, axum::Json(self)).into_response()
    }
}

/// Who a listed case is about.
#[derive(Serialize)]
pub struct PatientBrief {
    pub id: PatientId,
    pub mrn: String,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: String,
    pub sex: Sex,
}

/// A procedure named by a list.
#[derive(Serialize)]
pub struct ProcedureBrief {
    pub code: String,
    pub name: Bilingual,
}

/// A case in a list: the case, its patient, its planned procedure.
#[derive(Serialize)]
pub struct CaseListItem {
    pub id: CaseId,
    pub status: CaseStatus,
    pub urgency: Urgency,
    pub referral_date: String,
    #[serde(with = "time::serde::rfc3339")]
    pub referred_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub status_changed_at: OffsetDateTime,
    /// Days since the case was referred (department's calendar).
    pub waiting_days: i64,
    pub referring_physician: String,
    pub indication: String,
    pub target_organ: Organ,
    pub side: Side,
    pub patient: PatientBrief,
    pub procedure: ProcedureBrief,
}

impl CaseListItem {
    pub(crate) fn new(c: CaseSummary, now: OffsetDateTime, zone: &jiff::tz::TimeZone) -> Self {
        Self {
            waiting_days: days_between(c.referred_at, now, zone),
            id: c.id,
            status: c.status,
            urgency: c.urgency,
            referral_date: c.referral_date.to_string(),
            referred_at: c.referred_at,
            status_changed_at: c.status_changed_at,
            referring_physician: c.referring_physician,
            indication: c.indication,
            target_organ: c.target_organ,
            side: c.side,
            patient: PatientBrief {
                id: c.patient_id,
                mrn: c.mrn,
                family_name: c.family_name,
                given_names: c.given_names,
                birth_date: c.birth_date.to_string(),
                sex: c.sex,
            },
            procedure: ProcedureBrief {
                code: c.procedure_code,
                name: Bilingual {
                    fr: c.procedure_fr,
                    en: c.procedure_en,
                },
            },
        }
    }
}

#[derive(Serialize)]
pub struct ConsultationOut {
    pub id: ConsultationId,
    pub case_id: CaseId,
    pub kind: ConsultationKind,
    pub status: ConsultationStatus,
    pub clinician_id: UserId,
    pub clinician_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub booked_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub recorded_at: Option<OffsetDateTime>,
    pub sheet_language: Option<&'static str>,
    pub risks_explained: Option<String>,
    pub alternatives_discussed: Option<String>,
    pub notes: Option<String>,
    pub version: i64,
}

impl From<Consultation> for ConsultationOut {
    fn from(c: Consultation) -> Self {
        Self {
            id: c.id,
            case_id: c.case_id,
            kind: c.kind,
            status: c.status,
            clinician_id: c.clinician_id,
            clinician_name: c.clinician_name,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            booked_at: c.booked_at,
            recorded_at: c.recorded_at,
            sheet_language: c.sheet_language.map(|l| l.code()),
            risks_explained: c.risks_explained,
            alternatives_discussed: c.alternatives_discussed,
            notes: c.notes,
            version: c.version,
        }
    }
}

#[derive(Serialize)]
pub struct ConsentOut {
    pub decision: ConsentDecision,
    pub decided_on: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    pub recorded_by: String,
    pub consultation_id: Option<ConsultationId>,
    pub note: Option<String>,
}

impl From<Consent> for ConsentOut {
    fn from(c: Consent) -> Self {
        Self {
            decision: c.decision,
            decided_on: c.decided_on.to_string(),
            recorded_at: c.recorded_at,
            recorded_by: c.recorded_by,
            consultation_id: c.consultation_id,
            note: c.note,
        }
    }
}

/// A case and its patient, as the lists after the procedure name them (the serious
/// events due, the follow-up worklist).
pub(crate) fn case_body(c: &CaseSummary) -> Value {
    json!({
        "id": c.id,
        "status": c.status,
        "procedure_code": c.procedure_code,
        "patient": {
            "id": c.patient_id,
            "mrn": c.mrn,
            "family_name": c.family_name,
            "given_names": c.given_names,
            "birth_date": c.birth_date.to_string(),
        },
    })
}

/// An emergency access as the API shows it.
#[derive(Serialize)]
pub struct EmergencyAccessOut {
    pub id: uuid::Uuid,
    pub username: String,
    pub patient_id: PatientId,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub granted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl From<seldinger_store::EmergencyAccess> for EmergencyAccessOut {
    fn from(g: seldinger_store::EmergencyAccess) -> Self {
        Self {
            id: g.id,
            username: g.username,
            patient_id: g.patient_id,
            reason: g.reason,
            granted_at: g.granted_at,
            expires_at: g.expires_at,
        }
    }
}
