//! What the integration tests share: the real `seldinger` binary on a fresh database,
//! run as a command-line tool or as a server; child processes that are waited for on a
//! line they print (never on a timer) and killed when the test ends; and a headless
//! Chromium driven through chromedriver, with helpers that wait for what a page shows.

use std::future::Future;
use std::io::{BufRead, BufReader, Write};
use std::marker::PhantomData;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use seldinger_store::testing::TestDatabase;
use serde_json::json;

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

// ---------------------------------------------------------------------------------------
// A real browser

const CHROMIUM: &str = "/usr/bin/chromium";

/// `chromedriver` on a free port, killed on drop.
struct Chromedriver {
    url: String,
    _process: Process,
}

impl Chromedriver {
    fn start() -> Self {
        // chromedriver wants an explicit port: take a free one from the system.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free local port")
            .port();
        let mut command = Command::new("chromedriver");
        command.arg(format!("--port={port}"));
        let mut process = match Process::spawn("chromedriver", command) {
            Ok(process) => process,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "chromedriver not found: install Debian's chromium and chromium-driver (scripts/test does)"
            ),
            Err(e) => panic!("cannot start chromedriver: {e}"),
        };
        process.wait_for_line("that it started successfully", |line| {
            line.contains("started successfully").then_some(())
        });
        Self {
            url: format!("http://127.0.0.1:{port}"),
            _process: process,
        }
    }
}

/// A headless Chromium session with a profile of its own (needs Debian's `chromium` and
/// `chromium-driver`). [`Browser::run`] plays a story in it and ends the session; the
/// driver (and the profile directory) go away on drop.
pub struct Browser {
    client: Client,
    _driver: Chromedriver,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Self {
        let driver = Chromedriver::start();
        let profile = tempfile::tempdir().expect("a temporary Chromium profile");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--no-first-run".to_string(),
            "--disable-quic".to_string(),
            "--window-size=1280,900".to_string(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_string(),
            json!({ "binary": CHROMIUM, "args": args }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| panic!("cannot open a Chromium session ({CHROMIUM}): {e}"));
        Self {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Plays `story` with this session, then ends the session; what the story returns,
    /// or its failure. The story runs as a task of its own so that, pass or fail, the
    /// session is closed before the driver is killed (a killed driver can leave Chromium
    /// running).
    pub async fn run<F, Fut, T>(self, story: F) -> T
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let outcome = tokio::spawn(story(self.client.clone())).await;
        if let Err(e) = self.client.clone().close().await {
            eprintln!("warning: the Chromium session did not close cleanly: {e}");
        }
        match outcome {
            Ok(value) => value,
            Err(e) => match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("the browser story did not finish: {e}"),
            },
        }
    }
}

/// Waits (up to fantoccini's 30 s) until an element matches `css` and returns it. On
/// failure, says where the browser is and what the page holds.
pub async fn wait(client: &Client, css: &str) -> Element {
    match client.wait().for_element(Locator::Css(css)).await {
        Ok(element) => element,
        Err(e) => {
            let at = client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let source = client.source().await.unwrap_or_default();
            panic!("no {css} on {at}: {e}\n{source}")
        }
    }
}

pub async fn find(client: &Client, css: &str) -> Element {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
}

/// Every element matching `css` (none is fine).
pub async fn find_all(client: &Client, css: &str) -> Vec<Element> {
    client
        .find_all(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("look for {css}: {e}"))
}

pub async fn click(client: &Client, css: &str) {
    find(client, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

pub async fn text(client: &Client, css: &str) -> String {
    find(client, css)
        .await
        .text()
        .await
        .unwrap_or_else(|e| panic!("the text of {css}: {e}"))
}

/// Types `value` into the field `css` (after what it already holds).
pub async fn type_into(client: &Client, css: &str, value: &str) {
    find(client, css)
        .await
        .send_keys(value)
        .await
        .unwrap_or_else(|e| panic!("type {value:?} into {css}: {e}"));
}

/// Chooses the option of value `value` in the select `css`.
pub async fn choose(client: &Client, css: &str, value: &str) {
    find(client, css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value:?} in {css}: {e}"));
}

/// Sets the value of the input `css` directly: what keys a date or datetime-local input
/// takes depends on the browser's locale; its value does not.
pub async fn set_value(client: &Client, css: &str, value: &str) {
    client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap_or_else(|e| panic!("set {css} to {value:?}: {e}"));
}

/// Scrolls the element `css` into view (before a screenshot).
pub async fn scroll_to(client: &Client, css: &str) {
    client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView();",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
}

/// The path of the page the browser shows.
pub async fn path(client: &Client) -> String {
    client
        .current_url()
        .await
        .expect("the current URL")
        .path()
        .to_string()
}

/// Saves a PNG of the viewport as `target/screenshots/NAME`.
pub async fn screenshot(client: &Client, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    let png = client.screenshot().await.expect("take a screenshot");
    std::fs::write(dir.join(name), png).unwrap_or_else(|e| panic!("save {name}: {e}"));
}
