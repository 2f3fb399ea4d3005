//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use seldinger_domain::access::Permission;

use crate::openapi::{body, derived, ok, schema, with_derived};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let part = json!({
        "tags": [
            { "name": "session", "description": "Signing in and out, the current user." }
        ],
        "paths": {
            "/api/v1/openapi.json": {
                "get": { "tags": ["session"], "summary": "This document.", "operationId": "openapi", "responses": ok("200", "The OpenAPI document.", json!({ "type": "object" }), &["401"]) }
            },
            "/api/v1/session": {
                "post": {
                    "tags": ["session"], "summary": "Sign in; sets the session cookie.", "operationId": "create_session", "security": [],
                    "requestBody": body("SignIn"),
                    "responses": ok("200", "Signed in; `csrf_token` is to be sent back in `X-CSRF-Token`.", schema("Me"), &["400", "401", "415", "422", "429", "503"])
                },
                "delete": { "tags": ["session"], "summary": "Sign out.", "operationId": "delete_session", "responses": ok("204", "Signed out.", Value::Null, &["401", "403"]) }
            },
            "/api/v1/me": {
                "get": { "tags": ["session"], "summary": "The signed-in user and their permissions.", "operationId": "get_me", "responses": ok("200", "The user.", schema("Me"), &["401"]) }
            },
            "/api/v1/me/language": {
                "put": { "tags": ["session"], "summary": "Choose the interface language.", "operationId": "set_my_language", "requestBody": body("Language"), "responses": ok("200", "The user.", schema("Me"), &["400", "401", "403", "415", "422"]) }
            }
        },
        "schemas": {
            "Me": {
                "allOf": [schema("User"), { "type": "object", "properties": {
                    "permissions": { "type": "array", "items": schema("Permission") },
                    "csrf_token": { "type": "string", "description": "With a cookie session: send it back in X-CSRF-Token on writes." } } }]
            },
            "SignIn": { "type": "object", "additionalProperties": false, "required": ["username", "password"], "properties": { "username": { "type": "string", "pattern": r"^[^\x00]*$" }, "password": { "type": "string", "pattern": r"^[^\x00]*$" } } },
            "Language": { "type": "object", "additionalProperties": false, "required": ["language"], "properties": { "language": { "enum": ["fr", "en"] } } }
        }
    });
    with_derived(part, [derived::<Permission>()])
}
