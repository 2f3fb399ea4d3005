//! The figures beside their targets: a table per engine, and the same as JSON.

use std::path::Path;

use anyhow::Context;
use serde_json::{Value, json};

use crate::engine::EngineReport;
use crate::load::{LoadResult, percentile};
use crate::queries::Kind;
use crate::{SINGLE_REQUESTS, Settings, WARMUP_REQUESTS};

/// Search p99, in ms (SQLite).
const TARGET_P99_MS: f64 = 10.0;
/// Searches per second (SQLite).
const TARGET_THROUGHPUT: f64 = 3000.0;
const TARGET_READY_MS: f64 = 300.0;
const TARGET_IDLE_RSS_MB: f64 = 60.0;

pub struct Outcome {
    pub engine: &'static str,
    pub result: anyhow::Result<EngineReport>,
}

impl Outcome {
    pub fn new(engine: &'static str, result: anyhow::Result<EngineReport>) -> Self {
        Self { engine, result }
    }

    pub fn missed_targets(&self) -> usize {
        match &self.result {
            Ok(report) => rows(self.engine, report)
                .iter()
                .filter(|r| r.status == Status::Missed)
                .count(),
            Err(_) => 0,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Met,
    Missed,
    Info,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Met => "ok",
            Status::Missed => "MISSED",
            Status::Info => "",
        }
    }

    fn check(met: bool) -> Self {
        if met { Status::Met } else { Status::Missed }
    }
}

struct Row {
    metric: String,
    measured: String,
    target: String,
    status: Status,
}

fn row(metric: impl Into<String>, measured: String, target: &str, status: Status) -> Row {
    Row {
        metric: metric.into(),
        measured,
        target: target.to_string(),
        status,
    }
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// "1.83 cores, 7.96 ms CPU per request"
fn cores(cpu: Option<f64>, run: &LoadResult) -> String {
    cpu.map_or_else(
        || "-".into(),
        |s| {
            format!(
                "{:.2} cores, {:.2} ms/req",
                s / run.wall.as_secs_f64().max(f64::EPSILON),
                s * 1000.0 / run.requests.max(1) as f64
            )
        },
    )
}

/// "1.96 of 2 cores (0.10 outside server and bench)": what else ran during the load
/// (the database server for PostgreSQL, or unrelated work that skews the figures).
fn machine(run: &LoadResult) -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    match (run.machine_busy_cores, run.cpu_server, run.cpu_bench) {
        (Some(busy), Some(server), Some(bench)) => {
            let wall = run.wall.as_secs_f64().max(f64::EPSILON);
            let others = (busy - (server + bench) / wall).max(0.0);
            format!("{busy:.2} of {cpus} cores ({others:.2} other processes)")
        }
        _ => "-".into(),
    }
}

fn rows(engine: &str, r: &EngineReport) -> Vec<Row> {
    let sqlite = engine.starts_with("sqlite");
    let search_target = |target: &str, met: bool| {
        if sqlite {
            (target.to_string(), Status::check(met))
        } else {
            (format!("(SQLite: {target})"), Status::Info)
        }
    };
    let c = r.loaded.concurrency;
    let ms = |v: f64| format!("{v:.2} ms");
    let ready_ms = r.start_to_ready.as_secs_f64() * 1000.0;
    let (p99_target, p99_status) =
        search_target("<= 10 ms", r.loaded.percentile(0.99) <= TARGET_P99_MS);
    let (tp_target, tp_status) =
        search_target(">= 3000 req/s", r.loaded.throughput() >= TARGET_THROUGHPUT);
    let (p99_1_target, p99_1_status) =
        search_target("<= 10 ms", r.single.percentile(0.99) <= TARGET_P99_MS);
    let mut rows = vec![
        row(
            format!("load {} patients", r.patients),
            format!(
                "{:.2} s ({:.0}/s)",
                r.load_time.as_secs_f64(),
                r.patients as f64 / r.load_time.as_secs_f64().max(f64::EPSILON)
            ),
            "",
            Status::Info,
        ),
        row(
            "start-to-ready",
            format!("{ready_ms:.1} ms"),
            "<= 300 ms",
            Status::check(ready_ms <= TARGET_READY_MS),
        ),
        row(
            "idle RSS",
            format!("{:.1} MB", mb(r.idle_rss_kb)),
            "<= 60 MB",
            Status::check(mb(r.idle_rss_kb) <= TARGET_IDLE_RSS_MB),
        ),
        row(
            format!("search p50 (C={c})"),
            ms(r.loaded.percentile(0.50)),
            "",
            Status::Info,
        ),
        row(
            format!("search p90 (C={c})"),
            ms(r.loaded.percentile(0.90)),
            "",
            Status::Info,
        ),
        row(
            format!("search p99 (C={c})"),
            ms(r.loaded.percentile(0.99)),
            &p99_target,
            p99_status,
        ),
        row(
            format!("search max (C={c})"),
            ms(r.loaded.max()),
            "",
            Status::Info,
        ),
        row(
            format!("throughput (C={c})"),
            format!("{:.0} req/s", r.loaded.throughput()),
            &tp_target,
            tp_status,
        ),
        row(
            "errors",
            format!(
                "{} / {}",
                r.loaded.errors + r.single.errors,
                r.loaded.requests + r.single.requests
            ),
            "0",
            Status::check(r.loaded.errors + r.single.errors == 0),
        ),
        row(
            "RSS after load (peak)",
            format!(
                "{:.1} MB ({:.1} MB)",
                mb(r.rss_after_load_kb),
                mb(r.peak_rss_kb)
            ),
            "",
            Status::Info,
        ),
        row(
            "search p50 (C=1)",
            ms(r.single.percentile(0.50)),
            "",
            Status::Info,
        ),
        row(
            "search p99 (C=1)",
            ms(r.single.percentile(0.99)),
            &p99_1_target,
            p99_1_status,
        ),
        row(
            "throughput (C=1)",
            format!("{:.0} req/s", r.single.throughput()),
            "",
            Status::Info,
        ),
        row(
            format!("server CPU under load (C={c})"),
            cores(r.loaded.cpu_server, &r.loaded),
            "",
            Status::Info,
        ),
        row(
            format!("bench CPU under load (C={c})"),
            cores(r.loaded.cpu_bench, &r.loaded),
            "",
            Status::Info,
        ),
        row(
            format!("machine CPU busy under load (C={c})"),
            machine(&r.loaded),
            "",
            Status::Info,
        ),
        row(
            "server CPU (C=1)",
            cores(r.single.cpu_server, &r.single),
            "",
            Status::Info,
        ),
        row(
            "graceful shutdown (SIGTERM)",
            match (r.shutdown.exit_code, r.shutdown.killed) {
                (_, true) => "killed after 30 s".into(),
                (Some(code), false) => format!(
                    "exit {code} in {:.0} ms",
                    r.shutdown.took.as_secs_f64() * 1000.0
                ),
                (None, false) => "ended by a signal".into(),
            },
            "exit 0",
            Status::check(r.shutdown.exit_code == Some(0)),
        ),
    ];
    for (label, run) in &r.reference {
        rows.push(row(
            format!("ref {label} (C={})", run.concurrency),
            format!(
                "{:.0} req/s, p99 {:.2} ms, {:.2} ms CPU/req",
                run.throughput(),
                run.percentile(0.99),
                run.cpu_server.unwrap_or(f64::NAN) * 1000.0 / run.requests.max(1) as f64
            ),
            "",
            Status::Info,
        ));
    }
    if let Some((db, wal)) = r.db_files {
        rows.push(row(
            "database file (WAL) at end",
            format!("{:.1} MB ({:.1} MB)", mb(db / 1024), mb(wal / 1024)),
            "",
            Status::Info,
        ));
    }
    rows
}

pub fn print(outcome: &Outcome, settings: &Settings) {
    let title = if outcome.engine.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let which = outcome
        .engine
        .split_once(' ')
        .map_or(String::new(), |(_, which)| format!("{which} "));
    println!("\n=== {title}: patient search over HTTP {which}===");
    let report = match &outcome.result {
        Ok(report) => report,
        Err(e) => {
            println!("  not measured: {e:#}");
            return;
        }
    };
    let rows = rows(outcome.engine, report);
    let width = |f: fn(&Row) -> &str, title: &str| {
        rows.iter()
            .map(|r| f(r).chars().count())
            .chain([title.len()])
            .max()
            .unwrap_or(0)
    };
    let (w1, w2, w3) = (
        width(|r| &r.metric, "metric"),
        width(|r| &r.measured, "measured"),
        width(|r| &r.target, "target"),
    );
    println!(
        "  {:<w1$}  {:>w2$}  {:<w3$}  status",
        "metric", "measured", "target"
    );
    println!("  {}", "-".repeat(w1 + w2 + w3 + 12));
    for r in &rows {
        println!(
            "  {:<w1$}  {:>w2$}  {:<w3$}  {}",
            r.metric,
            r.measured,
            r.target,
            r.status.label()
        );
    }
    println!(
        "\n  by query kind (C={}, {} requests):",
        report.loaded.concurrency, settings.requests
    );
    println!(
        "  {:<14} {:>7} {:>9} {:>9} {:>9}",
        "kind", "count", "p50 ms", "p99 ms", "max ms"
    );
    for kind in Kind::ALL {
        let ms = report
            .loaded
            .by_kind_ms
            .get(kind.index())
            .map_or(&[][..], Vec::as_slice);
        println!(
            "  {:<14} {:>7} {:>9.2} {:>9.2} {:>9.2}",
            kind.label(),
            ms.len(),
            percentile(ms, 0.50),
            percentile(ms, 0.99),
            ms.last().copied().unwrap_or(f64::NAN)
        );
    }
    println!(
        "  (warm-up: {:.1} results per search on average, {:.1}% with none)",
        report.warmup.mean_items(),
        report.warmup.empty_share() * 100.0
    );
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn run_json(run: &LoadResult) -> Value {
    let by_kind: serde_json::Map<String, Value> = Kind::ALL
        .iter()
        .map(|kind| {
            let ms = run
                .by_kind_ms
                .get(kind.index())
                .map_or(&[][..], Vec::as_slice);
            (
                kind.label().to_string(),
                json!({
                    "count": ms.len(),
                    "p50_ms": round2(percentile(ms, 0.50)),
                    "p99_ms": round2(percentile(ms, 0.99)),
                    "max_ms": round2(ms.last().copied().unwrap_or(f64::NAN)),
                }),
            )
        })
        .collect();
    let per_wall = |cpu: Option<f64>| cpu.map(|s| round2(s / run.wall.as_secs_f64()));
    json!({
        "requests": run.requests,
        "concurrency": run.concurrency,
        "wall_s": round2(run.wall.as_secs_f64()),
        "p50_ms": round2(run.percentile(0.50)),
        "p90_ms": round2(run.percentile(0.90)),
        "p99_ms": round2(run.percentile(0.99)),
        "max_ms": round2(run.max()),
        "throughput_rps": round2(run.throughput()),
        "errors": run.errors,
        "first_error": run.first_error,
        "server_cpu_cores": per_wall(run.cpu_server),
        "server_cpu_ms_per_request": run
            .cpu_server
            .map(|s| round2(s * 1000.0 / run.requests.max(1) as f64)),
        "bench_cpu_cores": per_wall(run.cpu_bench),
        "machine_busy_cores": run.machine_busy_cores.map(round2),
        "by_kind": by_kind,
    })
}

fn engine_json(engine: &str, r: &EngineReport) -> Value {
    let targets: Vec<Value> = rows(engine, r)
        .into_iter()
        .filter(|row| row.status != Status::Info)
        .map(|row| {
            json!({
                "metric": row.metric,
                "measured": row.measured,
                "target": row.target,
                "met": row.status == Status::Met,
            })
        })
        .collect();
    json!({
        "patients": r.patients,
        "load_s": round2(r.load_time.as_secs_f64()),
        "start_to_ready_ms": round2(r.start_to_ready.as_secs_f64() * 1000.0),
        "idle_rss_mb": round2(mb(r.idle_rss_kb)),
        "rss_after_load_mb": round2(mb(r.rss_after_load_kb)),
        "peak_rss_mb": round2(mb(r.peak_rss_kb)),
        "load": run_json(&r.loaded),
        "single_connection": run_json(&r.single),
        "reference": r
            .reference
            .iter()
            .map(|(label, run)| (label.to_string(), run_json(run)))
            .collect::<serde_json::Map<_, _>>(),
        "warmup": {
            "requests": r.warmup.requests,
            "errors": r.warmup.errors,
            "mean_results": round2(r.warmup.mean_items()),
            "share_without_result": round2(r.warmup.empty_share()),
        },
        "query_mix": Kind::ALL
            .iter()
            .map(|k| (k.label().to_string(), json!(r.queries.count(*k))))
            .collect::<serde_json::Map<_, _>>(),
        "shutdown": {
            "exit_code": r.shutdown.exit_code,
            "took_ms": round2(r.shutdown.took.as_secs_f64() * 1000.0),
            "killed": r.shutdown.killed,
        },
        "sqlite_files_bytes": r.db_files.map(|(db, wal)| json!({ "db": db, "wal": wal })),
        "targets": targets,
    })
}

pub fn write_json(path: &Path, settings: &Settings, outcomes: &[Outcome]) -> anyhow::Result<()> {
    let engines: serde_json::Map<String, Value> = outcomes
        .iter()
        .map(|o| {
            let value = match &o.result {
                Ok(report) => engine_json(o.engine, report),
                Err(e) => json!({ "error": format!("{e:#}") }),
            };
            (o.engine.to_string(), value)
        })
        .collect();
    let generated_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .context("cannot format the date")?;
    let document = json!({
        "benchmark": "patient-search",
        "generated_at": generated_at,
        "cpus": std::thread::available_parallelism().map_or(0, usize::from),
        "load_average_at_end": crate::load_average(),
        "settings": {
            "patients": settings.patients,
            "requests": settings.requests,
            "concurrency": settings.concurrency,
            "warmup_requests": WARMUP_REQUESTS,
            "single_connection_requests": SINGLE_REQUESTS,
        },
        "targets": {
            "sqlite_search_p99_ms": TARGET_P99_MS,
            "sqlite_searches_per_s": TARGET_THROUGHPUT,
            "start_to_ready_ms": TARGET_READY_MS,
            "idle_rss_mb": TARGET_IDLE_RSS_MB,
        },
        "engines": engines,
    });
    let text = serde_json::to_string_pretty(&document).context("cannot write JSON")?;
    std::fs::write(path, text + "\n").with_context(|| format!("cannot write {}", path.display()))
}

/// A scenario's figures on one engine: printed, checked against their targets, and
/// written as JSON.
pub trait Figures {
    fn print(&self);
    /// The targets missed, each as a sentence.
    fn missed(&self) -> Vec<String>;
    fn json(&self) -> Value;
}

/// Prints each engine's figures (or why it could not be measured), writes them all to
/// `NAME.json` in the output directory; `false` when an engine failed or missed a target.
pub fn settle<R: Figures>(
    settings: &Settings,
    name: &str,
    results: &[(&str, anyhow::Result<R>)],
) -> anyhow::Result<bool> {
    let mut ok = true;
    let mut engines = Vec::new();
    for (engine, result) in results {
        match result {
            Ok(report) => {
                report.print();
                ok &= report.missed().is_empty();
                engines.push(report.json());
            }
            Err(e) => {
                println!("\n-- {engine} --\n  FAILED: {e:#}");
                ok = false;
                engines.push(json!({ "engine": engine, "error": format!("{e:#}") }));
            }
        }
    }
    let path = settings.out_dir.join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(&json!({
        "cpus": std::thread::available_parallelism().map_or(0, usize::from),
        "engines": engines,
    }))?;
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    println!("\nfigures written to {}", path.display());
    Ok(ok)
}
