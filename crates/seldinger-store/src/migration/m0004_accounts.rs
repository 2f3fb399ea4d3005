//! Accounts: the lock that keeps an active administrator, the temporary-password flag,
//! token labels.
//!
//! - `account_lock`: one row, updated first by every transaction that can change who is
//!   an active administrator (disabling, enabling), so that two administrators disabling
//!   each other at once cannot leave none — as `booking_lock` serialises bookings.
//! - `users.must_change_password`: set by an administrator's reset (the password is a
//!   temporary one), cleared when the user chooses their own.
//! - `api_tokens.label`: what its owner calls a token ("reporting script"); tokens made
//!   before this migration have none. `api_tokens_user` lists a user's tokens.

use sea_orm_migration::prelude::*;

use super::{a, big, index, text_null};

pub struct M0004Accounts;

impl MigrationName for M0004Accounts {
    fn name(&self) -> &str {
        "m0004_accounts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0004Accounts {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // PostgreSQL holds the row lock until commit; SQLite takes its write lock before
        // any read, so the busy timeout applies instead of a stale snapshot.
        m.create_table(
            Table::create()
                .table(a("account_lock"))
                .col(ColumnDef::new(a("id")).integer().not_null().primary_key())
                .col(big("counter"))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(a("account_lock"))
                .columns([a("id"), a("counter")])
                .values_panic([1.into(), 0i64.into()])
                .to_owned(),
        )
        .await?;

        // SQLite adds one column per statement.
        m.alter_table(
            Table::alter()
                .table(a("users"))
                .add_column(
                    ColumnDef::new(a("must_change_password"))
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("api_tokens"))
                .add_column(text_null("label", 100))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "api_tokens",
            "api_tokens_user",
            &["user_id", "created_at"],
        ))
        .await?;
        Ok(())
    }
}
