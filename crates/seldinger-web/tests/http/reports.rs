//! Procedure reports, addenda, specimens and pathology through HTTP.
