//! The pre-procedure checklist (placeholder, being written).
