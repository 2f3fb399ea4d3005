//! The booking area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{
    body, day_or_default, int_range, ok, path_param, query_param, required_text, schema, uuid,
};

/// 409 on a booking: every conflict, or a case that is not to schedule.
const BOOKING_409: &str = "Refused: `code` is `booking_conflict` with every reason in `conflicts` (each naming the resource and, when another booking is in the way, that booking), `transition_not_allowed` when the case is not to schedule, or `booking_not_active` for a cancelled booking.";

/// `ok(...)` with the 409 described for bookings.
fn booking_ok(status: &str, description: &str, schema: Value, errors: &[&str]) -> Value {
    let mut responses = ok(status, description, schema, errors);
    if let Some(conflict) = responses.get_mut("409") {
        conflict["description"] = json!(BOOKING_409);
    }
    responses
}

pub(super) fn openapi() -> Value {
    let case_id = path_param("id", "The case's id (UUID).");
    let booking_id = path_param("id", "The booking's id (UUID).");
    let room_id = path_param("id", "The room's id (UUID).");
    let people = "People are named by username: `operator` an active interventional radiologist, `anesthetist` an active anesthetist (required when the procedure is under sedation or general anesthesia). An unknown room, person, equipment or bed unit is a 422 naming the field.";
    json!({
        "tags": [
            { "name": "bookings", "description": "Booking cases into rooms with their operator, anesthetist, equipment and bed; the next feasible slots." },
            { "name": "schedule", "description": "The day's schedule, a room's calendar and the anesthetists' list. Dates are days on the department's clock." }
        ],
        "paths": {
            "/api/v1/cases/{id}/booking": {
                "parameters": [case_id.clone()],
                "post": {
                    "tags": ["bookings"], "summary": "Book a case that is to schedule.", "operationId": "book_case",
                    "description": format!("Checks the room (type, opening hours, free), the operator and anesthetist (available, free), the equipment and the bed for the planned stay, and books in one transaction; the case becomes `scheduled`. {people}"),
                    "requestBody": body("BookingInput"),
                    "responses": booking_ok("201", "Booked; `Location` names the booking.", schema("Booking"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/cases/{id}/slots": {
                "parameters": [case_id],
                "get": {
                    "tags": ["bookings"], "summary": "The next feasible slots for a case's planned procedure.", "operationId": "next_slots",
                    "description": "Each slot passes the same check a booking goes through; slots are alternatives (two may overlap). Post a slot's `room`, `start`, `operator` and `anesthetist` to book it.",
                    "parameters": [
                        query_param("from", "No slot starts before this: an RFC 3339 instant, or a date (its local midnight). Default: now.", json!({ "anyOf": [{ "type": "string", "format": "date-time" }, { "type": "string", "format": "date" }, { "type": "string", "pattern": r"^\s*$" }] })),
                        query_param("days", "How many local days to search (1–90, default 21).", int_range(1, 90)),
                        query_param("count", "At most this many slots (1–50, default 10).", int_range(1, 50)),
                        query_param("room", "Only this room (id).", json!({ "anyOf": [uuid(), { "type": "string", "pattern": r"^\s*$" }] })),
                        query_param("operator", "Only this operator (username).", json!({ "type": "string" })),
                        query_param("anesthetist", "Only this anesthetist (username).", json!({ "type": "string" }))
                    ],
                    "responses": ok("200", "Slots in time order.", json!({ "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": schema("BookingSlot") } } }), &["400", "401", "403", "404", "422", "503"])
                }
            },
            "/api/v1/bookings/{id}": {
                "parameters": [booking_id.clone()],
                "get": {
                    "tags": ["bookings"], "summary": "Read a booking.", "operationId": "get_booking",
                    "responses": ok("200", "The booking.", schema("Booking"), &["401", "403", "404", "503"])
                },
                "put": {
                    "tags": ["bookings"], "summary": "Move an active booking (time, room, people, equipment, bed).", "operationId": "move_booking",
                    "description": format!("Checked as a new booking, the booking's own place set aside; a refused move changes nothing. {people}"),
                    "requestBody": body("BookingInput"),
                    "responses": booking_ok("200", "The moved booking.", schema("Booking"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/bookings/{id}/cancel": {
                "parameters": [booking_id],
                "post": {
                    "tags": ["bookings"], "summary": "Cancel an active booking; the case goes back to `to_schedule`.", "operationId": "cancel_booking",
                    "requestBody": body("BookingCancel"),
                    "responses": booking_ok("200", "The cancelled booking.", schema("Booking"), &["400", "401", "403", "404", "409", "415", "422", "503"])
                }
            },
            "/api/v1/schedule": {
                "get": {
                    "tags": ["schedule"], "summary": "A day's bookings, in time order.", "operationId": "day_schedule",
                    "parameters": [
                        query_param("date", "The local day (YYYY-MM-DD); default today.", day_or_default()),
                        query_param("room", "Only this room (id).", json!({ "anyOf": [uuid(), { "type": "string", "pattern": r"^\s*$" }] }))
                    ],
                    "responses": ok("200", "The day's bookings.", json!({ "type": "object", "required": ["date", "items"], "properties": {
                        "date": { "type": "string", "format": "date" },
                        "items": { "type": "array", "items": schema("ScheduledCase") } } }), &["400", "401", "403", "422", "503"])
                }
            },
            "/api/v1/schedule/anesthesia": {
                "get": {
                    "tags": ["schedule"], "summary": "The anesthetists' list: bookings with an anesthetist, with the planned anesthesia and the patient's alerts.", "operationId": "anesthesia_list",
                    "parameters": [
                        query_param("from", "First local day (YYYY-MM-DD); default today.", day_or_default()),
                        query_param("to", "Last local day, included; default six days after `from`; at most 63 days in all.", day_or_default()),
                        query_param("anesthetist", "Only this anesthetist (username).", json!({ "type": "string" }))
                    ],
                    "responses": ok("200", "Bookings in time order; each has `anesthesia`, `allergies` and `anticoagulants`.", json!({ "type": "object", "required": ["from", "to", "items"], "properties": {
                        "from": { "type": "string", "format": "date" }, "to": { "type": "string", "format": "date" },
                        "items": { "type": "array", "items": schema("ScheduledCase") } } }), &["400", "401", "403", "422", "503"])
                }
            },
            "/api/v1/rooms/{id}/calendar": {
                "parameters": [room_id],
                "get": {
                    "tags": ["schedule"], "summary": "A room's calendar: its opening hours and bookings over a range of days.", "operationId": "room_calendar",
                    "parameters": [
                        query_param("from", "First local day (YYYY-MM-DD); default this week's Monday.", day_or_default()),
                        query_param("to", "Last local day, included; default six days after `from`; at most 63 days in all.", day_or_default())
                    ],
                    "responses": ok("200", "The room and its bookings in time order.", schema("RoomCalendar"), &["400", "401", "403", "404", "422", "503"])
                }
            }
        },
        "schemas": {
            "BookingInput": {
                "type": "object", "additionalProperties": false, "required": ["room", "start", "operator"],
                "properties": {
                    "room": { "type": "string", "format": "uuid" },
                    "start": { "type": "string", "format": "date-time" },
                    "end": { "type": ["string", "null"], "format": "date-time", "description": "Default: the start plus the procedure's duration." },
                    "operator": { "type": "string", "pattern": r"^(?=[\s\S]*\S)[^\x00]*$", "description": "Username of an active interventional radiologist." },
                    "anesthetist": { "type": ["string", "null"], "description": "Username of an active anesthetist." },
                    "equipment": { "type": ["array", "null"], "items": { "type": "string", "format": "uuid" }, "description": "Units to book; absent: one free unit of each kind the procedure needs, serving the room, is picked." },
                    "bed_unit": { "type": ["string", "null"], "format": "uuid", "description": "Absent: the first unit of the kind the stay needs with a place on each day is picked." }
                }
            },
            "BookingCancel": {
                "type": "object", "additionalProperties": false, "required": ["reason"],
                "properties": { "reason": required_text(500) }
            },
            "Booking": {
                "type": "object",
                "required": ["id", "case_id", "room_id", "room_name", "start", "end", "operator_id", "operator", "operator_name", "equipment", "active", "created_at", "version"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "case_id": { "type": "string", "format": "uuid" },
                    "room_id": { "type": "string", "format": "uuid" }, "room_name": { "type": "string" },
                    "start": { "type": "string", "format": "date-time" }, "end": { "type": "string", "format": "date-time" },
                    "operator_id": { "type": "string", "format": "uuid" }, "operator": { "type": "string", "description": "Username (empty if no longer an active operator)." }, "operator_name": { "type": "string" },
                    "anesthetist_id": { "type": ["string", "null"], "format": "uuid" }, "anesthetist": { "type": ["string", "null"] }, "anesthetist_name": { "type": ["string", "null"] },
                    "equipment": { "type": "array", "items": { "type": "string", "format": "uuid" } },
                    "bed_unit": { "type": ["string", "null"], "format": "uuid" },
                    "active": { "type": "boolean" }, "cancel_reason": { "type": ["string", "null"] },
                    "created_at": { "type": "string", "format": "date-time" }, "version": { "type": "integer" }
                }
            },
            "BookingSlot": {
                "type": "object", "required": ["room", "room_name", "start", "end", "operator", "operator_name", "equipment", "bed_dates"],
                "properties": {
                    "room": { "type": "string", "format": "uuid" }, "room_name": { "type": "string" },
                    "start": { "type": "string", "format": "date-time" }, "end": { "type": "string", "format": "date-time" },
                    "operator": { "type": "string" }, "operator_name": { "type": "string" },
                    "anesthetist": { "type": ["string", "null"] }, "anesthetist_name": { "type": ["string", "null"] },
                    "equipment": { "type": "array", "items": { "type": "string", "format": "uuid" } },
                    "bed_unit": { "type": ["string", "null"], "format": "uuid" },
                    "bed_dates": { "type": "array", "items": { "type": "string", "format": "date" }, "description": "The local days the stay holds a place." }
                }
            },
            "ScheduledCaseSummary": {
                "type": "object",
                "required": ["id", "status", "urgency", "patient_id", "mrn", "family_name", "given_names", "birth_date", "sex", "indication", "target_organ", "side", "procedure_code", "procedure_name"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "status": { "type": "string" }, "urgency": { "type": "string" },
                    "patient_id": { "type": "string", "format": "uuid" }, "mrn": { "type": "string" },
                    "family_name": { "type": "string" }, "given_names": { "type": "string" },
                    "birth_date": { "type": "string", "format": "date" }, "sex": { "type": "string" },
                    "indication": { "type": "string" }, "target_organ": { "type": "string" }, "side": { "type": "string" },
                    "procedure_code": { "type": "string" },
                    "procedure_name": { "type": "object", "properties": { "fr": { "type": "string" }, "en": { "type": "string" } } }
                }
            },
            "ScheduledCase": {
                "type": "object", "required": ["booking", "case", "ready", "timed_out"],
                "properties": {
                    "booking": schema("Booking"), "case": schema("ScheduledCaseSummary"),
                    "ready": { "type": "boolean", "description": "The pre-procedure checklist is complete (the case is `ready`)." },
                    "timed_out": { "type": "boolean", "description": "The time-out is recorded for this booking." },
                    "anesthesia": { "enum": ["local", "sedation", "general"], "description": "On the anesthetists' list." },
                    "allergies": { "type": "array", "items": { "type": "string" }, "description": "On the anesthetists' list: allergy kinds of the patient and the referral." },
                    "anticoagulants": { "type": "array", "items": { "type": "string" }, "description": "On the anesthetists' list: anticoagulant and antiplatelet drugs." }
                }
            },
            "RoomCalendar": {
                "type": "object", "required": ["room", "from", "to", "items"],
                "properties": {
                    "room": { "type": "object", "required": ["id", "code", "name", "room_type", "active", "hours"], "properties": {
                        "id": { "type": "string", "format": "uuid" }, "code": { "type": "string" }, "name": { "type": "string" },
                        "room_type": { "type": "string" }, "active": { "type": "boolean" },
                        "hours": { "type": "object", "description": "Opening hours per weekday (`mon`…`sun`), local time, `08:00-18:00`; empty when closed.", "additionalProperties": { "type": "string" } } } },
                    "from": { "type": "string", "format": "date" }, "to": { "type": "string", "format": "date" },
                    "items": { "type": "array", "items": schema("ScheduledCase") }
                }
            }
        }
    })
}
