//! Lead quality per period: by source, by grade at hand-over, and where the
//! scoring model and the CRM disagree. Each lead counts in the period its
//! own events fall in (created, handed over as MQL, reached SQL, won), once
//! per period, so a period's report holds only that period's quality; and
//! every rate follows the goals' definitions: acceptance is the first
//! decision after an MQL of the period, conversion the share of the
//! period's MQLs that reached SQL afterwards.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;

use super::fold::{Attrs, Facts};
use super::{PeriodKey, ScoringDiagnosis, SourceQuality};
use crate::agreement::{Agreement, Period, Scoring};

/// The MQLs of one grade (their score at hand-over) in a period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GradeQuality {
    /// The grade's id, e.g. `high`.
    pub grade: String,
    /// MQLs handed over with a score in the grade's band.
    pub mqls: usize,
    /// Of them, accepted by sales (first decision after the MQL).
    pub accepted: usize,
    /// Of them, rejected by sales.
    pub rejected: usize,
    /// Of them, those that reached SQL afterwards.
    pub converted: usize,
}

impl GradeQuality {
    /// Accepted among those sales decided on, 0 to 1; `None` with none decided.
    pub fn acceptance(&self) -> Option<f64> {
        share(self.accepted, self.accepted + self.rejected)
    }

    /// The share of the grade's MQLs that reached SQL afterwards; `None` without MQLs.
    pub fn conversion(&self) -> Option<f64> {
        share(self.converted, self.mqls)
    }
}

/// `hits` of `of` as a fraction from 0 to 1; `None` when `of` is 0.
pub(crate) fn share(hits: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| hits as f64 / of as f64)
}

/// Lead quality of one period (or of a range: its months added).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quality {
    /// By source, by name.
    pub sources: Vec<SourceQuality>,
    /// By grade, highest first; empty when the agreement grades no scores.
    pub grades: Vec<GradeQuality>,
    /// Scoring disagreements; `None` without a scoring model.
    pub scoring: Option<ScoringDiagnosis>,
}

impl Quality {
    /// Adds another period's quality (for a range of several months).
    pub(crate) fn add(&mut self, other: &Quality) {
        for q in &other.sources {
            match self.sources.iter_mut().find(|x| x.source == q.source) {
                Some(x) => {
                    x.leads += q.leads;
                    x.mqls += q.mqls;
                    x.accepted += q.accepted;
                    x.rejected += q.rejected;
                    x.sqls += q.sqls;
                    x.converted += q.converted;
                    x.won += q.won;
                    for (reason, n) in &q.rejection_reasons {
                        match x.rejection_reasons.iter_mut().find(|(r, _)| r == reason) {
                            Some((_, m)) => *m += n,
                            None => x.rejection_reasons.push((reason.clone(), *n)),
                        }
                    }
                    sort_reasons(&mut x.rejection_reasons);
                }
                None => self.sources.push(q.clone()),
            }
        }
        self.sources.sort_by(|x, y| x.source.cmp(&y.source));
        for g in &other.grades {
            match self.grades.iter_mut().find(|x| x.grade == g.grade) {
                Some(x) => {
                    x.mqls += g.mqls;
                    x.accepted += g.accepted;
                    x.rejected += g.rejected;
                    x.converted += g.converted;
                }
                None => self.grades.push(g.clone()),
            }
        }
        if let Some(d) = &other.scoring {
            let mine = self.scoring.get_or_insert_with(ScoringDiagnosis::default);
            for (to, from) in [
                (&mut mine.handed_below_threshold, &d.handed_below_threshold),
                (
                    &mut mine.above_threshold_not_handed,
                    &d.above_threshold_not_handed,
                ),
            ] {
                to.extend(from.iter().cloned());
                to.sort();
                to.dedup();
            }
        }
    }
}

fn sort_reasons(list: &mut [(String, usize)]) {
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
}

/// A lead's score under the model, from its attributes and activities.
pub(crate) fn score(s: &Scoring, attrs: &Attrs, activities: &[std::sync::Arc<str>]) -> i64 {
    s.rules
        .iter()
        .filter(|r| attrs.matches(&r.when, activities))
        .map(|r| r.points)
        .sum()
}

/// The score, or `None` when nothing it is computed from is known: none of
/// the attributes the rules read is there and the lead did nothing. An
/// export without those columns leaves the score unknown, not zero, so it
/// neither counts as below the threshold nor falls in a grade.
pub(crate) fn known_score(
    s: &Scoring,
    attrs: &Attrs,
    activities: &[std::sync::Arc<str>],
) -> Option<i64> {
    let read = s.rules.iter().any(|r| match &r.when {
        crate::agreement::Matcher::Attribute { attribute, .. }
        | crate::agreement::Matcher::AtLeast { attribute, .. } => attrs.get(attribute).is_some(),
        crate::agreement::Matcher::Activity(_) => false,
    });
    (read || !activities.is_empty()).then(|| score(s, attrs, activities))
}

/// The grade a score falls in: the highest whose lowest score it reaches.
fn grade(s: &Scoring, score: i64) -> Option<usize> {
    s.grades
        .iter()
        .enumerate()
        .filter(|(_, g)| score >= g.min_score)
        .max_by_key(|(_, g)| g.min_score)
        .map(|(i, _)| i)
}

/// Periods of one kind by their first second, grown as instants outside
/// them come: the period of an instant without a time-zone conversion per
/// instant.
struct Bounds {
    kind: Period,
    starts: Vec<(i64, PeriodKey)>,
    end: i64,
}

impl Bounds {
    fn new(kind: Period) -> Bounds {
        Bounds {
            kind,
            starts: Vec::new(),
            end: 0,
        }
    }

    fn key(&mut self, t: i64, tz: &TimeZone) -> PeriodKey {
        let secs = |k: PeriodKey| k.start(tz).as_second();
        if self.starts.is_empty() {
            let at = jiff::Timestamp::from_second(t).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            let k = PeriodKey::containing(self.kind, at, tz);
            self.starts.push((secs(k), k));
            self.end = secs(k.next());
        }
        while t < self.starts[0].0 {
            let k = self.starts[0].1.previous();
            self.starts.insert(0, (secs(k), k));
        }
        while t >= self.end {
            let k = self.starts[self.starts.len() - 1].1.next();
            self.starts.push((self.end, k));
            self.end = secs(k.next());
        }
        let i = self.starts.partition_point(|(s, _)| *s <= t);
        self.starts[i.saturating_sub(1)].1
    }
}

/// The week, month, quarter and year of an instant.
struct Months<'t> {
    tz: &'t TimeZone,
    months: Bounds,
    weeks: Bounds,
}

impl<'t> Months<'t> {
    fn new(tz: &'t TimeZone) -> Months<'t> {
        Months {
            tz,
            months: Bounds::new(Period::Month),
            weeks: Bounds::new(Period::Week),
        }
    }

    fn keys(&mut self, t: i64) -> [PeriodKey; 4] {
        let month = self.months.key(t, self.tz);
        let quarter = PeriodKey {
            kind: Period::Quarter,
            index: (month.index - 1) / 3 + 1,
            ..month
        };
        let year = PeriodKey {
            kind: Period::Year,
            index: 1,
            ..month
        };
        [month, quarter, year, self.weeks.key(t, self.tz)]
    }
}

/// One period's sums while the leads are read.
#[derive(Default)]
struct Acc {
    sources: BTreeMap<String, (SourceQuality, BTreeMap<String, usize>)>,
    grades: Vec<GradeQuality>,
    below: Vec<String>,
    above: Vec<String>,
}

/// Lead quality of every week, month, quarter and year the leads' events fall in.
pub(crate) fn by_period(a: &Agreement, facts: &[&Facts]) -> BTreeMap<PeriodKey, Quality> {
    let tz = &a.time_zone.tz;
    let mut months = Months::new(tz);
    let scoring = a.scoring.as_ref();
    let mut acc: BTreeMap<PeriodKey, Acc> = BTreeMap::new();
    let new_acc = || Acc {
        grades: scoring.map_or_else(Vec::new, |s| {
            s.grades
                .iter()
                .map(|g| GradeQuality {
                    grade: g.id.clone(),
                    ..GradeQuality::default()
                })
                .collect()
        }),
        ..Acc::default()
    };
    let mut seen: Vec<PeriodKey> = Vec::new();
    for f in facts.iter().filter(|f| !f.is_request) {
        let source = f.attrs.get("source").unwrap_or("(none)");
        if let Some(c) = f.created {
            for k in months.keys(c) {
                source_of(entry(&mut acc, k, &new_acc), source).0.leads += 1;
            }
        }
        // MQLs: once per period, with the first decision after each and
        // whether SQL followed; graded and checked by the score of the moment.
        seen.clear();
        let mut handed = false;
        for r in f.reached.iter().filter(|r| &*r.stage == "mql") {
            handed = true;
            let decision = f.decisions.iter().find(|d| d.0 >= r.at);
            let converted = f.reached.iter().any(|x| &*x.stage == "sql" && x.at >= r.at);
            let scored = scoring.and_then(|s| {
                let upto = (r.activities as usize).min(f.activities.len());
                let points = known_score(s, &r.attrs, &f.activities[..upto])?;
                Some((points < s.mql_threshold, grade(s, points)))
            });
            for k in months.keys(r.at) {
                if seen.contains(&k) {
                    continue;
                }
                seen.push(k);
                let p = entry(&mut acc, k, &new_acc);
                let (q, reasons) = source_of(p, source);
                q.mqls += 1;
                q.converted += usize::from(converted);
                match decision {
                    Some((_, true, _)) => q.accepted += 1,
                    Some((_, false, reason)) => {
                        q.rejected += 1;
                        *reasons
                            .entry(reason.as_deref().unwrap_or_default().to_string())
                            .or_default() += 1;
                    }
                    None => {}
                }
                if let Some((below, grade)) = scored {
                    if below {
                        p.below.push(f.subject.clone());
                    }
                    if let Some(g) = grade.and_then(|g| p.grades.get_mut(g)) {
                        g.mqls += 1;
                        g.converted += usize::from(converted);
                        match decision {
                            Some((_, true, _)) => g.accepted += 1,
                            Some((_, false, _)) => g.rejected += 1,
                            None => {}
                        }
                    }
                }
            }
        }
        seen.clear();
        for r in f.reached.iter().filter(|r| &*r.stage == "sql") {
            for k in months.keys(r.at) {
                if !seen.contains(&k) {
                    seen.push(k);
                    source_of(entry(&mut acc, k, &new_acc), source).0.sqls += 1;
                }
            }
        }
        seen.clear();
        for (t, _, _) in &f.wins {
            for k in months.keys(*t) {
                if !seen.contains(&k) {
                    seen.push(k);
                    source_of(entry(&mut acc, k, &new_acc), source).0.won += 1;
                }
            }
        }
        // At or above the threshold now, never handed over: in the period
        // the lead was created.
        if let (Some(s), Some(c), false) = (scoring, f.created, handed)
            && known_score(s, &f.attrs, &f.activities).is_some_and(|p| p >= s.mql_threshold)
        {
            for k in months.keys(c) {
                entry(&mut acc, k, &new_acc).above.push(f.subject.clone());
            }
        }
    }
    acc.into_iter()
        .map(|(k, p)| {
            let sources = p
                .sources
                .into_values()
                .map(|(mut q, reasons)| {
                    let mut list: Vec<(String, usize)> = reasons.into_iter().collect();
                    sort_reasons(&mut list);
                    q.rejection_reasons = list;
                    q
                })
                .collect();
            let scoring = scoring.map(|_| ScoringDiagnosis {
                handed_below_threshold: p.below,
                above_threshold_not_handed: p.above,
            });
            (
                k,
                Quality {
                    sources,
                    grades: p.grades,
                    scoring,
                },
            )
        })
        .collect()
}

fn entry<'m>(
    acc: &'m mut BTreeMap<PeriodKey, Acc>,
    k: PeriodKey,
    new: &impl Fn() -> Acc,
) -> &'m mut Acc {
    acc.entry(k).or_insert_with(new)
}

fn source_of<'p>(p: &'p mut Acc, source: &str) -> &'p mut (SourceQuality, BTreeMap<String, usize>) {
    p.sources.entry(source.to_string()).or_insert_with(|| {
        (
            SourceQuality {
                source: source.to_string(),
                ..SourceQuality::default()
            },
            BTreeMap::new(),
        )
    })
}
