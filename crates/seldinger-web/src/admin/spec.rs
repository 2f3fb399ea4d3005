//! This area's part of the OpenAPI document.

use seldinger_domain::audit::AuditAction;
use serde_json::{Value, json};

use crate::openapi::{
    body, day_or_default, int_range, items, ok, path_param, query_param, schema, uuid,
};

/// `tags`, `paths` and `schemas`, merged into the document by `openapi::spec`.
pub(super) fn openapi() -> Value {
    let username = path_param("username", "The account's username.");
    json!({
        "tags": [
            { "name": "users", "description": "Accounts and everyone's API tokens (administrators)." },
            { "name": "audit", "description": "The append-only audit log." }
        ],
        "paths": {
            "/api/v1/users": {
                "get": { "tags": ["users"], "summary": "List accounts.", "operationId": "list_users", "responses": ok("200", "Accounts by username.", items("User"), &["401", "403"]) },
                "post": { "tags": ["users"], "summary": "Create an account.", "operationId": "create_user", "requestBody": body("UserInput"), "responses": ok("201", "Created.", schema("User"), &["400", "401", "403", "415", "422"]) }
            },
            "/api/v1/users/{username}/disable": {
                "parameters": [username.clone()],
                "post": {
                    "tags": ["users"], "summary": "Disable an account; its sessions and tokens stop working.", "operationId": "disable_user",
                    "description": "Refused (409) for one's own account (`code` `own_account`) and for the last active administrator (`last_admin`): nothing changes.",
                    "responses": ok("200", "The disabled account.", schema("User"), &["401", "403", "404", "409"])
                }
            },
            "/api/v1/users/{username}/enable": {
                "parameters": [username.clone()],
                "post": { "tags": ["users"], "summary": "Enable a disabled account: it signs in again with its password (its former sessions and tokens stay ended).", "operationId": "enable_user", "responses": ok("200", "The account.", schema("User"), &["401", "403", "404"]) }
            },
            "/api/v1/users/{username}/password-reset": {
                "parameters": [username.clone()],
                "post": {
                    "tags": ["users"], "summary": "Reset a password to a temporary one, shown in this answer only.", "operationId": "reset_password",
                    "description": "Every session and API token of the account ends. The user signs in with the temporary password and must choose their own before anything else (`must_change_password`; other calls answer 403 `password_change_required`).",
                    "responses": ok("200", "The temporary password.", schema("TemporaryPassword"), &["401", "403", "404"])
                }
            },
            "/api/v1/users/{username}/tokens": {
                "parameters": [username],
                "get": { "tags": ["users"], "summary": "List an account's API tokens, live and revoked (never their secrets).", "operationId": "list_user_tokens", "responses": ok("200", "The tokens, newest first.", items("ApiToken"), &["401", "403", "404"]) },
                "post": {
                    "tags": ["users"], "summary": "Create an API token for oneself only.", "operationId": "create_token",
                    "description": "Refused (403, `code` `token_owner_only`) unless `username` is the caller: a token is made by its owner (`POST /api/v1/me/tokens`, the account page) or on the server with `seldinger token create`, never for someone else.",
                    "responses": ok("201", "The caller's token and its secret, shown in this answer only.", schema("NewApiToken"), &["401", "403"])
                }
            },
            "/api/v1/tokens/{id}": {
                "parameters": [path_param("id", "The token's id.")],
                "delete": { "tags": ["users"], "summary": "Revoke anyone's API token.", "operationId": "revoke_token", "responses": ok("200", "The revoked token.", schema("ApiToken"), &["401", "403", "404"]) }
            },
            "/api/v1/emergency-accesses": {
                "get": {
                    "tags": ["audit"], "summary": "Emergency accesses opened since a day, newest first: who opened which record, why, until when.", "operationId": "emergency_accesses",
                    "parameters": [
                        query_param("since", "First day (YYYY-MM-DD); 30 days back by default.", day_or_default()),
                        query_param("limit", "At most this many (1–500, default 200).", int_range(1, 500))
                    ],
                    "responses": ok("200", "The accesses.", items("EmergencyAccess"), &["400", "401", "403", "422", "503"])
                }
            },
            "/api/v1/audit": {
                "get": {
                    "tags": ["audit"], "summary": "Read the audit log, newest first.", "operationId": "list_audit",
                    "description": "With `patient`, the entries that exposed or changed that patient's data — who saw or changed this patient, when, from where, through what — in one indexed read.",
                    "parameters": [
                        query_param("patient", "A patient's id (UUID): the entries naming that patient.", json!({ "anyOf": [uuid(), { "type": "string", "pattern": r"^\s*$" }] })),
                        query_param("object", "`type/id`, e.g. `patient/0192…`.", json!({ "type": "string", "pattern": r"^\s*(?:[A-Za-z0-9._-]{1,64}/[A-Za-z0-9._-]{1,64})?\s*$" })),
                        query_param("username", "Who acted.", json!({ "type": "string" })),
                        query_param("action", "e.g. `patient.read`.", json!({ "enum": std::iter::once("").chain(AuditAction::ALL.iter().map(|a| a.code())).collect::<Vec<_>>() })),
                        query_param("since", "First day (YYYY-MM-DD).", day_or_default()),
                        query_param("until", "Last day (YYYY-MM-DD).", day_or_default()),
                        query_param("before", "Entries with an id below this (paging).", json!({ "type": "integer", "minimum": i64::MIN, "maximum": i64::MAX })),
                        query_param("limit", "At most this many (1–1000, default 100).", int_range(1, 1000))
                    ],
                    "responses": ok("200", "Entries.", items("AuditEntry"), &["400", "401", "403", "422"])
                }
            }
        },
        "schemas": {
            "EmergencyAccess": {
                "type": "object", "required": ["id", "username", "patient_id", "reason", "granted_at", "expires_at"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "username": { "type": "string" },
                    "patient_id": { "type": "string", "format": "uuid" }, "reason": { "type": "string" },
                    "granted_at": { "type": "string", "format": "date-time" }, "expires_at": { "type": "string", "format": "date-time" }
                }
            },
            "User": {
                "type": "object", "required": ["id", "username", "full_name", "role", "language", "active", "must_change_password", "created_at"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" }, "username": { "type": "string" }, "full_name": { "type": "string" },
                    "role": schema("Role"), "language": { "enum": ["fr", "en"] }, "active": { "type": "boolean" },
                    "must_change_password": { "type": "boolean", "description": "The password is a temporary one an administrator set: to be replaced before anything else." },
                    "created_at": { "type": "string", "format": "date-time" }
                }
            },
            "Role": { "enum": ["interventional_radiologist", "referring_physician", "anesthetist", "radiographer", "nurse", "scheduler", "pathologist", "study_coordinator", "quality_officer", "admin"] },
            "UserInput": {
                "type": "object", "additionalProperties": false, "required": ["username", "full_name", "role", "password"],
                "properties": {
                    "username": { "type": "string", "pattern": "^[a-z0-9._-]{2,64}$" }, "full_name": { "type": "string", "pattern": r"^(?=\s*\S(?:[\s\S]{0,118}\S)?\s*$)\s*[^\x00-\x1f\x7f-\x9f]*\s*$", "description": "One line, 1 to 120 characters once trimmed." },
                    "role": schema("Role"), "language": { "enum": ["fr", "en"] }, "password": { "type": "string", "minLength": 10, "maxLength": 256, "pattern": r"^[^\x00]*$" }
                }
            },
            "TemporaryPassword": { "type": "object", "required": ["username", "temporary_password"], "properties": { "username": { "type": "string" }, "temporary_password": { "type": "string", "description": "Four groups of four symbols (80 bits); shown in this answer only." } } },
            "AuditEntry": {
                "type": "object", "required": ["id", "at", "username", "action"],
                "properties": {
                    "id": { "type": "integer" }, "at": { "type": "string", "format": "date-time" }, "username": { "type": "string" },
                    "role": { "type": ["string", "null"] }, "action": { "type": "string" }, "object": { "type": ["string", "null"], "description": "type/id" },
                    "patients": { "type": "array", "items": { "type": "string", "format": "uuid" }, "description": "The patients whose data the entry exposed or changed." },
                    "via": { "type": ["string", "null"], "description": "The route template (or command) the action came through." },
                    "client_addr": { "type": ["string", "null"] }, "detail": { "type": ["string", "null"] }
                }
            }
        }
    })
}
