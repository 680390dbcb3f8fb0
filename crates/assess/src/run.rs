//! One assessment: nominal scores, ranks and grades, the Monte-Carlo rank bands and the
//! sensitivity table.
//!
//! Every draw picks, in this order from one xoshiro256** stream: a factor in [1 − s, 1 + s] for
//! each dimension weight, then for each indicator weight (both renormalised), then a
//! normalisation choice, then a missing-value treatment. Scores are summed sequentially in a fixed
//! order on one thread, so the same seed gives bit-identical ranks on every run and machine
//! (arithmetic aggregation uses only IEEE-exact + − × ÷ and √; geometric aggregation ranks by
//! the weighted mean of ln points, so it also depends on the platform's `ln`).
//!
//! Ranks are competition ranks (equal scores share the better rank). The median and the 90 %
//! band (5th and 95th percentiles) are nearest-rank percentiles of a unit's ranks over the draws.

use crate::data::Dataset;
use crate::framework::{Aggregation, Framework, Grading, Missing, NormChoice, Weighting};
use crate::normalise::{normalise, Direction, Normalisation};
use crate::rng::Rng;
use crate::weights;
use crate::Error;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub draws: usize,
    pub seed: u64,
}

impl Options {
    pub fn from_framework(f: &Framework) -> Options {
        Options {
            draws: f.uncertainty.draws,
            seed: f.uncertainty.seed,
        }
    }
}

/// One indicator of one unit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndicatorResult {
    pub id: String,
    /// The raw figure (or the rubric grade's points); `None` when missing.
    pub value: Option<f64>,
    /// Its 0–100 points under the framework's normalisation.
    pub points: Option<f64>,
    /// Score points gained if this figure were the best among the units (others unchanged).
    pub gain: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitResult {
    pub id: String,
    pub score: f64,
    pub rank: usize,
    pub median_rank: usize,
    pub rank_band: [usize; 2],
    pub grade: String,
    /// Dimension scores (0–100), in the framework's order.
    pub dimensions: Vec<f64>,
    pub indicators: Vec<IndicatorResult>,
}

/// How much one choice moves the ranking away from the nominal one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SensitivityRow {
    /// 权重 / 标准化方法 / 缺失值处理 / 聚合方式
    pub factor: String,
    pub option: String,
    /// Mean over units (and draws) of |rank − nominal rank|.
    pub mean_abs_shift: f64,
    pub max_shift: usize,
    /// Share of units whose rank differs from the nominal one.
    pub moved_share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    pub framework: String,
    pub version: String,
    pub draws: usize,
    pub seed: u64,
    /// Nominal global weight of each indicator (dimension weight × weight within it).
    pub weights: Vec<f64>,
    pub units: Vec<UnitResult>,
    /// Median of each dimension's score over the units.
    pub dimension_median: Vec<f64>,
    /// Sorted: the choice that moves the ranking most first.
    pub sensitivity: Vec<SensitivityRow>,
}

/// The framework bound to the data, with every normalisation computed once.
struct Model {
    n: usize,
    k: usize,
    dims: usize,
    dim_of: Vec<usize>,
    dim_w: Vec<f64>,
    ind_w: Vec<f64>,
    raw: Vec<Vec<Option<f64>>>,
    /// points[choice][indicator][unit], choice indexed as `choice_index`.
    points: Vec<Vec<Vec<Option<f64>>>>,
    aggregation: Aggregation,
}

fn choice_index(c: NormChoice) -> usize {
    match c {
        NormChoice::Declared => 0,
        NormChoice::MinMax => 1,
        NormChoice::ZScore => 2,
    }
}

/// Values laid out for scoring: `x[unit * k + j]`, with a presence mask for `Reweight`.
struct Filled {
    x: Vec<f64>,
    mask: Option<Vec<bool>>,
}

impl Model {
    fn new(f: &Framework, data: &Dataset) -> Result<Model, Error> {
        let inds: Vec<_> = f.indicators().collect();
        let k = inds.len();
        if data.values.len() != k {
            return Err(Error::Input(format!(
                "数据有 {} 个指标，指标体系有 {k} 个",
                data.values.len()
            )));
        }
        let n = data.units.len();
        if n == 0 {
            return Err(Error::Input("没有参评单位".into()));
        }
        let dim_of: Vec<usize> = inds.iter().map(|(d, _)| *d).collect();
        let mut ind_w = vec![0.0; k];
        let mut start = 0;
        for dim in &f.dimensions {
            let m = dim.indicators.len();
            let ws: Vec<f64> = match &dim.weighting {
                crate::framework::Weighting::Fixed => dim
                    .indicators
                    .iter()
                    .map(|i| i.weight.unwrap_or(0.0))
                    .collect(),
                Weighting::Ahp { matrix } => weights::ahp(matrix)?.weights_checked()?.to_vec(),
                Weighting::Entropy => {
                    // Oriented so that higher is better; a missing figure counts as the column's worst.
                    let rows: Vec<Vec<f64>> = (0..n)
                        .map(|u| {
                            dim.indicators
                                .iter()
                                .enumerate()
                                .map(|(j, ind)| {
                                    let col = &data.values[start + j];
                                    let sign = if ind.direction == Direction::Lower {
                                        -1.0
                                    } else {
                                        1.0
                                    };
                                    let worst = col
                                        .iter()
                                        .flatten()
                                        .map(|x| sign * x)
                                        .fold(f64::INFINITY, f64::min);
                                    col[u].map_or(worst, |x| sign * x)
                                })
                                .collect()
                        })
                        .collect();
                    weights::entropy(&rows)
                        .map_err(|e| Error::Input(format!("维度「{}」熵权：{e}", dim.name)))?
                }
            };
            let s: f64 = ws.iter().sum();
            for (j, w) in ws.iter().enumerate() {
                ind_w[start + j] = w / s;
            }
            start += m;
        }
        let dsum: f64 = f.dimensions.iter().map(|d| d.weight).sum();
        let dim_w: Vec<f64> = f.dimensions.iter().map(|d| d.weight / dsum).collect();
        let mut points = Vec::with_capacity(3);
        for choice in [NormChoice::Declared, NormChoice::MinMax, NormChoice::ZScore] {
            let cols = inds
                .iter()
                .zip(&data.values)
                .map(|((_, ind), col)| {
                    let declared = ind.normalisation();
                    let method = match (choice, &declared) {
                        (_, Normalisation::None) | (NormChoice::Declared, _) => declared,
                        (NormChoice::MinMax, _) => Normalisation::MinMax,
                        (NormChoice::ZScore, _) => Normalisation::ZScore,
                    };
                    normalise(col, ind.direction, &method)
                })
                .collect();
            points.push(cols);
        }
        Ok(Model {
            n,
            k,
            dims: f.dimensions.len(),
            dim_of,
            dim_w,
            ind_w,
            raw: data.values.clone(),
            points,
            aggregation: f.aggregation,
        })
    }

    fn filled(&self, choice: usize, missing: Missing, aggregation: Aggregation) -> Filled {
        fill(self.n, self.k, &self.points[choice], missing, aggregation)
    }
}

/// Lays out normalised columns for scoring under one missing-value treatment.
fn fill(
    n: usize,
    k: usize,
    cols: &[Vec<Option<f64>>],
    missing: Missing,
    aggregation: Aggregation,
) -> Filled {
    let mut x = vec![0.0; n * k];
    let mut mask = (missing == Missing::Reweight).then(|| vec![true; n * k]);
    for (j, col) in cols.iter().enumerate() {
        let present: Vec<f64> = col.iter().flatten().copied().collect();
        let mean = present.iter().sum::<f64>() / present.len().max(1) as f64;
        for (u, v) in col.iter().enumerate() {
            let p = match (v, missing) {
                (Some(p), _) => *p,
                (None, Missing::Mean) => mean,
                (None, Missing::Zero) => 0.0,
                (None, Missing::Reweight) => {
                    if let Some(m) = mask.as_mut() {
                        m[u * k + j] = false;
                    }
                    0.0
                }
            };
            x[u * k + j] = transform(p, aggregation);
        }
    }
    Filled { x, mask }
}

/// The value aggregated arithmetically: points, or ln points for the geometric mean.
fn transform(p: f64, aggregation: Aggregation) -> f64 {
    match aggregation {
        Aggregation::Arithmetic => p,
        Aggregation::Geometric => p.max(1.0).ln(),
    }
}

fn untransform(s: f64, aggregation: Aggregation) -> f64 {
    match aggregation {
        Aggregation::Arithmetic => s,
        Aggregation::Geometric => s.exp(),
    }
}

/// Scores (in the transformed domain) of every unit; `num`/`den` are per-dimension scratch.
#[allow(clippy::too_many_arguments)]
fn score_all(
    fl: &Filled,
    k: usize,
    dim_of: &[usize],
    dim_w: &[f64],
    ind_w: &[f64],
    num: &mut [f64],
    den: &mut [f64],
    out: &mut [f64],
) {
    for (u, o) in out.iter_mut().enumerate() {
        *o = score_one(fl, u, k, dim_of, dim_w, ind_w, num, den);
    }
}

#[allow(clippy::too_many_arguments)]
fn score_one(
    fl: &Filled,
    u: usize,
    k: usize,
    dim_of: &[usize],
    dim_w: &[f64],
    ind_w: &[f64],
    num: &mut [f64],
    den: &mut [f64],
) -> f64 {
    num.fill(0.0);
    den.fill(0.0);
    let row = &fl.x[u * k..(u + 1) * k];
    match &fl.mask {
        None => {
            for j in 0..k {
                num[dim_of[j]] += ind_w[j] * row[j];
                den[dim_of[j]] += ind_w[j];
            }
        }
        Some(m) => {
            let mrow = &m[u * k..(u + 1) * k];
            for j in 0..k {
                if mrow[j] {
                    num[dim_of[j]] += ind_w[j] * row[j];
                    den[dim_of[j]] += ind_w[j];
                }
            }
        }
    }
    let mut s = 0.0;
    let mut w = 0.0;
    for d in 0..dim_w.len() {
        if den[d] > 0.0 {
            s += dim_w[d] * (num[d] / den[d]);
            w += dim_w[d];
        }
    }
    if w > 0.0 {
        s / w
    } else {
        0.0
    }
}

/// Competition ranks (1 = best) of `scores`, higher better; ties share the better rank.
fn rank_into(scores: &[f64], order: &mut Vec<usize>, ranks: &mut [usize]) {
    order.clear();
    order.extend(0..scores.len());
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut prev = f64::NAN;
    let mut r = 0;
    for (pos, &u) in order.iter().enumerate() {
        if scores[u] != prev {
            r = pos + 1;
            prev = scores[u];
        }
        ranks[u] = r;
    }
}

/// Draws one perturbed weight vector pair.
fn draw_weights(
    rng: &mut Rng,
    spread: f64,
    dim_w: &[f64],
    ind_w: &[f64],
    dim_of: &[usize],
    dw: &mut [f64],
    iw: &mut [f64],
) {
    for (o, w) in dw.iter_mut().zip(dim_w) {
        *o = w * (1.0 + spread * (2.0 * rng.next_f64() - 1.0));
    }
    let s: f64 = dw.iter().sum();
    for o in dw.iter_mut() {
        *o /= s;
    }
    for (o, w) in iw.iter_mut().zip(ind_w) {
        *o = w * (1.0 + spread * (2.0 * rng.next_f64() - 1.0));
    }
    // Renormalised within each dimension.
    let mut sums = vec![0.0; dw.len()];
    for (j, w) in iw.iter().enumerate() {
        sums[dim_of[j]] += w;
    }
    for (j, w) in iw.iter_mut().enumerate() {
        *w /= sums[dim_of[j]];
    }
}

/// Nearest-rank percentile from a rank histogram (`hist[r-1]` = draws at rank r).
fn percentile(hist: &[u32], total: usize, pct: usize) -> usize {
    let need = (pct * total).div_ceil(100).max(1);
    let mut cum = 0usize;
    for (r, &c) in hist.iter().enumerate() {
        cum += c as usize;
        if cum >= need {
            return r + 1;
        }
    }
    hist.len()
}

/// Grades from scores and ranks.
fn grades(g: &Grading, scores: &[f64], ranks: &[usize]) -> Vec<String> {
    let n = scores.len();
    match g {
        Grading::Bands { bands, otherwise } => scores
            .iter()
            .map(|&s| {
                bands
                    .iter()
                    .find(|b| s >= b.min)
                    .map_or_else(|| otherwise.clone(), |b| b.grade.clone())
            })
            .collect(),
        Grading::Quotas {
            quotas,
            floor,
            rest,
            otherwise,
        } => scores
            .iter()
            .zip(ranks)
            .map(|(&s, &r)| {
                if floor.is_some_and(|f| s < f) {
                    return otherwise.clone();
                }
                let mut cum = 0.0;
                for q in quotas {
                    cum += q.share;
                    // At most this many units (rounded down; 1e-9 absorbs 0.1 + 0.2 style sums).
                    let limit = (cum * n as f64 + 1e-9).floor() as usize;
                    if r <= limit {
                        return q.grade.clone();
                    }
                }
                rest.clone()
            })
            .collect(),
    }
}

/// Runs one assessment: nominal result, Monte-Carlo rank bands, sensitivity table.
#[allow(clippy::needless_range_loop)] // unit × indicator indexing into several flat arrays
pub fn assess(f: &Framework, data: &Dataset, opts: Options) -> Result<Assessment, Error> {
    if opts.draws == 0 {
        return Err(Error::Input("抽样次数须至少为 1".into()));
    }
    let m = Model::new(f, data)?;
    let (n, k) = (m.n, m.k);
    let mut num = vec![0.0; m.dims];
    let mut den = vec![0.0; m.dims];
    let mut order = Vec::with_capacity(n);

    // Nominal.
    let nominal = m.filled(0, f.missing, m.aggregation);
    let mut t_scores = vec![0.0; n];
    score_all(
        &nominal,
        k,
        &m.dim_of,
        &m.dim_w,
        &m.ind_w,
        &mut num,
        &mut den,
        &mut t_scores,
    );
    let scores: Vec<f64> = t_scores
        .iter()
        .map(|&s| untransform(s, m.aggregation))
        .collect();
    let mut ranks = vec![0; n];
    rank_into(&t_scores, &mut order, &mut ranks);
    let grade = grades(&f.grading, &scores, &ranks);

    // Dimension scores and the points an indicator could add.
    let mut dims = vec![vec![0.0; m.dims]; n];
    for (u, d) in dims.iter_mut().enumerate() {
        score_one(
            &nominal, u, k, &m.dim_of, &m.dim_w, &m.ind_w, &mut num, &mut den,
        );
        for (dd, out) in d.iter_mut().enumerate() {
            *out = if den[dd] > 0.0 {
                untransform(num[dd] / den[dd], m.aggregation)
            } else {
                0.0
            };
        }
    }
    let best: Vec<f64> = (0..k)
        .map(|j| {
            m.points[0][j]
                .iter()
                .flatten()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    let mut probe = Filled {
        x: nominal.x.clone(),
        mask: nominal.mask.clone(),
    };
    let mut units = Vec::with_capacity(n);
    for u in 0..n {
        let mut inds = Vec::with_capacity(k);
        for j in 0..k {
            let at = u * k + j;
            let (old_x, old_m) = (probe.x[at], probe.mask.as_ref().map(|mk| mk[at]));
            probe.x[at] = transform(best[j], m.aggregation);
            if let Some(mk) = probe.mask.as_mut() {
                mk[at] = true;
            }
            let better = untransform(
                score_one(
                    &probe, u, k, &m.dim_of, &m.dim_w, &m.ind_w, &mut num, &mut den,
                ),
                m.aggregation,
            );
            probe.x[at] = old_x;
            if let (Some(mk), Some(o)) = (probe.mask.as_mut(), old_m) {
                mk[at] = o;
            }
            inds.push(IndicatorResult {
                id: String::new(),
                value: m.raw[j][u],
                points: m.points[0][j][u],
                gain: (better - scores[u]).max(0.0),
            });
        }
        units.push(inds);
    }
    let ids: Vec<String> = f.indicators().map(|(_, i)| i.id.clone()).collect();

    // Monte-Carlo.
    let u = &f.uncertainty;
    let variants = all_variants(
        &m,
        u.normalisations.iter().copied(),
        u.missing.iter().copied(),
    );
    let mut rng = Rng::new(opts.seed);
    let mut hist = vec![0u32; n * n];
    let mut dw = vec![0.0; m.dims];
    let mut iw = vec![0.0; k];
    let mut s = vec![0.0; n];
    let mut r = vec![0; n];
    for _ in 0..opts.draws {
        draw_weights(
            &mut rng,
            u.weight_spread,
            &m.dim_w,
            &m.ind_w,
            &m.dim_of,
            &mut dw,
            &mut iw,
        );
        let c = rng.below(u.normalisations.len());
        let mi = rng.below(u.missing.len());
        let fl = &variants[c * u.missing.len() + mi];
        score_all(fl, k, &m.dim_of, &dw, &iw, &mut num, &mut den, &mut s);
        rank_into(&s, &mut order, &mut r);
        for (unit, &rank) in r.iter().enumerate() {
            hist[unit * n + rank - 1] += 1;
        }
    }

    let sensitivity = sensitivity(f, &m, opts, &ranks);

    let results: Vec<UnitResult> = units
        .into_iter()
        .enumerate()
        .map(|(i, inds)| {
            let h = &hist[i * n..(i + 1) * n];
            UnitResult {
                id: data.units[i].clone(),
                score: scores[i],
                rank: ranks[i],
                median_rank: percentile(h, opts.draws, 50),
                rank_band: [percentile(h, opts.draws, 5), percentile(h, opts.draws, 95)],
                grade: grade[i].clone(),
                dimensions: dims[i].clone(),
                indicators: inds
                    .into_iter()
                    .zip(&ids)
                    .map(|(mut r, id)| {
                        r.id = id.clone();
                        r
                    })
                    .collect(),
            }
        })
        .collect();
    let dimension_median = (0..m.dims)
        .map(|d| {
            let mut v: Vec<f64> = dims.iter().map(|x| x[d]).collect();
            v.sort_by(f64::total_cmp);
            if n % 2 == 1 {
                v[n / 2]
            } else {
                (v[n / 2 - 1] + v[n / 2]) / 2.0
            }
        })
        .collect();
    Ok(Assessment {
        framework: f.id.clone(),
        version: f.version.clone(),
        draws: opts.draws,
        seed: opts.seed,
        weights: (0..k).map(|j| m.dim_w[m.dim_of[j]] * m.ind_w[j]).collect(),
        units: results,
        dimension_median,
        sensitivity,
    })
}

fn all_variants(
    m: &Model,
    norms: impl Iterator<Item = NormChoice>,
    missing: impl Iterator<Item = Missing> + Clone,
) -> Vec<Filled> {
    let mut out = Vec::new();
    for c in norms {
        for mi in missing.clone() {
            out.push(m.filled(choice_index(c), mi, m.aggregation));
        }
    }
    out
}

/// One-at-a-time: each choice alone, the others nominal.
fn sensitivity(f: &Framework, m: &Model, opts: Options, nominal: &[usize]) -> Vec<SensitivityRow> {
    let (n, k) = (m.n, m.k);
    let mut num = vec![0.0; m.dims];
    let mut den = vec![0.0; m.dims];
    let mut order = Vec::with_capacity(n);
    let mut s = vec![0.0; n];
    let mut r = vec![0; n];
    let mut rows = Vec::new();
    let mut measure =
        |fl: &Filled, dw: &[f64], iw: &[f64], acc: &mut (f64, usize, usize, usize)| {
            score_all(fl, k, &m.dim_of, dw, iw, &mut num, &mut den, &mut s);
            rank_into(&s, &mut order, &mut r);
            for (a, b) in r.iter().zip(nominal) {
                let d = a.abs_diff(*b);
                acc.0 += d as f64;
                acc.1 = acc.1.max(d);
                acc.2 += usize::from(d > 0);
                acc.3 += 1;
            }
        };
    let row = |factor: &str, option: String, acc: (f64, usize, usize, usize)| SensitivityRow {
        factor: factor.into(),
        option,
        mean_abs_shift: acc.0 / acc.3.max(1) as f64,
        max_shift: acc.1,
        moved_share: acc.2 as f64 / acc.3.max(1) as f64,
    };
    let u = &f.uncertainty;
    // Weights alone (a stream of its own, so the table does not depend on the MC's draws).
    let nominal_fill = m.filled(0, f.missing, m.aggregation);
    let mut rng = Rng::new(opts.seed ^ 0x5EED_5E45_171F_17E5);
    let mut dw = vec![0.0; m.dims];
    let mut iw = vec![0.0; k];
    let mut acc = (0.0, 0, 0, 0);
    for _ in 0..opts.draws.min(1000) {
        draw_weights(
            &mut rng,
            u.weight_spread,
            &m.dim_w,
            &m.ind_w,
            &m.dim_of,
            &mut dw,
            &mut iw,
        );
        measure(&nominal_fill, &dw, &iw, &mut acc);
    }
    rows.push(row(
        "权重",
        format!("各权重 ±{:.0}%", u.weight_spread * 100.0),
        acc,
    ));
    for &c in &u.normalisations {
        if c == NormChoice::Declared {
            continue;
        }
        let mut acc = (0.0, 0, 0, 0);
        measure(
            &m.filled(choice_index(c), f.missing, m.aggregation),
            &m.dim_w,
            &m.ind_w,
            &mut acc,
        );
        rows.push(row("标准化方法", c.label().into(), acc));
    }
    for &mi in &u.missing {
        if mi == f.missing {
            continue;
        }
        let mut acc = (0.0, 0, 0, 0);
        measure(
            &m.filled(0, mi, m.aggregation),
            &m.dim_w,
            &m.ind_w,
            &mut acc,
        );
        rows.push(row("缺失值处理", mi.label().into(), acc));
    }
    let other = match m.aggregation {
        Aggregation::Arithmetic => Aggregation::Geometric,
        Aggregation::Geometric => Aggregation::Arithmetic,
    };
    let mut acc = (0.0, 0, 0, 0);
    measure(&m.filled(0, f.missing, other), &m.dim_w, &m.ind_w, &mut acc);
    rows.push(row("聚合方式", other.label().into(), acc));
    rows.sort_by(|a, b| b.mean_abs_shift.total_cmp(&a.mean_abs_shift));
    rows
}

/// The same Monte-Carlo written the obvious way — normalise from the raw figures in every draw,
/// keep every rank, sort them for the percentiles — as the benchmark's baseline and a cross-check
/// (it consumes the random stream identically, so its bands must equal [`assess`]'s).
/// Returns `(median, [p5, p95])` per unit.
pub fn monte_carlo_naive(
    f: &Framework,
    data: &Dataset,
    opts: Options,
) -> Result<Vec<(usize, [usize; 2])>, Error> {
    let m = Model::new(f, data)?;
    let inds: Vec<_> = f.indicators().map(|(_, i)| i.clone()).collect();
    let u = &f.uncertainty;
    let mut rng = Rng::new(opts.seed);
    let mut all: Vec<Vec<usize>> = vec![Vec::new(); m.n];
    let mut dw = vec![0.0; m.dims];
    let mut iw = vec![0.0; m.k];
    for _ in 0..opts.draws {
        draw_weights(
            &mut rng,
            u.weight_spread,
            &m.dim_w,
            &m.ind_w,
            &m.dim_of,
            &mut dw,
            &mut iw,
        );
        let choice = u.normalisations[rng.below(u.normalisations.len())];
        let missing = u.missing[rng.below(u.missing.len())];
        let cols: Vec<Vec<Option<f64>>> = inds
            .iter()
            .zip(&m.raw)
            .map(|(ind, col)| {
                let declared = ind.normalisation();
                let method = match (choice, &declared) {
                    (_, Normalisation::None) | (NormChoice::Declared, _) => declared,
                    (NormChoice::MinMax, _) => Normalisation::MinMax,
                    (NormChoice::ZScore, _) => Normalisation::ZScore,
                };
                normalise(col, ind.direction, &method)
            })
            .collect();
        let fl = fill(m.n, m.k, &cols, missing, m.aggregation);
        let mut scores = Vec::new();
        for unit in 0..m.n {
            let mut num = vec![0.0; m.dims];
            let mut den = vec![0.0; m.dims];
            scores.push(score_one(
                &fl, unit, m.k, &m.dim_of, &dw, &iw, &mut num, &mut den,
            ));
        }
        let mut order: Vec<usize> = (0..m.n).collect();
        let mut ranks = vec![0; m.n];
        rank_into(&scores, &mut order, &mut ranks);
        for (unit, r) in ranks.into_iter().enumerate() {
            all[unit].push(r);
        }
    }
    Ok(all
        .into_iter()
        .map(|mut rs| {
            rs.sort_unstable();
            let at = |pct: usize| rs[(pct * rs.len()).div_ceil(100).max(1) - 1];
            (at(50), [at(5), at(95)])
        })
        .collect())
}
