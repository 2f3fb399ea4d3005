//! `seldinger-bench`: measures Seldinger end to end against the real `seldinger` binary
//! (the one built next to this one), on SQLite and on PostgreSQL. Two scenarios:
//! `patient-search` (the default, below), `pathway` (booking checks and the worklist of
//! cases to schedule with a year of bookings: see `pathway.rs`) and `follow-up` (the
//! follow-up worklists with 50,000 open items and report signing: `followup.rs`).
//!
//! For each engine the patient-search scenario loads synthetic patients through the CLI (`generate-patients`, timed),
//! creates a scheduler account and an API token, starts `seldinger serve` as a child
//! process and measures:
//! - start-to-ready: from spawn to the first `GET /readyz` answering 200;
//! - idle RSS of the server, one second after it is ready;
//! - search latency (p50, p90, p99, max) and throughput of `GET /api/v1/patients?q=…`
//!   under `--concurrency` keep-alive connections, with a query mix drawn from the data
//!   (name prefixes, name pairs, birth dates, MRNs), plus the unloaded latency over a
//!   single connection;
//! - RSS after the load, the CPU used by the server and by the bench during the load;
//! - whether the server stops cleanly (exit 0) on SIGTERM.
//!
//! Figures are printed beside the targets and written as JSON to
//! `<target dir>/bench/patient-search.json` (`pathway.json`). Run it with `scripts/bench`.

mod engine;
mod followup;
mod load;
mod pathway;
mod queries;
mod report;
mod server;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};

/// Search requests sent before measuring, to warm caches, pools and connections.
pub const WARMUP_REQUESTS: usize = 500;
/// Requests of the single-connection (unloaded) latency run.
pub const SINGLE_REQUESTS: usize = 2000;

#[derive(Parser)]
#[command(
    name = "seldinger-bench",
    about = "Benchmark seldinger end to end against the real binary (run it with scripts/bench)"
)]
struct Cli {
    /// What to measure.
    #[arg(long, value_enum, default_value_t = Scenario::PatientSearch)]
    scenario: Scenario,
    /// Which engine to measure.
    #[arg(long, value_enum, default_value_t = EngineChoice::Both)]
    engine: EngineChoice,
    /// Synthetic patients to load before measuring.
    #[arg(long, default_value_t = 100_000)]
    patients: usize,
    /// Search requests of the loaded run.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Concurrent clients (tokio tasks sharing one keep-alive HTTP client).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Pathway: bookings in the database (six per room and working day, eight rooms).
    #[arg(long, default_value_t = 12_000)]
    bookings: usize,
    /// Pathway: open cases waiting to be scheduled.
    #[arg(long, default_value_t = 2_000)]
    to_schedule: usize,
    /// Pathway: booking checks measured.
    #[arg(long, default_value_t = 2_000)]
    checks: usize,
    /// Follow-up: planned follow-up items in the database (three per case).
    #[arg(long, default_value_t = 50_000)]
    open_follow_ups: usize,
    /// PostgreSQL server (on this machine) where a scratch database is created and dropped.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres_url: String,
    /// Patient search: also measure this other `seldinger` binary (an earlier commit's
    /// release build), in the same run, each engine the baseline first, and print the
    /// ratios: a change is judged beside what it replaces, on the same machine and load.
    #[arg(long)]
    baseline: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    PatientSearch,
    Pathway,
    FollowUp,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EngineChoice {
    Sqlite,
    Postgres,
    Both,
}

/// What every engine run needs to know.
pub struct Settings {
    pub seldinger: PathBuf,
    pub out_dir: PathBuf,
    pub patients: usize,
    pub requests: usize,
    pub concurrency: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the chosen engines; `Ok(false)` when one of them could not be measured.
async fn run(cli: Cli) -> anyhow::Result<bool> {
    if cli.patients == 0 || cli.requests == 0 {
        bail!("--patients and --requests must be at least 1");
    }
    if !(1..=512).contains(&cli.concurrency) {
        bail!("--concurrency must be from 1 to 512");
    }
    let exe = std::env::current_exe().context("cannot locate the bench executable")?;
    let seldinger = exe.with_file_name("seldinger");
    if !seldinger.is_file() {
        bail!(
            "{} not found: the bench drives the seldinger binary built next to it; \
             run scripts/bench (it builds both with `cargo build --release -p seldinger -p seldinger-bench`)",
            seldinger.display()
        );
    }
    // target/release/seldinger-bench → target/bench
    let target_dir = exe
        .parent()
        .and_then(|release| release.parent())
        .context("cannot find the target directory above the bench executable")?;
    let out_dir = target_dir.join("bench");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let settings = Settings {
        seldinger,
        out_dir,
        patients: cli.patients,
        requests: cli.requests,
        concurrency: cli.concurrency,
    };
    let sqlite = matches!(cli.engine, EngineChoice::Sqlite | EngineChoice::Both);
    let postgres = matches!(cli.engine, EngineChoice::Postgres | EngineChoice::Both)
        .then_some(cli.postgres_url.as_str());
    if cli.scenario == Scenario::FollowUp {
        if cli.open_follow_ups < 3 {
            bail!("--open-follow-ups must be at least 3");
        }
        return followup::run(&settings, cli.open_follow_ups, sqlite, postgres).await;
    }
    if cli.scenario == Scenario::Pathway {
        if cli.bookings == 0 || cli.to_schedule == 0 || cli.checks == 0 {
            bail!("--bookings, --to-schedule and --checks must be at least 1");
        }
        let sizes = pathway::Sizes {
            bookings: cli.bookings,
            to_schedule: cli.to_schedule,
            checks: cli.checks,
        };
        return pathway::run(&settings, &sizes, sqlite, postgres).await;
    }
    println!(
        "seldinger-bench: {} patients, {} requests at concurrency {}, {} CPU(s), load average {}, binary {}",
        settings.patients,
        settings.requests,
        settings.concurrency,
        std::thread::available_parallelism().map_or(0, usize::from),
        load_average(),
        settings.seldinger.display()
    );

    if let Some(baseline) = &cli.baseline {
        return compare(&settings, baseline, &cli).await;
    }
    let mut outcomes = Vec::new();
    if matches!(cli.engine, EngineChoice::Sqlite | EngineChoice::Both) {
        let result = engine::bench_sqlite(&settings).await;
        let interrupted = is_interrupted(&result);
        outcomes.push(report::Outcome::new("sqlite", result));
        if interrupted {
            return finish(&settings, &outcomes);
        }
    }
    if matches!(cli.engine, EngineChoice::Postgres | EngineChoice::Both) {
        let result = engine::bench_postgres(&settings, &cli.postgres_url).await;
        outcomes.push(report::Outcome::new("postgres", result));
    }
    finish(&settings, &outcomes)
}

/// Patient search with `baseline` and then the current binary on each engine, in one run.
async fn compare(
    settings: &Settings,
    baseline: &std::path::Path,
    cli: &Cli,
) -> anyhow::Result<bool> {
    if !baseline.is_file() {
        bail!("--baseline {}: no such binary", baseline.display());
    }
    println!(
        "seldinger-bench: patient search, baseline {} against {}; {} patients, {} requests at concurrency {}, {} CPU(s), load average {}",
        baseline.display(),
        settings.seldinger.display(),
        settings.patients,
        settings.requests,
        settings.concurrency,
        std::thread::available_parallelism().map_or(0, usize::from),
        load_average(),
    );
    let base = Settings {
        seldinger: baseline.to_path_buf(),
        out_dir: settings.out_dir.clone(),
        ..*settings
    };
    let mut outcomes = Vec::new();
    let mut pairs = Vec::new();
    let engines: &[&'static str] = match cli.engine {
        EngineChoice::Sqlite => &["sqlite"],
        EngineChoice::Postgres => &["postgres"],
        EngineChoice::Both => &["sqlite", "postgres"],
    };
    for engine in engines {
        let mut measured = Vec::new();
        for (label, which) in [("baseline", &base), ("current", settings)] {
            let result = if *engine == "sqlite" {
                engine::bench_sqlite(which).await
            } else {
                engine::bench_postgres(which, &cli.postgres_url).await
            };
            if let Ok(report) = &result {
                measured.push((
                    label,
                    report.loaded.throughput(),
                    report.loaded.clone(),
                    report.single.clone(),
                ));
            }
            let interrupted = is_interrupted(&result);
            let name = match (*engine, label) {
                ("sqlite", "baseline") => "sqlite (baseline)",
                ("sqlite", _) => "sqlite (current)",
                (_, "baseline") => "postgres (baseline)",
                _ => "postgres (current)",
            };
            outcomes.push(report::Outcome::new(name, result));
            if interrupted {
                return finish(settings, &outcomes);
            }
        }
        pairs.push((*engine, measured));
    }
    let done = finish(settings, &outcomes)?;
    println!("\nbaseline against current (same run, baseline measured first on each engine):");
    for (engine, measured) in &pairs {
        for (label, throughput, loaded, single) in measured {
            println!(
                "  {engine:<8} {label:<8} {throughput:>7.0} searches/s, p50 {:>6.2} ms, p99 {:>6.2} ms at {}; one connection p50 {:>5.2} ms, p99 {:>5.2} ms",
                loaded.percentile(0.50),
                loaded.percentile(0.99),
                settings.concurrency,
                single.percentile(0.50),
                single.percentile(0.99),
            );
        }
        if let [(_, base_tp, base_loaded, _), (_, cur_tp, cur_loaded, _)] = measured.as_slice() {
            println!(
                "  {engine:<8} current/baseline: throughput ×{:.2}, p99 ×{:.2}",
                cur_tp / base_tp,
                cur_loaded.percentile(0.99) / base_loaded.percentile(0.99),
            );
        }
    }
    Ok(done)
}

/// The 1-minute load average: other work on the machine skews every figure.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn is_interrupted<T>(result: &anyhow::Result<T>) -> bool {
    result
        .as_ref()
        .err()
        .is_some_and(|e| e.is::<engine::Interrupted>())
}

fn finish(settings: &Settings, outcomes: &[report::Outcome]) -> anyhow::Result<bool> {
    for outcome in outcomes {
        report::print(outcome, settings);
    }
    let path = settings.out_dir.join("patient-search.json");
    report::write_json(&path, settings, outcomes)?;
    println!("\nfigures written to {}", path.display());
    let missed: usize = outcomes.iter().map(report::Outcome::missed_targets).sum();
    if missed > 0 {
        println!("{missed} target(s) missed (see MISSED above)");
    }
    Ok(outcomes.iter().all(|o| o.result.is_ok()))
}
