//! Identifiers. Each kind of record has its own newtype so that a patient id can never be
//! passed where a user id is expected. Ids are UUIDv7 (time-ordered), made at the edge.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A patient.
    PatientId
);
id_type!(
    /// An API token (its secret is never stored, only its digest).
    TokenId
);
id_type!(
    /// A member of staff who signs in.
    UserId
);
id_type!(
    /// A case: one patient, one indication, referral to closure.
    CaseId
);
id_type!(
    /// A procedure type of the catalog (its versions share this id).
    ProcedureTypeId
);
id_type!(
    /// One version of a procedure type, as a case was planned with it.
    ProcedureVersionId
);
id_type!(
    /// A consultation (booked, then recorded).
    ConsultationId
);
id_type!(
    /// A multidisciplinary meeting (RCP).
    MeetingId
);
id_type!(
    /// A room where procedures are performed.
    RoomId
);
id_type!(
    /// A piece of equipment (generator, console, endomicroscopy system…).
    EquipmentId
);
id_type!(
    /// A bed unit (day unit, ward).
    BedUnitId
);
id_type!(
    /// A booking of a case: room, time, people, equipment and beds.
    BookingId
);
id_type!(
    /// The procedure report of a case.
    ReportId
);
id_type!(
    /// A specimen taken during a procedure, sent to pathology.
    SpecimenId
);
id_type!(
    /// An adverse event.
    AdverseEventId
);
id_type!(
    /// A planned follow-up item (a call, a consultation, imaging, volumetry).
    FollowUpId
);
