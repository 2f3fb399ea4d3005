//! Numbers as staff type them: a French decimal comma or an English point, a range that
//! says what is plausible, an error that names the field and the range.

use std::ops::RangeInclusive;

use serde::Deserialize;

use crate::invalid::{FieldError, Problem};

/// An optional decimal (`12.5`, `12,5`) within `range`; empty is `None`.
pub fn decimal(
    field: &str,
    raw: &str,
    range: RangeInclusive<f64>,
    expected: &'static str,
) -> Result<Option<f64>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let bad = || FieldError::new(field, Problem::BadFormat { expected });
    let value: f64 = raw.replace(',', ".").parse().map_err(|_| bad())?;
    if !value.is_finite() || !range.contains(&value) {
        return Err(bad());
    }
    Ok(Some(value))
}

/// An optional whole number within `range`; empty is `None`.
pub fn whole(
    field: &str,
    raw: &str,
    range: RangeInclusive<u32>,
    expected: &'static str,
) -> Result<Option<u32>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let bad = || FieldError::new(field, Problem::BadFormat { expected });
    let value: u32 = raw.parse().map_err(|_| bad())?;
    if !range.contains(&value) {
        return Err(bad());
    }
    Ok(Some(value))
}

/// The integer a JSON number names when it is written as a whole float (`4.0`, `3e1`;
/// JSON has one kind of number), within ±2^53 where a float is exact; `None` otherwise.
pub fn whole_float(n: &serde_json::Number) -> Option<i64> {
    let f = n.as_f64().filter(|_| n.is_f64())?;
    (f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0).then_some(f as i64)
}

/// Reads a JSON number or string into the text a form would have sent, so that one
/// input type serves forms and the API.
pub fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(serde_json::Number),
        Null,
    }
    Ok(match Raw::deserialize(d)? {
        Raw::Text(s) => s,
        // `4.0` is the integer 4 (JSON has one kind of number): written as such, so that a
        // whole-number field reads it.
        Raw::Number(n) => whole_float(&n).map_or_else(|| n.to_string(), |i| i.to_string()),
        Raw::Null => String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_points_and_ranges() {
        assert_eq!(decimal("dap", "12,5", 0.0..=100.0, "x"), Ok(Some(12.5)));
        assert_eq!(decimal("dap", " 3.25 ", 0.0..=100.0, "x"), Ok(Some(3.25)));
        assert_eq!(decimal("dap", "", 0.0..=100.0, "x"), Ok(None));
        let err = decimal("dap", "101", 0.0..=100.0, "from 0 to 100").unwrap_err();
        assert_eq!(err.field, "dap");
        assert!(decimal("dap", "NaN", 0.0..=100.0, "x").is_err());
        assert!(decimal("dap", "1e3", 0.0..=100.0, "x").is_err());
        assert_eq!(whole("cores", "4", 1..=30, "x"), Ok(Some(4)));
        assert!(whole("cores", "4.5", 1..=30, "x").is_err());
        assert!(whole("cores", "0", 1..=30, "x").is_err());
    }

    #[test]
    fn json_numbers_read_as_text() {
        #[derive(Deserialize)]
        struct T {
            #[serde(deserialize_with = "text_or_number")]
            v: String,
        }
        let t: T = serde_json::from_str(r#"{"v": 12.5}"#).unwrap();
        assert_eq!(t.v, "12.5");
        let t: T = serde_json::from_str(r#"{"v": "12,5"}"#).unwrap();
        assert_eq!(t.v, "12,5");
        let t: T = serde_json::from_str(r#"{"v": null}"#).unwrap();
        assert_eq!(t.v, "");
        // A whole number written as a float is the integer, for a whole-number field.
        let t: T = serde_json::from_str(r#"{"v": 4.0}"#).unwrap();
        assert_eq!(t.v, "4");
        assert_eq!(whole("cores", &t.v, 1..=30, "x"), Ok(Some(4)));
    }
}
