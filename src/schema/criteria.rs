//! The criteria catalogue (`schema.toml`): criteria, ratios, rules, tasks, narrative.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use super::labels::{LabelOf, Labels, translations};
use super::source::{ConfigError, SourceFile};
use super::units::{Registry, UnitType};
use crate::issue::Severity;
use crate::model::Deadline;
use crate::text::FIRST_PLAUSIBLE_DAY;

/// What a criterion's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// A whole count (dossiers, people).
    Integer,
    /// An amount with decimals (million VND).
    Decimal,
    /// `Có` / `Không`.
    YesNo,
    Date,
    Text,
}

/// How values of a criterion combine over weeks and units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Counted per week: summed over weeks and units.
    Flow,
    /// A level or a to-date total: each unit's latest week, then summed over units.
    Stock,
    /// Yes/no per unit: counted, and the units still "no" named.
    Status,
    /// Collected with the unit's name.
    Text,
}

/// A group of criteria shown under one heading.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Section {
    pub code: String,
    pub vi: String,
    pub en: String,
}

/// One criterion of the catalogue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Criterion {
    pub code: String,
    pub section: String,
    pub vi: String,
    pub en: String,
    pub unit_vi: String,
    pub unit_en: String,
    pub value_type: ValueType,
    pub kind: Aggregation,
    pub reported_by: Vec<UnitType>,
    pub required: bool,
    /// The smallest value accepted, when the schema sets one (see [`Criterion::lower_bound`]).
    pub min: Option<f64>,
    /// The largest value accepted, when the schema sets one (see [`Criterion::upper_bound`]).
    pub max: Option<f64>,
    /// For "of which" rows, the criterion this one is part of.
    pub parent: Option<String>,
}

impl Criterion {
    /// The bound of a figure whose criterion sets none, either way: 10^15, far
    /// above any count or amount a unit reports, and low enough that the
    /// national total of every unit over years stays a finite figure exact to
    /// the unit (a figure of 1.7 × 10^308 made the total overflow to nothing).
    pub const DEFAULT_LIMIT: f64 = 1e15;

    /// The farthest a schema's `min` or `max` may go: 2^53 − 1, the largest
    /// whole number a figure (a 64-bit float) holds exactly. Any number beyond
    /// it, typed or stored, reads as 2^53 or more and is refused by the bound,
    /// so an accepted whole number never lost a digit.
    pub const EXACT_LIMIT: f64 = 9_007_199_254_740_991.0;

    /// The largest value accepted: the schema's `max`, or [`Criterion::DEFAULT_LIMIT`].
    pub fn upper_bound(&self) -> f64 {
        self.max.unwrap_or(Self::DEFAULT_LIMIT)
    }

    /// The smallest value accepted: the schema's `min`, or −[`Criterion::DEFAULT_LIMIT`].
    pub fn lower_bound(&self) -> f64 {
        self.min.unwrap_or(-Self::DEFAULT_LIMIT)
    }

    /// Whether units of this type report the criterion.
    pub fn reported_by_type(&self, unit_type: &UnitType) -> bool {
        self.reported_by.iter().any(|t| t == unit_type)
    }

    /// Whether the value is a number (integer or decimal).
    pub fn is_numeric(&self) -> bool {
        matches!(self.value_type, ValueType::Integer | ValueType::Decimal)
    }
}

/// A ratio computed from two aggregated criteria; never reported.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ratio {
    pub code: String,
    pub numerator: String,
    pub denominator: String,
    pub vi: String,
    pub en: String,
}

/// A comparison operator of a cross-field rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Op {
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "==")]
    Eq,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Le => "≤",
            Op::Lt => "<",
            Op::Ge => "≥",
            Op::Gt => ">",
            Op::Eq => "=",
        }
    }

    /// Whether `left op right` holds (with a tolerance for decimal rounding).
    pub fn holds(self, left: f64, right: f64) -> bool {
        let eps = 1e-9 * left.abs().max(right.abs()).max(1.0);
        match self {
            Op::Le => left <= right + eps,
            Op::Lt => left < right - eps,
            Op::Ge => left + eps >= right,
            Op::Gt => left > right + eps,
            Op::Eq => (left - right).abs() <= eps,
        }
    }
}

/// A cross-field rule: `left op right` on one unit's values of one week.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rule {
    pub id: String,
    pub left: String,
    pub op: Op,
    pub right: String,
    pub severity: Severity,
}

/// Who a task is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Responsible {
    All,
    Type(UnitType),
    Unit(String),
}

/// A task assigned by a Government document.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskDef {
    pub code: String,
    pub vi: String,
    pub en: String,
    pub assigned_by: String,
    pub responsible: Vec<Responsible>,
    pub deadline: Deadline,
}

impl TaskDef {
    /// Whether the unit (with its type) is responsible for the task.
    pub fn assigned_to(&self, unit_code: &str, unit_type: &UnitType) -> bool {
        self.responsible.iter().any(|r| match r {
            Responsible::All => true,
            Responsible::Type(t) => t == unit_type,
            Responsible::Unit(c) => c == unit_code,
        })
    }

    /// Whether every unit of this type is responsible, whichever it is; with
    /// no type, whether every unit is. What can be said of a file whose unit
    /// is not known.
    pub fn assigned_to_every_unit_of(&self, unit_type: Option<&UnitType>) -> bool {
        self.responsible.iter().any(|r| match r {
            Responsible::All => true,
            Responsible::Type(t) => Some(t) == unit_type,
            Responsible::Unit(_) => false,
        })
    }

    /// Whether any unit of this type can be responsible (for the form's task rows).
    pub fn concerns_type(&self, unit_type: &UnitType, registry: &Registry) -> bool {
        self.responsible.iter().any(|r| match r {
            Responsible::All => true,
            Responsible::Type(t) => t == unit_type,
            Responsible::Unit(c) => registry.get(c).is_some_and(|u| &u.unit_type == unit_type),
        })
    }
}

/// A code with Vietnamese and English labels (task statuses, fields).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Labelled {
    pub code: String,
    pub vi: String,
    pub en: String,
}

/// A kind of narrative item (highlight, difficulty, proposal, next week's task).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct NarrativeKind {
    pub code: String,
    pub vi: String,
    pub en: String,
    /// Whether items of this kind name the body asked to act.
    #[serde(default)]
    pub needs_addressee: bool,
}

/// Settings of the data-quality check: a value is flagged when it jumps
/// against the same unit's own history (median and median absolute deviation).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualitySettings {
    /// Modified z-score above which a value is flagged (Iglewicz and Hoaglin suggest 3.5).
    pub z_threshold: f64,
    /// When the history has no spread: flag a value this many times above (or below) its median.
    pub ratio_threshold: f64,
    /// Fewest earlier weeks needed before a unit's values are judged.
    pub min_history: usize,
    /// Most earlier weeks taken into the history.
    pub max_history: usize,
    /// Values whose history has a median below this are never flagged (small counts jump naturally).
    pub min_value: f64,
}

impl Default for QualitySettings {
    fn default() -> QualitySettings {
        QualitySettings { z_threshold: 3.5, ratio_threshold: 3.0, min_history: 3, max_history: 8, min_value: 20.0 }
    }
}

/// The whole catalogue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Schema {
    pub version: String,
    pub accepted_versions: Vec<String>,
    pub sections: Vec<Section>,
    pub criteria: Vec<Criterion>,
    pub ratios: Vec<Ratio>,
    pub rules: Vec<Rule>,
    pub tasks: Vec<TaskDef>,
    pub task_statuses: Vec<Labelled>,
    pub narrative_kinds: Vec<NarrativeKind>,
    pub fields: Vec<Labelled>,
    pub quality: QualitySettings,
    /// Codes (criteria or ratios) shown first in reports, with their trend.
    pub headline: Vec<String>,
    /// Labels in languages beyond Vietnamese and English (`fr = "…"`).
    #[serde(skip)]
    pub labels: Labels,
}

/// The task statuses the program knows how to reason about; the schema labels them.
pub const TASK_STATUS_CODES: [&str; 3] = ["completed", "in_progress", "not_started"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    version: String,
    accepted_versions: Vec<String>,
    #[serde(rename = "section", default)]
    sections: Vec<Spanned<RawSection>>,
    #[serde(rename = "criterion", default)]
    criteria: Vec<Spanned<RawCriterion>>,
    #[serde(rename = "ratio", default)]
    ratios: Vec<Spanned<RawRatio>>,
    #[serde(rename = "rule", default)]
    rules: Vec<RawRule>,
    #[serde(rename = "task", default)]
    tasks: Vec<Spanned<RawTask>>,
    #[serde(rename = "task_status", default)]
    task_statuses: Vec<Spanned<RawLabelled>>,
    #[serde(rename = "narrative_kind", default)]
    narrative_kinds: Vec<Spanned<RawNarrativeKind>>,
    #[serde(rename = "field", default)]
    fields: Vec<Spanned<RawLabelled>>,
    #[serde(default)]
    quality: QualitySettings,
    headline: Option<Spanned<Vec<String>>>,
}

// The raw tables below take any further key into `extra`, which
// `translations` then accepts as a label in another language or refuses as an
// unknown field (serde cannot combine `deny_unknown_fields` with `flatten`).

#[derive(Deserialize)]
struct RawSection {
    code: Spanned<String>,
    vi: String,
    en: String,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

const SECTION_FIELDS: &[&str] = &["code", "vi", "en"];

#[derive(Deserialize)]
struct RawCriterion {
    code: Spanned<String>,
    section: Spanned<String>,
    vi: String,
    en: String,
    #[serde(default)]
    unit_vi: String,
    #[serde(default)]
    unit_en: String,
    value_type: Spanned<String>,
    kind: Spanned<String>,
    reported_by: Spanned<Vec<String>>,
    #[serde(default)]
    required: bool,
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
    parent: Option<Spanned<String>>,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

const CRITERION_FIELDS: &[&str] = &[
    "code",
    "section",
    "vi",
    "en",
    "unit_vi",
    "unit_en",
    "value_type",
    "kind",
    "reported_by",
    "required",
    "min",
    "max",
    "parent",
];

#[derive(Deserialize)]
struct RawRatio {
    code: Spanned<String>,
    numerator: Spanned<String>,
    denominator: Spanned<String>,
    vi: String,
    en: String,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

const RATIO_FIELDS: &[&str] = &["code", "numerator", "denominator", "vi", "en"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    left: Spanned<String>,
    op: Spanned<String>,
    right: Spanned<String>,
    severity: Spanned<String>,
}

#[derive(Deserialize)]
struct RawTask {
    code: Spanned<String>,
    vi: String,
    en: String,
    assigned_by: String,
    responsible: Spanned<Vec<String>>,
    deadline: Spanned<String>,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

const TASK_FIELDS: &[&str] = &["code", "vi", "en", "assigned_by", "responsible", "deadline"];

#[derive(Deserialize)]
struct RawLabelled {
    code: String,
    vi: String,
    en: String,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

const LABELLED_FIELDS: &[&str] = &["code", "vi", "en"];

#[derive(Deserialize)]
struct RawNarrativeKind {
    code: String,
    vi: String,
    en: String,
    #[serde(default)]
    needs_addressee: bool,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

const NARRATIVE_KIND_FIELDS: &[&str] = &["code", "vi", "en", "needs_addressee"];

fn parse_value_type(s: &str) -> Option<ValueType> {
    Some(match s {
        "integer" => ValueType::Integer,
        "decimal" => ValueType::Decimal,
        "yes_no" => ValueType::YesNo,
        "date" => ValueType::Date,
        "text" => ValueType::Text,
        _ => return None,
    })
}

fn parse_kind(s: &str) -> Option<Aggregation> {
    Some(match s {
        "flow" => Aggregation::Flow,
        "stock" => Aggregation::Stock,
        "status" => Aggregation::Status,
        "text" => Aggregation::Text,
        _ => return None,
    })
}

fn parse_op(s: &str) -> Option<Op> {
    Some(match s {
        "<=" => Op::Le,
        "<" => Op::Lt,
        ">=" => Op::Ge,
        ">" => Op::Gt,
        "==" => Op::Eq,
        _ => return None,
    })
}

/// Records codes seen so far and refuses a second one with both lines.
struct CodeSet<'s, 'a> {
    src: &'s SourceFile<'a>,
    what: &'static str,
    seen: Vec<(String, usize)>,
}

impl<'s, 'a> CodeSet<'s, 'a> {
    fn new(src: &'s SourceFile<'a>, what: &'static str) -> Self {
        CodeSet { src, what, seen: Vec::new() }
    }

    fn insert(&mut self, code: &Spanned<String>) -> Result<(), ConfigError> {
        let value = code.get_ref().trim();
        if value.is_empty() {
            return Err(self.src.error_span(&code.span(), format!("empty {} code", self.what)));
        }
        if let Some((_, first)) = self.seen.iter().find(|(c, _)| c == value) {
            let first_line = super::source::line_of(self.src.text, *first);
            return Err(self.src.error_span(
                &code.span(),
                format!(
                    "duplicate {} code \"{value}\" (already defined on line {first_line}); codes must be unique",
                    self.what
                ),
            ));
        }
        self.seen.push((value.to_string(), code.span().start));
        Ok(())
    }

    fn contains(&self, code: &str) -> bool {
        self.seen.iter().any(|(c, _)| c == code)
    }
}

/// The state shared by the tables of `schema.toml` while they are read.
struct SchemaReader<'s, 'a> {
    src: &'s SourceFile<'a>,
    units: &'s Registry,
    /// Labels in further languages, gathered from every table.
    labels: Labels,
    /// Criteria, ratios and tasks share one code space: a ratio named like a
    /// criterion would make figures ambiguous in every output.
    codes: CodeSet<'s, 'a>,
}

impl<'s, 'a> SchemaReader<'s, 'a> {
    /// `[[section]]`: unique codes. The codes are returned too: criteria must name one.
    fn sections(&mut self, raw: Vec<Spanned<RawSection>>) -> Result<(Vec<Section>, CodeSet<'s, 'a>), ConfigError> {
        let src = self.src;
        let mut section_codes = CodeSet::new(src, "section");
        let mut sections = Vec::new();
        for s in raw {
            let header = s.span().start;
            let s = s.into_inner();
            section_codes.insert(&s.code)?;
            self.labels.insert(
                LabelOf::Section,
                s.code.get_ref(),
                translations(src, header, s.extra, SECTION_FIELDS, &[])?,
            );
            sections.push(Section { code: s.code.into_inner(), vi: s.vi, en: s.en });
        }
        Ok((sections, section_codes))
    }

    /// `[[criterion]]`: every code is registered before any criterion is
    /// checked, so that a parent may be defined below its children.
    fn criteria(
        &mut self,
        raw: Vec<Spanned<RawCriterion>>,
        section_codes: &CodeSet,
    ) -> Result<Vec<Criterion>, ConfigError> {
        for c in &raw {
            self.codes.insert(&c.get_ref().code)?;
        }
        raw.into_iter().map(|c| self.criterion(c, section_codes)).collect()
    }

    /// One criterion: its section exists, its value type and kind are known and
    /// fit together, its unit types exist, min ≤ max, and its parent is another criterion.
    fn criterion(&mut self, c: Spanned<RawCriterion>, section_codes: &CodeSet) -> Result<Criterion, ConfigError> {
        let src = self.src;
        let header = c.span().start;
        let c = c.into_inner();
        self.labels.insert(
            LabelOf::Criterion,
            c.code.get_ref(),
            translations(src, header, c.extra, CRITERION_FIELDS, &["unit_"])?,
        );
        if !section_codes.contains(c.section.get_ref()) {
            return Err(src.error_span(
                &c.section.span(),
                format!(
                    "criterion {} names section \"{}\", which no [[section]] defines",
                    c.code.get_ref(),
                    c.section.get_ref()
                ),
            ));
        }
        let (value_type, kind) = value_type_and_kind(src, &c.code, &c.value_type, &c.kind)?;
        let reported_by = check_unit_types(src, &c.reported_by, self.units)?;
        let (min, max) = bounds(src, &c.code, c.min, c.max)?;
        let parent = self.parent(&c.code, c.parent)?;
        Ok(Criterion {
            code: c.code.into_inner(),
            section: c.section.into_inner(),
            vi: c.vi,
            en: c.en,
            unit_vi: c.unit_vi,
            unit_en: c.unit_en,
            value_type,
            kind,
            reported_by,
            required: c.required,
            min,
            max,
            parent,
        })
    }

    /// A criterion's parent (its "of which" rows sum into it): another criterion
    /// of this schema. Ratio and task codes are registered only later, so they
    /// are not found here either.
    fn parent(&self, code: &Spanned<String>, parent: Option<Spanned<String>>) -> Result<Option<String>, ConfigError> {
        let Some(p) = parent else { return Ok(None) };
        if !self.codes.contains(p.get_ref()) || p.get_ref() == code.get_ref() {
            return Err(self.src.error_span(
                &p.span(),
                format!(
                    "criterion {} names parent \"{}\", which is not another criterion",
                    code.get_ref(),
                    p.get_ref()
                ),
            ));
        }
        Ok(Some(p.into_inner()))
    }

    /// `[[ratio]]`: a code new to the shared code space, over two numeric criteria.
    fn ratios(&mut self, raw: Vec<Spanned<RawRatio>>, criteria: &[Criterion]) -> Result<Vec<Ratio>, ConfigError> {
        let src = self.src;
        let mut ratios = Vec::new();
        for r in raw {
            let header = r.span().start;
            let r = r.into_inner();
            self.codes.insert(&r.code)?;
            self.labels.insert(
                LabelOf::Ratio,
                r.code.get_ref(),
                translations(src, header, r.extra, RATIO_FIELDS, &[])?,
            );
            for part in [&r.numerator, &r.denominator] {
                if !is_numeric(criteria, part.get_ref()) {
                    return Err(src.error_span(
                        &part.span(),
                        format!(
                            "ratio {} uses \"{}\", which is not a numeric criterion of this schema",
                            r.code.get_ref(),
                            part.get_ref()
                        ),
                    ));
                }
            }
            ratios.push(Ratio {
                code: r.code.into_inner(),
                numerator: r.numerator.into_inner(),
                denominator: r.denominator.into_inner(),
                vi: r.vi,
                en: r.en,
            });
        }
        Ok(ratios)
    }

    /// `[[task]]`: a code new to the shared code space, someone responsible, and
    /// a deadline in one of the forms the program can date.
    fn tasks(&mut self, raw: Vec<Spanned<RawTask>>) -> Result<Vec<TaskDef>, ConfigError> {
        let src = self.src;
        let mut tasks = Vec::new();
        for t in raw {
            let header = t.span().start;
            let t = t.into_inner();
            self.codes.insert(&t.code)?;
            self.labels.insert(LabelOf::Task, t.code.get_ref(), translations(src, header, t.extra, TASK_FIELDS, &[])?);
            let responsible = responsible(src, self.units, &t.code, &t.responsible)?;
            let deadline = super::deadline::parse_deadline(t.deadline.get_ref()).ok_or_else(|| {
                src.error_span(
                    &t.deadline.span(),
                    format!(
                        "task {}: cannot read deadline \"{}\"; write \"trước ngày dd/mm/yyyy\", \"chậm nhất ngày dd/mm/yyyy\", \"trong tháng m/yyyy\" or \"trong năm yyyy\"",
                        t.code.get_ref(),
                        t.deadline.get_ref()
                    ),
                )
            })?;
            // Reports' own dates start there too; an earlier deadline is a mistyped year.
            if deadline.last_day < FIRST_PLAUSIBLE_DAY {
                return Err(src.error_span(
                    &t.deadline.span(),
                    format!(
                        "task {}: deadline \"{}\" falls on {}, before {}; is the year mistyped?",
                        t.code.get_ref(),
                        t.deadline.get_ref(),
                        deadline.last_day.format("%d/%m/%Y"),
                        FIRST_PLAUSIBLE_DAY.format("%d/%m/%Y")
                    ),
                ));
            }
            tasks.push(TaskDef {
                code: t.code.into_inner(),
                vi: t.vi,
                en: t.en,
                assigned_by: t.assigned_by,
                responsible,
                deadline,
            });
        }
        Ok(tasks)
    }
}

/// `version` is set and among `accepted_versions`: forms carry the version they
/// were made with, and a version not accepted would refuse every new form.
fn check_version(src: &SourceFile<'_>, version: &str, accepted: &[String]) -> Result<(), ConfigError> {
    if version.trim().is_empty() {
        return Err(src.error_at(None, "`version` must not be empty"));
    }
    if !accepted.iter().any(|v| v == version) {
        return Err(src.error_at(
            None,
            format!(
                "`accepted_versions` must include the current version \"{version}\", or new forms would be refused"
            ),
        ));
    }
    Ok(())
}

/// Whether `code` is a criterion with numbers, the only kind ratios, rules and
/// the headline can compute with.
fn is_numeric(criteria: &[Criterion], code: &str) -> bool {
    criteria.iter().any(|c| c.code == code && c.is_numeric())
}

/// A criterion's value type and aggregation kind: both known, and the kind able
/// to combine values of the type (flow and stock need numbers, status needs yes/no).
fn value_type_and_kind(
    src: &SourceFile<'_>,
    code: &Spanned<String>,
    value_type: &Spanned<String>,
    kind: &Spanned<String>,
) -> Result<(ValueType, Aggregation), ConfigError> {
    let vt = parse_value_type(value_type.get_ref()).ok_or_else(|| {
        src.error_span(
            &value_type.span(),
            format!("unknown value_type \"{}\"; expected integer, decimal, yes_no, date or text", value_type.get_ref()),
        )
    })?;
    let k = parse_kind(kind.get_ref()).ok_or_else(|| {
        src.error_span(
            &kind.span(),
            format!("unknown aggregation kind \"{}\"; expected flow, stock, status or text", kind.get_ref()),
        )
    })?;
    let fits = match k {
        Aggregation::Flow | Aggregation::Stock => matches!(vt, ValueType::Integer | ValueType::Decimal),
        Aggregation::Status => vt == ValueType::YesNo,
        Aggregation::Text => matches!(vt, ValueType::Text | ValueType::Date),
    };
    if !fits {
        return Err(src.error_span(
            &kind.span(),
            format!(
                "criterion {}: kind \"{}\" cannot aggregate values of type \"{}\" (flow and stock need numbers, status needs yes_no)",
                code.get_ref(),
                kind.get_ref(),
                value_type.get_ref()
            ),
        ));
    }
    Ok((vt, k))
}

/// A criterion's `min` and `max`: each a finite number no farther from zero
/// than [`Criterion::EXACT_LIMIT`] (a bound of `nan` would let every value
/// through, one of `inf` or 1e300 would let a total overflow), and `min` ≤ `max`.
fn bounds(
    src: &SourceFile<'_>,
    code: &Spanned<String>,
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
) -> Result<(Option<f64>, Option<f64>), ConfigError> {
    for (key, bound) in [("min", &min), ("max", &max)] {
        let Some(bound) = bound else { continue };
        let value = *bound.get_ref();
        if !value.is_finite() || value.abs() > Criterion::EXACT_LIMIT {
            return Err(src.error_span(
                &bound.span(),
                format!(
                    "criterion {}: {key} = {value} must be a number between -9007199254740991 and 9007199254740991 (2^53 - 1, the largest whole number a figure holds exactly); delete the line to keep the default bound, 10^15",
                    code.get_ref()
                ),
            ));
        }
    }
    let (min, max) = (min.map(Spanned::into_inner), max.map(Spanned::into_inner));
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(
            src.error_span(&code.span(), format!("criterion {}: min {min} is greater than max {max}", code.get_ref()))
        );
    }
    Ok((min, max))
}

/// `[[rule]]`: unique ids, both sides numeric criteria, a known operator and severity.
fn rules(src: &SourceFile<'_>, raw: Vec<RawRule>, criteria: &[Criterion]) -> Result<Vec<Rule>, ConfigError> {
    let mut rule_ids = CodeSet::new(src, "rule");
    let mut rules = Vec::new();
    for r in raw {
        rule_ids.insert(&r.id)?;
        for side in [&r.left, &r.right] {
            if !is_numeric(criteria, side.get_ref()) {
                return Err(src.error_span(
                    &side.span(),
                    format!(
                        "rule {} names \"{}\", which is not a numeric criterion of this schema",
                        r.id.get_ref(),
                        side.get_ref()
                    ),
                ));
            }
        }
        let op = parse_op(r.op.get_ref()).ok_or_else(|| {
            src.error_span(
                &r.op.span(),
                format!("unknown operator \"{}\"; expected <=, <, >=, > or ==", r.op.get_ref()),
            )
        })?;
        let severity = rule_severity(src, &r.severity)?;
        rules.push(Rule {
            id: r.id.into_inner(),
            left: r.left.into_inner(),
            op,
            right: r.right.into_inner(),
            severity,
        });
    }
    Ok(rules)
}

/// A rule's severity: a broken rule is an error or a warning, never mere information.
fn rule_severity(src: &SourceFile<'_>, severity: &Spanned<String>) -> Result<Severity, ConfigError> {
    match severity.get_ref().as_str() {
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        other => {
            Err(src.error_span(&severity.span(), format!("unknown severity \"{other}\"; expected error or warning")))
        }
    }
}

/// Whom a task is assigned to: `all`, a unit type or a unit code each; at least one.
fn responsible(
    src: &SourceFile<'_>,
    units: &Registry,
    code: &Spanned<String>,
    names: &Spanned<Vec<String>>,
) -> Result<Vec<Responsible>, ConfigError> {
    let mut responsible = Vec::new();
    for name in names.get_ref() {
        let r = if name == "all" {
            Responsible::All
        } else if units.has_type(name) {
            Responsible::Type(UnitType(name.clone()))
        } else if units.get(name).is_some() {
            Responsible::Unit(name.clone())
        } else {
            return Err(src.error_span(
                &names.span(),
                format!(
                    "task {} is assigned to \"{name}\", which is neither \"all\", a unit type of units.toml nor a unit code",
                    code.get_ref()
                ),
            ));
        };
        responsible.push(r);
    }
    if responsible.is_empty() {
        return Err(src.error_span(&names.span(), format!("task {} has no responsible unit", code.get_ref())));
    }
    Ok(responsible)
}

/// `[[task_status]]`: exactly the statuses the program reasons about, each labelled.
fn task_statuses(
    src: &SourceFile<'_>,
    raw: Vec<Spanned<RawLabelled>>,
    labels: &mut Labels,
) -> Result<Vec<Labelled>, ConfigError> {
    let task_statuses = labelled_list(src, raw, LabelOf::TaskStatus, labels)?;
    for required in TASK_STATUS_CODES {
        if !task_statuses.iter().any(|s| s.code == required) {
            return Err(src.error_at(
                None,
                format!("[[task_status]] \"{required}\" is missing; the statuses completed, in_progress and not_started must all be labelled"),
            ));
        }
    }
    if let Some(extra) = task_statuses.iter().find(|s| !TASK_STATUS_CODES.contains(&s.code.as_str())) {
        return Err(src.error_at(
            None,
            format!("[[task_status]] \"{}\" is not one of completed, in_progress, not_started", extra.code),
        ));
    }
    Ok(task_statuses)
}

/// `[[narrative_kind]]`: unique codes, each with its labels.
fn narrative_kinds(
    src: &SourceFile<'_>,
    raw: Vec<Spanned<RawNarrativeKind>>,
    labels: &mut Labels,
) -> Result<Vec<NarrativeKind>, ConfigError> {
    let mut kind_codes = CodeSet::new(src, "narrative_kind");
    let mut narrative_kinds = Vec::new();
    for k in raw {
        let span = k.span();
        let k = k.into_inner();
        // The code is a plain string here: its table's span stands for it in messages.
        kind_codes.insert(&Spanned::new(span.clone(), k.code.clone()))?;
        labels.insert(
            LabelOf::NarrativeKind,
            &k.code,
            translations(src, span.start, k.extra, NARRATIVE_KIND_FIELDS, &[])?,
        );
        narrative_kinds.push(NarrativeKind { code: k.code, vi: k.vi, en: k.en, needs_addressee: k.needs_addressee });
    }
    Ok(narrative_kinds)
}

/// `headline`: optional; each code a numeric criterion or a ratio, since the
/// headline shows figures with their trend.
fn headline(
    src: &SourceFile<'_>,
    raw: Option<Spanned<Vec<String>>>,
    criteria: &[Criterion],
    ratios: &[Ratio],
) -> Result<Vec<String>, ConfigError> {
    let headline = raw.unwrap_or_else(|| Spanned::new(0..0, Vec::new()));
    for code in headline.get_ref() {
        if !is_numeric(criteria, code) && !ratios.iter().any(|r: &Ratio| &r.code == code) {
            return Err(src.error_span(
                &headline.span(),
                format!("headline names \"{code}\", which is neither a numeric criterion nor a ratio"),
            ));
        }
    }
    Ok(headline.into_inner())
}

impl Schema {
    /// Reads `schema.toml` table by table, in the order below, and refuses it
    /// at the first check that fails, with the line to fix.
    pub(crate) fn parse(src: &SourceFile<'_>, units: &Registry) -> Result<Schema, ConfigError> {
        let raw: RawSchema = src.parse()?;
        check_version(src, &raw.version, &raw.accepted_versions)?;
        let mut reader =
            SchemaReader { src, units, labels: Labels::default(), codes: CodeSet::new(src, "criterion/ratio/task") };
        let (sections, section_codes) = reader.sections(raw.sections)?;
        let criteria = reader.criteria(raw.criteria, &section_codes)?;
        let ratios = reader.ratios(raw.ratios, &criteria)?;
        let rules = rules(src, raw.rules, &criteria)?;
        let tasks = reader.tasks(raw.tasks)?;
        let mut labels = reader.labels;
        let task_statuses = task_statuses(src, raw.task_statuses, &mut labels)?;
        let narrative_kinds = narrative_kinds(src, raw.narrative_kinds, &mut labels)?;
        let fields = labelled_list(src, raw.fields, LabelOf::Field, &mut labels)?;
        if narrative_kinds.is_empty() || fields.is_empty() {
            return Err(src.error_at(None, "at least one [[narrative_kind]] and one [[field]] are needed"));
        }
        let headline = headline(src, raw.headline, &criteria, &ratios)?;
        Ok(Schema {
            version: raw.version,
            accepted_versions: raw.accepted_versions,
            sections,
            criteria,
            ratios,
            rules,
            tasks,
            task_statuses,
            narrative_kinds,
            fields,
            quality: raw.quality,
            headline,
            labels,
        })
    }

    /// The criterion with this code.
    pub fn criterion(&self, code: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.code == code)
    }

    /// The task with this code.
    pub fn task(&self, code: &str) -> Option<&TaskDef> {
        self.tasks.iter().find(|t| t.code == code)
    }

    /// The section with this code.
    pub fn section(&self, code: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.code == code)
    }

    /// Criteria reported by a unit type, in schema order.
    pub fn criteria_for<'s>(&'s self, unit_type: &'s UnitType) -> impl Iterator<Item = &'s Criterion> {
        self.criteria.iter().filter(move |c| c.reported_by_type(unit_type))
    }

    /// Label of a task status code in the given language.
    pub fn task_status_label<'s>(&'s self, code: &'s str, english: bool) -> &'s str {
        self.task_statuses
            .iter()
            .find(|s| s.code == code)
            .map(|s| if english { s.en.as_str() } else { s.vi.as_str() })
            .unwrap_or(code)
    }
}

fn labelled_list(
    src: &SourceFile<'_>,
    items: Vec<Spanned<RawLabelled>>,
    of: LabelOf,
    labels: &mut Labels,
) -> Result<Vec<Labelled>, ConfigError> {
    let mut codes = CodeSet::new(src, of.table());
    let mut out = Vec::new();
    for item in items {
        let span = item.span();
        let item = item.into_inner();
        codes.insert(&Spanned::new(span.clone(), item.code.clone()))?;
        labels.insert(of, &item.code, translations(src, span.start, item.extra, LABELLED_FIELDS, &[])?);
        out.push(Labelled { code: item.code, vi: item.vi, en: item.en });
    }
    Ok(out)
}

fn check_unit_types(
    src: &SourceFile<'_>,
    names: &Spanned<Vec<String>>,
    units: &Registry,
) -> Result<Vec<UnitType>, ConfigError> {
    if names.get_ref().is_empty() {
        return Err(src.error_span(&names.span(), "reported_by must name at least one unit type"));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for name in names.get_ref() {
        if !units.has_type(name) {
            let known: Vec<&str> = units.types().iter().map(|t| t.0.as_str()).collect();
            return Err(src.error_span(
                &names.span(),
                format!(
                    "unit type \"{name}\" is not the type of any unit in units.toml (known types: {})",
                    known.join(", ")
                ),
            ));
        }
        if seen.insert(name.clone()) {
            out.push(UnitType(name.clone()));
        }
    }
    Ok(out)
}
