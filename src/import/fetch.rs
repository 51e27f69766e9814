//! Fetching one dataset's window: spans and pages, several at a time, each page normalized
//! and handed to the writer as soon as it arrives, so memory holds the pages in flight and
//! not the history.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::mpsc;

use super::plan::{self, Window};
use super::writer::Message;
use crate::config::{CustomMapping, DatasetKind, Granularity};
use crate::libinsight::wire::DataGridPage;
use crate::libinsight::{self, Aggregate, Client, Overview, OverviewFamily, RequestCounter, Span};
use crate::model::{Library, Problem};
use crate::normalize::{self, CustomPage};

/// The most pages a span may take when LibInsight does not say how many there are.
const PAGE_LIMIT_WITHOUT_TOTAL: u64 = 100_000;

/// One dataset's import.
pub struct DatasetFetch<'a> {
    pub job: u32,
    pub dataset_id: u32,
    pub kind: &'a DatasetKind,
    pub client: &'a Client,
    pub window: Window,
    /// The dataset's libraries as stored by earlier imports; when there are some, the
    /// `libraries` map of each overview answer is enough and `/libraries` is not asked.
    pub stored_libraries: Vec<Library>,
    /// Spans (and pages of a span) fetched at once.
    pub concurrency: usize,
}

/// What a fetch found besides the rows it sent to the writer.
#[derive(Debug, Default)]
pub struct Fetched {
    pub problems: Vec<Problem>,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    LibInsight(#[from] libinsight::Error),
    #[error("field `{field}` not found; fields seen: {seen}")]
    ModeFieldMissing { field: String, seen: String },
    #[error("the writer stopped before the dataset was stored")]
    WriterGone,
}

async fn send(tx: &mpsc::Sender<Message>, message: Message) -> Result<(), FetchError> {
    tx.send(message).await.map_err(|_| FetchError::WriterGone)
}

/// Sends every problem's kept row to the writer, then keeps the problems.
async fn keep(
    tx: &mpsc::Sender<Message>,
    job: u32,
    problems: Vec<Problem>,
    into: &mut Vec<Problem>,
) -> Result<(), FetchError> {
    let keys: Vec<_> = problems.iter().filter_map(|p| p.key.clone()).collect();
    if !keys.is_empty() {
        send(tx, Message::Keep { job, keys }).await?;
    }
    into.extend(problems);
    Ok(())
}

impl DatasetFetch<'_> {
    pub async fn run(&self, counter: &RequestCounter, tx: &mpsc::Sender<Message>) -> Result<Fetched, FetchError> {
        match self.kind {
            DatasetKind::GateCount { granularity } => self.gate_counts(*granularity, counter, tx).await,
            DatasetKind::Reference { granularity } => self.reference(*granularity, counter, tx).await,
            DatasetKind::Custom(mapping) => self.custom(mapping, counter, tx).await,
        }
    }

    /// The window's overviews, several spans at once, as they arrive.
    fn overviews<'s>(
        &'s self,
        family: OverviewFamily,
        granularity: Granularity,
        counter: &'s RequestCounter,
    ) -> impl Stream<Item = (Span, Result<Overview, libinsight::Error>)> + 's {
        let aggregate = match granularity {
            Granularity::Day => Aggregate::Daily,
            Granularity::Month => Aggregate::Monthly,
        };
        stream::iter(plan::spans(self.window, Some(granularity)))
            .map(move |span| async move {
                (span, self.client.overview(family, self.dataset_id, span, aggregate, counter).await)
            })
            .buffer_unordered(self.concurrency)
    }

    async fn gate_counts(
        &self,
        granularity: Granularity,
        counter: &RequestCounter,
        tx: &mpsc::Sender<Message>,
    ) -> Result<Fetched, FetchError> {
        let mut fetched = Fetched::default();
        let mut known: Vec<Library> = self.stored_libraries.clone();
        if known.is_empty() {
            let listed = self.client.gate_count_libraries(self.dataset_id, counter).await?;
            let libraries = normalize::libraries(&listed);
            known = libraries.rows;
            fetched.problems.extend(libraries.problems);
            send(tx, Message::Libraries { job: self.job, rows: known.clone() }).await?;
        }

        let mut overviews = self.overviews(OverviewFamily::GateCount, granularity, counter);
        while let Some((span, overview)) = overviews.next().await {
            let overview = overview?;
            // The answer's own map: new libraries, and names changed in LibInsight.
            let named = normalize::libraries(&overview.libraries);
            let changed: Vec<Library> = named.rows.into_iter().filter(|l| !known.contains(l)).collect();
            if !changed.is_empty() {
                for library in &changed {
                    match known.iter_mut().find(|k| k.id == library.id) {
                        Some(old) => old.name.clone_from(&library.name),
                        None => known.push(library.clone()),
                    }
                }
                send(tx, Message::Libraries { job: self.job, rows: changed }).await?;
            }
            let visits = normalize::gate_visits(&overview, &known, granularity, span);
            send(tx, Message::Gate { job: self.job, rows: visits.rows }).await?;
            keep(tx, self.job, visits.problems, &mut fetched.problems).await?;
        }
        Ok(fetched)
    }

    async fn reference(
        &self,
        granularity: Granularity,
        counter: &RequestCounter,
        tx: &mpsc::Sender<Message>,
    ) -> Result<Fetched, FetchError> {
        let mut fetched = Fetched::default();
        let mut overviews = self.overviews(OverviewFamily::Reference, granularity, counter);
        while let Some((span, overview)) = overviews.next().await {
            let counts = normalize::service_counts(&overview?, granularity, span);
            send(tx, Message::Services { job: self.job, rows: counts.rows }).await?;
            keep(tx, self.job, counts.problems, &mut fetched.problems).await?;
        }
        Ok(fetched)
    }

    async fn custom(
        &self,
        mapping: &CustomMapping,
        counter: &RequestCounter,
        tx: &mpsc::Sender<Message>,
    ) -> Result<Fetched, FetchError> {
        let mut stats = CustomStats::default();
        let mut spans = stream::iter(plan::spans(self.window, None))
            .map(|span| self.custom_span(span, mapping, counter, tx))
            .buffer_unordered(self.concurrency);
        while let Some(span_stats) = spans.next().await {
            stats.merge(span_stats?);
        }
        if stats.records > 0 && stats.with_mode_field == 0 {
            return Err(FetchError::ModeFieldMissing {
                field: mapping.mode_field.clone(),
                seen: stats.labels.into_iter().collect::<Vec<_>>().join(", "),
            });
        }
        let mut fetched = Fetched { problems: stats.problems, warnings: Vec::new() };
        if !stats.unmapped.is_empty() {
            let listed: Vec<String> = stats.unmapped.iter().map(|(value, n)| format!("{value} ({n})")).collect();
            fetched.warnings.push(format!(
                "`{}` values not in mode_map, counted as other: {}",
                mapping.mode_field,
                listed.join(", ")
            ));
        }
        Ok(fetched)
    }

    /// All pages of one span: page 1 says how many there are; the rest are fetched at once,
    /// and one more only if the last page says the total grew. Never more than page 1's
    /// `total_pages` + 1 requests.
    async fn custom_span(
        &self,
        span: Span,
        mapping: &CustomMapping,
        counter: &RequestCounter,
        tx: &mpsc::Sender<Message>,
    ) -> Result<CustomStats, FetchError> {
        let mut stats = CustomStats::default();
        let first = self.client.data_grid_page(self.dataset_id, span, 1, counter).await?;
        let first_total = first.total_pages;
        let first_empty = first.records.is_empty();
        self.take_page(first, mapping, &mut stats, tx).await?;
        if first_empty {
            return Ok(stats);
        }
        match first_total {
            Some(total) => {
                let mut last: Option<(u64, bool, Option<u64>)> = None;
                if total > 1 {
                    let mut pages = stream::iter(2..=total)
                        .map(|page| async move {
                            (page, self.client.data_grid_page(self.dataset_id, span, page, counter).await)
                        })
                        .buffer_unordered(self.concurrency);
                    while let Some((page, answer)) = pages.next().await {
                        let answer = answer?;
                        if page == total {
                            last = Some((page, answer.records.is_empty(), answer.total_pages));
                        }
                        self.take_page(answer, mapping, &mut stats, tx).await?;
                    }
                } else {
                    last = Some((1, false, first_total));
                }
                if let Some((page, false, Some(now_total))) = last
                    && now_total > page
                {
                    let extra = self.client.data_grid_page(self.dataset_id, span, page + 1, counter).await?;
                    self.take_page(extra, mapping, &mut stats, tx).await?;
                }
            }
            None => {
                let mut page = 1;
                loop {
                    page += 1;
                    if page > PAGE_LIMIT_WITHOUT_TOTAL {
                        break;
                    }
                    let answer = self.client.data_grid_page(self.dataset_id, span, page, counter).await?;
                    let done = answer.records.is_empty()
                        || matches!((answer.displayed_page, answer.total_pages), (Some(shown), Some(total)) if shown >= total);
                    self.take_page(answer, mapping, &mut stats, tx).await?;
                    if done {
                        break;
                    }
                }
            }
        }
        Ok(stats)
    }

    async fn take_page(
        &self,
        page: DataGridPage,
        mapping: &CustomMapping,
        stats: &mut CustomStats,
        tx: &mpsc::Sender<Message>,
    ) -> Result<(), FetchError> {
        let records = page.records.len() as u64;
        let reduced = normalize::custom_records(&page.records, mapping);
        drop(page);
        let CustomPage { records: normalized, excluded: _, unmapped, with_mode_field, labels } = reduced;
        stats.records += records;
        stats.with_mode_field += with_mode_field;
        stats.labels.extend(labels);
        for (value, n) in unmapped {
            *stats.unmapped.entry(value).or_insert(0) += n;
        }
        if !normalized.rows.is_empty() {
            send(tx, Message::Records { job: self.job, rows: normalized.rows }).await?;
        }
        keep(tx, self.job, normalized.problems, &mut stats.problems).await
    }
}

/// What the pages of a custom dataset came to, summed over spans.
#[derive(Debug, Default)]
struct CustomStats {
    records: u64,
    with_mode_field: u64,
    labels: BTreeSet<String>,
    unmapped: BTreeMap<String, u64>,
    problems: Vec<Problem>,
}

impl CustomStats {
    fn merge(&mut self, other: CustomStats) {
        self.records += other.records;
        self.with_mode_field += other.with_mode_field;
        self.labels.extend(other.labels);
        for (value, n) in other.unmapped {
            *self.unmapped.entry(value).or_insert(0) += n;
        }
        self.problems.extend(other.problems);
    }
}
