//! `--scenario follow-up`: the due and overdue follow-up worklists with `--open-follow-ups`
//! planned items in the database, and signing a report (signature, specimens and
//! follow-up planning in one transaction).
//!
//! For each engine: migrations and patients through the CLI; cases in follow-up written
//! straight into the tables, each with its day-7 call, day-30 call and post-procedure
//! consultation still planned, procedures spread over the last two months (so that
//! some items are due today and many overdue); 200 performed cases with a complete draft
//! report. Measured: `GET /api/v1/follow-ups?list=due|overdue&limit=100` and the page
//! `/worklists/follow-up` on the real server (server time from its JSON log), and
//! `Store::sign_report` in process. Figures go to `<target dir>/bench/follow-up.json`.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use seldinger_domain::CaseId;
use seldinger_domain::audit::Actor;
use seldinger_domain::case::CaseStatus;
use seldinger_domain::catalog::ProcedureFamily;
use seldinger_domain::report::{Report, ReportInput};
use seldinger_store::{Store, StoreOptions};
use time::{Duration as Days, OffsetDateTime};
use uuid::Uuid;

use crate::Settings;
use crate::engine::{self, Scratch};
use crate::pathway::{
    CASE_COLUMNS, CaseRows, Route, Timings, WORKLIST_P50_TARGET_MS, ZONE, insert, measure_routes,
    patient_ids, server_times,
};
use crate::server::Server;

/// Performed cases whose report is signed in the measure.
const SIGNED: usize = 200;

pub struct FollowUpReport {
    pub engine: &'static str,
    pub fixture_time: Duration,
    pub open_items: usize,
    pub sign: Timings,
    pub routes: Vec<Route>,
}

impl crate::report::Figures for FollowUpReport {
    fn missed(&self) -> Vec<String> {
        self.routes
            .iter()
            .filter(|r| r.server.p(0.5) > WORKLIST_P50_TARGET_MS)
            .map(|r| {
                format!(
                    "{}{} server p50 {:.2} ms > {WORKLIST_P50_TARGET_MS} ms",
                    r.path,
                    r.query,
                    r.server.p(0.5)
                )
            })
            .collect()
    }

    fn print(&self) {
        println!("\n-- {} --", self.engine);
        println!(
            "  fixture: {} open follow-up items in {:.2} s",
            self.open_items,
            self.fixture_time.as_secs_f64()
        );
        println!(
            "  signing a report (Store::sign_report: signature, specimens, follow-up plan): {}",
            self.sign.line()
        );
        for r in &self.routes {
            println!(
                "  GET {}{} ({}): server {} [target p50 ≤ {WORKLIST_P50_TARGET_MS} ms]; client round trip p50 {:.2} ms",
                r.path,
                r.query,
                r.size,
                r.server.line(),
                r.client.p(0.5)
            );
        }
        for miss in self.missed() {
            println!("  MISSED: {miss}");
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "engine": self.engine,
            "fixture_seconds": self.fixture_time.as_secs_f64(),
            "open_follow_ups": self.open_items,
            "sign_report": self.sign.json(),
            "routes": self.routes.iter().map(|r| serde_json::json!({
                "path": format!("{}{}", r.path, r.query),
                "server": r.server.json(),
                "client": r.client.json(),
                "size": r.size,
            })).collect::<Vec<_>>(),
            "missed": self.missed(),
        })
    }
}

/// Runs the scenario on the chosen engines; `Ok(false)` when one could not be measured
/// or missed a target.
pub async fn run(
    settings: &Settings,
    open_items: usize,
    sqlite: bool,
    postgres: Option<&str>,
) -> anyhow::Result<bool> {
    println!(
        "seldinger-bench follow-up: {open_items} open follow-up items, {} CPU(s), load average {}",
        std::thread::available_parallelism().map_or(0, usize::from),
        crate::load_average()
    );
    let mut results = Vec::new();
    if sqlite {
        let r = engine::on_sqlite(|s| bench(settings, open_items, s, "sqlite")).await;
        results.push(("sqlite", r));
    }
    if let Some(admin_url) = postgres {
        let r =
            engine::on_postgres(admin_url, |s| bench(settings, open_items, s, "postgres")).await;
        results.push(("postgres", r));
    }
    crate::report::settle(settings, "follow-up", &results)
}

async fn bench(
    settings: &Settings,
    open_items: usize,
    scratch: Scratch,
    engine: &'static str,
) -> anyhow::Result<FollowUpReport> {
    let minutes = |m: u64| Duration::from_secs(60 * m);
    let db = &scratch.args;
    engine::cli(settings, db, &["migrate"], None, minutes(5)).await?;
    let cases = open_items.div_ceil(3);
    let patients = (cases + SIGNED).to_string();
    engine::cli(
        settings,
        db,
        &["generate-patients", "--count", &patients],
        None,
        minutes(30),
    )
    .await?;
    let token = engine::bench_token(settings, db).await?;
    let zone = jiff::tz::TimeZone::get(ZONE).context("no time zone data for Europe/Paris")?;
    let mut options = StoreOptions::new(scratch.url.clone());
    options.zone = zone.clone();
    let store = Store::connect(&options)
        .await
        .context("cannot open the store")?;

    let started = Instant::now();
    let to_sign = fixture(&scratch.url, &store, cases, &zone).await?;
    let fixture_time = started.elapsed();
    println!(
        "  fixture: {cases} cases in follow-up ({} open items), {} drafts to sign, in {:.2} s",
        cases * 3,
        to_sign.len(),
        fixture_time.as_secs_f64()
    );

    let log = settings
        .out_dir
        .join(format!("seldinger-follow-up-{engine}.log"));
    let server = Server::start(
        settings,
        &db.0,
        &["--log-format", "json", "--timezone", ZONE],
        &log,
    )
    .await?;
    let routes = measure_routes(
        &server.base,
        &token,
        &[
            ("/api/v1/follow-ups", "?list=due&limit=100"),
            ("/api/v1/follow-ups", "?list=overdue&limit=100"),
            ("/worklists/follow-up", "?list=overdue"),
        ],
    )
    .await;
    let stopped = server.stop().await;
    let mut routes = routes?;
    stopped?;
    server_times(&mut routes, &log)?;

    let actor = Actor::system("bench");
    let mut sign = Timings::default();
    for case in to_sign {
        let started = Instant::now();
        store
            .sign_report(&actor, case, 1, OffsetDateTime::now_utc())
            .await
            .context("sign_report failed")?;
        sign.push(started);
    }
    store.close().await;
    Ok(FollowUpReport {
        engine,
        fixture_time,
        open_items: cases * 3,
        sign: sign.sorted(),
        routes,
    })
}

/// Cases in follow-up with three planned items each, and performed cases with a complete
/// draft report; returns the latter.
async fn fixture(
    url: &str,
    store: &Store,
    cases: usize,
    zone: &jiff::tz::TimeZone,
) -> anyhow::Result<Vec<CaseId>> {
    let types = store.list_procedure_types(false).await?;
    let biopsy = types
        .iter()
        .find(|t| t.definition.code.as_str() == "BIO-LUNG-CT")
        .context("no BIO-LUNG-CT in the catalog")?;
    let db = Database::connect(url)
        .await
        .context("cannot connect for the fixture")?;
    let patients = patient_ids(&db).await?;
    if patients.len() < cases + SIGNED {
        bail!("{} patients, {} needed", patients.len(), cases + SIGNED);
    }
    let now = OffsetDateTime::now_utc();
    let today = seldinger_domain::localtime::to_local(now, zone).date();
    let mut rng = StdRng::seed_from_u64(30);
    let mut rows = CaseRows::new(&patients, now);
    let mut items = Vec::new();
    for _ in 0..cases {
        let procedure = types.choose(&mut rng).context("no procedure type")?;
        let case = rows.add(&mut rng, CaseStatus::FollowUp, procedure)?;
        let performed = today - Days::days(rng.random_range(1..60));
        for (code, kind, due, end) in [
            ("d7", "contact", 7, 10),
            ("d30", "contact", 30, 37),
            ("consultation", "consultation", 30, 45),
        ] {
            items.push(vec![
                Uuid::now_v7().into(),
                case.into(),
                code.into(),
                kind.into(),
                (performed + Days::days(due)).into(),
                (performed + Days::days(end)).into(),
                "planned".into(),
                1i64.into(),
            ]);
        }
    }
    // Performed biopsies whose complete draft waits for its signature.
    let input = ReportInput {
        started_at: format!("{}T09:00", today - Days::days(1)),
        ended_at: format!("{}T09:45", today - Days::days(1)),
        operators: vec!["bench".into()],
        guidance: vec!["ct".into()],
        anesthesia: "local".into(),
        ct_dlp_mgycm: "420".into(),
        biopsy_needle_gauge: "18".into(),
        biopsy_cores: "3".into(),
        technical_success: "success".into(),
        conclusion: "Trois carottes.".into(),
        specimens: vec!["A".into(), "B".into(), "C".into()],
        ..ReportInput::default()
    };
    let report = Report::parse(&input, ProcedureFamily::Biopsy, zone, now)
        .map_err(|e| anyhow::anyhow!("the bench report is invalid: {e}"))?;
    let content = serde_json::to_string(&report)?;
    let mut reports = Vec::new();
    let mut to_sign = Vec::new();
    for _ in 0..SIGNED {
        let case = rows.add(&mut rng, CaseStatus::Performed, biopsy)?;
        reports.push(vec![
            Uuid::now_v7().into(),
            case.into(),
            content.clone().into(),
            1i64.into(),
            now.into(),
            now.into(),
        ]);
        to_sign.push(CaseId::from_uuid(case));
    }
    let txn = db.begin().await?;
    insert(&txn, "cases", &CASE_COLUMNS, rows.rows).await?;
    insert(
        &txn,
        "follow_ups",
        &[
            "id",
            "case_id",
            "code",
            "kind",
            "due_on",
            "window_end",
            "status",
            "version",
        ],
        items,
    )
    .await?;
    insert(
        &txn,
        "reports",
        &[
            "id",
            "case_id",
            "content",
            "version",
            "created_at",
            "updated_at",
        ],
        reports,
    )
    .await?;
    txn.commit().await?;
    // Statistics, and on PostgreSQL the visibility map that lets the worklist count read
    // the index alone: what autovacuum gives a table after a burst of inserts.
    let settle = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    db.execute_unprepared(settle).await?;
    db.close().await?;
    Ok(to_sign)
}
