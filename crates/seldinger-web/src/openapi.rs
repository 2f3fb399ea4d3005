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

pub(crate) fn query_param(name: &str, description: &str, kind: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": { "type": kind } })
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
    refuse_nul(&mut spec);
    spec["components"]["schemas"]["Problem"] = problem;
    spec
}

/// The server refuses a NUL character in any string of a request (`routes::nul_in_uri`,
/// `json::parse_json`): every free string schema says so, with a pattern (but `Problem`'s,
/// see [`spec`]). A string with a pattern, a format or a list of values says it already.
fn refuse_nul(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let free_string = map.get("type") == Some(&json!("string"))
                && !["pattern", "format", "enum", "const"]
                    .iter()
                    .any(|k| map.contains_key(*k));
            if free_string {
                map.insert("pattern".into(), json!("^[^\\x00]*$"));
            }
            map.values_mut().for_each(refuse_nul);
        }
        Value::Array(items) => items.iter_mut().for_each(refuse_nul),
        _ => {}
    }
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
