//! Figures with suspect values: every figure or ratio that counts a value the
//! data-quality check flagged is given the same figure computed without it
//! (and its change), so that no sentence states a change whose direction
//! depends on one suspect value without saying so.

use std::collections::BTreeMap;

use super::figures::{Computed, Excluded};
use super::summary::{Excluding, QualityFlag, Source, SuspectUnit};

/// Criterion code → the units whose value of it is flagged in the cycle.
pub(crate) fn excluded(flags: &[QualityFlag]) -> Excluded {
    let mut out = Excluded::new();
    for f in flags {
        out.entry(f.code.clone()).or_default().insert(f.unit.clone());
    }
    out
}

/// The flagged weeks of each unit, for the codes given.
fn suspect_units(flags: &[QualityFlag], codes: &[&str]) -> Vec<SuspectUnit> {
    let mut by_unit: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for f in flags.iter().filter(|f| codes.contains(&f.code.as_str())) {
        let weeks = by_unit.entry(&f.unit).or_default();
        if !weeks.contains(&f.week) {
            weeks.push(f.week.clone());
        }
    }
    by_unit.into_iter().map(|(unit, weeks)| SuspectUnit { unit: unit.to_string(), weeks }).collect()
}

/// Whether a change keeps its direction: both known and of the same sign
/// (zero counting as a direction of its own).
fn same_direction(a: Option<f64>, b: Option<f64>) -> bool {
    let sign = |x: f64| {
        if x > 0.0 {
            1
        } else if x < 0.0 {
            -1
        } else {
            0
        }
    };
    matches!((a, b), (Some(a), Some(b)) if sign(a) == sign(b))
}

/// The figures without the flagged `units`, when one of them counts in `sources`.
fn excluding(
    units: Vec<SuspectUnit>,
    sources: &[Source],
    change: Option<f64>,
    without: (Option<f64>, Option<f64>, Option<f64>, Option<f64>),
) -> Option<Excluding> {
    let counted = units.iter().any(|u| sources.iter().any(|s| s.unit == u.unit));
    let (value, previous, change_without, change_ratio) = without;
    counted.then(|| Excluding {
        direction_differs: !same_direction(change, change_without),
        units,
        value,
        previous,
        change: change_without,
        change_ratio,
    })
}

/// Gives each figure and ratio of `all` that counts a flagged value its
/// counterpart from `without` (the same figures computed without them).
pub(crate) fn annotate(all: &mut Computed, without: &Computed, flags: &[QualityFlag]) {
    for f in all.sections.iter_mut().flat_map(|s| s.figures.iter_mut()) {
        let Some(o) = without.sections.iter().flat_map(|s| &s.figures).find(|o| o.code == f.code) else { continue };
        let units = suspect_units(flags, &[&f.code]);
        f.suspect = excluding(units, &f.sources, f.change, (o.value, o.previous, o.change, o.change_ratio));
    }
    for r in &mut all.ratios {
        let Some(o) = without.ratios.iter().find(|o| o.code == r.code) else { continue };
        let units = suspect_units(flags, &[&r.numerator_code, &r.denominator_code]);
        // A ratio's change is in points: its "relative" change repeats it.
        r.suspect = excluding(units, &r.sources, r.change, (o.value, o.previous, o.change, o.change));
    }
}
