//! The command line of the real binary: `serve`, `migrate`, `user` (enable, disable —
//! never the last active admin —, reset-password), `token`, options from flags or
//! `SELDINGER_*` variables, demo data, bad input, graceful shutdown.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{BINARY, Instance};

const PASSWORD: &str = "a long test password";

async fn get(url: &str, token: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn serve_applies_migrations_and_answers_health_and_readiness() {
    let instance = Instance::new().await;
    let server = instance.serve(&[]);
    let http = reqwest::Client::new();
    for path in ["/healthz", "/readyz"] {
        let response = http.get(server.url(path)).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(server.url("/patients"))
        .send()
        .await
        .expect("request");
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert!(instance.run_ok(&["migrate"], "").contains("up to date"));
}

#[tokio::test]
async fn demo_fills_an_empty_database_with_a_living_department() {
    let instance = Instance::new().await;
    let server = instance.serve(&["--demo"]);
    let users = instance.run_ok(&["user", "list"], "");
    for role in [
        "interventional_radiologist",
        "referring_physician",
        "anesthetist",
        "radiographer",
        "nurse",
        "scheduler",
        "pathologist",
        "study_coordinator",
        "quality_officer",
        "admin",
    ] {
        assert!(
            users.contains(role),
            "no demo user with role {role}:\n{users}"
        );
    }
    let session = reqwest::Client::new()
        .post(server.url("/api/v1/session"))
        .json(&json!({ "username": "sfournier", "password": "demo-seldinger" }))
        .send()
        .await
        .expect("sign in");
    assert_eq!(
        session.status(),
        StatusCode::OK,
        "the printed demo sign-in works"
    );

    let token = instance
        .run_ok(&["token", "create", "clemaire"], "")
        .trim()
        .to_string();
    let (status, found) = get(&server.url("/api/v1/patients?limit=200"), &token).await;
    assert_eq!(status, StatusCode::OK);
    let items = found["items"].as_array().expect("items");
    assert_eq!(items.len(), 200, "about 200 demo patients");
    let accented = items
        .iter()
        .filter(|p| {
            let name = format!("{}{}", p["family_name"], p["given_names"]);
            name.chars().any(|c| "éèêëàâçîïôùûüÉÈ".contains(c))
        })
        .count();
    assert!(accented > 20, "French names with accents: {accented}");

    // Cases at every step of the pathway, so that each worklist has something to show.
    for list in [
        "to_triage",
        "awaiting_consultation",
        "consulted",
        "awaiting_mdt",
        "to_schedule",
    ] {
        let (status, found) = get(&server.url(&format!("/api/v1/worklists/{list}")), &token).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert!(
            found["total"].as_u64().unwrap_or(0) >= 1,
            "the {list} worklist is empty: {found}"
        );
    }
    // Procedures booked over the next two weeks (the server's day may differ from UTC's
    // by one: fourteen days from UTC's today are all ahead of or on the server's).
    let today = time::OffsetDateTime::now_utc().date();
    let mut booked = 0;
    for day in 0..14 {
        let date = today + time::Duration::days(day);
        let (status, found) = get(
            &server.url(&format!("/api/v1/schedule?date={date}")),
            &token,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{date}");
        booked += found["items"].as_array().map_or(0, Vec::len);
    }
    assert!(booked >= 5, "bookings over the next 14 days: {booked}");
    let (status, meetings) = get(&server.url("/api/v1/mdt"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        meetings["items"].as_array().is_some_and(|m| !m.is_empty()),
        "MDT meetings: {meetings}"
    );
    let (status, catalog) = get(&server.url("/api/v1/catalog"), &token).await;
    assert_eq!(status, StatusCode::OK);
    let types = catalog["items"].as_array().map_or(0, Vec::len);
    assert!(types >= 30, "procedure types in the catalog: {types}");
    // After the procedure: specimens awaiting pathology, follow-up due and overdue, a
    // serious adverse event to report.
    for path in [
        "/api/v1/specimens/pending",
        "/api/v1/follow-ups?list=due",
        "/api/v1/follow-ups?list=overdue",
    ] {
        let (status, found) = get(&server.url(path), &token).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            found["total"].as_u64().unwrap_or(0) >= 1,
            "{path} is empty: {found}"
        );
    }
    let (status, due) = get(&server.url("/api/v1/adverse-events/reports-due"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        due["items"].as_array().is_some_and(|i| !i.is_empty()),
        "a serious event awaits its report: {due}"
    );
    drop(server);

    // A second start with --demo leaves the department as it is.
    let again = instance.serve(&["--demo"]);
    let (_, found) = get(&again.url("/api/v1/patients?limit=200&q="), &token).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(200));
}

#[tokio::test]
async fn users_and_tokens_are_managed_from_the_command_line() {
    let instance = Instance::new().await;
    instance.add_user("nbenali", "anesthetist", "Dr Nadia Benali", PASSWORD);
    let list = instance.run_ok(&["user", "list"], "");
    assert!(
        list.contains("nbenali\tanesthetist\tfr\tactive\tDr Nadia Benali"),
        "{list}"
    );

    let token = instance
        .run_ok(&["token", "create", "nbenali"], "")
        .trim()
        .to_string();
    assert!(token.starts_with("sld_") && token.len() > 40, "{token}");
    let server = instance.serve(&[]);
    let (status, me) = get(&server.url("/api/v1/me"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "nbenali");
    assert_eq!(me["full_name"], "Dr Nadia Benali");

    assert!(
        instance
            .run_ok(&["user", "disable", "nbenali"], "")
            .contains("disabled")
    );
    assert!(
        instance
            .run_ok(&["user", "list"], "")
            .contains("nbenali\tanesthetist\tfr\tdisabled")
    );
    let (status, _) = get(&server.url("/api/v1/me"), &token).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a disabled user's token stops working"
    );
    let refused = instance.run(&["token", "create", "nbenali"], "");
    assert!(!refused.status.success(), "no token for a disabled user");
}

#[tokio::test]
async fn a_token_made_on_the_host_carries_its_label() {
    let instance = Instance::new().await;
    instance.add_user("nbenali", "anesthetist", "Dr Nadia Benali", PASSWORD);
    instance.run_ok(
        &[
            "token",
            "create",
            "nbenali",
            "--label",
            " reporting script ",
        ],
        "",
    );
    let bad = instance.run(&["token", "create", "nbenali", "--label", "two\nlines"], "");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("label contains"));

    let store = seldinger_store::Store::connect(&seldinger_store::StoreOptions::new(
        instance.database_url(),
    ))
    .await
    .expect("open the instance's database");
    let (user, _) = store
        .user_with_password("nbenali")
        .await
        .expect("read")
        .expect("the user");
    let tokens = store.list_tokens(user.id).await.expect("list");
    let labels: Vec<Option<&str>> = tokens.iter().map(|t| t.label.as_deref()).collect();
    assert_eq!(labels, [Some("reporting script")]);
    store.close().await;
}

/// Signs in through the API; answers the status.
async fn sign_in(url: &str, username: &str, password: &str) -> StatusCode {
    reqwest::Client::new()
        .post(url)
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("sign in")
        .status()
}

#[tokio::test]
async fn user_enable_lets_a_disabled_account_sign_in_again() {
    let instance = Instance::new().await;
    instance.add_user("nbenali", "anesthetist", "Dr Nadia Benali", PASSWORD);
    let server = instance.serve(&[]);
    let session = server.url("/api/v1/session");
    instance.run_ok(&["user", "disable", "nbenali"], "");
    assert_eq!(
        sign_in(&session, "nbenali", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );

    assert_eq!(
        instance.run_ok(&["user", "enable", "nbenali"], "").trim(),
        "enabled nbenali"
    );
    assert!(
        instance
            .run_ok(&["user", "list"], "")
            .contains("nbenali\tanesthetist\tfr\tactive")
    );
    assert_eq!(sign_in(&session, "nbenali", PASSWORD).await, StatusCode::OK);
    // Enabling an active account is harmless.
    instance.run_ok(&["user", "enable", "nbenali"], "");
}

#[tokio::test]
async fn disabling_the_last_active_admin_from_the_command_line_is_refused() {
    let instance = Instance::new().await;
    instance.add_user("root", "admin", "Root", PASSWORD);
    let refused = instance.run(&["user", "disable", "root"], "");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("cannot disable root: this is the last active administrator"),
        "{stderr}"
    );
    assert!(
        instance
            .run_ok(&["user", "list"], "")
            .contains("root\tadmin\tfr\tactive")
    );

    instance.add_user("second", "admin", "Second", PASSWORD);
    instance.run_ok(&["user", "disable", "root"], "");
    let refused = instance.run(&["user", "disable", "second"], "");
    assert!(!refused.status.success(), "second is now the last one");
}

#[tokio::test]
async fn reset_password_prints_a_temporary_password_that_replaces_the_old_one() {
    let instance = Instance::new().await;
    instance.add_user("root", "admin", "Root", PASSWORD);
    let token = instance
        .run_ok(&["token", "create", "root"], "")
        .trim()
        .to_string();
    let server = instance.serve(&[]);
    let session = server.url("/api/v1/session");
    assert_eq!(sign_in(&session, "root", PASSWORD).await, StatusCode::OK);

    let output = instance.run(&["user", "reset-password", "root"], "");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let temporary = stdout.trim();
    assert_eq!(stdout.lines().count(), 1, "only the password: {stdout}");
    let groups: Vec<&str> = temporary.split('-').collect();
    assert!(
        groups.len() == 4 && groups.iter().all(|g| g.len() == 4),
        "four groups of four: {temporary}"
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("temporary password for root"),
        "the operator is told what it is"
    );

    assert_eq!(
        sign_in(&session, "root", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sign_in(&session, "root", temporary).await, StatusCode::OK);
    let (status, _) = get(&server.url("/api/v1/me"), &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old token is revoked");
    let again = instance.run_ok(&["user", "reset-password", "root"], "");
    assert_ne!(again.trim(), temporary, "a new one each time");
}

#[tokio::test]
async fn bad_command_line_input_gets_a_clear_error_and_changes_nothing() {
    let instance = Instance::new().await;
    let cases: [(&[&str], &str, &str); 7] = [
        (
            &[
                "user",
                "add",
                "jdoe",
                "--role",
                "surgeon",
                "--password-stdin",
            ],
            "a long test password\n",
            "role must be one of",
        ),
        (
            &["user", "add", "jdoe", "--role", "nurse", "--password-stdin"],
            "short\n",
            "password is too short",
        ),
        (
            &[
                "user",
                "add",
                "j doe",
                "--role",
                "nurse",
                "--password-stdin",
            ],
            "a long test password\n",
            "username contains",
        ),
        (&["user", "disable", "nobody"], "", "no user named nobody"),
        (&["user", "enable", "nobody"], "", "no user named nobody"),
        (
            &["user", "reset-password", "nobody"],
            "",
            "no user named nobody",
        ),
        (&["token", "create", "nobody"], "", "no user named nobody"),
    ];
    for (args, stdin, message) in cases {
        let output = instance.run(args, stdin);
        assert!(!output.status.success(), "{args:?} should fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(message),
            "{args:?}: expected {message:?} in {stderr}"
        );
    }
    assert_eq!(
        instance.run_ok(&["user", "list"], ""),
        "",
        "nothing was created"
    );

    instance.add_user("jdoe", "nurse", "J Doe", PASSWORD);
    let again = instance.run(
        &["user", "add", "JDoe", "--role", "nurse", "--password-stdin"],
        "a long test password\n",
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("username already used"));

    let bad_zone = instance.run(
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--timezone",
            "Mars/Olympus",
        ],
        "",
    );
    assert!(!bad_zone.status.success());
    assert!(
        String::from_utf8_lossy(&bad_zone.stderr).contains("unknown time zone \"Mars/Olympus\"")
    );

    let bad_url = Command::new(BINARY)
        .args(["--database", "mysql://x", "migrate"])
        .output()
        .expect("run");
    assert!(!bad_url.status.success());
    assert!(String::from_utf8_lossy(&bad_url.stderr).contains("sqlite:// or postgres://"));
}

#[tokio::test]
async fn every_option_can_come_from_the_environment() {
    let instance = Instance::new().await;
    instance.add_user("phenry", "quality_officer", "Paul Henry", PASSWORD);
    let output = Command::new(BINARY)
        .env("SELDINGER_DATABASE", instance.database_url())
        .env("SELDINGER_DATA_DIR", instance.data_dir())
        .args(["user", "list"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&output.stdout).contains("phenry\tquality_officer"));

    let mut command = instance.command();
    command
        .env("SELDINGER_ADDR", "127.0.0.1:0")
        .env("SELDINGER_LOG_FORMAT", "json")
        .arg("serve");
    let mut process =
        crate::support::Process::spawn("seldinger serve (env)", command).expect("spawn");
    let url = process.wait_for_line("its listening line", |line| {
        line.strip_prefix("listening on ").map(str::to_string)
    });
    let ready = reqwest::get(format!("{url}/readyz")).await.expect("readyz");
    assert_eq!(ready.status(), StatusCode::OK);
    let log = process.stderr();
    assert!(
        log.lines()
            .any(|l| l.starts_with('{') && l.contains("\"listening\"")),
        "JSON logs: {log}"
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let instance = Instance::new().await;
    let mut command = instance.command();
    command.args(["serve", "--addr", "127.0.0.1:0"]);
    let mut process =
        crate::support::Process::spawn("seldinger serve (sigterm)", command).expect("spawn");
    process.wait_for_line("its listening line", |line| {
        line.strip_prefix("listening on ").map(str::to_string)
    });
    let status = Command::new("kill")
        .args(["-TERM", &process.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = process.wait().expect("the server exits");
    assert!(exit.success(), "exit status after SIGTERM: {exit}");
    assert!(process.stderr().contains("stopped"));
}

#[tokio::test]
async fn the_server_log_carries_no_patient_data() {
    let instance = Instance::new().await;
    instance.add_user("sfournier", "scheduler", "Sophie Fournier", PASSWORD);
    let token = instance
        .run_ok(&["token", "create", "sfournier"], "")
        .trim()
        .to_string();
    let server = instance.serve(&[]);
    let http = reqwest::Client::new();
    let created: Value = http
        .post(server.url("/api/v1/patients"))
        .bearer_auth(&token)
        .json(&json!({ "mrn": "IP-LOG-77", "family_name": "Dupré-Lefèvre", "given_names": "Hélène", "birth_date": "1956-03-12", "sex": "female" }))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id");
    let (status, _) = get(&server.url(&format!("/api/v1/patients/{id}")), &token).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(&server.url("/api/v1/patients?q=helene%20dupre"), &token).await;
    assert_eq!(status, StatusCode::OK);
    // A date that does not exist beside a name (alone, it would be looked up as an MRN).
    let (status, _) = get(&server.url("/api/v1/patients?q=dupre%201956-02-30"), &token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // An MRN where an id goes (a matched route) and in paths that match no route.
    let (status, _) = get(&server.url("/api/v1/patients/IP-0100022"), &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for unmatched in [
        "/api/v1/patients/IP-0100023/history",
        "/patients-IP-0100024",
        "/IP-0100025",
    ] {
        let (status, _) = get(&server.url(unmatched), &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{unmatched}");
    }

    let log = server.log();
    assert!(
        log.contains("/api/v1/patients/{id}"),
        "requests are logged by route template:\n{log}"
    );
    assert_eq!(
        log.matches("unmatched").count(),
        3,
        "a path that matches no route is logged as unmatched:\n{log}"
    );
    for secret in [
        "Dupré",
        "Dupr",
        "Hélène",
        "helene",
        "IP-LOG-77",
        "IP-01000",
        "1956",
        id,
        &token,
    ] {
        assert!(!log.contains(secret), "the log contains {secret:?}:\n{log}");
    }
}
