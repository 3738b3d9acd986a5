//! The narrative sheet: highlights, difficulties, proposals and next week's tasks.

use super::{SheetRef, Validator, check_merged, find_header, header_missing, preview};
use crate::contract::header;
use crate::issue::Code;
use crate::model::NarrativeItem;
use crate::text::{fold_key, is_label_key};

impl Validator<'_> {
    pub(crate) fn check_narrative(&mut self, sheet: &SheetRef<'_>) -> Vec<NarrativeItem> {
        let raw = sheet.sheet;
        let name = sheet.name().to_string();
        let needed = [header::KIND, header::FIELD, header::TEXT];
        let Some((header_row, cols, opt)) = find_header(raw, &needed, &[header::ADDRESSEE]) else {
            let issue = header_missing(&self.file, &name, &needed);
            self.issue(issue);
            return Vec::new();
        };
        let (kind_col, field_col, text_col) = (cols[0], cols[1], cols[2]);
        let addressee_col = opt[0];
        check_merged(self, raw, header_row + 1, &[kind_col, field_col, text_col]);
        let schema = &self.config.schema;
        let mut out = Vec::new();
        for row in raw.used_rows().into_iter().filter(|&r| r > header_row) {
            let kind_text = self.text(&name, row, kind_col, raw.get(row, kind_col));
            let field_text = self.text(&name, row, field_col, raw.get(row, field_col));
            let text = self.text(&name, row, text_col, raw.get(row, text_col));
            let addressee = addressee_col.and_then(|c| self.text(&name, row, c, raw.get(row, c)));
            if kind_text.is_none() && field_text.is_none() && text.is_none() && addressee.is_none() {
                continue;
            }
            let kind = kind_text.as_deref().and_then(|t| {
                let key = fold_key(t);
                schema
                    .narrative_kinds
                    .iter()
                    .find(|k| [&k.vi, &k.en, &k.code].iter().any(|label| is_label_key(&key, label)))
            });
            let Some(kind) = kind else {
                let shown = kind_text.unwrap_or_default();
                let names: Vec<&str> = schema.narrative_kinds.iter().map(|k| k.vi.as_str()).collect();
                let issue = self
                    .at(Code::NarrativeBadKind, &name, row, kind_col)
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
                continue;
            };
            let field = field_text.as_deref().and_then(|t| {
                let key = fold_key(t);
                schema.fields.iter().find(|f| [&f.vi, &f.en, &f.code].iter().any(|label| is_label_key(&key, label)))
            });
            let Some(field) = field else {
                let shown = field_text.unwrap_or_default();
                let issue = self
                    .at(Code::NarrativeBadField, &name, row, field_col)
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
                continue;
            };
            let Some(text) = text else {
                let issue = self
                    .at(Code::NarrativeMissingText, &name, row, text_col)
                    .message(
                        "Dòng có loại, lĩnh vực nhưng chưa có nội dung.",
                        "The row has a kind and field but no content.",
                    )
                    .hint("Ghi nội dung, hoặc xóa cả dòng.", "Write the content, or clear the whole row.");
                self.issue(issue);
                continue;
            };
            if kind.needs_addressee && addressee.is_none() {
                let issue = self
                    .at(Code::ProposalNoAddressee, &name, row, addressee_col.unwrap_or(text_col + 1))
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
            out.push(NarrativeItem {
                kind: kind.code.clone(),
                field: field.code.clone(),
                text,
                addressee,
                source: Self::cell_ref(&name, row, text_col),
            });
        }
        out
    }
}
