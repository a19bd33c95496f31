"""Writes the fuzz targets' seed corpora and dictionaries from the test sheets (Tests/sheets/generated) plus a few
hand-written values. Standard library only, so it runs without the test venv. Run by scripts/fuzz:
    python3 Fuzz/seeds.py Tests/sheets/generated .fuzz
"""
import csv
import hashlib
import io
import pathlib
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

SHEETS, OUT = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

# Cells people type, and the tokens the value parsers look for (the fuzzer cannot guess multi-byte characters).
VALUES = ["90", "90元", "3.5", "1.2万", "1.2万元", "¥1,200", "￥1，200.50", "-90", "0.01", "999999999999",
          "2026-11-30 14:05", "2026/11/30 14:05:09", "2026-11-30T24:00", "30斤", "2.5 吨", "100 箱", "3元/斤", "3.5元／公斤", "4.5", "2019-09-01", "2019.9.1", "2019/9/1",
          "2019年9月1日", "20190901", "2020.2.29", "500235000000", "500235", "500235100", "442000100000",
          "11010519491231002X", "91350100M000100Y43", "=1+2", "'=SUM(A1)", "+86", "@x", "－1", "\t=1",
          "李xx 17723635558", "王小明：023-55555555", "a\u202eb", "x\u0000y", "\u3000土豆\u3000", "电商", "送货上门",
          "用于机关食堂", "工会福利", "云阳县龙角镇示例村", "合作社"]
VALUE_TOKENS = ["元", "万", "¥", "￥", "，", ",", ".", "/", "／", "斤", "公斤", "年", "月", "日", "-", "'", "＝", "＋",
                "－", "＠", "\u202e", "\u2066", "\u3000", "\u00a0", "X", "："]
PLATFORM = ("订单号,采购单位,下单日期,产地,供应商,商品名称,数量,订单金额\r\n"
            "A1,云阳县机关食堂,2024-01-02,500235100001,张三合作社,土豆,30斤,90元\r\n"
            ",,,,,,,\r\nA2, 91350100M000100Y43 ,2024/1/3,云阳县龙角镇示例村,李四,红橙,2.5吨,1.2万\r\n")
REGIONS = ("code,name,parent,flags\n500000000000,重庆市,,\n500235000000,云阳县,500000000000,脱贫县;原深度贫困\n"
           "500235100000,龙角镇,,\n500235100001,示例村,,帮扶村;示例\n")
TRACKING = ("运单号,时间,地点,状态\r\nSF1234567890,2026/11/28 09:05:00,云阳县龙角镇,已揽收\r\n"
            ",,,\r\nSF1234567890,2026-11-29T18:30,重庆万州中转,运输中\r\n")
SHEET_XML = ('<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c t="inlineStr"><is><t>产品品种</t>'
             '</is></c><c r="C1"><v>3.1000000000000001</v></c></row><row><c><v>1</v></c></row></sheetData>'
             '</worksheet>\0<sst><si><t>序号</t></si><si><r><t>a</t></r><rPh><t>b</t></rPh></si></sst>')


def write(target, name, data):
    folder = OUT / "seeds" / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (folder / f"{name}-{hashlib.sha1(data).hexdigest()[:10]}").write_bytes(data)


def shared_strings(z):
    if "xl/sharedStrings.xml" not in z.namelist():
        return []
    root = ET.fromstring(z.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(NS + "t") if t not in phonetic(si)) for si in root.iter(NS + "si")]


def phonetic(si):
    return {t for ph in si.iter(NS + "rPh") for t in ph.iter(NS + "t")}


def column(ref):
    letters = re.match(r"[A-Z]+", ref).group()
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def xlsx_rows(z):
    """The first sheet's cells as text, enough for openpyxl's output (shared, inline and plain values)."""
    shared = shared_strings(z)
    rows = []
    for row in ET.fromstring(z.read("xl/worksheets/sheet1.xml")).iter(NS + "row"):
        cells = {}
        for c in row.iter(NS + "c"):
            v, t = c.find(NS + "v"), c.get("t", "")
            inline = "".join(x.text or "" for x in c.iter(NS + "t"))
            text = inline if t == "inlineStr" else (v.text if v is not None else "")
            cells[column(c.get("r"))] = shared[int(text)] if t == "s" else text or ""
        rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
    return rows


def csv_text(rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def stored(z):
    """The same workbook with every entry uncompressed, so byte mutations land in the XML."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
        for name in z.namelist():
            out.writestr(name, z.read(name))
    return buf.getvalue()


def from_workbook(path, cells):
    data = path.read_bytes()
    write("FuzzSheets", path.stem, data)
    try:
        z = zipfile.ZipFile(path)
        rows = xlsx_rows(z)
    except (zipfile.BadZipFile, KeyError, ET.ParseError):
        return
    write("FuzzSheets", path.stem + "-stored", stored(z))
    shared = z.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in z.namelist() else b""
    write("FuzzSheets", path.stem + "-xml", z.read("xl/worksheets/sheet1.xml") + b"\0" + shared)
    write("FuzzForms", path.stem, csv_text(rows))
    cells.update(c for r in rows for c in r)


def from_csv(path, cells):
    data = path.read_bytes()
    write("FuzzSheets", path.stem, data)
    write("FuzzForms", path.stem, data)
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("gb18030")
    cells.update(c for r in csv.reader(io.StringIO(text)) for c in r)


def dictionary(name, tokens):
    lines = []
    for token in sorted({t for t in tokens if 0 < len(t.encode()) <= 48}):
        escaped = "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\x{b:02x}" for b in token.encode())
        lines.append(f'"{escaped}"')
    (OUT / "dicts").mkdir(parents=True, exist_ok=True)
    (OUT / "dicts" / f"{name}.dict").write_text("\n".join(lines) + "\n")


def main():
    cells = set()
    for path in sorted(SHEETS.glob("*.xlsx")):
        from_workbook(path, cells)
    for path in sorted(SHEETS.glob("*.csv")):
        from_csv(path, cells)
    write("FuzzSheets", "hand-xml", SHEET_XML)
    for target in ("FuzzSheets", "FuzzForms"):
        write(target, "platform", PLATFORM)
        write(target, "regions", REGIONS)
    write("FuzzForms", "tracking", TRACKING)
    for value in VALUES + sorted(c for c in cells if 0 < len(c.encode()) <= 64):
        write("FuzzValues", "value", value)
    xml = (OUT / "seeds" / "FuzzSheets").glob("*-xml-*")
    tags = {m for p in xml for m in re.findall(rb'<[A-Za-z:]+|[A-Za-z:]+="|</[A-Za-z:]+>', p.read_bytes())}
    dictionary("FuzzSheets", [t.decode() for t in tags] + ['t="s"', 't="inlineStr"', "\r\n", '""'])
    dictionary("FuzzForms", list(cells) + PLATFORM.split("\r\n")[0].split(",") + TRACKING.split("\r\n")[0].split(",")
               + ["备注", "：", "村", "\r\n", '""'])
    dictionary("FuzzValues", VALUE_TOKENS + VALUES)


main()
