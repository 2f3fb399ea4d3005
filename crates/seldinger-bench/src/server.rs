//! The `seldinger serve` child process: start, readiness, memory and CPU figures, stop.

use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::Settings;

/// How long the server may take to print its address and to become ready.
const START_LIMIT: Duration = Duration::from_secs(60);
/// Delay between two readiness probes.
const POLL_EVERY: Duration = Duration::from_millis(2);
/// How long a SIGTERM may take before the server is killed.
const STOP_LIMIT: Duration = Duration::from_secs(30);

pub struct Server {
    child: Child,
    pub pid: u32,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub start_to_ready: Duration,
    log: std::path::PathBuf,
}

#[derive(Clone, Debug, Default)]
pub struct ShutdownReport {
    /// `None` when the process ended by a signal (or had to be killed).
    pub exit_code: Option<i32>,
    pub took: Duration,
    /// The server had to be killed after [`STOP_LIMIT`].
    pub killed: bool,
}

/// Children get no `SELDINGER_*` variable from the caller's environment: the bench
/// passes everything it means on the command line.
pub fn clear_env(command: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SELDINGER_") {
            command.env_remove(key);
        }
    }
}

impl Server {
    /// Spawns `seldinger serve --addr 127.0.0.1:0`, reads the address it prints and polls
    /// `/readyz` until it answers 200. `extra` are more arguments of `serve`; its log
    /// (stderr) goes to `log`.
    pub async fn start(
        settings: &Settings,
        db: &[OsString],
        extra: &[&str],
        log: &Path,
    ) -> anyhow::Result<Self> {
        let log_file = std::fs::File::create(log)
            .with_context(|| format!("cannot create the server log {}", log.display()))?;
        let mut command = Command::new(&settings.seldinger);
        command
            .args(db)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .kill_on_drop(true);
        clear_env(&mut command);
        let probe = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .context("cannot build the readiness client")?;

        let spawned = Instant::now();
        let mut child = command.spawn().context("cannot start `seldinger serve`")?;
        let pid = child.id().context("the server exited at once")?;
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(START_LIMIT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(addr) = line.trim().strip_prefix("listening on http://") {
                    return Ok(addr.to_string());
                }
            }
            Err(anyhow!("the server stopped before listening"))
        })
        .await
        .map_err(|_| anyhow!("the server printed no address within {START_LIMIT:?}"))?
        .with_context(|| log_tail(log))?;
        if !addr.starts_with("127.0.0.1:") {
            bail!("the server listens on {addr}, not on 127.0.0.1");
        }
        // Keep reading so the server never blocks on a full pipe; ends when it exits.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        let base = format!("http://{addr}");
        let readyz = format!("{base}/readyz");
        let start_to_ready = loop {
            if let Ok(response) = probe.get(&readyz).send().await
                && response.status() == reqwest::StatusCode::OK
            {
                break spawned.elapsed();
            }
            if let Some(status) = child.try_wait()? {
                bail!(
                    "the server exited ({status}) before ready; {}",
                    log_tail(log)
                );
            }
            if spawned.elapsed() > START_LIMIT {
                bail!("the server was not ready within {START_LIMIT:?}");
            }
            tokio::time::sleep(POLL_EVERY).await;
        };
        Ok(Self {
            child,
            pid,
            base,
            start_to_ready,
            log: log.to_path_buf(),
        })
    }

    /// Sends SIGTERM (graceful shutdown) and waits for the exit; kills after [`STOP_LIMIT`].
    pub async fn stop(mut self) -> anyhow::Result<ShutdownReport> {
        // `kill` is a shell builtin here (no unsafe code in this workspace, so no libc).
        let sent = Command::new("sh")
            .args(["-c", "kill -TERM \"$1\"", "sh", &self.pid.to_string()])
            .status()
            .await
            .context("cannot run `sh -c kill`")?;
        if !sent.success() {
            let _ = self.child.kill().await;
            bail!("cannot send SIGTERM to {} ({sent})", self.pid);
        }
        let asked = Instant::now();
        match tokio::time::timeout(STOP_LIMIT, self.child.wait()).await {
            Ok(status) => {
                let status = status.context("cannot wait for the server")?;
                Ok(ShutdownReport {
                    exit_code: status.code(),
                    took: asked.elapsed(),
                    killed: false,
                })
            }
            Err(_) => {
                let _ = self.child.kill().await;
                eprintln!(
                    "  the server ignored SIGTERM for {STOP_LIMIT:?}; killed ({})",
                    self.log.display()
                );
                Ok(ShutdownReport {
                    exit_code: None,
                    took: asked.elapsed(),
                    killed: true,
                })
            }
        }
    }
}

/// The last lines of the server log, for error messages.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(10)..].join("\n");
    format!("server log {}:\n{tail}", log.display())
}

/// A `/proc/PID/status` figure in kB (`VmRSS`, `VmHWM`).
pub fn vm_kb(pid: u32, field: &str) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .with_context(|| format!("no {field} in {path}"))
}

/// User + system CPU time of a process so far, in seconds (USER_HZ = 100 on Linux).
pub fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    // Fields after the command name, which is in parentheses and may hold spaces:
    // state is field 3, utime 14, stime 15.
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .with_context(|| format!("unexpected {path}"))?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| -> anyhow::Result<f64> {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .map(|t| t as f64 / 100.0)
            .with_context(|| format!("unexpected {path}"))
    };
    Ok(ticks(11)? + ticks(12)?)
}

/// Busy and total CPU time of the whole machine so far, in ticks (`/proc/stat`).
pub fn machine_ticks() -> anyhow::Result<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").context("cannot read /proc/stat")?;
    let line = stat
        .lines()
        .find(|l| l.starts_with("cpu "))
        .context("no cpu line in /proc/stat")?;
    // user nice system idle iowait irq softirq steal (guest times are inside user/nice)
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|t| t.parse().unwrap_or(0))
        .collect();
    let total: u64 = ticks.iter().sum();
    let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
    Ok((total - idle, total))
}

/// Cores kept busy between two [`machine_ticks`] readings.
pub fn busy_cores(before: (u64, u64), after: (u64, u64)) -> f64 {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    let busy = after.0.saturating_sub(before.0) as f64;
    let total = after.1.saturating_sub(before.1).max(1) as f64;
    busy / total * cpus
}
