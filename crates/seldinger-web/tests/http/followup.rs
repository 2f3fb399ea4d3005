//! Adverse events, follow-up contacts, closing and reopening through HTTP.
