//! Text rules shared by every part: how names are folded for search, and which
//! characters a person's name may hold.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::invalid::{FieldError, Problem};

/// Folds text for search: lower case, accents removed, ligatures expanded.
/// "Hélène Dupré-Lefèvre" → "helene dupre-lefevre"; "Œdipe" → "oedipe".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ı' => out.push('i'),
            '’' | 'ʼ' => out.push('\''),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The search tokens of a name: folded words, split at spaces, hyphens and apostrophes.
/// "Dupré-Lefèvre" → ["dupre", "lefevre"]; "N'Diaye" → ["n", "diaye", "ndiaye"].
pub fn name_tokens(name: &str) -> Vec<String> {
    let folded = fold(name);
    let mut tokens: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !t.is_empty() && !tokens.contains(&t) {
            tokens.push(t);
        }
    };
    for word in folded.split_whitespace() {
        for part in word.split(|c: char| !c.is_alphanumeric()) {
            push(part.to_string());
        }
        // "N'Diaye" is also typed "ndiaye", "Dupré-Lefèvre" also "duprelefevre".
        let joined: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
        push(joined);
    }
    tokens
}

/// The smallest string greater than every string that starts with `prefix`, for index
/// range scans (`token >= prefix AND token < upper`). `None` when there is none.
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.')
}

/// A person's family or given names: trimmed, 1–`max` characters, letters with spaces,
/// hyphens, apostrophes and full stops. Markup, digits and SQL punctuation are refused
/// with the offending characters named.
pub fn person_name(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let value = collapse_spaces(raw);
    if value.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    let count = value.chars().count();
    if count > max {
        return Err(FieldError::new(field, Problem::TooLong { max }));
    }
    let mut bad: Vec<char> = value.chars().filter(|c| !is_name_char(*c)).collect();
    bad.dedup();
    if !bad.is_empty() {
        let found: String = bad.into_iter().take(8).collect();
        return Err(FieldError::new(
            field,
            Problem::ForbiddenCharacters { found },
        ));
    }
    if !value.chars().any(char::is_alphabetic) {
        return Err(FieldError::new(
            field,
            Problem::BadFormat {
                expected: "at least one letter",
            },
        ));
    }
    Ok(value)
}

/// Optional free text (notes): trimmed, at most `max` characters, no control characters
/// but line breaks and tabs. Markup is allowed and always shown escaped.
pub fn free_text(field: &str, raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > max {
        return Err(FieldError::new(field, Problem::TooLong { max }));
    }
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            field,
            Problem::ForbiddenCharacters {
                found: format!("U+{:04X}", c as u32),
            },
        ));
    }
    Ok(Some(value.to_string()))
}

fn collapse_spaces(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_fold(input: &str, expected: &str) {
        assert_eq!(fold(input), expected);
    }

    #[test]
    fn folding_removes_accents_case_and_ligatures() {
        check_fold("Hélène", "helene");
        check_fold("Dupré-Lefèvre", "dupre-lefevre");
        check_fold("ŒUVRE", "oeuvre");
        check_fold("Çağlar Øster Łukasz", "caglar oster lukasz");
        check_fold("Straße", "strasse");
    }

    #[test]
    fn name_tokens_split_compound_names() {
        assert_eq!(
            name_tokens("Dupré-Lefèvre"),
            vec!["dupre", "lefevre", "duprelefevre"]
        );
        assert_eq!(name_tokens("N’Diaye"), vec!["n", "diaye", "ndiaye"]);
        assert_eq!(name_tokens("Marie Claire"), vec!["marie", "claire"]);
    }

    #[test]
    fn prefix_upper_bound_is_the_next_string() {
        assert_eq!(prefix_upper_bound("dup").as_deref(), Some("duq"));
        assert_eq!(prefix_upper_bound("az").as_deref(), Some("a{"));
        assert_eq!(prefix_upper_bound(""), None);
    }

    #[test]
    fn person_names_refuse_markup_and_sql() {
        assert!(person_name("family_name", "O'Brien", 100).is_ok());
        assert!(
            person_name("family_name", "  Dupré-Lefèvre ", 100).is_ok_and(|n| n == "Dupré-Lefèvre")
        );
        let err = person_name("family_name", "<script>alert(1)</script>", 100).unwrap_err();
        assert_eq!(err.field, "family_name");
        assert!(matches!(err.problem, Problem::ForbiddenCharacters { .. }));
        assert!(person_name("given_names", "Robert'); DROP TABLE patients;--", 100).is_err());
        assert_eq!(
            person_name("f", "   ", 100).unwrap_err().problem,
            Problem::Required
        );
        assert_eq!(
            person_name("f", &"a".repeat(101), 100).unwrap_err().problem,
            Problem::TooLong { max: 100 }
        );
    }
}
