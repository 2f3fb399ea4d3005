//! The worklists page (each list's count and first cases, today's consultations, what
//! waits after the procedure) and one worklist, page by page.

use askama::Template;
use axum::extract::{Path, Query, State};
use seldinger_domain::Permission;
use seldinger_domain::consultation::ConsultationStatus;
use seldinger_domain::localtime::local_date;
use seldinger_store::cases::{CaseSummary, Worklist};
use seldinger_store::followups::WaitingCounts;
use serde::Deserialize;
use time::OffsetDateTime;

use super::{WORKLISTS, worklist_named};
use crate::AppState;
use crate::auth::Ctx;
use crate::calendar::{day_bounds, days_between, today};
use crate::case_view::Words;
use crate::html::{Layout, PageResult, render};

/// How many cases of each list the landing page shows.
const PREVIEW: u64 = 3;

/// How many cases a worklist page shows.
const PAGE_SIZE: u64 = 100;

pub struct WorklistCard {
    pub slug: &'static str,
    pub total: u64,
    pub top: Vec<CaseSummary>,
}

#[derive(Template)]
#[template(path = "worklists/landing.html")]
pub struct WorklistsPage {
    l: Layout,
    w: Words,
    cards: Vec<WorklistCard>,
    consultations_today: usize,
    today: String,
    now: OffsetDateTime,
    after: WaitingCounts,
}

impl WorklistsPage {
    pub fn title_key(&self, slug: &str) -> String {
        format!("worklist.{slug}")
    }

    pub fn hint_key(&self, slug: &str) -> String {
        format!("worklist.{slug}.hint")
    }

    pub fn waiting(&self, c: &CaseSummary) -> i64 {
        days_between(c.referred_at, self.now, &self.l.timezone)
    }

    pub fn procedure<'a>(&self, c: &'a CaseSummary) -> &'a str {
        c.procedure_name(self.w.0)
    }

    pub fn count(&self, n: &u64) -> String {
        self.l.number(usize::try_from(*n).unwrap_or(usize::MAX))
    }

    pub fn today_count(&self) -> String {
        self.l.number(self.consultations_today)
    }
}

pub async fn worklists(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let now = state.now();
    let actor = ctx.actor();
    let mut cards = Vec::new();
    for (slug, list) in WORKLISTS {
        let (top, total) = state
            .store()
            .worklist(&actor, list, PREVIEW, 0, now)
            .await?;
        cards.push(WorklistCard { slug, total, top });
    }
    let day = today(&state, &ctx);
    let (from, to) = day_bounds(day, &ctx.timezone);
    let consultations_today = state
        .store()
        .consultations_between(&actor, from, to, None, now)
        .await?
        .iter()
        .filter(|c| c.status != ConsultationStatus::Cancelled)
        .count();
    let after = state.store().waiting_counts(now).await?;
    Ok(render(&WorklistsPage {
        l: Layout::new(&ctx, "/worklists", "worklists"),
        w: Words(ctx.lang),
        cards,
        consultations_today,
        today: day.to_string(),
        now,
        after,
    }))
}

#[derive(Template)]
#[template(path = "worklists/list.html")]
pub struct WorklistPage {
    l: Layout,
    w: Words,
    slug: &'static str,
    list: Worklist,
    rows: Vec<CaseSummary>,
    total: u64,
    page: u64,
    pages: u64,
    now: OffsetDateTime,
}

impl WorklistPage {
    pub fn title_key(&self) -> String {
        format!("worklist.{}", self.slug)
    }

    pub fn hint_key(&self) -> String {
        format!("worklist.{}.hint", self.slug)
    }

    pub fn waiting(&self, c: &CaseSummary) -> i64 {
        days_between(c.referred_at, self.now, &self.l.timezone)
    }

    pub fn age(&self, c: &CaseSummary) -> i32 {
        crate::i18n::age(c.birth_date, local_date(self.now, &self.l.timezone))
    }

    pub fn procedure<'a>(&self, c: &'a CaseSummary) -> &'a str {
        c.procedure_name(self.w.0)
    }

    /// The message key of what this list is for, for this user.
    pub fn action_key(&self) -> &'static str {
        match self.list {
            Worklist::ToTriage if self.l.can(Permission::Triage) => "worklist.action.triage",
            Worklist::AwaitingConsultation if self.l.can(Permission::ConsultationBook) => {
                "worklist.action.book_consultation"
            }
            Worklist::Consulted if self.l.can(Permission::Triage) => "worklist.action.decide",
            Worklist::AwaitingMdt if self.l.can(Permission::MdtManage) => "worklist.action.agenda",
            Worklist::ToSchedule if self.l.can(Permission::BookingManage) => "worklist.action.book",
            _ => "worklist.action.open",
        }
    }

    pub fn action_href(&self, c: &CaseSummary) -> String {
        match self.action_key() {
            "worklist.action.book_consultation" => format!("/cases/{}#book-consultation", c.id),
            "worklist.action.agenda" => "/mdt".to_string(),
            "worklist.action.book" => format!("/cases/{}/booking", c.id),
            _ => format!("/cases/{}", c.id),
        }
    }

    /// "101–200 / 1,234": the rows shown and the total.
    pub fn range(&self) -> String {
        let first = (self.page - 1) * PAGE_SIZE + 1;
        let last = (first + self.rows.len() as u64)
            .saturating_sub(1)
            .max(first);
        format!(
            "{}–{} / {}",
            self.count(&first),
            self.count(&last),
            self.count(&self.total)
        )
    }

    pub fn count(&self, n: &u64) -> String {
        self.l.number(usize::try_from(*n).unwrap_or(usize::MAX))
    }

    pub fn previous(&self) -> Option<String> {
        (self.page > 1).then(|| format!("/worklists/{}?page={}", self.slug, self.page - 1))
    }

    pub fn next(&self) -> Option<String> {
        (self.page < self.pages).then(|| format!("/worklists/{}?page={}", self.slug, self.page + 1))
    }
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    page: String,
}

pub async fn worklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let list = worklist_named(&slug)?;
    let slug = WORKLISTS
        .iter()
        .find(|(_, l)| *l == list)
        .map(|(s, _)| *s)
        .unwrap_or("to_triage");
    let page = q.page.trim().parse::<u64>().unwrap_or(1).max(1);
    let now = state.now();
    let (rows, total) = state
        .store()
        .worklist(&ctx.actor(), list, PAGE_SIZE, (page - 1) * PAGE_SIZE, now)
        .await?;
    Ok(render(&WorklistPage {
        l: Layout::new(&ctx, format!("/worklists/{slug}"), "worklists"),
        w: Words(ctx.lang),
        slug,
        list,
        rows,
        total,
        page,
        pages: total.div_ceil(PAGE_SIZE).max(1),
        now,
    }))
}
