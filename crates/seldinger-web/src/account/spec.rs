//! This area's part of the OpenAPI document.

use serde_json::{Value, json};

use crate::openapi::{body, items, ok, path_param, schema};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    json!({
        "tags": [
            { "name": "account", "description": "One's own account: API tokens and password, whatever the role." }
        ],
        "paths": {
            "/api/v1/me/tokens": {
                "get": { "tags": ["account"], "summary": "List my API tokens, live and revoked, newest first (never their secrets).", "operationId": "list_my_tokens", "responses": ok("200", "My tokens.", items("ApiToken"), &["401", "403"]) },
                "post": {
                    "tags": ["account"], "summary": "Create an API token for myself; its secret is in this answer only.", "operationId": "create_my_token",
                    "description": "Tokens are made by their owner (here, or on the account page) or on the server with `seldinger token create`; nobody makes one for someone else.",
                    "requestBody": body("TokenInput"),
                    "responses": ok("201", "The token and its secret (`token`, to send as `Authorization: Bearer …`).", schema("NewApiToken"), &["400", "401", "403", "415", "422"])
                }
            },
            "/api/v1/me/tokens/{id}": {
                "parameters": [path_param("id", "The token's id.")],
                "delete": { "tags": ["account"], "summary": "Revoke one of my API tokens (someone else's is not found here).", "operationId": "revoke_my_token", "responses": ok("200", "The revoked token.", schema("ApiToken"), &["401", "403", "404"]) }
            },
            "/api/v1/me/password": {
                "put": {
                    "tags": ["account"], "summary": "Change my password.", "operationId": "change_my_password",
                    "description": "The current password is required (422 `wrong_password` on `current_password`; attempts are limited like sign-ins, 429). Every session and API token of mine ends — the token of this call included; with a session cookie a new session is set (read its CSRF token from `GET /api/v1/me`). Open to a user whose password is temporary, who must call it before anything else.",
                    "requestBody": body("PasswordChange"),
                    "responses": ok("204", "Changed.", Value::Null, &["400", "401", "403", "409", "415", "422", "429"])
                }
            }
        },
        "schemas": {
            "ApiToken": {
                "type": "object", "required": ["id", "label", "created_at", "revoked_at", "active"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "label": { "type": ["string", "null"], "description": "What its owner calls it." },
                    "created_at": { "type": "string", "format": "date-time" }, "revoked_at": { "type": ["string", "null"], "format": "date-time" },
                    "active": { "type": "boolean", "description": "Not revoked (a disabled account's tokens open nothing either)." }
                }
            },
            "NewApiToken": {
                "allOf": [schema("ApiToken"), { "type": "object", "required": ["token"], "properties": {
                    "token": { "type": "string", "description": "The secret, shown in this answer only: send it as `Authorization: Bearer …`." } } }]
            },
            "TokenInput": {
                "type": "object", "additionalProperties": false,
                "properties": { "label": { "type": "string", "pattern": r"^(?=\s*(?:\S(?:[\s\S]{0,98}\S)?)?\s*$)\s*[^\x00-\x1f\x7f-\x9f]*\s*$", "description": "One line of at most 100 characters once trimmed; empty for none." } }
            },
            "PasswordChange": {
                "type": "object", "additionalProperties": false, "required": ["current_password", "new_password"],
                "properties": { "current_password": { "type": "string", "minLength": 1, "pattern": r"^[^\x00]*$" }, "new_password": { "type": "string", "minLength": 10, "maxLength": 256, "pattern": r"^[^\x00]*$" } }
            }
        }
    })
}
