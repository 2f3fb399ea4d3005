//! `seldinger`: the one binary. Reads the configuration (flags or `SELDINGER_*`
//! environment variables), picks the storage backend from the database URL, wires the
//! store, the clock and the web layer together, and serves. Nothing else: the logic
//! lives in the library crates.

mod demo;

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use seldinger_domain::audit::Actor;
use seldinger_domain::user::{NewPassword, TokenLabel, Username, full_name, temporary_password};
use seldinger_domain::{Lang, Role};
use seldinger_store::{NewUser, Store, StoreOptions};
use seldinger_web::{AppState, SystemClock, WebConfig};

#[derive(Parser)]
#[command(
    name = "seldinger",
    version,
    about = "The information system of an interventional radiology department"
)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    /// Log format: `text` for people, `json` for collectors.
    #[arg(
        long,
        global = true,
        env = "SELDINGER_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Args)]
struct DbArgs {
    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`.
    /// Default: `sqlite://<data-dir>/seldinger.db`.
    #[arg(long, global = true, env = "SELDINGER_DATABASE")]
    database: Option<String>,
    /// Where Seldinger keeps its files.
    #[arg(
        long,
        global = true,
        env = "SELDINGER_DATA_DIR",
        default_value = "./seldinger-data"
    )]
    data_dir: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations and serve the application.
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Add COUNT synthetic patients (for load tests and benchmarks; never on a real database).
    GeneratePatients {
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "SELDINGER_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Fill an empty database with a demo department and print the demo sign-ins.
    #[arg(long, env = "SELDINGER_DEMO")]
    demo: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "SELDINGER_SESSION_IDLE_MINUTES", default_value_t = 30)]
    session_idle_minutes: i64,
    /// Mark cookies Secure (when served over HTTPS).
    #[arg(long, env = "SELDINGER_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Take client addresses from X-Forwarded-For (behind a trusted reverse proxy only).
    #[arg(long, env = "SELDINGER_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Sign-in attempts allowed per client address per minute.
    #[arg(
        long,
        env = "SELDINGER_LOGIN_ATTEMPTS_PER_MINUTE",
        default_value_t = 10
    )]
    login_attempts_per_minute: u32,
    /// The department's time zone (IANA name): the interface shows local times in it.
    #[arg(long, env = "SELDINGER_TIMEZONE", default_value = "Europe/Paris")]
    timezone: String,
    /// Hours allowed to report a serious adverse event once it is recorded.
    #[arg(
        long,
        env = "SELDINGER_SERIOUS_EVENT_REPORTING_HOURS",
        default_value_t = seldinger_domain::adverse::REPORTING_HOURS_DEFAULT,
        value_parser = clap::value_parser!(u32).range(1..=720)
    )]
    serious_event_reporting_hours: u32,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        username: String,
        #[arg(long)]
        role: String,
        /// Full name as shown in the interface (defaults to the username).
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "fr")]
        language: String,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account: it can no longer sign in, its sessions and tokens stop working.
    /// The last active administrator cannot be disabled.
    Disable { username: String },
    /// Enable a disabled account: it can sign in again with its password.
    Enable { username: String },
    /// Give an account a temporary password, printed once, to be replaced at the next
    /// sign-in; its sessions and tokens end (for a locked-out administrator, too).
    ResetPassword { username: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for USERNAME and print it (once: only its digest is kept).
    Create {
        username: String,
        /// What the token is for, as its owner will see it in the list of their tokens.
        #[arg(long)]
        label: Option<String>,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("SELDINGER_LOG").unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")
        });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

impl DbArgs {
    fn url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                self.data_dir.display()
            )
        })?;
        Ok(format!(
            "sqlite://{}",
            self.data_dir.join("seldinger.db").display()
        ))
    }

    /// Opens the database (the department's zone is `UTC` for commands that do not
    /// deal with local times).
    async fn open(&self) -> anyhow::Result<Store> {
        self.open_in(jiff::tz::TimeZone::UTC).await
    }

    async fn open_in(&self, zone: jiff::tz::TimeZone) -> anyhow::Result<Store> {
        let url = self.url()?;
        let mut options = StoreOptions::new(url.clone());
        options.zone = zone;
        let store = Store::connect(&options)
            .await
            .with_context(|| format!("cannot open the database {}", redact_url(&url)))?;
        let applied = store
            .migrate()
            .await
            .context("cannot apply the migrations")?;
        if applied > 0 {
            tracing::info!(applied, "migrations applied");
        }
        Ok(store)
    }
}

/// A database URL without its password, for messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&cli.db, args).await,
        Command::Migrate => {
            cli.db.open().await?;
            println!("migrations up to date");
            Ok(())
        }
        Command::User(command) => user(&cli.db, command).await,
        Command::Token(TokenCommand::Create { username, label }) => {
            let label = TokenLabel::parse(label.as_deref().unwrap_or(""))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let store = cli.db.open().await?;
            let user = store
                .user_with_password(&username)
                .await?
                .with_context(|| format!("no user named {username}"))?
                .0;
            let token = seldinger_web::auth::new_secret("sld_");
            let now = time::OffsetDateTime::now_utc();
            store
                .create_labelled_token(
                    &Actor::system("cli"),
                    user.id,
                    &seldinger_web::auth::digest(&token),
                    label.as_ref(),
                    now,
                )
                .await
                .with_context(|| format!("cannot create a token for {username} (disabled?)"))?;
            println!("{token}");
            Ok(())
        }
        Command::GeneratePatients { count, seed } => {
            let store = cli.db.open().await?;
            let now = time::OffsetDateTime::now_utc();
            let patients = demo::patients(count, seed, now);
            for chunk in patients.chunks(10_000) {
                store
                    .import_patients(&Actor::system("generate-patients"), chunk, now)
                    .await?;
            }
            println!("{count} patients added");
            Ok(())
        }
    }
}

async fn user(db: &DbArgs, command: UserCommand) -> anyhow::Result<()> {
    let store = db.open().await?;
    let actor = Actor::system("cli");
    let now = time::OffsetDateTime::now_utc();
    match command {
        UserCommand::Add {
            username,
            role,
            name,
            language,
            password_stdin: _,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']);
            let username = Username::parse(&username).map_err(|e| anyhow::anyhow!("{e}"))?;
            let role = Role::parse(&role).map_err(|e| anyhow::anyhow!("{e}"))?;
            let language: Lang = language.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            let full_name = full_name(name.as_deref().unwrap_or(username.as_str()))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let password = NewPassword::parse(password).map_err(|e| anyhow::anyhow!("{e}"))?;
            let password_hash = seldinger_web::auth::hash_password(password.expose())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = store
                .create_user(
                    &actor,
                    NewUser {
                        username,
                        full_name,
                        role,
                        language,
                        password_hash,
                    },
                    now,
                )
                .await
                .map_err(|e| match e {
                    seldinger_store::StoreError::Conflict(_) => {
                        anyhow::anyhow!("username already used")
                    }
                    other => other.into(),
                })?;
            println!("created {} ({})", user.username, user.role);
        }
        UserCommand::List => {
            for user in store.list_users().await? {
                let status = if user.is_active() {
                    "active"
                } else {
                    "disabled"
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.username,
                    user.role,
                    user.language.code(),
                    status,
                    user.full_name
                );
            }
        }
        UserCommand::Disable { username } => {
            store
                .disable_user(&actor, &username, now)
                .await
                .map_err(|e| account_error(e, "disable", &username))?;
            println!("disabled {username}");
        }
        UserCommand::Enable { username } => {
            store
                .enable_user(&actor, &username, now)
                .await
                .map_err(|e| account_error(e, "enable", &username))?;
            println!("enabled {username}");
        }
        UserCommand::ResetPassword { username } => {
            let password = temporary_password(&mut rand::rng());
            let hash = seldinger_web::auth::hash_password(password.expose())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store
                .reset_password(&actor, &username, &hash, now)
                .await
                .map_err(|e| account_error(e, "reset the password of", &username))?;
            eprintln!(
                "temporary password for {username}, shown once (their sessions and tokens have ended):"
            );
            println!("{}", password.expose());
        }
    }
    Ok(())
}

/// A store's refusal about an account, as the operator should read it.
fn account_error(error: seldinger_store::StoreError, doing: &str, username: &str) -> anyhow::Error {
    use seldinger_store::{Conflict, StoreError};
    match error {
        StoreError::NotFound => anyhow::anyhow!("no user named {username}"),
        StoreError::Conflict(Conflict::Rule(rule)) => {
            anyhow::anyhow!("cannot {doing} {username}: {rule}")
        }
        other => other.into(),
    }
}

async fn serve(db: &DbArgs, args: ServeArgs) -> anyhow::Result<()> {
    if args.session_idle_minutes < 1 {
        bail!("--session-idle-minutes must be at least 1");
    }
    let timezone = jiff::tz::TimeZone::get(&args.timezone).with_context(|| {
        format!(
            "unknown time zone {:?} (expected an IANA name such as Europe/Paris)",
            args.timezone
        )
    })?;
    let store = db.open_in(timezone.clone()).await?;
    if args.demo {
        demo::fill(&store).await?;
    }
    let config = WebConfig {
        session_idle: time::Duration::minutes(args.session_idle_minutes),
        secure_cookies: args.secure_cookies,
        trust_forwarded_for: args.trust_forwarded_for,
        login_attempts_per_minute: args.login_attempts_per_minute,
        timezone,
        serious_event_reporting_hours: args.serious_event_reporting_hours,
    };
    let state = AppState::new(store.clone(), Arc::new(SystemClock), config);
    let shutdown = shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let local = listener.local_addr()?;
    tracing::info!(addr = %local, engine = ?store.backend(), "listening");
    println!("listening on http://{local}");
    let app = seldinger_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("server error")?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C: in-flight requests finish, then the server stops.
/// The handlers are registered when this is called (before the server says it listens),
/// not when the future is first polled, so that no early signal kills the process.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    let ctrl_c = tokio::signal::ctrl_c();
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = ctrl_c => {},
            _ = terminate.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("shutting down");
    })
}
