//! MDT meetings, the checklist, the time-out and patient documents, through HTTP.
