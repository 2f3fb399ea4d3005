//! The OpenAPI 3.1 document of the JSON API, served at `GET /api/v1/openapi.json`.
//!
//! Each area writes its part beside its handlers (`spec.rs`: `tags`, `paths`, `schemas`;
//! the crate root lists them in [`crate::OPENAPI`]). Schemas move, area by area, from
//! hand-written JSON to [`derived`] ones, generated (utoipa's `ToSchema`) from the very
//! types the handlers deserialize and serialize, constraints included (lengths,
//! patterns, enums, required fields, `additionalProperties: false` from
//! `deny_unknown_fields`): so far the patients' update and withdrawal bodies, allergies
//! and treatments, the permissions and every code list of the domain (`string_enum!`).
//! This module has the helpers the parts are written with, the core (what the API is,
//! how to authenticate, the `Problem` schema of every error), and the assembly. The
//! whole document is pinned by a snapshot (`openapi.json` in the crate's folder). A part may refer to a schema another part defines by its name
//! (`Patient`, `CaseListItem`…): the tests check that every `$ref` resolves, that no name
//! is defined twice, and that the document describes exactly the API routes of
//! [`crate::routes::route_table`].

use axum::Json;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// The schema of `T`, and of every type it refers to, generated from the Rust types
/// (utoipa): a part lists them among its `schemas`, so a schema cannot drift from the
/// struct the handler reads or writes.
pub(crate) fn derived<T: ToSchema>() -> serde_json::Map<String, Value> {
    let mut all = Vec::new();
    T::schemas(&mut all);
    all.push((T::name().into_owned(), T::schema()));
    all.into_iter()
        .map(|(name, schema)| {
            let value = serde_json::to_value(schema).unwrap_or(Value::Null);
            (name, value)
        })
        .collect()
}

/// Adds the [`derived`] schemas to a part's `schemas`.
pub(crate) fn with_derived(
    mut part: Value,
    derived: impl IntoIterator<Item = serde_json::Map<String, Value>>,
) -> Value {
    if let Some(schemas) = part["schemas"].as_object_mut() {
        for map in derived {
            schemas.extend(map);
        }
    }
    part
}

pub(crate) fn problem_responses(codes: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    for code in codes {
        let description = match *code {
            "400" => "The request could not be read; `errors[].pointer` names the field.",
            "401" => "No valid session or bearer token.",
            "403" => {
                "The role does not allow this, or a failed CSRF check; or an account rule, named by `code` (`password_change_required`: the password is a temporary one, change it first; `token_owner_only`)."
            }
            "404" => "No such record.",
            "409" => {
                "Conflict: a stale `version` (`current_version` is given) or a value already used."
            }
            "415" => "The body must be `application/json`.",
            "422" => "Fields that break the rules, each in `errors[]` with a pointer and a code.",
            "429" => "Too many sign-in attempts.",
            _ => {
                "The database does not answer (`code`: `database_unavailable`); try again shortly."
            }
        };
        out.insert(
            (*code).into(),
            json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
        );
    }
    Value::Object(out)
}

pub(crate) fn ok(status: &str, description: &str, schema: Value, errors: &[&str]) -> Value {
    let mut responses = problem_responses(errors);
    let body = if schema.is_null() {
        json!({ "description": description })
    } else {
        json!({ "description": description, "content": { "application/json": { "schema": schema } } })
    };
    responses[status] = body;
    responses
}

pub(crate) fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub(crate) fn items(name: &str) -> Value {
    json!({ "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": schema(name) } } })
}

pub(crate) fn body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema(name) } } })
}

pub(crate) fn path_param(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string" } })
}

pub(crate) fn query_param(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

/// The characters the server takes in text (`text::free_text`): no control character
/// but tab, line feed and carriage return.
const TEXT_CHAR: &str = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]";

/// Text that may be left empty: at most `max` characters once trimmed.
pub(crate) fn optional_text(max: usize) -> Value {
    let inner = max.saturating_sub(2);
    json!({ "type": "string", "pattern": format!(r"^(?=\s*(?:\S(?:[\s\S]{{0,{inner}}}\S)?)?\s*$){TEXT_CHAR}*$") })
}

/// Text that must be given: 1 to `max` characters once trimmed.
pub(crate) fn required_text(max: usize) -> Value {
    let inner = max.saturating_sub(2);
    json!({ "type": "string", "pattern": format!(r"^(?=\s*\S(?:[\s\S]{{0,{inner}}}\S)?\s*$){TEXT_CHAR}*$") })
}

/// A person's name (`text::person_name`): letters, spaces, hyphens, apostrophes and full
/// stops, with at least one letter; at most `max` characters once spaces are collapsed
/// (said in the description: a pattern cannot count collapsed spaces).
pub(crate) fn person_name(max: usize) -> Value {
    json!({ "type": "string", "maxLength": max, "pattern": r"^(?:[^\W\d_]|[\s'’.-])*[^\W\d_](?:[^\W\d_]|[\s'’.-])*$" })
}

/// A procedure code (`catalog::ProcedureCode`): 2 to 32 letters, digits, `-` and `_`,
/// read in capitals.
pub(crate) fn procedure_code(description: &str) -> Value {
    json!({ "type": "string", "pattern": r"^\s*[A-Za-z0-9_-]{2,32}\s*$", "description": description })
}

/// An integer from `min` to `max`.
pub(crate) fn int_range(min: u64, max: u64) -> Value {
    json!({ "type": "integer", "minimum": min, "maximum": max })
}

/// A list's offset (an offset past the end gives an empty page).
pub(crate) fn offset() -> Value {
    int_range(0, crate::json::MAX_OFFSET)
}

/// A day, `YYYY-MM-DD` (the server also reads `DD/MM/YYYY`); empty for the default.
pub(crate) fn day_or_default() -> Value {
    json!({ "anyOf": [{ "type": "string", "format": "date" }, { "type": "string", "pattern": r"^\s*$" }] })
}

/// An RFC 3339 instant; empty for the default.
pub(crate) fn instant_or_default() -> Value {
    json!({ "anyOf": [{ "type": "string", "format": "date-time" }, { "type": "string", "pattern": r"^\s*$" }] })
}

/// A record's id (a UUID).
pub(crate) fn uuid() -> Value {
    json!({ "type": "string", "format": "uuid" })
}

/// The codes of a case's status, for the parts that list them inline.
pub(crate) fn case_statuses() -> Value {
    json!([
        "referred",
        "accepted",
        "awaiting_mdt",
        "consulted",
        "to_schedule",
        "scheduled",
        "ready",
        "performed",
        "follow_up",
        "closed",
        "declined",
        "cancelled"
    ])
}

/// A case and its patient, as the lists after the procedure name them (the serious
/// events due, the follow-up worklist).
pub(crate) fn case_ref() -> Value {
    let text = json!({ "type": "string" });
    json!({
        "type": "object",
        "description": "The case and its patient.",
        "properties": {
            "id": { "type": "string", "format": "uuid" }, "status": { "type": "string" }, "procedure_code": { "type": "string" },
            "patient": { "type": "object", "properties": { "id": { "type": "string", "format": "uuid" }, "mrn": text, "family_name": text, "given_names": text, "birth_date": { "type": "string", "format": "date" } } }
        }
    })
}

/// What the document says before the areas' parts: what it describes, how to
/// authenticate, and the schema of every error (`Problem`).
fn core_spec() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Seldinger API",
            "version": "1",
            "description": "The JSON API of Seldinger, the information system of an interventional radiology department. Every action of the interface is here. Authenticate with `Authorization: Bearer TOKEN` (a token is created by its owner, with `POST /api/v1/me/tokens` or on their account page, or on the server with `seldinger token create`) or with the session cookie, sending the session's CSRF token in `X-CSRF-Token` on writes. Errors are RFC 9457 problem documents. Every read and write of patient data is audited."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }, { "session": [] }],
        "tags": [],
        "paths": {},
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string" },
                        "current_version": { "type": "integer", "description": "On a stale-version conflict." },
                        "code": { "type": "string", "description": "Why, as a stable code: on a 409 refused by the pathway or an account rule (`transition_not_allowed`, `reason_required`, `booking_conflict`, or a rule such as `already_on_agenda`, `own_account`, `last_admin`); on a 403 refused by an account rule (`password_change_required`, `token_owner_only`); on a 503, `database_unavailable`." },
                        "conflicts": { "type": "array", "description": "On a refused booking: every reason, each naming the resource and the booking in the way.", "items": { "type": "object", "properties": {
                            "code": { "type": "string" }, "resource": { "type": ["string", "null"] }, "booking": { "type": ["string", "null"], "format": "uuid" }, "detail": { "type": "string" } } } },
                        "errors": { "type": "array", "items": { "type": "object", "properties": {
                            "pointer": { "type": "string", "description": "JSON pointer to the field, e.g. /birth_date." },
                            "field": { "type": "string" }, "code": { "type": "string" }, "detail": { "type": "string" } } } }
                    }
                }
            }
        }
    })
}

/// The order of the document's tags: the order they had before the areas were split,
/// kept so that the document stays the same until it is generated from the types. A tag
/// not listed here would come last (a test keeps every tag listed).
const TAG_ORDER: &[&str] = &[
    "session",
    "account",
    "patients",
    "users",
    "audit",
    "catalog",
    "thresholds",
    "resources",
    "staff",
    "cases",
    "consultations",
    "worklists",
    "mdt",
    "checklist",
    "bookings",
    "schedule",
    "timeline",
    "reports",
    "pathology",
    "adverse-events",
    "follow-up",
];

fn tag_rank(tag: &Value) -> usize {
    let name = tag["name"].as_str().unwrap_or_default();
    TAG_ORDER
        .iter()
        .position(|t| *t == name)
        .unwrap_or(TAG_ORDER.len())
}

/// The core document with each area's tags, paths and schemas merged in (the areas are
/// listed by the crate root, [`crate::OPENAPI`]).
pub fn spec() -> Value {
    let mut spec = core_spec();
    for part in crate::OPENAPI {
        let area = part();
        if let (Some(tags), Some(area_tags)) =
            (spec["tags"].as_array_mut(), area["tags"].as_array())
        {
            tags.extend(area_tags.iter().cloned());
        }
        for (section, target) in [("paths", "/paths"), ("schemas", "/components/schemas")] {
            if let (Some(into), Some(from)) = (
                spec.pointer_mut(target).and_then(Value::as_object_mut),
                area[section].as_object(),
            ) {
                for (key, value) in from {
                    into.insert(key.clone(), value.clone());
                }
            }
        }
    }
    if let Some(tags) = spec["tags"].as_array_mut() {
        tags.sort_by_key(tag_rank);
    }
    // Not in `Problem`: an error names the field as the client wrote it, NUL included.
    let problem = spec["components"]["schemas"]["Problem"].take();
    // Text rules are the server's on what it reads: request bodies and the schemas they
    // refer to (a record read back holds what was typed, a failed sign-in's username
    // included).
    let mut read = std::collections::BTreeSet::new();
    let mut pending: Vec<Value> = Vec::new();
    if let Some(paths) = spec["paths"].as_object_mut() {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut() {
                if let Some(body) = operation.pointer_mut("/requestBody") {
                    text_characters(body);
                    pending.push(body.clone());
                }
            }
        }
    }
    while let Some(schema) = pending.pop() {
        for name in references(&schema) {
            if read.insert(name.clone()) {
                pending.push(spec["components"]["schemas"][name.as_str()].clone());
            }
        }
    }
    for name in &read {
        text_characters(&mut spec["components"]["schemas"][name.as_str()]);
    }
    refuse_nul(&mut spec);
    spec["components"]["schemas"]["Problem"] = problem;
    every_operation_may_answer_400(&mut spec);
    complete_put_bodies(&mut spec);
    close_request_bodies(&mut spec);
    spec
}

/// Any request may be unreadable (an unknown query parameter, a NUL, a malformed
/// body): every operation documents the 400 it then gets.
fn every_operation_may_answer_400(spec: &mut Value) {
    let Some(paths) = spec["paths"].as_object_mut() else {
        return;
    };
    let bad_request = problem_responses(&["400"])["400"].take();
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, operation) in item.iter_mut() {
            if method == "parameters" {
                continue;
            }
            if let Some(responses) = operation["responses"].as_object_mut() {
                responses
                    .entry("400")
                    .or_insert_with(|| bad_request.clone());
            }
        }
    }
}

/// A `PUT` body is complete (`json::parse_json`: a field left out is a 422 naming it,
/// never a silent default): every property of a `PUT` body is required. A body schema
/// shared with a `POST` that may leave fields out is copied inline for the `PUT`.
fn complete_put_bodies(spec: &mut Value) {
    let schemas = spec["components"]["schemas"].clone();
    let Some(paths) = spec["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        let Some(schema) = item
            .get_mut("put")
            .and_then(|put| put.pointer_mut("/requestBody/content/application~1json/schema"))
        else {
            continue;
        };
        let mut complete = match schema["$ref"].as_str() {
            Some(reference) => {
                schemas[reference.trim_start_matches("#/components/schemas/")].clone()
            }
            None => schema.clone(),
        };
        let Some(properties) = complete["properties"].as_object() else {
            continue;
        };
        let all: Vec<Value> = properties.keys().cloned().map(Value::String).collect();
        let already = complete["required"].as_array().map_or(0, Vec::len);
        if already < all.len() {
            complete["required"] = Value::Array(all);
            *schema = complete;
        }
    }
}

/// Every request body is read with `deny_unknown_fields` (an unknown field is a 400
/// naming it): each body's top-level object schema says so.
fn close_request_bodies(spec: &mut Value) {
    let mut names = Vec::new();
    if let Some(paths) = spec["paths"].as_object_mut() {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut() {
                let Some(schema) =
                    operation.pointer_mut("/requestBody/content/application~1json/schema")
                else {
                    continue;
                };
                match schema["$ref"].as_str() {
                    Some(reference) => names.push(
                        reference
                            .trim_start_matches("#/components/schemas/")
                            .to_string(),
                    ),
                    None => close(schema),
                }
            }
        }
    }
    for name in names {
        close(&mut spec["components"]["schemas"][name.as_str()]);
    }
    fn close(schema: &mut Value) {
        if let Some(map) = schema.as_object_mut()
            && map.contains_key("properties")
            && !map.contains_key("additionalProperties")
        {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
}

/// Text in a body is read with `text::free_text` or stricter (a name, a code): no
/// control character but tab, line feed and carriage return. Every free string schema
/// of a body or a record says so with a pattern; a string that says more (a pattern of
/// its own, a format, a list of values: passwords, which take any character, have one)
/// is left as it is.
fn text_characters(value: &mut Value) {
    pattern_free_strings(value, &format!("^{TEXT_CHAR}*$"));
}

/// Gives `pattern` to every schema below `value` that admits any string: one without a
/// pattern, a format or a list of values of its own.
fn pattern_free_strings(value: &mut Value, pattern: &str) {
    match value {
        Value::Object(map) => {
            let free_string = takes_string(map)
                && !["pattern", "format", "enum", "const"]
                    .iter()
                    .any(|k| map.contains_key(*k));
            if free_string {
                map.insert("pattern".into(), json!(pattern));
            }
            map.values_mut()
                .for_each(|v| pattern_free_strings(v, pattern));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| pattern_free_strings(v, pattern)),
        _ => {}
    }
}

/// The names of the component schemas a schema refers to (`$ref`), at any depth.
fn references(schema: &Value) -> Vec<String> {
    let mut names = Vec::new();
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref")
                && let Some(name) = reference.strip_prefix("#/components/schemas/")
            {
                names.push(name.to_string());
            }
            map.values().for_each(|v| names.extend(references(v)));
        }
        Value::Array(items) => items.iter().for_each(|v| names.extend(references(v))),
        _ => {}
    }
    names
}

/// Whether a schema admits strings (`"string"`, or a list of types naming it).
fn takes_string(schema: &serde_json::Map<String, Value>) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// The server refuses a NUL character in any string of a request (`routes::nul_in_uri`,
/// `json::parse_json`): every free string schema says so, with a pattern (but `Problem`'s,
/// see [`spec`]). A string with a pattern, a format or a list of values says it already.
fn refuse_nul(value: &mut Value) {
    pattern_free_strings(value, "^[^\\x00]*$");
}

pub async fn document() -> Json<Value> {
    Json(spec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_describes_exactly_the_api_routes() {
        let spec = spec();
        let paths = spec["paths"].as_object().expect("paths");
        let mut described = Vec::new();
        for (path, item) in paths {
            for method in ["get", "post", "put", "delete", "patch"] {
                if item.get(method).is_some() {
                    described.push((method.to_uppercase(), path.clone()));
                }
            }
        }
        let mut routed: Vec<(String, String)> = crate::route_table()
            .into_iter()
            .filter(|(_, path, _)| path.starts_with("/api/"))
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .collect();
        described.sort();
        routed.sort();
        assert_eq!(described, routed);
    }

    #[test]
    fn no_area_redefines_a_schema_or_a_path() {
        let mut seen = std::collections::HashSet::new();
        let core = core_spec();
        let areas: Vec<Value> = crate::OPENAPI.iter().map(|part| part()).collect();
        let sections = std::iter::once((&core["components"]["schemas"], &core["paths"]))
            .chain(areas.iter().map(|a| (&a["schemas"], &a["paths"])));
        for (schemas, paths) in sections {
            for (kind, map) in [("schema", schemas), ("path", paths)] {
                for key in map.as_object().expect("an object").keys() {
                    assert!(
                        seen.insert(format!("{kind} {key}")),
                        "{kind} {key} defined twice"
                    );
                }
            }
        }
    }

    #[test]
    fn every_tag_has_its_place() {
        let spec = spec();
        for tag in spec["tags"].as_array().expect("tags") {
            assert!(tag_rank(tag) < TAG_ORDER.len(), "{tag} is not in TAG_ORDER");
        }
    }

    /// The whole document, pinned: a change of any schema, path or description shows
    /// in the diff of `openapi.json` (the crate's folder), reviewed like code. After an
    /// intended change, rewrite it with `SELDINGER_BLESS=1 cargo test -p seldinger-web
    /// openapi`.
    #[test]
    fn the_document_matches_its_snapshot() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
        let now = serde_json::to_string_pretty(&spec()).expect("the document serializes") + "\n";
        if std::env::var_os("SELDINGER_BLESS").is_some() {
            std::fs::write(&path, &now).expect("the snapshot is written");
            return;
        }
        let pinned = std::fs::read_to_string(&path).unwrap_or_default();
        if pinned != now {
            let line = pinned
                .lines()
                .zip(now.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| pinned.lines().count().min(now.lines().count()));
            panic!(
                "the OpenAPI document differs from {} from line {}: review the change, then \
                 rewrite the snapshot with SELDINGER_BLESS=1 cargo test -p seldinger-web openapi",
                path.display(),
                line + 1
            );
        }
    }

    #[test]
    fn every_reference_resolves() {
        let spec = spec();
        let text = spec.to_string();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap_or_default();
            assert!(
                spec["components"]["schemas"].get(name).is_some(),
                "dangling $ref {name}"
            );
        }
    }
}
