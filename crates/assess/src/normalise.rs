//! Normalisation: raw indicator values → points on a 0–100 scale where higher is better.
//!
//! Methods follow the OECD/JRC *Handbook on Constructing Composite Indicators* (2008, §5):
//! min-max, z-score (reported as a T-score 50 + 10·z so it shares the 0–100 scale; not clipped),
//! distance to a target (ratio to the target, capped at 100: overshooting is not rewarded), and the
//! piecewise-linear scoring tables the ministries publish (value → points, linear in between,
//! flat outside). Missing values stay missing; the missing-value treatment decides later.

use serde::{Deserialize, Serialize};

/// Whether more of an indicator is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Higher,
    Lower,
}

/// One point of a scoring table: a raw value and the points it earns.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TablePoint {
    pub value: f64,
    pub points: f64,
}

/// How one indicator's raw values become 0–100 points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Normalisation {
    /// (x − min) / (max − min) · 100, reversed for lower-is-better; a constant column (no spread,
    /// no information) scores 50 for everyone, as under the z-score.
    MinMax,
    /// 50 + 10 · (x − mean) / sd (population sd), sign reversed for lower-is-better; a constant
    /// column scores 50.
    ZScore,
    /// Higher: min(x / target, 1) · 100; lower: min(target / x, 1) · 100 (x ≤ 0 scores 100).
    Target { target: f64 },
    /// A scoring table: points interpolated linearly between the given values (ascending),
    /// the first or last points outside them. The table carries the direction itself.
    Table { points: Vec<TablePoint> },
    /// The value already is 0–100 points (expert grades through a rubric); clamped to 0–100.
    None,
}

impl Normalisation {
    /// Short Chinese name, for tables and messages.
    pub fn label(&self) -> &'static str {
        match self {
            Normalisation::MinMax => "极差标准化",
            Normalisation::ZScore => "Z 分数（T 分）",
            Normalisation::Target { .. } => "目标值比",
            Normalisation::Table { .. } => "分段计分表",
            Normalisation::None => "直接计分",
        }
    }

    /// Checks the parameters; the message names what is wrong.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Normalisation::Target { target } if !(target.is_finite() && *target > 0.0) => {
                return Err(format!("目标值须为正数，现为 {target}"));
            }
            Normalisation::Table { points } => {
                if points.len() < 2 {
                    return Err("计分表至少需要两个点".into());
                }
                for w in points.windows(2) {
                    if w[0].value.partial_cmp(&w[1].value) != Some(std::cmp::Ordering::Less) {
                        return Err(format!(
                            "计分表的取值须严格递增：{} 之后是 {}",
                            w[0].value, w[1].value
                        ));
                    }
                }
                if points
                    .iter()
                    .any(|p| !p.value.is_finite() || !p.points.is_finite())
                {
                    return Err("计分表含非有限数".into());
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Normalises one column. `None` stays `None`.
pub fn normalise(
    values: &[Option<f64>],
    direction: Direction,
    method: &Normalisation,
) -> Vec<Option<f64>> {
    let present = || values.iter().flatten().copied();
    match method {
        Normalisation::MinMax => {
            let (lo, hi) = present().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                (lo.min(x), hi.max(x))
            });
            let range = hi - lo;
            values
                .iter()
                .map(|v| {
                    v.map(|x| {
                        if range > 0.0 {
                            let s = (x - lo) / range;
                            match direction {
                                Direction::Higher => s * 100.0,
                                Direction::Lower => (1.0 - s) * 100.0,
                            }
                        } else {
                            50.0
                        }
                    })
                })
                .collect()
        }
        Normalisation::ZScore => {
            let n = present().count() as f64;
            let mean = present().sum::<f64>() / n;
            let var = present().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
            let sd = var.sqrt();
            values
                .iter()
                .map(|v| {
                    v.map(|x| {
                        if sd > 0.0 {
                            let z = (x - mean) / sd;
                            match direction {
                                Direction::Higher => 50.0 + 10.0 * z,
                                Direction::Lower => 50.0 - 10.0 * z,
                            }
                        } else {
                            50.0
                        }
                    })
                })
                .collect()
        }
        Normalisation::Target { target } => values
            .iter()
            .map(|v| {
                v.map(|x| match direction {
                    Direction::Higher => (x / target).clamp(0.0, 1.0) * 100.0,
                    Direction::Lower => {
                        if x <= 0.0 {
                            100.0
                        } else {
                            (target / x).min(1.0) * 100.0
                        }
                    }
                })
            })
            .collect(),
        Normalisation::Table { points } => {
            values.iter().map(|v| v.map(|x| table(points, x))).collect()
        }
        Normalisation::None => values
            .iter()
            .map(|v| v.map(|x| x.clamp(0.0, 100.0)))
            .collect(),
    }
}

/// Piecewise-linear interpolation in a checked table (ascending values).
pub fn table(points: &[TablePoint], x: f64) -> f64 {
    let Some(first) = points.first() else {
        return 0.0;
    };
    if x <= first.value {
        return first.points;
    }
    for w in points.windows(2) {
        if x <= w[1].value {
            let t = (x - w[0].value) / (w[1].value - w[0].value);
            return w[0].points + t * (w[1].points - w[0].points);
        }
    }
    points.last().map_or(0.0, |p| p.points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(xs: &[f64]) -> Vec<Option<f64>> {
        xs.iter().map(|&x| Some(x)).collect()
    }

    #[test]
    fn min_max_both_directions() {
        let v = col(&[2.0, 4.0, 6.0]);
        let h = normalise(&v, Direction::Higher, &Normalisation::MinMax);
        assert_eq!(h, vec![Some(0.0), Some(50.0), Some(100.0)]);
        let l = normalise(&v, Direction::Lower, &Normalisation::MinMax);
        assert_eq!(l, vec![Some(100.0), Some(50.0), Some(0.0)]);
    }

    #[test]
    fn z_score_is_t_score() {
        let v = col(&[1.0, 3.0]);
        let z = normalise(&v, Direction::Higher, &Normalisation::ZScore);
        assert_eq!(z, vec![Some(40.0), Some(60.0)]);
    }

    #[test]
    fn missing_stays_missing() {
        let v = vec![Some(1.0), None, Some(3.0)];
        let n = normalise(&v, Direction::Higher, &Normalisation::MinMax);
        assert_eq!(n, vec![Some(0.0), None, Some(100.0)]);
    }

    #[test]
    fn target_caps_at_full_points() {
        let v = col(&[5.0, 10.0, 20.0]);
        let h = normalise(
            &v,
            Direction::Higher,
            &Normalisation::Target { target: 10.0 },
        );
        assert_eq!(h, vec![Some(50.0), Some(100.0), Some(100.0)]);
        let l = normalise(
            &v,
            Direction::Lower,
            &Normalisation::Target { target: 10.0 },
        );
        assert_eq!(l, vec![Some(100.0), Some(100.0), Some(50.0)]);
    }

    #[test]
    fn table_interpolates_and_is_flat_outside() {
        let pts = vec![
            TablePoint {
                value: 0.0,
                points: 0.0,
            },
            TablePoint {
                value: 10.0,
                points: 60.0,
            },
            TablePoint {
                value: 20.0,
                points: 100.0,
            },
        ];
        assert_eq!(table(&pts, -5.0), 0.0);
        assert_eq!(table(&pts, 5.0), 30.0);
        assert_eq!(table(&pts, 15.0), 80.0);
        assert_eq!(table(&pts, 99.0), 100.0);
        let bad = Normalisation::Table {
            points: vec![pts[1], pts[0]],
        };
        assert!(bad.check().is_err());
    }
}
