//! What the integration tests share: the real `seldinger` binary on a fresh database,
//! run as a command-line tool or as a server, and child processes that are waited for
//! on a line they print (never on a timer) and killed when the test ends.

use std::io::{BufRead, BufReader, Write};
use std::marker::PhantomData;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use seldinger_store::testing::TestDatabase;

/// The binary under test, built by cargo for this test target.
pub const BINARY: &str = env!("CARGO_BIN_EXE_seldinger");

/// How long a child process may take to say it is ready (a cold PostgreSQL migration or
/// a first Chromium start on a busy machine can be slow).
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// One installation of Seldinger: a data directory and a database of its own (SQLite, or
/// PostgreSQL when `SELDINGER_TEST_DATABASE` names a server). Both go away on drop.
pub struct Instance {
    db: TestDatabase,
    data_dir: tempfile::TempDir,
}

impl Instance {
    pub async fn new() -> Self {
        Self {
            db: TestDatabase::new().await,
            data_dir: tempfile::tempdir().expect("a temporary data directory"),
        }
    }

    pub fn database_url(&self) -> &str {
        &self.db.url
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// `seldinger --data-dir DIR --database URL`, ready for more arguments. No
    /// `SELDINGER_*` variable leaks in from the environment running the tests (but
    /// `SELDINGER_LOG`, to debug a failing test); add variables with `Command::env`.
    pub fn command(&self) -> Command {
        let mut command = Command::new(BINARY);
        for (name, _) in std::env::vars_os() {
            let name_str = name.to_string_lossy();
            if name_str.starts_with("SELDINGER_") && name_str != "SELDINGER_LOG" {
                command.env_remove(&name);
            }
        }
        // Logs in plain text: they end up in files and test failure messages.
        command.env("NO_COLOR", "1");
        command
            .arg("--data-dir")
            .arg(self.data_dir())
            .arg("--database")
            .arg(self.database_url());
        command
    }

    /// Runs `seldinger ARGS` to completion with `stdin` as its standard input.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the seldinger binary");
        let mut input = child.stdin.take().expect("a piped standard input");
        let stdin = stdin.to_string();
        // Written from a thread of its own, so a child that talks before it reads cannot
        // block on a full pipe; dropping `input` closes the child's standard input.
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(stdin.as_bytes());
        });
        let output = child
            .wait_with_output()
            .expect("wait for the seldinger binary");
        let _ = writer.join();
        output
    }

    /// [`run`](Self::run), which must succeed; its standard output.
    pub fn run_ok(&self, args: &[&str], stdin: &str) -> String {
        let output = self.run(args, stdin);
        assert!(
            output.status.success(),
            "seldinger {} failed ({}):\n{}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        String::from_utf8(output.stdout).expect("UTF-8 on standard output")
    }

    /// Creates an account with the CLI (`user add`), its password given on standard input.
    pub fn add_user(&self, username: &str, role: &str, full_name: &str, password: &str) {
        self.run_ok(
            &[
                "user",
                "add",
                username,
                "--role",
                role,
                "--name",
                full_name,
                "--password-stdin",
            ],
            &format!("{password}\n"),
        );
    }

    /// Starts `seldinger serve --addr 127.0.0.1:0 ARGS` and returns once it prints
    /// `listening on http://ADDR`. The server cannot outlive this instance.
    pub fn serve(&self, args: &[&str]) -> Server<'_> {
        let mut command = self.command();
        command.args(["serve", "--addr", "127.0.0.1:0"]).args(args);
        let mut process =
            Process::spawn("seldinger serve", command).expect("start the seldinger binary");
        let base_url = process.wait_for_line("its `listening on` line", |line| {
            line.strip_prefix("listening on ")
                .map(|url| url.trim().trim_end_matches('/').to_string())
        });
        Server {
            process,
            base_url,
            _instance: PhantomData,
        }
    }
}

/// A running `seldinger serve`, killed on drop. A failing test shows its log.
pub struct Server<'a> {
    process: Process,
    base_url: String,
    _instance: PhantomData<&'a Instance>,
}

impl Server<'_> {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// What the server wrote to standard error so far (its log).
    pub fn log(&self) -> String {
        self.process.stderr()
    }
}

/// A child process with its standard output read line by line and its standard error
/// kept in a file. Killed on drop; when the test is failing, its output is printed.
pub struct Process {
    name: String,
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    stderr: tempfile::NamedTempFile,
}

impl Process {
    /// Spawns `command` (its standard input closed, its output captured).
    pub fn spawn(name: &str, mut command: Command) -> std::io::Result<Self> {
        let stderr = tempfile::NamedTempFile::new()?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr.reopen()?));
        let mut child = command.spawn()?;
        let stdout = child.stdout.take().expect("a piped standard output");
        let (sender, lines) = mpsc::channel();
        // Reads until the child closes its standard output, so the pipe never fills up.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Self {
            name: name.to_string(),
            child,
            lines,
            seen: Vec::new(),
            stderr,
        })
    }

    /// Waits for the first line of standard output for which `ready` gives a value, and
    /// returns that value. Panics, with what the process printed, when it exits first or
    /// says nothing of the kind within [`STARTUP_TIMEOUT`].
    pub fn wait_for_line<T>(&mut self, what: &str, mut ready: impl FnMut(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(value) = ready(&line) {
                        return value;
                    }
                    self.seen.push(line);
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "{} did not print {what} within {STARTUP_TIMEOUT:?}\n{}",
                    self.name,
                    self.output()
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait();
                    panic!(
                        "{} ended ({status:?}) before printing {what}\n{}",
                        self.name,
                        self.output()
                    )
                }
            }
        }
    }

    /// The process id (to send it a signal).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to exit.
    pub fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.child.wait()
    }

    /// Standard error so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).unwrap_or_default()
    }

    fn output(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            self.seen.join("\n"),
            self.stderr()
        )
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("=== {} ===\n{}", self.name, self.output());
        }
    }
}
