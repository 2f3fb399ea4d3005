//! Staff accounts, API tokens and server-side sessions.
//!
//! Passwords arrive here already hashed (argon2, by the web layer); tokens and session
//! ids arrive as SHA-256 digests, so a copy of the database opens no door.
//!
//! Once there is an active administrator there always is one: nobody disables their own
//! account (`own_account`) nor the last active administrator (`last_admin`). The check and
//! the write are one transaction that starts by taking the one-row `account_lock`, so
//! two administrators disabling each other at once serialise on both engines and the
//! second is refused. A password change or reset ends every session of the user and
//! revokes every token in the same transaction.

use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};
use seldinger_domain::audit::{Actor, AuditAction};
use seldinger_domain::rules::Rule;
use seldinger_domain::user::{TokenLabel, Username};
use seldinger_domain::{Lang, Permission, Role, TokenId, UserId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::audit::{Entry, append};
use crate::{Conflict, Store, StoreError, StoreResult, name, take_lock};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub language: Lang,
    pub created_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
    /// The password is a temporary one an administrator set: the user must choose their
    /// own at the next sign-in.
    pub must_change_password: bool,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }

    pub fn actor(&self, client_addr: Option<String>) -> Actor {
        Actor {
            user_id: Some(self.id),
            username: self.username.clone(),
            role: Some(self.role),
            client_addr,
            via: None,
        }
    }
}

#[derive(FromQueryResult)]
struct UserRow {
    id: Uuid,
    username: String,
    full_name: String,
    role: String,
    language: String,
    created_at: OffsetDateTime,
    disabled_at: Option<OffsetDateTime>,
    must_change_password: bool,
    password_hash: String,
}

impl UserRow {
    fn into_user(self) -> StoreResult<(User, String)> {
        let role =
            Role::parse(&self.role).map_err(|e| StoreError::Other(format!("stored role: {e}")))?;
        let language = self
            .language
            .parse()
            .map_err(|e| StoreError::Other(format!("stored language: {e}")))?;
        Ok((
            User {
                id: UserId::from_uuid(self.id),
                username: self.username,
                full_name: self.full_name,
                role,
                language,
                created_at: self.created_at,
                disabled_at: self.disabled_at,
                must_change_password: self.must_change_password,
            },
            self.password_hash,
        ))
    }
}

const USER_COLUMNS: [&str; 9] = [
    "id",
    "username",
    "full_name",
    "role",
    "language",
    "created_at",
    "disabled_at",
    "must_change_password",
    "password_hash",
];

/// A new account, validated.
#[derive(Debug)]
pub struct NewUser {
    pub username: Username,
    pub full_name: String,
    pub role: Role,
    pub language: Lang,
    /// An argon2 PHC string.
    pub password_hash: String,
}

/// A signed-in browser session.
#[derive(Clone, Debug)]
pub struct Session {
    pub csrf_token: String,
    pub last_seen_at: OffsetDateTime,
}

/// Sessions are touched at most this often, so reading pages does not write on every request.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// An API token as its owner and administrators see it: never its secret nor its digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    /// What its owner calls it; tokens made before labels existed have none.
    pub label: Option<String>,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiToken {
    pub fn is_live(&self) -> bool {
        self.revoked_at.is_none()
    }
}

#[derive(FromQueryResult)]
struct TokenRow {
    id: Uuid,
    user_id: Uuid,
    label: Option<String>,
    created_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
}

impl From<TokenRow> for ApiToken {
    fn from(row: TokenRow) -> Self {
        Self {
            id: TokenId::from_uuid(row.id),
            user_id: UserId::from_uuid(row.user_id),
            label: row.label,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        }
    }
}

const TOKEN_COLUMNS: [&str; 5] = ["id", "user_id", "label", "created_at", "revoked_at"];

async fn one_user<C: ConnectionTrait>(
    db: &C,
    column: &'static str,
    value: sea_orm::Value,
) -> StoreResult<Option<(User, String)>> {
    let q = Query::select()
        .columns(USER_COLUMNS.map(|c| (name("u"), name(c))))
        .from_as(name("users"), name("u"))
        .and_where(Expr::col((name("u"), name(column))).eq(value))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => Ok(Some(UserRow::from_query_result(&row, "")?.into_user()?)),
        None => Ok(None),
    }
}

/// Takes the accounts lock — the first statement of every transaction that can change
/// who is an active administrator — then reads the account.
async fn locked_account<C: ConnectionTrait>(db: &C, username: &str) -> StoreResult<User> {
    take_lock(db, "account_lock").await?;
    Ok(one_user(db, "username", username.into())
        .await?
        .ok_or(StoreError::NotFound)?
        .0)
}

async fn set_disabled_at<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    at: Option<OffsetDateTime>,
) -> StoreResult<()> {
    let update = Query::update()
        .table(name("users"))
        .value(name("disabled_at"), at)
        .value(name("version"), Expr::col(name("version")).add(1))
        .and_where(Expr::col(name("id")).eq(user.as_uuid()))
        .to_owned();
    db.execute(&update).await?;
    Ok(())
}

/// Whether an active administrator other than `except` exists.
async fn another_active_admin<C: ConnectionTrait>(db: &C, except: UserId) -> StoreResult<bool> {
    let q = Query::select()
        .column(name("id"))
        .from(name("users"))
        .and_where(Expr::col(name("role")).eq(Role::Admin.code()))
        .and_where(Expr::col(name("disabled_at")).is_null())
        .and_where(Expr::col(name("id")).ne(except.as_uuid()))
        .limit(1)
        .to_owned();
    Ok(db.query_one(&q).await?.is_some())
}

/// Ends every session of a user and revokes every live token: whoever held them must
/// sign in again (with the new password, or not at all).
async fn end_access<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let sessions = Query::delete()
        .from_table(name("sessions"))
        .and_where(Expr::col(name("user_id")).eq(user))
        .to_owned();
    db.execute(&sessions).await?;
    let tokens = Query::update()
        .table(name("api_tokens"))
        .value(name("revoked_at"), now)
        .and_where(Expr::col(name("user_id")).eq(user))
        .and_where(Expr::col(name("revoked_at")).is_null())
        .to_owned();
    db.execute(&tokens).await?;
    Ok(())
}

fn refused(rule: Rule) -> StoreError {
    StoreError::Conflict(Conflict::Rule(rule))
}

impl Store {
    async fn one_user(
        &self,
        column: &'static str,
        value: sea_orm::Value,
    ) -> StoreResult<Option<(User, String)>> {
        one_user(&self.db, column, value).await
    }

    pub async fn create_user(
        &self,
        actor: &Actor,
        new: NewUser,
        now: OffsetDateTime,
    ) -> StoreResult<User> {
        let id = Uuid::now_v7();
        let txn = self.db.begin().await?;
        let insert = Query::insert()
            .into_table(name("users"))
            .columns(
                [
                    "id",
                    "username",
                    "full_name",
                    "role",
                    "password_hash",
                    "must_change_password",
                    "language",
                    "created_at",
                    "version",
                ]
                .map(name),
            )
            .values_panic([
                id.into(),
                new.username.as_str().into(),
                new.full_name.clone().into(),
                new.role.code().into(),
                new.password_hash.into(),
                false.into(),
                new.language.code().into(),
                now.into(),
                1i64.into(),
            ])
            .to_owned();
        txn.execute(&insert)
            .await
            .map_err(|e| StoreError::from_db(e, "username"))?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::UserCreate)
                .on("user", id)
                .detail(new.role.code()),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(User {
            id: UserId::from_uuid(id),
            username: new.username.to_string(),
            full_name: new.full_name,
            role: new.role,
            language: new.language,
            created_at: now,
            disabled_at: None,
            must_change_password: false,
        })
    }

    /// Every account, active and disabled, by username.
    pub async fn list_users(&self) -> StoreResult<Vec<User>> {
        let q = Query::select()
            .columns(USER_COLUMNS.map(name))
            .from(name("users"))
            .order_by(name("username"), Order::Asc)
            .to_owned();
        self.db
            .query_all(&q)
            .await?
            .iter()
            .map(|r| Ok(UserRow::from_query_result(r, "")?.into_user()?.0))
            .collect()
    }

    pub async fn get_user(&self, id: UserId) -> StoreResult<User> {
        Ok(self
            .one_user("id", id.as_uuid().into())
            .await?
            .ok_or(StoreError::NotFound)?
            .0)
    }

    /// The account and its password hash, for signing in.
    pub async fn user_with_password(&self, username: &str) -> StoreResult<Option<(User, String)>> {
        self.one_user("username", username.into()).await
    }

    /// Disables an account: it can no longer sign in, its sessions end and its tokens stop
    /// working. Refused (rule `own_account`) for the actor's own account and (rule
    /// `last_admin`) for the last active administrator; checked and written under the
    /// accounts lock. Disabling a disabled account ends its access again.
    pub async fn disable_user(
        &self,
        actor: &Actor,
        username: &str,
        now: OffsetDateTime,
    ) -> StoreResult<User> {
        let txn = self.db.begin().await?;
        let user = locked_account(&txn, username).await?;
        if actor.user_id == Some(user.id) {
            return Err(refused(Rule::OwnAccount));
        }
        if user.is_active() {
            if user.role == Role::Admin && !another_active_admin(&txn, user.id).await? {
                return Err(refused(Rule::LastAdmin));
            }
            set_disabled_at(&txn, user.id, Some(now)).await?;
        }
        let id = user.id.as_uuid();
        end_access(&txn, id, now).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::UserDisable).on("user", id),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(User {
            disabled_at: Some(user.disabled_at.unwrap_or(now)),
            ..user
        })
    }

    /// Enables a disabled account (audited `user.enable`): it can sign in again with its
    /// password. Its former sessions and tokens stay ended. An active account is
    /// returned as it is, and nothing is recorded.
    pub async fn enable_user(
        &self,
        actor: &Actor,
        username: &str,
        now: OffsetDateTime,
    ) -> StoreResult<User> {
        let txn = self.db.begin().await?;
        let user = locked_account(&txn, username).await?;
        if user.is_active() {
            return Ok(user);
        }
        set_disabled_at(&txn, user.id, None).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::UserEnable).on("user", user.id),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(User {
            disabled_at: None,
            ..user
        })
    }

    /// A user replaces their password (audited `user.password_change`). The web layer
    /// has checked the current password against `verified_hash`, the hash it read; if the
    /// stored hash is no longer that one (an administrator reset it meanwhile) nothing
    /// changes and the answer is `StaleVersion`. Clears `must_change_password`, ends every
    /// session of the user (the web layer opens a new one) and revokes every token, in one
    /// transaction. A disabled account is `Locked`.
    pub async fn change_password(
        &self,
        actor: &Actor,
        user: UserId,
        verified_hash: &str,
        new_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let id = user.as_uuid();
        let txn = self.db.begin().await?;
        let update = Query::update()
            .table(name("users"))
            .value(name("password_hash"), new_hash)
            .value(name("must_change_password"), false)
            .value(name("version"), Expr::col(name("version")).add(1))
            .and_where(Expr::col(name("id")).eq(id))
            .and_where(Expr::col(name("password_hash")).eq(verified_hash))
            .and_where(Expr::col(name("disabled_at")).is_null())
            .to_owned();
        if txn.execute(&update).await?.rows_affected() == 0 {
            let state = Query::select()
                .columns(["disabled_at", "version"].map(name))
                .from(name("users"))
                .and_where(Expr::col(name("id")).eq(id))
                .to_owned();
            let row = txn.query_one(&state).await?.ok_or(StoreError::NotFound)?;
            let disabled_at: Option<OffsetDateTime> = row.try_get("", "disabled_at")?;
            if disabled_at.is_some() {
                return Err(StoreError::Conflict(Conflict::Locked));
            }
            let current: i64 = row.try_get("", "version")?;
            return Err(StoreError::Conflict(Conflict::StaleVersion { current }));
        }
        end_access(&txn, id, now).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::PasswordChange).on("user", id),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// An administrator (or the host, `seldinger user reset-password`) sets a temporary
    /// password (audited `user.password_reset`): `must_change_password` is set, every
    /// session of the user ends and every token is revoked, in one transaction. A
    /// disabled account may be reset too (it still cannot sign in until enabled).
    pub async fn reset_password(
        &self,
        actor: &Actor,
        username: &str,
        temporary_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<User> {
        let txn = self.db.begin().await?;
        let update = Query::update()
            .table(name("users"))
            .value(name("password_hash"), temporary_hash)
            .value(name("must_change_password"), true)
            .value(name("version"), Expr::col(name("version")).add(1))
            .and_where(Expr::col(name("username")).eq(username))
            .to_owned();
        if txn.execute(&update).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let (user, _) = one_user(&txn, "username", username.into())
            .await?
            .ok_or(StoreError::NotFound)?;
        let id = user.id.as_uuid();
        end_access(&txn, id, now).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::PasswordReset).on("user", id),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(user)
    }

    pub async fn set_language(&self, user: UserId, language: Lang) -> StoreResult<()> {
        let update = Query::update()
            .table(name("users"))
            .value(name("language"), language.code())
            .and_where(Expr::col(name("id")).eq(user.as_uuid()))
            .to_owned();
        self.db.execute(&update).await?;
        Ok(())
    }

    /// Stores a new API token's digest for an active user (`Locked` if disabled), without
    /// a label. Whom a token may be made for is the caller's rule: its owner (the web
    /// layer) or the host (`seldinger token create`).
    pub async fn create_token(
        &self,
        actor: &Actor,
        user: UserId,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        self.create_labelled_token(actor, user, token_hash, None, now)
            .await
            .map(|_| ())
    }

    /// Stores a new API token's digest for an active user (`Locked` if disabled), with
    /// the label its owner gave it; audited `token.create`.
    pub async fn create_labelled_token(
        &self,
        actor: &Actor,
        user: UserId,
        token_hash: &str,
        label: Option<&TokenLabel>,
        now: OffsetDateTime,
    ) -> StoreResult<ApiToken> {
        let target = self.get_user(user).await?;
        if !target.is_active() {
            return Err(StoreError::Conflict(Conflict::Locked));
        }
        let id = Uuid::now_v7();
        let label = label.map(|l| l.as_str().to_string());
        let txn = self.db.begin().await?;
        let insert = Query::insert()
            .into_table(name("api_tokens"))
            .columns(["id", "user_id", "token_hash", "label", "created_at"].map(name))
            .values_panic([
                id.into(),
                user.as_uuid().into(),
                token_hash.into(),
                label.clone().into(),
                now.into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        append(
            &txn,
            actor,
            Entry::new(AuditAction::TokenCreate)
                .on("user", user)
                .detail(id.to_string()),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(ApiToken {
            id: TokenId::from_uuid(id),
            user_id: user,
            label,
            created_at: now,
            revoked_at: None,
        })
    }

    /// A user's API tokens, live and revoked, newest first; no secret nor digest.
    pub async fn list_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        let q = Query::select()
            .columns(TOKEN_COLUMNS.map(name))
            .from(name("api_tokens"))
            .and_where(Expr::col(name("user_id")).eq(user.as_uuid()))
            .order_by(name("created_at"), Order::Desc)
            .order_by(name("id"), Order::Desc)
            .to_owned();
        self.db
            .query_all(&q)
            .await?
            .iter()
            .map(|r| Ok(TokenRow::from_query_result(r, "")?.into()))
            .collect()
    }

    /// Revokes an API token (audited `token.revoke`, naming its owner and the token). Its
    /// owner may revoke it, and so may whoever administers accounts; for anyone else the
    /// token is `NotFound`, as is one that does not exist. Revoking a revoked token
    /// changes nothing and records nothing.
    pub async fn revoke_token(
        &self,
        actor: &Actor,
        token: TokenId,
        now: OffsetDateTime,
    ) -> StoreResult<ApiToken> {
        let administers = actor.role.is_some_and(|r| r.can(Permission::UserAdmin));
        let id = token.as_uuid();
        let txn = self.db.begin().await?;
        let mut revoke = Query::update();
        revoke
            .table(name("api_tokens"))
            .value(name("revoked_at"), now)
            .and_where(Expr::col(name("id")).eq(id))
            .and_where(Expr::col(name("revoked_at")).is_null());
        if !administers {
            let Some(owner) = actor.user_id else {
                return Err(StoreError::NotFound);
            };
            revoke.and_where(Expr::col(name("user_id")).eq(owner.as_uuid()));
        }
        let revoked = txn.execute(&revoke).await?.rows_affected() > 0;
        let q = Query::select()
            .columns(TOKEN_COLUMNS.map(name))
            .from(name("api_tokens"))
            .and_where(Expr::col(name("id")).eq(id))
            .to_owned();
        let found: ApiToken = match txn.query_one(&q).await? {
            Some(row) => TokenRow::from_query_result(&row, "")?.into(),
            None => return Err(StoreError::NotFound),
        };
        if !administers && actor.user_id != Some(found.user_id) {
            return Err(StoreError::NotFound);
        }
        if revoked {
            append(
                &txn,
                actor,
                Entry::new(AuditAction::TokenRevoke)
                    .on("user", found.user_id)
                    .detail(id.to_string()),
                now,
            )
            .await?;
        }
        txn.commit().await?;
        Ok(found)
    }

    /// The active user a token digest belongs to, if the token is live.
    pub async fn user_for_token(&self, token_hash: &str) -> StoreResult<Option<User>> {
        let q = Query::select()
            .columns(USER_COLUMNS.map(|c| (name("u"), name(c))))
            .from_as(name("api_tokens"), name("t"))
            .join_as(
                JoinType::InnerJoin,
                name("users"),
                name("u"),
                Expr::col((name("u"), name("id"))).equals((name("t"), name("user_id"))),
            )
            .and_where(Expr::col((name("t"), name("token_hash"))).eq(token_hash))
            .and_where(Expr::col((name("t"), name("revoked_at"))).is_null())
            .and_where(Expr::col((name("u"), name("disabled_at"))).is_null())
            .to_owned();
        match self.db.query_one(&q).await? {
            Some(row) => Ok(Some(UserRow::from_query_result(&row, "")?.into_user()?.0)),
            None => Ok(None),
        }
    }

    pub async fn create_session(
        &self,
        id_hash: &str,
        user: UserId,
        csrf_token: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let insert = Query::insert()
            .into_table(name("sessions"))
            .columns(
                [
                    "id_hash",
                    "user_id",
                    "csrf_token",
                    "created_at",
                    "last_seen_at",
                ]
                .map(name),
            )
            .values_panic([
                id_hash.into(),
                user.as_uuid().into(),
                csrf_token.into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        self.db.execute(&insert).await?;
        Ok(())
    }

    /// The live session for a digest and its active user. A session idle for longer
    /// than `idle` is deleted and not returned.
    pub async fn session(
        &self,
        id_hash: &str,
        now: OffsetDateTime,
        idle: Duration,
    ) -> StoreResult<Option<(User, Session)>> {
        let mut cols: Vec<(sea_orm::sea_query::Alias, sea_orm::sea_query::Alias)> =
            USER_COLUMNS.iter().map(|c| (name("u"), name(c))).collect();
        cols.push((name("s"), name("csrf_token")));
        cols.push((name("s"), name("last_seen_at")));
        let q = Query::select()
            .columns(cols)
            .from_as(name("sessions"), name("s"))
            .join_as(
                JoinType::InnerJoin,
                name("users"),
                name("u"),
                Expr::col((name("u"), name("id"))).equals((name("s"), name("user_id"))),
            )
            .and_where(Expr::col((name("s"), name("id_hash"))).eq(id_hash))
            .to_owned();
        let Some(row) = self.db.query_one(&q).await? else {
            return Ok(None);
        };
        let (user, _) = UserRow::from_query_result(&row, "")?.into_user()?;
        let session = Session {
            csrf_token: row.try_get("", "csrf_token")?,
            last_seen_at: row.try_get("", "last_seen_at")?,
        };
        if now - session.last_seen_at > idle || !user.is_active() {
            self.delete_session(id_hash).await?;
            return Ok(None);
        }
        if now - session.last_seen_at > TOUCH_EVERY {
            let touch = Query::update()
                .table(name("sessions"))
                .value(name("last_seen_at"), now)
                .and_where(Expr::col(name("id_hash")).eq(id_hash))
                .to_owned();
            self.db.execute(&touch).await?;
        }
        Ok(Some((user, session)))
    }

    /// Deletes every session unused since `before` (sessions that expire unused are
    /// otherwise only deleted when presented again); returns how many went.
    pub async fn purge_idle_sessions(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let delete = Query::delete()
            .from_table(name("sessions"))
            .and_where(Expr::col(name("last_seen_at")).lt(before))
            .to_owned();
        Ok(self.db.execute(&delete).await?.rows_affected())
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        let delete = Query::delete()
            .from_table(name("sessions"))
            .and_where(Expr::col(name("id_hash")).eq(id_hash))
            .to_owned();
        self.db.execute(&delete).await?;
        Ok(())
    }
}
