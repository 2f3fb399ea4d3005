//! The load: N tokio tasks sharing one keep-alive client, each taking the next request
//! of a fixed total, every latency recorded.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use tokio::task::JoinSet;

use crate::queries::Kind;

/// One request to send: its URL and, for searches, the kind of query it carries.
pub type Target = (Option<Kind>, reqwest::Url);

/// A request that takes longer than this counts as an error (and ends the wait).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// One HTTP client: keep-alive, at most `connections` idle connections kept, the bearer
/// token on every request.
pub fn client(token: &str, connections: usize) -> anyhow::Result<reqwest::Client> {
    let mut headers = HeaderMap::new();
    let mut bearer = HeaderValue::from_str(&format!("Bearer {token}"))
        .context("the token is not a valid header value")?;
    bearer.set_sensitive(true);
    headers.insert(AUTHORIZATION, bearer);
    reqwest::Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(connections)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .context("cannot build the HTTP client")
}

/// What one run gave.
#[derive(Clone)]
pub struct LoadResult {
    pub requests: usize,
    pub concurrency: usize,
    pub wall: Duration,
    /// Milliseconds, sorted.
    pub latencies_ms: Vec<f64>,
    /// Milliseconds per query kind (indexed by [`Kind::index`]), sorted.
    pub by_kind_ms: Vec<Vec<f64>>,
    pub errors: usize,
    pub first_error: Option<String>,
    /// Results per answer, when the answers were inspected.
    pub items: Vec<usize>,
    /// CPU seconds used during the run by the server and by the bench (loaded run only).
    pub cpu_server: Option<f64>,
    pub cpu_bench: Option<f64>,
    /// Cores busy on the whole machine during the run (server, bench, database, others).
    pub machine_busy_cores: Option<f64>,
}

impl LoadResult {
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.wall.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> f64 {
        percentile(&self.latencies_ms, p)
    }

    pub fn max(&self) -> f64 {
        self.latencies_ms.last().copied().unwrap_or(f64::NAN)
    }

    pub fn mean_items(&self) -> f64 {
        self.items.iter().sum::<usize>() as f64 / self.items.len().max(1) as f64
    }

    pub fn empty_share(&self) -> f64 {
        self.items.iter().filter(|n| **n == 0).count() as f64 / self.items.len().max(1) as f64
    }
}

/// Nearest-rank percentile of sorted values (`p` in 0..=1); NaN when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct TaskResult {
    latencies: Vec<(Option<Kind>, f64)>,
    errors: usize,
    first_error: Option<String>,
    items: Vec<usize>,
}

/// Sends `total` requests from `concurrency` tasks, cycling through `urls`; each must
/// answer 200. With `inspect`, answers are parsed and their results counted.
pub async fn run(
    client: &reqwest::Client,
    urls: &Arc<Vec<Target>>,
    total: usize,
    concurrency: usize,
    inspect: bool,
) -> anyhow::Result<LoadResult> {
    anyhow::ensure!(!urls.is_empty(), "no query to send");
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    let started = Instant::now();
    for _ in 0..concurrency {
        let client = client.clone();
        let urls = Arc::clone(urls);
        let next = Arc::clone(&next);
        tasks.spawn(async move {
            let mut result = TaskResult {
                latencies: Vec::with_capacity(total / concurrency + 1),
                errors: 0,
                first_error: None,
                items: Vec::new(),
            };
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let (kind, url) = &urls[i % urls.len()];
                let sent = Instant::now();
                let outcome = search(&client, url.clone(), inspect).await;
                result
                    .latencies
                    .push((*kind, sent.elapsed().as_secs_f64() * 1000.0));
                match outcome {
                    Ok(Some(items)) => result.items.push(items),
                    Ok(None) => {}
                    Err(e) => {
                        result.errors += 1;
                        result
                            .first_error
                            .get_or_insert_with(|| format!("{url}: {e}"));
                    }
                }
            }
            result
        });
    }
    let mut latencies = Vec::with_capacity(total);
    let mut by_kind_ms = vec![Vec::new(); Kind::ALL.len()];
    let mut errors = 0;
    let mut first_error = None;
    let mut items = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let task = joined.context("a load task panicked")?;
        for (kind, ms) in task.latencies {
            latencies.push(ms);
            if let Some(bucket) = kind.and_then(|k| by_kind_ms.get_mut(k.index())) {
                bucket.push(ms);
            }
        }
        errors += task.errors;
        first_error = first_error.or(task.first_error);
        items.extend(task.items);
    }
    let wall = started.elapsed();
    latencies.sort_by(f64::total_cmp);
    for bucket in &mut by_kind_ms {
        bucket.sort_by(f64::total_cmp);
    }
    Ok(LoadResult {
        requests: total,
        concurrency,
        wall,
        latencies_ms: latencies,
        by_kind_ms,
        errors,
        first_error,
        items,
        cpu_server: None,
        cpu_bench: None,
        machine_busy_cores: None,
    })
}

/// One search; the whole body is read. Anything but 200 is an error. With `inspect`,
/// the answer's results are counted.
async fn search(
    client: &reqwest::Client,
    url: reqwest::Url,
    inspect: bool,
) -> Result<Option<usize>, String> {
    let response = client.get(url).send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if status != reqwest::StatusCode::OK {
        let text = String::from_utf8_lossy(&body);
        return Err(format!(
            "{status}: {}",
            text.chars().take(300).collect::<String>()
        ));
    }
    Ok(inspect.then(|| count_items(&body)))
}

fn count_items(body: &[u8]) -> usize {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["items"].as_array().map(Vec::len))
        .unwrap_or(0)
}
