"""Fill a blank tonghop weekly form the way another program would: find the
header row by its text and each criterion by its code, never by a fixed cell.

usage: fill_form.py BLANK.xlsx FILLED.xlsx
"""
import sys

import openpyxl


def header(ws, *names):
    for row in ws.iter_rows():
        texts = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if all(n in texts for n in names):
            return row[0].row, [texts[n] for n in names]
    raise SystemExit(f"header {names} not found in {ws.title}")


def main(src, dst):
    wb = openpyxl.load_workbook(src)
    info = wb["Thông tin chung"]
    for row in info.iter_rows():
        label = row[0].value
        if label == "Người lập":
            row[1].value = "Lê Thị Hà"
        elif label == "Lãnh đạo phê duyệt":
            row[1].value = "Phạm Văn Nam, Giám đốc Sở Nội vụ"
        elif label == "Điện thoại":
            row[1].value = "0237.3852.123"
    ws = wb["Chỉ tiêu"]
    hrow, (code_col, value_col) = header(ws, "Mã", "Số liệu")
    for r in range(hrow + 1, ws.max_row + 1):
        code = ws.cell(r, code_col).value
        if not code:
            continue
        if code.startswith("H"):
            ws.cell(r, value_col).value = "Có"
        elif code == "F03":
            ws.cell(r, value_col).value = 12345.5
        elif code == "B01":
            ws.cell(r, value_col).value = "24.310"  # typed as Vietnamese text
        else:
            ws.cell(r, value_col).value = 7
    tasks = wb["Nhiệm vụ"]
    hrow, (code_col, status_col) = header(tasks, "Mã", "Trạng thái")
    for r in range(hrow + 1, tasks.max_row + 1):
        if tasks.cell(r, code_col).value:
            tasks.cell(r, status_col).value = "Đang thực hiện"
    narrative = wb["Khó khăn, kiến nghị"]
    hrow, (kind_col, field_col, text_col, to_col) = header(narrative, "Loại", "Lĩnh vực", "Nội dung", "Cơ quan đề nghị xử lý")
    narrative.cell(hrow + 1, kind_col).value = "Kiến nghị, đề xuất"
    narrative.cell(hrow + 1, field_col).value = "Tài chính, tài sản công"
    narrative.cell(hrow + 1, text_col).value = "Đề nghị bổ sung kinh phí chi trả chế độ."
    narrative.cell(hrow + 1, to_col).value = "Bộ Tài chính"
    wb.save(dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
