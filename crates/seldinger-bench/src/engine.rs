//! One engine, start to end: a scratch database, the data, an account and a token
//! through the CLI, then the server and the measurements.

use std::ffi::OsString;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use sea_orm::{ConnectOptions, ConnectionTrait, Database};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::load::{self, LoadResult};
use crate::queries;
use crate::server::{self, Server, ShutdownReport};
use crate::{SINGLE_REQUESTS, Settings, WARMUP_REQUESTS};

/// Requests of each reference run.
const REFERENCE_REQUESTS: usize = 5000;
/// Routes loaded like the search, for comparison: no database at all, then only the
/// token check (one indexed read).
const REFERENCE_ROUTES: &[(&str, &str)] = &[
    ("/healthz, no database", "/healthz"),
    ("/api/v1/me, token check", "/api/v1/me"),
];

/// The run was stopped by a signal (scratch data is still cleaned up).
#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted (Ctrl-C, SIGTERM or SIGHUP)")
    }
}

impl std::error::Error for Interrupted {}

/// Everything measured on one engine.
pub struct EngineReport {
    pub patients: usize,
    pub load_time: Duration,
    pub start_to_ready: Duration,
    pub idle_rss_kb: u64,
    pub queries: queries::Mix,
    pub warmup: LoadResult,
    pub loaded: LoadResult,
    pub rss_after_load_kb: u64,
    pub peak_rss_kb: u64,
    pub single: LoadResult,
    /// The same load on routes that do less than a search: what the HTTP stack, the
    /// bench and the token check cost by themselves on this machine.
    pub reference: Vec<(&'static str, LoadResult)>,
    pub shutdown: ShutdownReport,
    /// SQLite only: bytes of the database file and of its WAL at the end.
    pub db_files: Option<(u64, u64)>,
}

/// How the CLI reaches the database: `--data-dir DIR` or `--database URL`.
pub struct DbArgs(pub Vec<OsString>);

/// Runs `fut`, or stops it (dropping it, which kills child processes) on Ctrl-C or
/// SIGTERM, so that the caller can still remove its scratch data.
async fn interruptible<T>(fut: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    let mut hangup = signal(SignalKind::hangup()).context("cannot watch SIGHUP")?;
    tokio::select! {
        result = fut => result,
        _ = tokio::signal::ctrl_c() => Err(anyhow!(Interrupted)),
        _ = terminate.recv() => Err(anyhow!(Interrupted)),
        _ = hangup.recv() => Err(anyhow!(Interrupted)),
    }
}

/// A scratch database for one run: how the CLI and the server reach it, its URL for an
/// in-process store, and its directory (SQLite).
pub struct Scratch {
    pub args: DbArgs,
    pub url: String,
    pub dir: Option<std::path::PathBuf>,
}

/// Runs `run` on a fresh SQLite database in a temporary directory, removed afterwards.
pub async fn on_sqlite<T, Fut>(run: impl FnOnce(Scratch) -> Fut) -> anyhow::Result<T>
where
    Fut: Future<Output = anyhow::Result<T>>,
{
    println!("\n== SQLite ==");
    let dir = tempfile::Builder::new()
        .prefix("seldinger-bench-")
        .tempdir()
        .context("cannot create a temporary data directory")?;
    println!("  data dir {}", dir.path().display());
    let scratch = Scratch {
        args: DbArgs(vec!["--data-dir".into(), dir.path().into()]),
        url: format!("sqlite://{}", dir.path().join("seldinger.db").display()),
        dir: Some(dir.path().to_path_buf()),
    };
    interruptible(run(scratch)).await
}

/// Runs `run` on a scratch PostgreSQL database created beside `admin_url`'s and dropped
/// afterwards, whatever happened.
pub async fn on_postgres<T, Fut>(
    admin_url: &str,
    run: impl FnOnce(Scratch) -> Fut,
) -> anyhow::Result<T>
where
    Fut: Future<Output = anyhow::Result<T>>,
{
    println!("\n== PostgreSQL ==");
    let name = format!("seldinger_bench_{:016x}", rand::random::<u64>());
    let url = database_url(admin_url, &name)?;
    let mut options = ConnectOptions::new(admin_url.to_string());
    options
        .max_connections(1)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(true)
        .sqlx_logging(false);
    let admin = Database::connect(options)
        .await
        .with_context(|| format!("cannot connect to {admin_url}"))?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .with_context(|| format!("cannot create the database {name}"))?;
    println!("  scratch database {name}");
    let scratch = Scratch {
        args: DbArgs(vec!["--database".into(), url.clone().into()]),
        url,
        dir: None,
    };
    let result = interruptible(run(scratch)).await;
    // Dropped whatever happened above; FORCE ends the connections a killed server left.
    let dropped = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await;
    let _ = admin.close().await;
    match (result, dropped) {
        (Ok(report), Ok(_)) => {
            println!("  dropped {name}");
            Ok(report)
        }
        (Ok(_), Err(e)) => Err(e).with_context(|| format!("cannot drop the database {name}")),
        (Err(e), Ok(_)) => {
            println!("  dropped {name}");
            Err(e)
        }
        (Err(e), Err(drop)) => Err(e.context(format!(
            "and the database {name} could not be dropped: {drop}"
        ))),
    }
}

pub async fn bench_sqlite(settings: &Settings) -> anyhow::Result<EngineReport> {
    on_sqlite(|scratch| async move {
        let mut report = bench_engine(settings, &scratch.args, "sqlite").await?;
        let dir = scratch.dir.unwrap_or_default();
        let size = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
        report.db_files = Some((size("seldinger.db"), size("seldinger.db-wal")));
        Ok(report)
    })
    .await
}

pub async fn bench_postgres(settings: &Settings, admin_url: &str) -> anyhow::Result<EngineReport> {
    on_postgres(admin_url, |scratch| async move {
        bench_engine(settings, &scratch.args, "postgres").await
    })
    .await
}

/// `postgres://user@host:port/db?opts` with its database replaced by `name`. Only a
/// server on this machine is accepted: the bench sends no traffic elsewhere.
fn database_url(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let rest = admin_url
        .strip_prefix("postgres://")
        .or_else(|| admin_url.strip_prefix("postgresql://"))
        .context("--postgres-url must start with postgres://")?;
    let scheme = &admin_url[..admin_url.len() - rest.len()];
    let (authority, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let options = tail.split_once('?').map(|(_, q)| q);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    if !matches!(host, "127.0.0.1" | "localhost" | "::1") {
        bail!("--postgres-url must point to this machine (127.0.0.1), not {host:?}");
    }
    Ok(match options {
        Some(q) => format!("{scheme}{authority}/{name}?{q}"),
        None => format!("{scheme}{authority}/{name}"),
    })
}

async fn bench_engine(
    settings: &Settings,
    db: &DbArgs,
    engine: &str,
) -> anyhow::Result<EngineReport> {
    let minutes = |m: u64| Duration::from_secs(60 * m);
    cli(settings, db, &["migrate"], None, minutes(5)).await?;

    let count = settings.patients.to_string();
    let started = Instant::now();
    cli(
        settings,
        db,
        &["generate-patients", "--count", &count],
        None,
        minutes(60),
    )
    .await?;
    let load_time = started.elapsed();
    println!(
        "  loaded {} patients in {:.2} s ({:.0} patients/s)",
        settings.patients,
        load_time.as_secs_f64(),
        settings.patients as f64 / load_time.as_secs_f64()
    );

    let token = bench_token(settings, db).await?;

    let log = settings.out_dir.join(format!("seldinger-{engine}.log"));
    let server = Server::start(settings, &db.0, &[], &log).await?;
    let result = measure(settings, &server, &token).await;
    // Stop the server whatever happened; a failed stop still reports the measure error first.
    let shutdown = server.stop().await;
    let mut report = result?;
    report.shutdown = shutdown?;
    report.load_time = load_time;
    println!(
        "  SIGTERM: exited {} in {:.0} ms",
        report
            .shutdown
            .exit_code
            .map_or_else(|| "by signal / killed".to_string(), |c| c.to_string()),
        report.shutdown.took.as_secs_f64() * 1000.0
    );
    println!("  server log {}", log.display());
    Ok(report)
}

async fn measure(
    settings: &Settings,
    server: &Server,
    token: &str,
) -> anyhow::Result<EngineReport> {
    println!(
        "  server pid {} on {} ready in {:.1} ms",
        server.pid,
        server.base,
        server.start_to_ready.as_secs_f64() * 1000.0
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss_kb = server::vm_kb(server.pid, "VmRSS")?;

    let client = load::client(token, settings.concurrency)?;
    let samples = queries::recent_patients(&client, &server.base).await?;
    let mix = queries::build(&samples, 2026);
    let urls = Arc::new(queries::urls(&server.base, &mix.queries)?);
    println!(
        "  query mix: {} queries from {} recent patients ({})",
        mix.queries.len(),
        samples.len(),
        mix.describe()
    );

    let warmup = load::run(&client, &urls, WARMUP_REQUESTS, settings.concurrency, true).await?;
    println!(
        "  warm-up: {} requests, {} errors, {:.1} results per search on average, {:.1}% with none",
        warmup.requests,
        warmup.errors,
        warmup.mean_items(),
        warmup.empty_share() * 100.0
    );

    let loaded = accounted(
        server.pid,
        load::run(
            &client,
            &urls,
            settings.requests,
            settings.concurrency,
            false,
        ),
    )
    .await?;
    let rss_after_load_kb = server::vm_kb(server.pid, "VmRSS")?;
    let peak_rss_kb = server::vm_kb(server.pid, "VmHWM")?;
    println!(
        "  load: {} requests at concurrency {} in {:.2} s, {} errors",
        loaded.requests,
        loaded.concurrency,
        loaded.wall.as_secs_f64(),
        loaded.errors
    );
    if let Some(e) = &loaded.first_error {
        println!("  first error: {e}");
    }

    let single_client = load::client(token, 1)?;
    let single = accounted(
        server.pid,
        load::run(&single_client, &urls, SINGLE_REQUESTS, 1, false),
    )
    .await?;
    println!(
        "  single connection: {} requests in {:.2} s, {} errors",
        single.requests,
        single.wall.as_secs_f64(),
        single.errors
    );

    let mut reference = Vec::new();
    for (label, path) in REFERENCE_ROUTES {
        let url = reqwest::Url::parse(&format!("{}{path}", server.base))
            .with_context(|| format!("bad URL for {path}"))?;
        let targets = Arc::new(vec![(None, url)]);
        let run = accounted(
            server.pid,
            load::run(
                &client,
                &targets,
                REFERENCE_REQUESTS,
                settings.concurrency,
                false,
            ),
        )
        .await?;
        println!(
            "  reference {label}: {:.0} req/s, p99 {:.2} ms, {} errors",
            run.throughput(),
            run.percentile(0.99),
            run.errors
        );
        reference.push((*label, run));
    }

    Ok(EngineReport {
        patients: settings.patients,
        load_time: Duration::ZERO, // set by the caller, which timed the load
        start_to_ready: server.start_to_ready,
        idle_rss_kb,
        queries: mix,
        warmup,
        loaded,
        rss_after_load_kb,
        peak_rss_kb,
        single,
        reference,
        shutdown: ShutdownReport::default(),
        db_files: None,
    })
}

/// Runs a load and notes the CPU used meanwhile by the server, the bench and the machine.
async fn accounted(
    pid: u32,
    run: impl Future<Output = anyhow::Result<LoadResult>>,
) -> anyhow::Result<LoadResult> {
    let me = std::process::id();
    let (server_before, bench_before) = (server::cpu_seconds(pid)?, server::cpu_seconds(me)?);
    let machine = server::machine_ticks()?;
    let mut result = run.await?;
    result.cpu_server = Some(server::cpu_seconds(pid)? - server_before);
    result.cpu_bench = Some(server::cpu_seconds(me)? - bench_before);
    result.machine_busy_cores = Some(server::busy_cores(machine, server::machine_ticks()?));
    Ok(result)
}

/// Creates the `bench` scheduler account through the CLI and returns an API token for it.
pub async fn bench_token(settings: &Settings, db: &DbArgs) -> anyhow::Result<String> {
    let minutes = |m: u64| Duration::from_secs(60 * m);
    let password = format!(
        "bench-{:016x}{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>()
    );
    cli(
        settings,
        db,
        &[
            "user",
            "add",
            "bench",
            "--role",
            "scheduler",
            "--name",
            "Bench",
            "--password-stdin",
        ],
        Some(&format!("{password}\n")),
        minutes(2),
    )
    .await?;
    let token = cli(
        settings,
        db,
        &["token", "create", "bench"],
        None,
        minutes(2),
    )
    .await?
    .trim()
    .to_string();
    if token.is_empty() || token.contains(char::is_whitespace) {
        bail!("`seldinger token create` printed no usable token: {token:?}");
    }
    Ok(token)
}

/// Runs one `seldinger` CLI command to completion and returns its standard output.
pub async fn cli(
    settings: &Settings,
    db: &DbArgs,
    args: &[&str],
    stdin: Option<&str>,
    limit: Duration,
) -> anyhow::Result<String> {
    let shown = format!("seldinger {}", args.join(" "));
    let mut command = Command::new(&settings.seldinger);
    command
        .args(&db.0)
        .args(args)
        .stdin(if stdin.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    server::clear_env(&mut command);
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start `{shown}`"))?;
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().context("no standard input pipe")?;
        pipe.write_all(input.as_bytes())
            .await
            .with_context(|| format!("cannot write to `{shown}`"))?;
        drop(pipe);
    }
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_| anyhow!("`{shown}` did not finish within {} s", limit.as_secs()))?
        .with_context(|| format!("`{shown}` failed to run"))?;
    if !output.status.success() {
        bail!(
            "`{shown}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).with_context(|| format!("`{shown}` printed non-UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn database_is_replaced_and_options_kept() -> anyhow::Result<()> {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/test", "b")?,
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            database_url("postgresql://u:p@localhost/test?sslmode=disable", "b")?,
            "postgresql://u:p@localhost/b?sslmode=disable"
        );
        assert!(database_url("postgres://postgres@db.example.org/test", "b").is_err());
        Ok(())
    }
}
