//! The JSON machinery every area's API uses: reading a body ([`ApiJson`]) or a query
//! ([`ApiQuery`]) strictly, with any error naming its field; ids from paths
//! ([`parse_id`]); paging ([`PageParams`], [`page_limit`]); instants as RFC 3339
//! ([`rfc3339`]); 201 with its `Location` ([`created`]); and the reason given for
//! withdrawing a record, read the same by pages and API ([`withdrawal_reason`]).
//!
//! The API lives under `/api/v1`: authenticated by session cookie (with `X-CSRF-Token` on
//! writes) or bearer token; errors are `application/problem+json`
//! ([`crate::error::ApiError`]); described by [`crate::openapi`].

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seldinger_domain::FieldError;
use seldinger_domain::invalid::Problem;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{ApiError, AppError};

/// What an API handler answers: its value, or a problem document.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// A JSON body read strictly: `Content-Type: application/json`, and any error names the
/// field where it happened (`serde_path_to_error`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType.into());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest {
                detail: format!("unreadable body: {e}"),
                field: None,
            })?;
        parse_json(&bytes).map(ApiJson).map_err(ApiError)
    }
}

/// An instant as the API writes it: RFC 3339, UTC.
pub fn rfc3339(at: &OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The paging parameters of a list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// A list's `limit` (1–500, default 100), or the error naming the parameter.
pub fn page_limit(limit: Option<u64>) -> Result<u64, AppError> {
    within(
        "limit",
        limit.unwrap_or(100),
        1..=500,
        "a number from 1 to 500",
    )
}

/// `value` if `range` holds it, else the error naming `field` and what was expected.
fn within(
    field: &str,
    value: u64,
    range: std::ops::RangeInclusive<u64>,
    expected: &'static str,
) -> Result<u64, AppError> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(field, Problem::BadFormat { expected }).into())
    }
}

/// The largest offset of a list: far beyond any department's rows, and far from the
/// integer limits of the databases and of the arithmetic of paging.
pub const MAX_OFFSET: u64 = 1_000_000_000;

/// A list's `offset` (0 to [`MAX_OFFSET`], default 0), or the error naming the parameter.
pub fn page_offset(offset: Option<u64>) -> Result<u64, AppError> {
    within(
        "offset",
        offset.unwrap_or(0),
        0..=MAX_OFFSET,
        "a number from 0 to 1000000000",
    )
}

/// Reads a JSON body. A field the body lacks is a 422 naming it (`required`): bodies are
/// complete — a `PUT` never defaults what it was not sent, and a field that may be empty
/// is sent as `null` (see [`nullable`]). Anything else unreadable is a 400 naming where.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if let Some(field) = nul_in_json(bytes) {
        return Err(crate::error::nul_refused(field));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(de) {
        Ok(value) => Ok(value),
        // JSON has one kind of number: `30.0` is the integer 30 (JSON Schema says so, and
        // a JavaScript client may well write it). Only a body refused as it stands is read
        // a second time, with its whole numbers written as integers.
        Err(e) if e.inner().is_data() => match whole_numbers_as_integers(bytes) {
            Some(value) => serde_path_to_error::deserialize(value).map_err(unreadable),
            None => Err(unreadable(e)),
        },
        Err(e) => Err(unreadable(e)),
    }
}

/// The body as a JSON value whose whole-valued floats (`30.0`, `3e1`) are integers, if
/// it holds any (within ±2^53, where a float is exact).
fn whole_numbers_as_integers(bytes: &[u8]) -> Option<serde_json::Value> {
    use serde_json::Value;
    fn walk(value: &mut Value) -> bool {
        match value {
            Value::Number(n) => match seldinger_domain::number::whole_float(n) {
                Some(i) => {
                    *value = Value::from(i);
                    true
                }
                None => false,
            },
            // Every number is rewritten: no short circuit.
            Value::Array(items) => items.iter_mut().fold(false, |changed, v| walk(v) | changed),
            Value::Object(map) => map.values_mut().fold(false, |changed, v| walk(v) | changed),
            _ => false,
        }
    }
    let mut value: Value = serde_json::from_slice(bytes).ok()?;
    walk(&mut value).then_some(value)
}

/// A body serde could not read: a missing field is a 422 naming it, anything else a 400
/// naming where.
fn unreadable(e: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let path = e.path().to_string();
    let field = (path != ".").then(|| path.clone());
    let inner = e.into_inner();
    if let Some(missing) = missing_field(&inner) {
        let missing = missing.as_str();
        let pointer = match &field {
            Some(parent) => format!("{parent}.{missing}"),
            None => missing.to_string(),
        };
        return FieldError::new(pointer, Problem::Required).into();
    }
    let detail = match &field {
        Some(field) => format!("{field}: {inner}"),
        None => inner.to_string(),
    };
    AppError::BadRequest { detail, field }
}

/// Where a JSON body holds a NUL character (`\u0000`, the only way JSON can write one),
/// as a dotted path (`""` at the top). A body without one is only scanned, not parsed
/// twice.
fn nul_in_json(bytes: &[u8]) -> Option<String> {
    let escaped = bytes.windows(6).enumerate().any(|(i, w)| {
        // After an escaped backslash (`\\u0000`), it is the text `\u0000`, not a NUL.
        w == b"\\u0000" && bytes[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    });
    if !escaped {
        return None;
    }
    use serde_json::Value;
    fn walk(value: &Value, at: &str) -> Option<String> {
        let join = |key: &str| {
            if at.is_empty() {
                key.to_string()
            } else {
                format!("{at}.{key}")
            }
        };
        match value {
            Value::String(s) => s.contains('\0').then(|| at.to_string()),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &join(&i.to_string()))),
            Value::Object(map) => map.iter().find_map(|(k, v)| {
                if k.contains('\0') {
                    Some(join(k))
                } else {
                    walk(v, &join(k))
                }
            }),
            _ => None,
        }
    }
    // Unparsable: serde's own error will say where.
    let value: Value = serde_json::from_slice(bytes).ok()?;
    walk(&value, "")
}

/// The field named by serde's "missing field `x`" error, if that is the error. serde
/// reports a missing field only through its message (`serde::de::Error::missing_field`,
/// whose wording is stable); a test below pins it.
fn missing_field(e: &serde_json::Error) -> Option<String> {
    let message = e.to_string();
    let rest = message.strip_prefix("missing field `")?;
    Some(rest[..rest.find('`')?].to_string())
}

/// A field that must be sent but may be `null`: `#[serde(deserialize_with =
/// "crate::json::nullable")]` on an `Option` (without it, serde would take an absent
/// `Option` field for `null`, and a `PUT` would silently clear it).
pub fn nullable<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

/// Query parameters read strictly, with a problem+json answer on error.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let field = e.path().to_string();
                ApiError(AppError::BadRequest {
                    detail: format!("query parameter {field}: {}", e.into_inner()),
                    field: Some(field),
                })
            })
    }
}

/// An id from a path: anything that is not one names nothing, hence 404.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// 201 Created, with `Location` and the created record.
pub(crate) fn created<T: Serialize>(location: String, body: T) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(body),
    )
        .into_response()
}

/// Checks the reason given for withdrawing a record (a patient registered in error, a
/// cancelled booking): pages and API alike.
pub(crate) fn withdrawal_reason(raw: &str) -> Result<String, AppError> {
    seldinger_domain::text::free_text("reason", raw, 500)?
        .ok_or_else(|| FieldError::new("reason", Problem::Required).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        text: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[allow(dead_code)]
        version: i64,
        #[serde(deserialize_with = "nullable")]
        note: Option<String>,
        #[allow(dead_code)]
        inner: Inner,
    }

    fn invalid_field(raw: &str) -> Option<(String, Problem)> {
        match parse_json::<Body>(raw.as_bytes()) {
            Err(AppError::Invalid(invalid)) => {
                let e = invalid.0.first()?;
                Some((e.field.clone(), e.problem.clone()))
            }
            _ => None,
        }
    }

    #[test]
    fn a_missing_field_is_required_and_named_by_its_path() {
        assert_eq!(
            invalid_field(r#"{"note": null, "inner": {"text": ""}}"#),
            Some(("version".into(), Problem::Required))
        );
        assert_eq!(
            invalid_field(r#"{"version": 1, "note": "x", "inner": {}}"#),
            Some(("inner.text".into(), Problem::Required))
        );
        // A nullable field must still be sent…
        assert_eq!(
            invalid_field(r#"{"version": 1, "inner": {"text": ""}}"#),
            Some(("note".into(), Problem::Required))
        );
        // …and `null` is read as none.
        let body: Body = parse_json(br#"{"version": 1, "note": null, "inner": {"text": ""}}"#)
            .expect("complete");
        assert_eq!(body.note, None);
        // Anything else is a 400 naming where, as before.
        assert!(matches!(
            parse_json::<Body>(br#"{"version": "one", "note": null, "inner": {"text": ""}}"#),
            Err(AppError::BadRequest { field: Some(f), .. }) if f == "version"
        ));
    }

    #[test]
    fn a_whole_number_written_as_a_float_is_an_integer() {
        let body: Body = parse_json(br#"{"version": 7.0, "note": null, "inner": {"text": ""}}"#)
            .expect("7.0 is the integer 7");
        assert_eq!(body.version, 7);
        let body: Body = parse_json(br#"{"version": 3e1, "note": null, "inner": {"text": ""}}"#)
            .expect("3e1 is the integer 30");
        assert_eq!(body.version, 30);
        // A fraction is still no integer, and the error still names the field.
        assert!(matches!(
            parse_json::<Body>(br#"{"version": 7.5, "note": null, "inner": {"text": ""}}"#),
            Err(AppError::BadRequest { field: Some(f), .. }) if f == "version"
        ));
        // A whole float elsewhere does not hide a missing field.
        assert_eq!(
            invalid_field(r#"{"version": 1.0, "inner": {"text": ""}}"#),
            Some(("note".into(), Problem::Required))
        );
    }
}
