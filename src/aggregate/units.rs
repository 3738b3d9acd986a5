//! The cycle unit by unit: each unit's own ratios, the units ordered by every
//! criterion and ratio (for the tables of the meeting document that compare
//! units), and how many units each ratio and the whole report expect.
//!
//! The renderers choose among these (which ranking, which unit types, how many
//! rows: `document.toml`); they compute nothing.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::summary::{SubmissionSummary, Timeliness, UnitFigures, UnitOrder, UnitRow, UnitValues};
use crate::schema::Config;

/// The value of a ratio for one unit, from its own numerator and denominator.
fn unit_ratio(values: &BTreeMap<String, Option<f64>>, numerator: &str, denominator: &str) -> Option<f64> {
    let n = values.get(numerator).copied().flatten()?;
    let d = values.get(denominator).copied().flatten()?;
    (d > 0.0).then(|| n / d)
}

fn unit_values(config: &Config, row: &UnitRow) -> UnitValues {
    let v: BTreeMap<String, Option<f64>> = row.values.iter().cloned().collect();
    let r =
        config.schema.ratios.iter().map(|x| (x.code.clone(), unit_ratio(&v, &x.numerator, &x.denominator))).collect();
    UnitValues { unit: row.unit.clone(), unit_type: row.unit_type.clone(), v, r }
}

/// The value a unit is ranked by: a criterion's, or else a ratio's.
fn key(unit: &UnitValues, code: &str) -> Option<f64> {
    unit.v.get(code).copied().flatten().or_else(|| unit.r.get(code).copied().flatten())
}

/// The units with a value for `code`, in both orders (stable sorts: ties stay in registry order).
fn order(units: &[UnitValues], code: &str) -> UnitOrder {
    let keyed: Vec<(f64, usize)> = units.iter().enumerate().filter_map(|(i, u)| Some((key(u, code)?, i))).collect();
    let sorted = |descending: bool| {
        let mut keyed = keyed.clone();
        keyed.sort_by(|a, b| {
            let ord = a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal);
            if descending { ord.reverse() } else { ord }
        });
        keyed.into_iter().map(|(_, i)| i).collect()
    };
    UnitOrder { ascending: sorted(false), descending: sorted(true) }
}

/// Units of the registry whose type reports both terms of a ratio.
fn ratio_expected(config: &Config, numerator: &str, denominator: &str) -> usize {
    let (Some(n), Some(d)) = (config.schema.criterion(numerator), config.schema.criterion(denominator)) else {
        return 0;
    };
    config.units.units().iter().filter(|u| n.reported_by_type(&u.unit_type) && d.reported_by_type(&u.unit_type)).count()
}

/// Distinct units among the submissions, and among those with an accepted report.
fn unit_counts(submissions: &SubmissionSummary) -> (usize, usize) {
    let count = |reported_only: bool| {
        let mut units: Vec<&str> = submissions
            .rows
            .iter()
            .filter(|r| !reported_only || matches!(r.timeliness, Timeliness::OnTime | Timeliness::Late))
            .map(|r| r.unit.as_str())
            .collect();
        units.sort_unstable();
        units.dedup();
        units.len()
    };
    (count(false), count(true))
}

/// The figures of the cycle unit by unit, from its matrix and submissions.
pub(crate) fn compute(config: &Config, matrix: &[UnitRow], submissions: &SubmissionSummary) -> UnitFigures {
    let units: Vec<UnitValues> = matrix.iter().map(|row| unit_values(config, row)).collect();
    let codes = config.schema.criteria.iter().map(|c| &c.code).chain(config.schema.ratios.iter().map(|r| &r.code));
    let order = codes.map(|code| (code.clone(), order(&units, code))).collect();
    let ratio_expected = config
        .schema
        .ratios
        .iter()
        .map(|r| (r.code.clone(), ratio_expected(config, &r.numerator, &r.denominator)))
        .collect();
    let (expected, reported) = unit_counts(submissions);
    UnitFigures { units, order, ratio_expected, expected, reported }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, b01: Option<f64>) -> UnitValues {
        UnitValues {
            unit: code.to_string(),
            unit_type: "province".to_string(),
            v: BTreeMap::from([("B01".to_string(), b01)]),
            r: BTreeMap::new(),
        }
    }

    #[test]
    fn orders_leave_out_missing_values_and_keep_ties_in_registry_order() {
        let units = vec![unit("a", Some(2.0)), unit("b", None), unit("c", Some(5.0)), unit("d", Some(2.0))];
        let o = order(&units, "B01");
        assert_eq!(o.ascending, vec![0, 3, 2]);
        assert_eq!(o.descending, vec![2, 0, 3]);
        let figures = UnitFigures { units, order: BTreeMap::from([("B01".to_string(), o)]), ..Default::default() };
        let names: Vec<&str> = figures.ranked("B01", true).map(|u| u.unit.as_str()).collect();
        assert_eq!(names, ["c", "a", "d"]);
        assert_eq!(figures.ranked("Z99", true).count(), 0);
    }

    #[test]
    fn a_unit_ratio_needs_a_positive_denominator() {
        let v =
            BTreeMap::from([("N".to_string(), Some(3.0)), ("D".to_string(), Some(4.0)), ("Z".to_string(), Some(0.0))]);
        assert_eq!(unit_ratio(&v, "N", "D"), Some(0.75));
        assert_eq!(unit_ratio(&v, "N", "Z"), None);
        assert_eq!(unit_ratio(&v, "N", "X"), None);
    }
}
