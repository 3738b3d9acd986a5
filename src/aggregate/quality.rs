//! Data quality: values that jump against the unit's own history.
//!
//! A robust test, so that one earlier outlier does not hide the next: the
//! modified z-score of Iglewicz and Hoaglin, 0.6745 × (x − median) / MAD. When
//! the history has no spread (MAD = 0) the ratio to the median decides. Flags
//! are warnings shown in the outputs; values are never corrected.

use super::cycle::CycleSpec;
use super::summary::{QualityFlag, Source};
use super::winners::Winners;
use crate::model::Value;
use crate::schema::{Aggregation, Config};
use crate::text::format_vi_number;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The verdict on one value against its history: `None` when ordinary,
/// `Some((median, z-score))` when flagged (no z-score when the history is flat).
fn judge(value: f64, history: &[f64], settings: &crate::schema::QualitySettings) -> Option<(f64, Option<f64>)> {
    if history.len() < settings.min_history {
        return None;
    }
    let mut h = history.to_vec();
    let m = median(&mut h);
    // A series that is usually small or zero (trainings, incidents) has no level to jump from.
    if m < settings.min_value {
        return None;
    }
    let mut deviations: Vec<f64> = history.iter().map(|x| (x - m).abs()).collect();
    let mad = median(&mut deviations);
    let ratio = value / m;
    let far = ratio >= settings.ratio_threshold || ratio <= 1.0 / settings.ratio_threshold;
    if mad > 0.0 {
        let z = 0.6745 * (value - m) / mad;
        // Both tests: a large z on a tiny spread (steady to-date totals) is no jump
        // unless the value is also far from its median.
        (z.abs() > settings.z_threshold && far).then_some((m, Some(z)))
    } else {
        far.then_some((m, None))
    }
}

pub(crate) fn flags(config: &Config, cycle: &CycleSpec, winners: &Winners<'_>) -> Vec<QualityFlag> {
    let settings = &config.schema.quality;
    let mut out = Vec::new();
    for unit in config.units.units() {
        for c in config.schema.criteria.iter().filter(|c| matches!(c.kind, Aggregation::Flow | Aggregation::Stock)) {
            if !c.reported_by_type(&unit.unit_type) {
                continue;
            }
            for week in &cycle.weeks {
                let Some(w) = winners.get(&unit.code, week) else { continue };
                let Some(v) = w.submission.value(&c.code) else { continue };
                let Value::Number(value) = v.value else { continue };
                // The unit's own earlier weeks found in the inputs, most recent first.
                let history: Vec<f64> = winners
                    .by_key
                    .range((unit.code.clone(), chrono::NaiveDate::MIN)..(unit.code.clone(), week.due))
                    .rev()
                    .filter_map(|(_, earlier)| match earlier.submission.value(&c.code)?.value {
                        Value::Number(n) => Some(n),
                        _ => None,
                    })
                    .take(settings.max_history)
                    .collect();
                let Some((m, score)) = judge(value, &history, settings) else { continue };
                let times = value / m;
                let (vi_rel, en_rel) = if times >= 1.0 {
                    (format!("gấp {} lần", format_vi_number(times, 1)), format!("{:.1}× its median", times))
                } else {
                    (format!("chỉ bằng {} lần", format_vi_number(times, 2)), format!("{:.2}× its median", times))
                };
                out.push(QualityFlag {
                    unit: unit.code.clone(),
                    code: c.code.clone(),
                    week: week.label(),
                    value,
                    median: m,
                    history_weeks: history.len(),
                    score,
                    message_vi: format!(
                        "{} của {} tuần {} là {} {}, {vi_rel} trung vị {} tuần trước ({}).",
                        c.code,
                        unit.short,
                        week.label(),
                        format_vi_number(value, 2),
                        c.unit_vi,
                        history.len(),
                        format_vi_number(m, 2)
                    ),
                    message_en: format!(
                        "{} of {} in {} is {} {}, {en_rel} of the last {} weeks ({}).",
                        c.code,
                        unit.en,
                        week.label(),
                        value,
                        c.unit_en,
                        history.len(),
                        m
                    ),
                    source: Source {
                        unit: unit.code.clone(),
                        week: week.label(),
                        file: w.file().to_string(),
                        sheet: v.source.sheet.clone(),
                        cell: v.source.cell.clone(),
                        value,
                    },
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::QualitySettings;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn flags_a_tenfold_jump_but_not_ordinary_growth() {
        let s = QualitySettings::default();
        let history = [25_100.0, 24_800.0, 25_600.0, 25_120.0];
        assert!(judge(251_200.0, &history, &s).is_some(), "an extra zero");
        assert!(judge(26_000.0, &history, &s).is_none(), "ordinary week");
        assert!(judge(2_510.0, &history, &s).is_some(), "a lost zero");
        // Cumulative totals creep up steadily: never a jump.
        assert!(judge(2_400.0, &[2_300.0, 2_327.0, 2_355.0], &s).is_none());
    }

    #[test]
    fn needs_enough_history_and_magnitude() {
        let s = QualitySettings::default();
        assert!(judge(1_000.0, &[10.0, 10.0], &s).is_none(), "two weeks are not a history");
        assert!(judge(9.0, &[1.0, 1.0, 1.0], &s).is_none(), "small counts jump naturally");
        assert!(judge(300.0, &[0.0, 40.0, 0.0], &s).is_none(), "an intermittent series has no level");
        assert!(judge(900.0, &[100.0, 100.0, 100.0], &s).is_some(), "flat history, ratio decides");
    }
}
