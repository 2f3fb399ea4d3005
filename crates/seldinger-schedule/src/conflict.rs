//! Why a request cannot be booked, as data (for the store and the API) and as a sentence
//! in French or English that names the resource and, when another booking is in the way,
//! that booking's local time and case.

use jiff::tz::TimeZone;
use seldinger_domain::catalog::{EquipmentKind, RoomType};
use seldinger_domain::localtime::to_local;
use seldinger_domain::resources::BedUnitKind;
use seldinger_domain::{BookingId, CaseId, Lang};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// Why a request cannot be booked. Resources are named by their display name (an unknown
/// equipment or bed unit chosen by id, by that id); a conflict with another booking
/// carries that booking, its case and its times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// The booking ends at or before its start.
    EndsBeforeStart,
    UnknownRoom,
    RoomInactive {
        room: String,
    },
    RoomTypeUnfit {
        room: String,
        room_type: RoomType,
        allowed: Vec<RoomType>,
    },
    /// Not within one opening span of the room's local day (so a booking across local
    /// midnight is always closed).
    RoomClosed {
        room: String,
    },
    RoomBusy {
        room: String,
        booking: BookingId,
        case: CaseId,
        start: OffsetDateTime,
        end: OffsetDateTime,
    },
    UnknownOperator,
    OperatorUnavailable {
        name: String,
    },
    /// The operator works on an overlapping booking (as operator or anesthetist).
    OperatorBusy {
        name: String,
        booking: BookingId,
        case: CaseId,
        start: OffsetDateTime,
        end: OffsetDateTime,
    },
    /// The anesthesia needs an anesthetist and none is given.
    AnesthetistRequired,
    UnknownAnesthetist,
    AnesthetistUnavailable {
        name: String,
    },
    AnesthetistBusy {
        name: String,
        booking: BookingId,
        case: CaseId,
        start: OffsetDateTime,
        end: OffsetDateTime,
    },
    /// No free active unit of that kind serves the room (automatic pick), or none of the
    /// chosen units is of that kind.
    EquipmentMissing {
        kind: EquipmentKind,
    },
    /// A chosen unit is unknown, of a kind the procedure does not need, out of use, or
    /// does not serve the room.
    EquipmentUnfit {
        equipment: String,
    },
    EquipmentBusy {
        equipment: String,
        booking: BookingId,
        case: CaseId,
        start: OffsetDateTime,
        end: OffsetDateTime,
    },
    /// No active unit of the kind the stay needs.
    NoBedUnit {
        kind: BedUnitKind,
    },
    /// The chosen unit is unknown, of the wrong kind, out of use, or the stay needs no bed.
    BedUnfit {
        unit: String,
    },
    /// The unit has no place left on `date` (the first such date of the stay).
    BedFull {
        unit: String,
        date: Date,
    },
}

impl Conflict {
    /// A stable code for the API and the forms (`room_busy`…).
    pub fn code(&self) -> &'static str {
        match self {
            Conflict::EndsBeforeStart => "ends_before_start",
            Conflict::UnknownRoom => "unknown_room",
            Conflict::RoomInactive { .. } => "room_inactive",
            Conflict::RoomTypeUnfit { .. } => "room_type_unfit",
            Conflict::RoomClosed { .. } => "room_closed",
            Conflict::RoomBusy { .. } => "room_busy",
            Conflict::UnknownOperator => "unknown_operator",
            Conflict::OperatorUnavailable { .. } => "operator_unavailable",
            Conflict::OperatorBusy { .. } => "operator_busy",
            Conflict::AnesthetistRequired => "anesthetist_required",
            Conflict::UnknownAnesthetist => "unknown_anesthetist",
            Conflict::AnesthetistUnavailable { .. } => "anesthetist_unavailable",
            Conflict::AnesthetistBusy { .. } => "anesthetist_busy",
            Conflict::EquipmentMissing { .. } => "equipment_missing",
            Conflict::EquipmentUnfit { .. } => "equipment_unfit",
            Conflict::EquipmentBusy { .. } => "equipment_busy",
            Conflict::NoBedUnit { .. } => "no_bed_unit",
            Conflict::BedUnfit { .. } => "bed_unfit",
            Conflict::BedFull { .. } => "bed_full",
        }
    }

    /// The named resource (room, person, equipment or bed unit), when there is one.
    pub fn resource(&self) -> Option<String> {
        match self {
            Conflict::RoomInactive { room }
            | Conflict::RoomTypeUnfit { room, .. }
            | Conflict::RoomClosed { room }
            | Conflict::RoomBusy { room, .. } => Some(room.clone()),
            Conflict::OperatorUnavailable { name }
            | Conflict::OperatorBusy { name, .. }
            | Conflict::AnesthetistUnavailable { name }
            | Conflict::AnesthetistBusy { name, .. } => Some(name.clone()),
            Conflict::EquipmentUnfit { equipment } | Conflict::EquipmentBusy { equipment, .. } => {
                Some(equipment.clone())
            }
            Conflict::BedUnfit { unit } | Conflict::BedFull { unit, .. } => Some(unit.clone()),
            Conflict::EndsBeforeStart
            | Conflict::UnknownRoom
            | Conflict::UnknownOperator
            | Conflict::AnesthetistRequired
            | Conflict::UnknownAnesthetist
            | Conflict::EquipmentMissing { .. }
            | Conflict::NoBedUnit { .. } => None,
        }
    }

    /// The other booking in the way, when there is one.
    pub fn booking(&self) -> Option<BookingId> {
        match self {
            Conflict::RoomBusy { booking, .. }
            | Conflict::OperatorBusy { booking, .. }
            | Conflict::AnesthetistBusy { booking, .. }
            | Conflict::EquipmentBusy { booking, .. } => Some(*booking),
            _ => None,
        }
    }

    /// One sentence in `lang`; times are shown on the clock of `zone`.
    pub fn message(&self, lang: Lang, zone: &TimeZone) -> String {
        let when = |start: &OffsetDateTime, end: &OffsetDateTime| span(*start, *end, lang, zone);
        match (self, lang) {
            (Conflict::EndsBeforeStart, Lang::En) => "the booking ends before it starts".into(),
            (Conflict::EndsBeforeStart, Lang::Fr) => {
                "la réservation se termine avant de commencer".into()
            }
            (Conflict::UnknownRoom, Lang::En) => "this room does not exist".into(),
            (Conflict::UnknownRoom, Lang::Fr) => "cette salle n'existe pas".into(),
            (Conflict::RoomInactive { room }, Lang::En) => format!("room {room} is out of use"),
            (Conflict::RoomInactive { room }, Lang::Fr) => {
                format!("la salle {room} est hors service")
            }
            (
                Conflict::RoomTypeUnfit {
                    room,
                    room_type,
                    allowed,
                },
                Lang::En,
            ) => format!(
                "room {room} ({}) does not suit this procedure, which needs: {}",
                room_type_label(*room_type, lang),
                room_types(allowed, lang)
            ),
            (
                Conflict::RoomTypeUnfit {
                    room,
                    room_type,
                    allowed,
                },
                Lang::Fr,
            ) => format!(
                "la salle {room} ({}) ne convient pas à cette procédure, qui demande : {}",
                room_type_label(*room_type, lang),
                room_types(allowed, lang)
            ),
            (Conflict::RoomClosed { room }, Lang::En) => {
                format!("room {room} is not open for the whole booking")
            }
            (Conflict::RoomClosed { room }, Lang::Fr) => {
                format!("la salle {room} n'est pas ouverte pendant toute la réservation")
            }
            (
                Conflict::RoomBusy {
                    room,
                    case,
                    start,
                    end,
                    ..
                },
                Lang::En,
            ) => format!(
                "room {room} is already booked {} (case {case})",
                when(start, end)
            ),
            (
                Conflict::RoomBusy {
                    room,
                    case,
                    start,
                    end,
                    ..
                },
                Lang::Fr,
            ) => format!(
                "la salle {room} est déjà réservée le {} (dossier {case})",
                when(start, end)
            ),
            (Conflict::UnknownOperator, Lang::En) => {
                "this person is not one of the department's operators".into()
            }
            (Conflict::UnknownOperator, Lang::Fr) => {
                "cette personne ne fait pas partie des opérateurs du service".into()
            }
            (Conflict::OperatorUnavailable { name }, Lang::En) => {
                format!("{name} is not available for the whole booking")
            }
            (Conflict::OperatorUnavailable { name }, Lang::Fr) => {
                format!("{name} n'est pas disponible pendant toute la réservation")
            }
            (
                Conflict::OperatorBusy {
                    name,
                    case,
                    start,
                    end,
                    ..
                },
                Lang::En,
            ) => format!(
                "{name} is already booked {} (case {case})",
                when(start, end)
            ),
            (
                Conflict::OperatorBusy {
                    name,
                    case,
                    start,
                    end,
                    ..
                },
                Lang::Fr,
            ) => format!(
                "{name} a déjà une intervention le {} (dossier {case})",
                when(start, end)
            ),
            (Conflict::AnesthetistRequired, Lang::En) => {
                "this anesthesia needs an anesthetist".into()
            }
            (Conflict::AnesthetistRequired, Lang::Fr) => {
                "cette anesthésie nécessite un anesthésiste".into()
            }
            (Conflict::UnknownAnesthetist, Lang::En) => {
                "this person is not one of the department's anesthetists".into()
            }
            (Conflict::UnknownAnesthetist, Lang::Fr) => {
                "cette personne ne fait pas partie des anesthésistes du service".into()
            }
            (Conflict::AnesthetistUnavailable { name }, Lang::En) => {
                format!("anesthetist {name} is not available for the whole booking")
            }
            (Conflict::AnesthetistUnavailable { name }, Lang::Fr) => {
                format!("l'anesthésiste {name} n'est pas disponible pendant toute la réservation")
            }
            (
                Conflict::AnesthetistBusy {
                    name,
                    case,
                    start,
                    end,
                    ..
                },
                Lang::En,
            ) => format!(
                "anesthetist {name} is already booked {} (case {case})",
                when(start, end)
            ),
            (
                Conflict::AnesthetistBusy {
                    name,
                    case,
                    start,
                    end,
                    ..
                },
                Lang::Fr,
            ) => format!(
                "l'anesthésiste {name} a déjà une intervention le {} (dossier {case})",
                when(start, end)
            ),
            (Conflict::EquipmentMissing { kind }, Lang::En) => format!(
                "no {} serving this room is free at that time",
                equipment_label(*kind, lang)
            ),
            (Conflict::EquipmentMissing { kind }, Lang::Fr) => format!(
                "aucun équipement « {} » desservant cette salle n'est libre à cet horaire",
                equipment_label(*kind, lang)
            ),
            (Conflict::EquipmentUnfit { equipment }, Lang::En) => format!(
                "{equipment} cannot be used here: not needed by this procedure, out of use, or not serving this room"
            ),
            (Conflict::EquipmentUnfit { equipment }, Lang::Fr) => format!(
                "l'équipement {equipment} ne peut pas servir ici : inutile pour cette procédure, hors service ou ne desservant pas cette salle"
            ),
            (
                Conflict::EquipmentBusy {
                    equipment,
                    case,
                    start,
                    end,
                    ..
                },
                Lang::En,
            ) => format!(
                "{equipment} is already booked {} (case {case})",
                when(start, end)
            ),
            (
                Conflict::EquipmentBusy {
                    equipment,
                    case,
                    start,
                    end,
                    ..
                },
                Lang::Fr,
            ) => format!(
                "l'équipement {equipment} est déjà réservé le {} (dossier {case})",
                when(start, end)
            ),
            (Conflict::NoBedUnit { kind }, Lang::En) => {
                format!("there is no {} in use", bed_unit_label(*kind, lang))
            }
            (Conflict::NoBedUnit { kind }, Lang::Fr) => {
                format!(
                    "aucune unité « {} » n'est en service",
                    bed_unit_label(*kind, lang)
                )
            }
            (Conflict::BedUnfit { unit }, Lang::En) => {
                format!("unit {unit} does not suit this stay")
            }
            (Conflict::BedUnfit { unit }, Lang::Fr) => {
                format!("l'unité {unit} ne convient pas à ce séjour")
            }
            (Conflict::BedFull { unit, date }, Lang::En) => {
                format!("unit {unit} is full on {}", date_label(*date, lang))
            }
            (Conflict::BedFull { unit, date }, Lang::Fr) => {
                format!("l'unité {unit} est complète le {}", date_label(*date, lang))
            }
        }
    }
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `23/11/2026` or `23 Nov 2026`, as the web pages write dates.
fn date_label(date: Date, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "{:02}/{:02}/{}",
            date.day(),
            u8::from(date.month()),
            date.year()
        ),
        Lang::En => format!(
            "{} {} {}",
            date.day(),
            MONTHS_EN[usize::from(u8::from(date.month())) - 1],
            date.year()
        ),
    }
}

fn clock(at: PrimitiveDateTime) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// `23/11/2026 09:00–10:00`, or both dates when the span crosses local midnight.
fn span(start: OffsetDateTime, end: OffsetDateTime, lang: Lang, zone: &TimeZone) -> String {
    let start = to_local(start, zone);
    let end = to_local(end, zone);
    if start.date() == end.date() {
        format!(
            "{} {}–{}",
            date_label(start.date(), lang),
            clock(start),
            clock(end)
        )
    } else {
        format!(
            "{} {} – {} {}",
            date_label(start.date(), lang),
            clock(start),
            date_label(end.date(), lang),
            clock(end)
        )
    }
}

fn room_type_label(room_type: RoomType, lang: Lang) -> &'static str {
    match (room_type, lang) {
        (RoomType::Ct, Lang::En) => "CT",
        (RoomType::Ct, Lang::Fr) => "scanner",
        (RoomType::Ultrasound, Lang::En) => "ultrasound",
        (RoomType::Ultrasound, Lang::Fr) => "échographie",
        (RoomType::Angiography, Lang::En) => "angiography",
        (RoomType::Angiography, Lang::Fr) => "angiographie",
        (RoomType::HybridOr, Lang::En) => "hybrid operating room",
        (RoomType::HybridOr, Lang::Fr) => "salle hybride",
        (RoomType::Mri, Lang::En) => "MRI",
        (RoomType::Mri, Lang::Fr) => "IRM",
    }
}

fn room_types(types: &[RoomType], lang: Lang) -> String {
    types
        .iter()
        .map(|t| room_type_label(*t, lang))
        .collect::<Vec<_>>()
        .join(", ")
}

fn equipment_label(kind: EquipmentKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (EquipmentKind::RfGenerator, Lang::En) => "radiofrequency generator",
        (EquipmentKind::RfGenerator, Lang::Fr) => "générateur de radiofréquence",
        (EquipmentKind::MwGenerator, Lang::En) => "microwave generator",
        (EquipmentKind::MwGenerator, Lang::Fr) => "générateur de micro-ondes",
        (EquipmentKind::CryoConsole, Lang::En) => "cryoablation console",
        (EquipmentKind::CryoConsole, Lang::Fr) => "console de cryoablation",
        (EquipmentKind::Endomicroscopy, Lang::En) => "endomicroscopy system",
        (EquipmentKind::Endomicroscopy, Lang::Fr) => "système d'endomicroscopie",
        (EquipmentKind::PortableUltrasound, Lang::En) => "portable ultrasound",
        (EquipmentKind::PortableUltrasound, Lang::Fr) => "échographe portable",
        (EquipmentKind::Lithotripsy, Lang::En) => "lithotripsy system",
        (EquipmentKind::Lithotripsy, Lang::Fr) => "lithotriteur",
    }
}

fn bed_unit_label(kind: BedUnitKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (BedUnitKind::DayUnit, Lang::En) => "day unit",
        (BedUnitKind::DayUnit, Lang::Fr) => "hôpital de jour",
        (BedUnitKind::Ward, Lang::En) => "ward",
        (BedUnitKind::Ward, Lang::Fr) => "hospitalisation complète",
    }
}
