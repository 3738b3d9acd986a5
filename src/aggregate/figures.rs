//! Numeric figures, ratios, status counts and the unit matrix over a set of weeks.

use super::summary::{Coverage, Figure, RatioFigure, SectionSummary, Source, StatusFigure, TextFigure, UnitRow};
use super::winners::Winners;
use crate::model::{ReportWeek, Value};
use crate::schema::{Aggregation, Config, Criterion, LabelOf, Unit};

/// Figures of one set of weeks, before comparison with another.
pub(crate) struct Computed {
    pub sections: Vec<SectionSummary>,
    pub ratios: Vec<RatioFigure>,
    pub statuses: Vec<StatusFigure>,
    pub texts: Vec<TextFigure>,
    pub matrix: Vec<UnitRow>,
}

fn source(winners: &Winners<'_>, unit: &Unit, week: &ReportWeek, code: &str) -> Option<Source> {
    let w = winners.get(&unit.code, week)?;
    let v = w.submission.value(code)?;
    let value = match v.value {
        Value::Number(n) => n,
        Value::YesNo(b) => f64::from(u8::from(b)),
        _ => return None,
    };
    Some(Source {
        unit: unit.code.clone(),
        week: week.label(),
        file: w.file().to_string(),
        sheet: v.source.sheet.clone(),
        cell: v.source.cell.clone(),
        value,
    })
}

/// The values one unit contributes to a criterion over the weeks: all weeks for
/// a flow, the latest week with a value for a stock or status.
fn contributions(winners: &Winners<'_>, unit: &Unit, weeks: &[ReportWeek], c: &Criterion) -> Vec<Source> {
    match c.kind {
        Aggregation::Flow => weeks.iter().filter_map(|w| source(winners, unit, w, &c.code)).collect(),
        _ => weeks.iter().rev().find_map(|w| source(winners, unit, w, &c.code)).into_iter().collect(),
    }
}

fn expected_units<'c>(config: &'c Config, c: &'c Criterion) -> impl Iterator<Item = &'c Unit> {
    config.units.units().iter().filter(move |u| c.reported_by_type(&u.unit_type))
}

/// Criterion code → units whose values of it are left out (the suspect ones,
/// for the figures computed without them).
pub(crate) type Excluded = std::collections::BTreeMap<String, std::collections::BTreeSet<String>>;

fn excluded_for(excluded: &Excluded, code: &str, unit: &Unit) -> bool {
    excluded.get(code).is_some_and(|units| units.contains(&unit.code))
}

fn numeric(config: &Config, weeks: &[ReportWeek], winners: &Winners<'_>, c: &Criterion, excluded: &Excluded) -> Figure {
    let mut sources = Vec::new();
    let mut coverage = Coverage {
        reported: 0,
        expected: 0,
        unit_weeks_reported: 0,
        unit_weeks_expected: 0,
        missing_units: Vec::new(),
        partial_units: Vec::new(),
    };
    for unit in expected_units(config, c).filter(|u| !excluded_for(excluded, &c.code, u)) {
        coverage.expected += 1;
        coverage.unit_weeks_expected += weeks.len();
        let mine = contributions(winners, unit, weeks, c);
        if mine.is_empty() {
            coverage.missing_units.push(unit.code.clone());
            continue;
        }
        coverage.reported += 1;
        let weeks_with_value = weeks.iter().filter(|w| source(winners, unit, w, &c.code).is_some()).count();
        coverage.unit_weeks_reported += weeks_with_value;
        if c.kind == Aggregation::Flow && weeks_with_value < weeks.len() {
            coverage.partial_units.push(unit.code.clone());
        }
        sources.extend(mine);
    }
    let value = if sources.is_empty() { None } else { Some(sources.iter().map(|s| s.value).sum()) };
    Figure {
        code: c.code.clone(),
        vi: c.vi.clone(),
        en: c.en.clone(),
        unit_vi: c.unit_vi.clone(),
        unit_en: c.unit_en.clone(),
        kind: c.kind,
        parent: c.parent.clone(),
        value,
        previous: None,
        change: None,
        change_ratio: None,
        coverage,
        sources,
        suspect: None,
        other: config.translations(LabelOf::Criterion, &c.code).clone(),
    }
}

fn ratio(
    config: &Config,
    weeks: &[ReportWeek],
    winners: &Winners<'_>,
    r: &crate::schema::Ratio,
    excluded: &Excluded,
) -> RatioFigure {
    let (Some(num), Some(den)) = (config.schema.criterion(&r.numerator), config.schema.criterion(&r.denominator))
    else {
        return RatioFigure {
            code: r.code.clone(),
            vi: r.vi.clone(),
            en: r.en.clone(),
            numerator_code: r.numerator.clone(),
            denominator_code: r.denominator.clone(),
            numerator: None,
            denominator: None,
            value: None,
            previous: None,
            change: None,
            units: 0,
            sources: Vec::new(),
            suspect: None,
            other: config.translations(LabelOf::Ratio, &r.code).clone(),
        };
    };
    let (mut n_sum, mut d_sum, mut units) = (0.0, 0.0, 0);
    let mut sources = Vec::new();
    let kept = |u: &&Unit| !excluded_for(excluded, &num.code, u) && !excluded_for(excluded, &den.code, u);
    for unit in expected_units(config, num).filter(|u| den.reported_by_type(&u.unit_type)).filter(kept) {
        // Only weeks where the unit gave both parts, so numerator and denominator cover the same ground.
        let pairs: Vec<(Source, Source)> = weeks
            .iter()
            .filter_map(|w| Some((source(winners, unit, w, &num.code)?, source(winners, unit, w, &den.code)?)))
            .collect();
        let used: Vec<(Source, Source)> = match num.kind {
            Aggregation::Flow => pairs,
            _ => pairs.into_iter().last().into_iter().collect(),
        };
        if used.is_empty() {
            continue;
        }
        units += 1;
        for (n, d) in used {
            n_sum += n.value;
            d_sum += d.value;
            sources.push(n);
            sources.push(d);
        }
    }
    let has = units > 0;
    RatioFigure {
        code: r.code.clone(),
        vi: r.vi.clone(),
        en: r.en.clone(),
        numerator_code: r.numerator.clone(),
        denominator_code: r.denominator.clone(),
        numerator: has.then_some(n_sum),
        denominator: has.then_some(d_sum),
        value: (has && d_sum > 0.0).then(|| n_sum / d_sum),
        previous: None,
        change: None,
        units,
        sources,
        suspect: None,
        other: config.translations(LabelOf::Ratio, &r.code).clone(),
    }
}

fn status(config: &Config, weeks: &[ReportWeek], winners: &Winners<'_>, c: &Criterion) -> StatusFigure {
    let mut figure = StatusFigure {
        code: c.code.clone(),
        vi: c.vi.clone(),
        en: c.en.clone(),
        yes: 0,
        expected: 0,
        previous_yes: None,
        yes_units: Vec::new(),
        no_units: Vec::new(),
        not_reported: Vec::new(),
        sources: Vec::new(),
        other: config.translations(LabelOf::Criterion, &c.code).clone(),
    };
    for unit in expected_units(config, c) {
        figure.expected += 1;
        match contributions(winners, unit, weeks, c).pop() {
            Some(s) if s.value > 0.0 => {
                figure.yes += 1;
                figure.yes_units.push(unit.code.clone());
                figure.sources.push(s);
            }
            Some(s) => {
                figure.no_units.push(unit.code.clone());
                figure.sources.push(s);
            }
            None => figure.not_reported.push(unit.code.clone()),
        }
    }
    figure
}

fn text(config: &Config, weeks: &[ReportWeek], winners: &Winners<'_>, c: &Criterion) -> TextFigure {
    let mut entries = Vec::new();
    for unit in expected_units(config, c) {
        let latest = weeks.iter().rev().find_map(|w| {
            let v = winners.get(&unit.code, w)?.submission.value(&c.code)?;
            match &v.value {
                Value::Text(t) => Some(t.clone()),
                Value::Date(d) => Some(d.format("%d/%m/%Y").to_string()),
                _ => None,
            }
        });
        if let Some(t) = latest {
            entries.push((unit.code.clone(), t));
        }
    }
    TextFigure {
        code: c.code.clone(),
        vi: c.vi.clone(),
        en: c.en.clone(),
        entries,
        other: config.translations(LabelOf::Criterion, &c.code).clone(),
    }
}

/// Computes every figure over `weeks`.
pub(crate) fn compute(config: &Config, weeks: &[ReportWeek], winners: &Winners<'_>) -> Computed {
    compute_excluding(config, weeks, winners, &Excluded::new())
}

/// [`compute`] with the values of `excluded` left out.
pub(crate) fn compute_excluding(
    config: &Config,
    weeks: &[ReportWeek],
    winners: &Winners<'_>,
    excluded: &Excluded,
) -> Computed {
    let schema = &config.schema;
    let sections = schema
        .sections
        .iter()
        .map(|s| SectionSummary {
            code: s.code.clone(),
            vi: s.vi.clone(),
            en: s.en.clone(),
            figures: schema
                .criteria
                .iter()
                .filter(|c| c.section == s.code && matches!(c.kind, Aggregation::Flow | Aggregation::Stock))
                .map(|c| numeric(config, weeks, winners, c, excluded))
                .collect(),
            other: config.translations(LabelOf::Section, &s.code).clone(),
        })
        .filter(|s| !s.figures.is_empty())
        .collect();
    let ratios = schema.ratios.iter().map(|r| ratio(config, weeks, winners, r, excluded)).collect();
    let statuses = schema
        .criteria
        .iter()
        .filter(|c| c.kind == Aggregation::Status)
        .map(|c| status(config, weeks, winners, c))
        .collect();
    let texts = schema
        .criteria
        .iter()
        .filter(|c| c.kind == Aggregation::Text)
        .map(|c| text(config, weeks, winners, c))
        .collect();
    let numeric_criteria: Vec<&Criterion> =
        schema.criteria.iter().filter(|c| matches!(c.kind, Aggregation::Flow | Aggregation::Stock)).collect();
    let matrix = config
        .units
        .units()
        .iter()
        .map(|u| UnitRow {
            unit: u.code.clone(),
            name: u.short.clone(),
            name_en: u.en.clone(),
            unit_type: u.unit_type.as_str().to_string(),
            values: numeric_criteria
                .iter()
                .map(|c| {
                    let mine = contributions(winners, u, weeks, c);
                    let v = (!mine.is_empty() && c.reported_by_type(&u.unit_type))
                        .then(|| mine.iter().map(|s| s.value).sum());
                    (c.code.clone(), v)
                })
                .collect(),
        })
        .collect();
    Computed { sections, ratios, statuses, texts, matrix }
}

/// Fills the previous-cycle values and changes into the current figures.
pub(crate) fn compare(mut current: Computed, previous: Option<Computed>) -> Computed {
    let Some(previous) = previous else { return current };
    for section in &mut current.sections {
        for f in &mut section.figures {
            let prev =
                previous.sections.iter().flat_map(|s| &s.figures).find(|p| p.code == f.code).and_then(|p| p.value);
            f.previous = prev;
            if let (Some(now), Some(before)) = (f.value, prev) {
                f.change = Some(now - before);
                f.change_ratio = (before != 0.0).then(|| (now - before) / before);
            }
        }
    }
    for r in &mut current.ratios {
        r.previous = previous.ratios.iter().find(|p| p.code == r.code).and_then(|p| p.value);
        if let (Some(now), Some(before)) = (r.value, r.previous) {
            r.change = Some(now - before);
        }
    }
    for s in &mut current.statuses {
        // A previous cycle where nobody answered has no count to compare with.
        s.previous_yes =
            previous.statuses.iter().find(|p| p.code == s.code && p.not_reported.len() < p.expected).map(|p| p.yes);
    }
    current
}
