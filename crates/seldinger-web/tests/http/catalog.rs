//! The catalog, the checklist thresholds and the resources, through HTTP.
