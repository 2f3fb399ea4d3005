//! What the HTTP tests share: the application on port 0 with a fresh database and a
//! manual clock, an API client with a bearer token, and a browser-like client with cookies.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use seldinger_domain::audit::Actor;
use seldinger_domain::clock::ManualClock;
use seldinger_domain::user::Username;
use seldinger_domain::{Lang, Role};
use seldinger_store::testing::TestDatabase;
use seldinger_store::{NewUser, Store};
use seldinger_web::{AppState, WebConfig, auth};
use serde_json::{Value, json};
use time::macros::datetime;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub url: String,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub _db: TestDatabase,
    pub _server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        let db = TestDatabase::new().await;
        let store = db.store().await;
        Self::serve(db, store).await
    }

    pub async fn serve(db: TestDatabase, store: Store) -> Self {
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-22 09:00 UTC)));
        let state = AppState::new(store.clone(), clock.clone(), WebConfig::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let app = seldinger_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("server runs");
        });
        Self {
            url,
            store,
            clock,
            _db: db,
            _server: server,
        }
    }

    pub async fn user(&self, username: &str, role: Role) -> seldinger_store::User {
        let hash = auth::hash_password(PASSWORD).expect("hash");
        let new = NewUser {
            username: Username::parse(username).expect("valid username"),
            full_name: format!("Test {username}"),
            role,
            language: Lang::Fr,
            password_hash: hash,
        };
        self.store
            .create_user(&Actor::system("test"), new, self.clock.now_value())
            .await
            .expect("create user")
    }

    /// A user of `role` and a bearer token for them.
    pub async fn token(&self, username: &str, role: Role) -> String {
        let user = self.user(username, role).await;
        self.token_for(&user).await
    }

    /// A bearer token for an existing user, made through the store as the host's
    /// `seldinger token create` makes one (the web makes a token for its owner only).
    pub async fn token_for(&self, user: &seldinger_store::User) -> String {
        let token = auth::new_secret("sld_");
        self.store
            .create_token(
                &Actor::system("test"),
                user.id,
                &auth::digest(&token),
                self.clock.now_value(),
            )
            .await
            .expect("create token");
        token
    }

    pub fn api(&self, token: &str) -> Api {
        Api {
            url: self.url.clone(),
            token: token.to_string(),
            http: plain_client(),
        }
    }

    /// A browser-like client (cookies, no redirects followed) signed in as a new user.
    pub async fn browser(&self, username: &str, role: Role) -> Browser {
        self.user(username, role).await;
        let browser = Browser::new(&self.url);
        let response = browser.sign_in(username, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in redirects"
        );
        browser
    }
}

pub trait NowValue {
    fn now_value(&self) -> time::OffsetDateTime;
}

impl NowValue for ManualClock {
    fn now_value(&self) -> time::OffsetDateTime {
        seldinger_domain::Clock::now(self)
    }
}

pub fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub struct Api {
    pub url: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.url))
            .header(AUTHORIZATION, format!("Bearer {}", self.token))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let response = self
            .request(method, path)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .request(reqwest::Method::DELETE, path)
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> (StatusCode, String, Value) {
        let response = self
            .request(method, path)
            .header(CONTENT_TYPE, content_type)
            .body(body.to_string())
            .send()
            .await
            .expect("request");
        let status = response.status();
        let ct = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ct, response.json().await.unwrap_or(Value::Null))
    }
}

pub struct Browser {
    pub url: String,
    pub http: reqwest::Client,
}

impl Browser {
    pub fn new(url: &str) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            url: url.to_string(),
            http,
        }
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/login", self.url))
            .form(&[
                ("username", username),
                ("password", password),
                ("next", "/patients"),
            ])
            .send()
            .await
            .expect("sign in")
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("get");
        let status = response.status();
        (status, response.text().await.unwrap_or_default())
    }

    /// The CSRF token printed in the forms of a page.
    pub async fn csrf(&self, path: &str) -> String {
        let (_, html) = self.get(path).await;
        let marker = "name=\"_csrf\" value=\"";
        let start = html.find(marker).expect("a form with a CSRF field") + marker.len();
        html[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn post_form<F: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        fields: &F,
    ) -> (StatusCode, String, Option<String>) {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .form(fields)
            .send()
            .await
            .expect("post");
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (status, response.text().await.unwrap_or_default(), location)
    }
}

impl Browser {
    /// Switches the signed-in user's language, as the header's button does.
    pub async fn switch_language(
        &self,
        csrf: &str,
        language: &str,
        next: &str,
    ) -> (StatusCode, String, Option<String>) {
        self.post_form(
            "/language",
            &[("_csrf", csrf), ("language", language), ("next", next)],
        )
        .await
    }
}

/// A POST answered the POST/redirect/GET way: 303 to `to`.
#[track_caller]
pub fn assert_see_other(answer: &(StatusCode, String, Option<String>), to: &str) {
    assert_eq!(
        (answer.0, answer.2.as_deref()),
        (StatusCode::SEE_OTHER, Some(to)),
        "{}",
        answer.1
    );
}

pub fn helene() -> Value {
    json!({
        "mrn": "IP-2026-0001",
        "family_name": "Dupré-Lefèvre",
        "given_names": "Hélène",
        "birth_date": "1956-03-12",
        "sex": "female",
        "allergies": [{ "kind": "iodinated_contrast", "note": "urticaria in 2019" }],
        "anticoagulants": [{ "drug": "apixaban", "note": "5 mg twice daily" }]
    })
}

#[track_caller]
pub fn assert_field_error(body: &Value, field: &str) {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors[] in {body}"));
    assert!(
        errors.iter().any(|e| e["field"] == field && e["pointer"] == format!("/{}", field.replace('.', "/"))),
        "no error for {field} in {body}"
    );
}
