//! The narrative sheet: highlights, difficulties, proposals and next week's tasks.

use super::{SheetRef, Validator, check_merged, find_header, header_missing, preview};
use crate::contract::header;
use crate::issue::Code;
use crate::model::{NarrativeItem, RawSheet};
use crate::schema::{Labelled, NarrativeKind};
use crate::text::{fold_key, is_label_key};

/// Where the narrative sheet's data are: the sheet and the columns its header row names.
struct NarrativeSheet<'s> {
    raw: &'s RawSheet,
    header_row: u32,
    kind_col: u32,
    field_col: u32,
    text_col: u32,
    addressee_col: Option<u32>,
}

impl NarrativeSheet<'_> {
    fn name(&self) -> &str {
        &self.raw.name
    }
}

/// One row of the narrative sheet, its cells read as text. Reading records the
/// cells' own issues, so it happens once per row, in column order, before any
/// rule looks at the row.
struct NarrativeRow {
    row: u32,
    kind_text: Option<String>,
    field_text: Option<String>,
    text: Option<String>,
    addressee: Option<String>,
}

impl NarrativeRow {
    fn is_blank(&self) -> bool {
        self.kind_text.is_none() && self.field_text.is_none() && self.text.is_none() && self.addressee.is_none()
    }
}

/// Finds the label (Vietnamese, English or code) a reporter's text names.
fn find_label<'l, T>(text: Option<&str>, items: &'l [T], labels: impl Fn(&T) -> [&String; 3]) -> Option<&'l T> {
    let key = fold_key(text?);
    items.iter().find(|item| labels(item).iter().any(|label| is_label_key(&key, label)))
}

impl<'a> Validator<'a> {
    pub(crate) fn check_narrative(&mut self, sheet: &SheetRef<'_>) -> Vec<NarrativeItem> {
        let Some(narrative) = self.narrative_sheet(sheet) else {
            return Vec::new();
        };
        check_merged(
            self,
            narrative.raw,
            narrative.header_row + 1,
            &[narrative.kind_col, narrative.field_col, narrative.text_col],
        );
        let mut out = Vec::new();
        for row in narrative.raw.used_rows().into_iter().filter(|&r| r > narrative.header_row) {
            let row = self.read_narrative_row(&narrative, row);
            if row.is_blank() {
                continue;
            }
            out.extend(self.check_narrative_row(&narrative, row));
        }
        out
    }

    /// Finds the header row and its columns; without it nothing on the sheet can be read.
    fn narrative_sheet<'s>(&mut self, sheet: &SheetRef<'s>) -> Option<NarrativeSheet<'s>> {
        let needed = [header::KIND, header::FIELD, header::TEXT];
        let Some((header_row, cols, opt)) = find_header(sheet.sheet, &needed, &[header::ADDRESSEE]) else {
            let issue = header_missing(&self.file, sheet.name(), &needed);
            self.issue(issue);
            return None;
        };
        Some(NarrativeSheet {
            raw: sheet.sheet,
            header_row,
            kind_col: cols[0],
            field_col: cols[1],
            text_col: cols[2],
            addressee_col: opt[0],
        })
    }

    fn read_narrative_row(&mut self, narrative: &NarrativeSheet<'_>, row: u32) -> NarrativeRow {
        let (raw, name) = (narrative.raw, narrative.name());
        let kind_text = self.text(name, row, narrative.kind_col, raw.get(row, narrative.kind_col));
        let field_text = self.text(name, row, narrative.field_col, raw.get(row, narrative.field_col));
        let text = self.text(name, row, narrative.text_col, raw.get(row, narrative.text_col));
        let addressee = narrative.addressee_col.and_then(|c| self.text(name, row, c, raw.get(row, c)));
        NarrativeRow { row, kind_text, field_text, text, addressee }
    }

    /// A row needs a known kind, a known field and its text, or it is dropped
    /// (with the first of those missing reported). A proposal without the body
    /// asked to act is kept, with a warning.
    fn check_narrative_row(&mut self, narrative: &NarrativeSheet<'_>, row: NarrativeRow) -> Option<NarrativeItem> {
        let kind = self.narrative_kind(narrative, &row)?;
        let field = self.narrative_field(narrative, &row)?;
        let Some(text) = row.text else {
            let issue = self
                .at(Code::NarrativeMissingText, narrative.name(), row.row, narrative.text_col)
                .message(
                    "Dòng có loại, lĩnh vực nhưng chưa có nội dung.",
                    "The row has a kind and field but no content.",
                )
                .hint("Ghi nội dung, hoặc xóa cả dòng.", "Write the content, or clear the whole row.");
            self.issue(issue);
            return None;
        };
        if kind.needs_addressee && row.addressee.is_none() {
            let issue = self
                .at(
                    Code::ProposalNoAddressee,
                    narrative.name(),
                    row.row,
                    narrative.addressee_col.unwrap_or(narrative.text_col + 1),
                )
                .message(
                    "Kiến nghị chưa ghi cơ quan được đề nghị xử lý.",
                    "The proposal does not name the body asked to act.",
                )
                .hint(
                    "Ghi cơ quan có thẩm quyền xử lý, ví dụ «Bộ Tài chính», «Thủ tướng Chính phủ».",
                    "Name the competent body, for example the Ministry of Finance.",
                );
            self.issue(issue);
        }
        Some(NarrativeItem {
            kind: kind.code.clone(),
            field: field.code.clone(),
            text,
            addressee: row.addressee,
            source: Self::cell_ref(narrative.name(), row.row, narrative.text_col),
        })
    }

    /// The schema's narrative kind the row names; reported when absent or unknown.
    fn narrative_kind(&mut self, narrative: &NarrativeSheet<'_>, row: &NarrativeRow) -> Option<&'a NarrativeKind> {
        let kinds = &self.config.schema.narrative_kinds;
        if let Some(kind) = find_label(row.kind_text.as_deref(), kinds, |k| [&k.vi, &k.en, &k.code]) {
            return Some(kind);
        }
        let shown = row.kind_text.clone().unwrap_or_default();
        // The hint lists the kinds: there are few of them and the reporter has to pick one.
        let names: Vec<&str> = kinds.iter().map(|k| k.vi.as_str()).collect();
        let issue = self
            .at(Code::NarrativeBadKind, narrative.name(), row.row, narrative.kind_col)
            .message(
                if shown.is_empty() {
                    "Chưa chọn loại nội dung.".to_string()
                } else {
                    format!("Loại «{}» không hợp lệ.", preview(&shown))
                },
                if shown.is_empty() {
                    "No kind was chosen.".to_string()
                } else {
                    format!("Kind \"{}\" is not valid.", preview(&shown))
                },
            )
            .hint(format!("Chọn một trong: {}.", names.join("; ")), "Choose a kind from the list.");
        self.issue(issue);
        None
    }

    /// The schema's field the row names; reported when absent or unknown.
    fn narrative_field(&mut self, narrative: &NarrativeSheet<'_>, row: &NarrativeRow) -> Option<&'a Labelled> {
        let fields = &self.config.schema.fields;
        if let Some(field) = find_label(row.field_text.as_deref(), fields, |f| [&f.vi, &f.en, &f.code]) {
            return Some(field);
        }
        let shown = row.field_text.clone().unwrap_or_default();
        let issue = self
            .at(Code::NarrativeBadField, narrative.name(), row.row, narrative.field_col)
            .message(
                if shown.is_empty() {
                    "Chưa chọn lĩnh vực.".to_string()
                } else {
                    format!("Lĩnh vực «{}» không có trong danh mục.", preview(&shown))
                },
                if shown.is_empty() {
                    "No field was chosen.".to_string()
                } else {
                    format!("Field \"{}\" is not in the list.", preview(&shown))
                },
            )
            .hint(
                "Chọn lĩnh vực trong danh sách; nếu không phù hợp, chọn «Khác».",
                "Choose a field from the list; if none fits, choose \"Other\".",
            );
        self.issue(issue);
        None
    }
}
