//! The web layer through its public surface: real HTTP on port 0, a fresh database per
//! test (SQLite, or PostgreSQL when `SELDINGER_TEST_DATABASE` names one), and a manual
//! clock so that time-dependent behaviour is tested without sleeping.

mod accounts;
mod audit;
mod availability;
mod booking;
mod cases;
mod catalog;
mod complete;
mod followup;
mod foundation;
mod mdt;
mod nul;
mod reports;
mod support;
