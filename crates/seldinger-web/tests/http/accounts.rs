//! Accounts: API tokens belong to their owner (made on the account page or
//! `/api/v1/me/tokens`; seen and revoked by administrators, never made by them for
//! someone else), nobody disables their own account nor the last active administrator,
//! passwords are changed by their owner and reset by an administrator to a temporary one
//! that must be replaced before anything else.

use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use seldinger_domain::invalid::Problem;
use seldinger_domain::rules::Rule;
use seldinger_domain::{Lang, Role};
use seldinger_store::User;
use serde_json::{Value, json};

use crate::support::*;

const NEW_PASSWORD: &str = "a brand new passphrase";

/// What askama writes for a text.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The text of the element with this id on a page (a secret shown once).
#[track_caller]
fn element_text(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in {html}"))
        + marker.len();
    html[start..]
        .split('<')
        .next()
        .unwrap_or_default()
        .to_string()
}

async fn reload(app: &TestApp, username: &str) -> User {
    app.store
        .user_with_password(username)
        .await
        .expect("read")
        .expect("the user")
        .0
}

/// A browser signed in as an existing user.
async fn signed_in(app: &TestApp, username: &str, password: &str) -> Browser {
    let browser = Browser::new(&app.url);
    let response = browser.sign_in(username, password).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{username} signs in"
    );
    browser
}

async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.api(token).get("/api/v1/me").await.0
}

#[tokio::test]
async fn an_admin_cannot_mint_a_token_for_a_clinician() {
    let app = TestApp::spawn().await;
    let clinician = app.user("irad", Role::InterventionalRadiologist).await;
    let admin = app.user("admin", Role::Admin).await;
    let api = app.api(&app.token_for(&admin).await);

    let (status, problem) = api.post("/api/v1/users/irad/tokens", &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["code"], "token_owner_only");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("seldinger token create")),
        "{problem}"
    );

    let browser = signed_in(&app, "admin", PASSWORD).await;
    let csrf = browser.csrf("/users").await;
    let (status, html, _) = browser
        .post_form("/users/irad/tokens", &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("créé par son titulaire"), "{html}");
    let (_, users) = browser.get("/users").await;
    assert!(
        !users.contains("/tokens\""),
        "the users page offers no token for someone else"
    );

    assert!(
        app.store
            .list_tokens(clinician.id)
            .await
            .expect("list")
            .is_empty(),
        "no token exists for the clinician"
    );
    let (_, log) = api
        .get(&format!("/api/v1/audit?object=user/{}", clinician.id))
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        ["user.create"],
        "no token was made for the clinician"
    );

    // Their own account is theirs: the route makes a token for the caller.
    let (status, own) = api.post("/api/v1/users/admin/tokens", &json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    let (status, me) = app
        .api(own["token"].as_str().expect("secret"))
        .get("/api/v1/me")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "admin");
}

#[tokio::test]
async fn a_user_makes_lists_and_revokes_their_own_tokens_over_the_api() {
    let app = TestApp::spawn().await;
    let nurse = app.user("nina", Role::Nurse).await;
    let api = app.api(&app.token_for(&nurse).await);

    let (status, created) = api
        .post("/api/v1/me/tokens", &json!({ "label": " nightly export " }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["label"], "nightly export");
    assert_eq!(created["active"], true);
    let secret = created["token"].as_str().expect("the secret").to_string();
    assert!(secret.starts_with("sld_"), "{secret}");
    let (status, me) = app.api(&secret).get("/api/v1/me").await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("nina"))
    );

    let (status, listed) = api.get("/api/v1/me/tokens").await;
    assert_eq!(status, StatusCode::OK);
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{listed}");
    assert_eq!(items[0]["label"], "nightly export", "newest first");
    assert!(
        items.iter().all(|t| t.get("token").is_none()),
        "a list never holds a secret: {listed}"
    );

    let (status, problem) = api
        .post("/api/v1/me/tokens", &json!({ "label": "two\nlines" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "label");
    let (status, _) = api
        .post("/api/v1/me/tokens", &json!({ "user": "someone" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Someone else's token is not found here.
    let other = app.user("omar", Role::Nurse).await;
    let other_token = app.token_for(&other).await;
    let (_, theirs) = app.api(&other_token).get("/api/v1/me/tokens").await;
    let their_id = theirs["items"][0]["id"].as_str().expect("id");
    let (status, _) = api.delete(&format!("/api/v1/me/tokens/{their_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(me_status(&app, &other_token).await, StatusCode::OK);

    let id = created["id"].as_str().expect("id");
    let (status, revoked) = api.delete(&format!("/api/v1/me/tokens/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["active"], false);
    assert!(revoked["revoked_at"].is_string());
    assert_eq!(me_status(&app, &secret).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.delete("/api/v1/me/tokens/not-an-id").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_account_page_shows_who_one_is_and_a_new_token_once() {
    let app = TestApp::spawn().await;
    let browser = app.browser("nina", Role::Nurse).await;
    let nina = reload(&app, "nina").await;

    let (status, html) = browser.get("/patients").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/account\""),
        "the header links to the account"
    );
    let (status, html) = browser.get("/account").await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "Mon compte",
        "Test nina",
        Role::Nurse.label(Lang::Fr),
        "Français",
    ] {
        assert!(html.contains(&escaped(shown)), "{shown} in {html}");
    }
    assert!(html.contains("href=\"/account/password\""));
    assert!(html.contains(&escaped("Vous n'avez aucun jeton")));

    let csrf = browser.csrf("/account").await;
    let (status, html, _) = browser
        .post_form(
            "/account/tokens",
            &[("_csrf", csrf.as_str()), ("label", "ward script")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(html.contains("Jeton créé") && html.contains("ward script"));
    let secret = element_text(&html, "token");
    assert!(secret.starts_with("sld_"), "{secret}");
    assert_eq!(me_status(&app, &secret).await, StatusCode::OK);

    let (_, again) = browser.get("/account").await;
    assert!(again.contains("ward script"), "listed by its label");
    assert!(!again.contains(&secret), "the secret is shown once");

    let (status, html, _) = browser
        .post_form(
            "/account/tokens",
            &[("_csrf", csrf.as_str()), ("label", &"x".repeat(101))],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"label-error\""), "{html}");

    let tokens = app.store.list_tokens(nina.id).await.expect("list");
    assert_eq!(tokens.len(), 1, "the refused label made nothing");
    let answer = browser
        .post_form(
            &format!("/account/tokens/{}/revoke", tokens[0].id),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_see_other(&answer, "/account?done=revoked");
    assert_eq!(me_status(&app, &secret).await, StatusCode::UNAUTHORIZED);
    let (_, html) = browser.get("/account?done=revoked").await;
    assert!(html.contains("Jeton révoqué"));
    assert!(html.contains("Jetons révoqués"), "kept in the history");

    // Another user's token cannot be revoked from one's own page.
    let other = app.user("omar", Role::Nurse).await;
    let their_token = app.token_for(&other).await;
    let theirs = app.store.list_tokens(other.id).await.expect("list");
    let (status, _, _) = browser
        .post_form(
            &format!("/account/tokens/{}/revoke", theirs[0].id),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(me_status(&app, &their_token).await, StatusCode::OK);
}

#[tokio::test]
async fn an_admin_sees_everyones_tokens_and_revokes_any() {
    let app = TestApp::spawn().await;
    let nurse = app.user("nina", Role::Nurse).await;
    let first = app.token_for(&nurse).await;
    let (_, made) = app
        .api(&first)
        .post("/api/v1/me/tokens", &json!({ "label": "ward script" }))
        .await;
    let second = made["token"].as_str().expect("secret").to_string();
    let admin_user = app.user("admin", Role::Admin).await;
    let admin = app.api(&app.token_for(&admin_user).await);

    let (status, listed) = admin.get("/api/v1/users/nina/tokens").await;
    assert_eq!(status, StatusCode::OK);
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["label"], "ward script");
    assert!(items.iter().all(|t| t.get("token").is_none()));
    assert_eq!(
        admin.get("/api/v1/users/nobody/tokens").await.0,
        StatusCode::NOT_FOUND
    );

    let browser = signed_in(&app, "admin", PASSWORD).await;
    let (_, users) = browser.get("/users").await;
    assert!(users.contains("ward script"), "{users}");
    assert!(users.contains("<summary>2</summary>"), "{users}");

    let (status, revoked) = admin
        .delete(&format!(
            "/api/v1/tokens/{}",
            made["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["active"], false);
    assert_eq!(me_status(&app, &second).await, StatusCode::UNAUTHORIZED);

    let remaining = app.store.list_tokens(nurse.id).await.expect("list");
    let live = remaining
        .iter()
        .find(|t| t.is_live())
        .expect("a live token");
    let csrf = browser.csrf("/users").await;
    let answer = browser
        .post_form(
            &format!("/tokens/{}/revoke", live.id),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_see_other(&answer, "/users?done=revoked");
    assert_eq!(me_status(&app, &first).await, StatusCode::UNAUTHORIZED);
    let (status, _) = admin
        .delete("/api/v1/tokens/0192f3a4-1b2c-7d8e-9f00-112233445566")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn nobody_disables_their_own_account_and_the_users_page_says_why() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin", Role::Admin).await;
    app.user("second", Role::Admin).await;
    let api = app.api(&app.token_for(&admin).await);

    let (status, problem) = api.post("/api/v1/users/admin/disable", &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "own_account");
    assert_eq!(problem["detail"], Rule::OwnAccount.message(Lang::En));
    assert!(reload(&app, "admin").await.is_active());

    let browser = signed_in(&app, "admin", PASSWORD).await;
    let (_, users) = browser.get("/users").await;
    assert!(
        !users.contains("/users/admin/disable"),
        "no disable button on one's own row"
    );
    let csrf = browser.csrf("/users").await;
    let (status, html, _) = browser
        .post_form("/users/admin/disable", &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains(&escaped(&Rule::OwnAccount.message(Lang::Fr))),
        "the reason in French: {html}"
    );
    assert!(html.contains("id=\"users\""), "on the users page");

    browser.switch_language(&csrf, "en", "/users").await;
    let (status, html, _) = browser
        .post_form("/users/admin/disable", &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains(&escaped(&Rule::OwnAccount.message(Lang::En))),
        "the reason in English: {html}"
    );
    assert!(reload(&app, "admin").await.is_active(), "nothing changed");
    let (_, log) = api.get("/api/v1/audit?action=user.disable").await;
    assert_eq!(log["items"], json!([]));
}

/// An administrator is always an active one, so the last active administrator is only
/// ever disabled by another administrator at the same moment as they disable the first:
/// one of the two requests goes through, the other is refused (409 `last_admin`), or, when
/// it arrives after the first has ended its access, unauthorised.
#[tokio::test]
async fn two_admins_disabling_each_other_leave_one_active_and_the_other_is_told_last_admin() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice", Role::Admin).await;
    let bruno = app.user("bruno", Role::Admin).await;
    let mut refusals = 0;
    for round in 0..20 {
        let (a, b) = (
            app.api(&app.token_for(&alice).await),
            app.api(&app.token_for(&bruno).await),
        );
        let empty = json!({});
        let ((status_a, body_a), (status_b, body_b)) = tokio::join!(
            a.post("/api/v1/users/bruno/disable", &empty),
            b.post("/api/v1/users/alice/disable", &empty),
        );
        let (winner, loser) = match (status_a, status_b) {
            (StatusCode::OK, _) => (&body_a, (status_b, &body_b)),
            (_, StatusCode::OK) => (&body_b, (status_a, &body_a)),
            _ => panic!("round {round}: neither went through: {body_a} {body_b}"),
        };
        match loser {
            (StatusCode::CONFLICT, problem) => {
                assert_eq!(problem["code"], "last_admin", "{problem}");
                assert_eq!(problem["detail"], Rule::LastAdmin.message(Lang::En));
                refusals += 1;
            }
            (StatusCode::UNAUTHORIZED, _) => {}
            (status, body) => panic!("round {round}: {status} {body}"),
        }
        let disabled = winner["username"].as_str().expect("username");
        let survivor = if disabled == "alice" {
            "bruno"
        } else {
            "alice"
        };
        assert!(reload(&app, survivor).await.is_active(), "round {round}");
        assert!(!reload(&app, disabled).await.is_active(), "round {round}");
        let survivor_api = app.api(&app.token_for(&reload(&app, survivor).await).await);
        let (status, _) = survivor_api
            .post(&format!("/api/v1/users/{disabled}/enable"), &json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        if refusals > 0 {
            break;
        }
    }
    assert!(refusals > 0, "no round raced: the refusal was never seen");
}

#[tokio::test]
async fn a_disabled_account_is_enabled_again_over_the_api_and_from_the_users_page() {
    let app = TestApp::spawn().await;
    app.user("nina", Role::Nurse).await;
    let admin_user = app.user("admin", Role::Admin).await;
    let admin = app.api(&app.token_for(&admin_user).await);

    let (status, user) = admin.post("/api/v1/users/nina/disable", &json!({})).await;
    assert_eq!(
        (status, user["active"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    assert_eq!(
        Browser::new(&app.url)
            .sign_in("nina", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, user) = admin.post("/api/v1/users/nina/enable", &json!({})).await;
    assert_eq!(
        (status, user["active"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    signed_in(&app, "nina", PASSWORD).await;
    assert_eq!(
        admin
            .post("/api/v1/users/nobody/enable", &json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let browser = signed_in(&app, "admin", PASSWORD).await;
    let csrf = browser.csrf("/users").await;
    let answer = browser
        .post_form("/users/nina/disable", &[("_csrf", csrf.as_str())])
        .await;
    assert_see_other(&answer, "/users?done=disabled");
    let (_, users) = browser.get("/users").await;
    assert!(users.contains("action=\"/users/nina/enable\""), "{users}");
    let answer = browser
        .post_form("/users/nina/enable", &[("_csrf", csrf.as_str())])
        .await;
    assert_see_other(&answer, "/users?done=enabled");
    let (_, users) = browser.get("/users?done=enabled").await;
    assert!(users.contains("Utilisateur réactivé"));
    assert!(users.contains("action=\"/users/nina/disable\""));
    let (_, log) = admin.get("/api/v1/audit?action=user.enable").await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_user_changes_their_password_on_the_page_and_stays_signed_in() {
    let app = TestApp::spawn().await;
    let browser = app.browser("nina", Role::Nurse).await;
    let elsewhere = signed_in(&app, "nina", PASSWORD).await;
    let token = app.token_for(&reload(&app, "nina").await).await;

    let (status, html) = browser.get("/account/password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"current_password\""));
    let csrf = browser.csrf("/account/password").await;
    let post = |current: &'static str, new: &'static str, again: &'static str| {
        let csrf = csrf.clone();
        let browser = &browser;
        async move {
            browser
                .post_form(
                    "/account/password",
                    &[
                        ("_csrf", csrf.as_str()),
                        ("current_password", current),
                        ("new_password", new),
                        ("new_password_again", again),
                    ],
                )
                .await
        }
    };

    let (status, html, _) = post("not my password", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"current_password-error\""), "{html}");
    assert!(html.contains(&escaped(&Problem::WrongPassword.message(Lang::Fr))));
    let (status, html, _) = post(PASSWORD, NEW_PASSWORD, "a brand new passphrasE").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"new_password_again-error\""), "{html}");
    let (status, html, _) = post(PASSWORD, "short", "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"new_password-error\""), "{html}");
    let (status, html, _) = post(PASSWORD, PASSWORD, PASSWORD).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(&escaped(&Problem::Unchanged.message(Lang::Fr))));
    assert_eq!(
        me_status(&app, &token).await,
        StatusCode::OK,
        "nothing changed yet"
    );

    let answer = post(PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_see_other(&answer, "/account?done=password");
    let (status, html) = browser.get("/account?done=password").await;
    assert_eq!(status, StatusCode::OK, "this browser's session goes on");
    assert!(html.contains("Mot de passe changé"));
    assert_eq!(browser.get("/patients").await.0, StatusCode::OK);
    assert_eq!(
        elsewhere.get("/patients").await.0,
        StatusCode::SEE_OTHER,
        "every other session ended"
    );
    assert_eq!(
        me_status(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "every token revoked"
    );
    assert_eq!(
        Browser::new(&app.url)
            .sign_in("nina", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    signed_in(&app, "nina", NEW_PASSWORD).await;

    let admin = app.api(&app.token("admin", Role::Admin).await);
    let (_, log) = admin.get("/api/v1/audit?action=user.password_change").await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(log["items"][0]["username"], "nina");
}

#[tokio::test]
async fn a_password_changed_over_the_api_ends_every_token_and_renews_the_session() {
    let app = TestApp::spawn().await;
    let nurse = app.user("nina", Role::Nurse).await;
    let token = app.token_for(&nurse).await;
    let api = app.api(&token);

    let (status, problem) = api
        .put(
            "/api/v1/me/password",
            &json!({ "current_password": "wrong password", "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_field_error(&problem, "current_password");
    assert_eq!(problem["errors"][0]["code"], "wrong_password");
    let (status, problem) = api
        .put(
            "/api/v1/me/password",
            &json!({ "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_field_error(&problem, "current_password");
    assert_eq!(problem["errors"][0]["code"], "required");

    let (status, _) = api
        .put(
            "/api/v1/me/password",
            &json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        me_status(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "the token of the call too"
    );

    // With a session cookie: a new session, whose CSRF token `GET /api/v1/me` gives.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let signed: Value = client
        .post(format!("{}/api/v1/session", app.url))
        .json(&json!({ "username": "nina", "password": NEW_PASSWORD }))
        .send()
        .await
        .expect("sign in")
        .json()
        .await
        .expect("me");
    let csrf = signed["csrf_token"].as_str().expect("csrf").to_string();
    let changed = client
        .put(format!("{}/api/v1/me/password", app.url))
        .header("x-csrf-token", &csrf)
        .json(
            &json!({ "current_password": NEW_PASSWORD, "new_password": "yet another passphrase" }),
        )
        .send()
        .await
        .expect("change");
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert!(changed.headers().get(SET_COOKIE).is_some(), "a new session");
    let me: Value = client
        .get(format!("{}/api/v1/me", app.url))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["username"], "nina");
    assert_ne!(me["csrf_token"], csrf, "a new session, a new CSRF token");
}

#[tokio::test]
async fn a_reset_password_is_shown_once_and_must_be_replaced_before_anything_else() {
    let app = TestApp::spawn().await;
    let nina = app.user("nina", Role::Nurse).await;
    let before = signed_in(&app, "nina", PASSWORD).await;
    let token = app.token_for(&nina).await;
    let admin = app.api(&app.token("admin", Role::Admin).await);

    let (status, reset) = admin
        .post("/api/v1/users/nina/password-reset", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    assert_eq!(reset["username"], "nina");
    let temporary = reset["temporary_password"]
        .as_str()
        .expect("the temporary password")
        .to_string();
    assert_eq!(temporary.len(), 19, "{temporary}");
    assert_eq!(before.get("/patients").await.0, StatusCode::SEE_OTHER);
    assert_eq!(me_status(&app, &token).await, StatusCode::UNAUTHORIZED);
    let (_, users) = admin.get("/api/v1/users").await;
    let listed = users["items"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["username"] == "nina"))
        .expect("nina");
    assert_eq!(listed["must_change_password"], true);
    assert_eq!(
        admin
            .post("/api/v1/users/nobody/password-reset", &json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let browser = Browser::new(&app.url);
    let response = browser.sign_in("nina", &temporary).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/account/password");
    for page in ["/patients", "/", "/account", "/worklists"] {
        let response = browser
            .http
            .get(format!("{}{page}", app.url))
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
        assert_eq!(response.headers()[LOCATION], "/account/password", "{page}");
    }
    let (status, html) = browser.get("/account/password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"password-required\""), "{html}");
    assert!(!html.contains("href=\"/patients\""), "no way around it");

    let api_call = browser
        .http
        .get(format!("{}/api/v1/patients", app.url))
        .send()
        .await
        .expect("get");
    assert_eq!(api_call.status(), StatusCode::FORBIDDEN);
    let problem: Value = api_call.json().await.expect("problem");
    assert_eq!(problem["code"], "password_change_required");
    let (status, me) = browser.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    let me: Value = serde_json::from_str(&me).expect("json");
    assert_eq!(me["must_change_password"], true);

    let csrf = browser.csrf("/account/password").await;
    let answer = browser
        .post_form(
            "/account/password",
            &[
                ("_csrf", csrf.as_str()),
                ("current_password", temporary.as_str()),
                ("new_password", NEW_PASSWORD),
                ("new_password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_see_other(&answer, "/account?done=password");
    assert_eq!(browser.get("/patients").await.0, StatusCode::OK);
    let (_, me) = browser.get("/api/v1/me").await;
    let me: Value = serde_json::from_str(&me).expect("json");
    assert_eq!(me["must_change_password"], false);

    let (_, log) = admin.get("/api/v1/audit?action=user.password_reset").await;
    assert_eq!(log["items"][0]["username"], "admin");
}

#[tokio::test]
async fn a_user_with_a_temporary_password_may_still_sign_out_and_switch_language() {
    let app = TestApp::spawn().await;
    app.user("nina", Role::Nurse).await;
    let admin = app.api(&app.token("admin", Role::Admin).await);
    let (_, reset) = admin
        .post("/api/v1/users/nina/password-reset", &json!({}))
        .await;
    let temporary = reset["temporary_password"].as_str().expect("temporary");
    let browser = signed_in(&app, "nina", temporary).await;
    let csrf = browser.csrf("/account/password").await;
    let answer = browser
        .switch_language(&csrf, "en", "/account/password")
        .await;
    assert_see_other(&answer, "/account/password");
    let (_, html) = browser.get("/account/password").await;
    assert!(html.contains("Choose your own to continue"), "{html}");
    let answer = browser
        .post_form("/logout", &[("_csrf", csrf.as_str())])
        .await;
    assert_see_other(&answer, "/login");
}

#[tokio::test]
async fn the_users_page_resets_a_password_and_shows_it_once() {
    let app = TestApp::spawn().await;
    app.user("nina", Role::Nurse).await;
    let admin = app.browser("admin", Role::Admin).await;
    let csrf = admin.csrf("/users").await;
    let (status, html, _) = admin
        .post_form("/users/nina/password-reset", &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Mot de passe provisoire pour"), "{html}");
    let temporary = element_text(&html, "temporary-password");
    let groups: Vec<&str> = temporary.split('-').collect();
    assert_eq!(groups.len(), 4, "{temporary}");

    let (_, users) = admin.get("/users").await;
    assert!(!users.contains(&temporary), "shown once");
    assert!(users.contains("Mot de passe provisoire"), "the badge");
    let response = Browser::new(&app.url).sign_in("nina", &temporary).await;
    assert_eq!(response.headers()[LOCATION], "/account/password");
}
