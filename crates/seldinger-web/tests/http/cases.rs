//! Referrals, cases, consultations and worklists, through HTTP.
