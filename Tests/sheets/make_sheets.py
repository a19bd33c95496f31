"""Writes 附件1 test files the way offices make them: with openpyxl (a library we did not write),
GBK and UTF-8-with-BOM CSVs, and broken variants. Run by scripts/test before the Swift suites."""
import csv
import io
import pathlib
import sys

import openpyxl

OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent / "generated")
OUT.mkdir(parents=True, exist_ok=True)

COLUMNS = ["序号", "地区", "贫困户姓名", "产品品种", "计划销量", "销售价格（元）", "供货方式", "网店网址", "供货联系人\n及联系方式", "备注"]
ROWS = [
    ["1", "云阳县龙角镇示例村", "王小明", "土豆", "30斤", "3元/斤", "送货上门", "", "李xx 17723635558", ""],
    ["2", "云阳县龙角镇示例村", "张大山", "云阳红橙", "500斤", "4.5元/斤", "电商", "https://shop.example.cn/1", "李xx 17723635558", "预售"],
]


def sheet(rows):
    return ([["乡镇（街道）贫困户农特产品待销目录"],
             ["填写单位：龙角镇人民政府", "", "填写人：张三", "", "联系电话：023-55555555", "", "填写日期：2026.11.1"],
             COLUMNS]
            + rows
            + [[""] * 10, ["", "", "", "", "", "", "", "", "", ""]]
            + [["备注： 1.各乡镇（街道）要确定一名产品供货联系人……"]])


def xlsx(name, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件1"
    for r in sheet(rows):
        ws.append(r)
    ws.merge_cells("A1:J1")
    wb.save(OUT / name)


def csv_file(name, rows, encoding):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(sheet(rows))
    (OUT / name).write_bytes(buf.getvalue().encode(encoding))


def replace(row_index, column, value):
    rows = [list(r) for r in ROWS]
    rows[row_index][column] = value
    return rows


xlsx("good.xlsx", ROWS)
csv_file("good-gbk.csv", ROWS, "gb18030")
csv_file("good-bom.csv", ROWS, "utf-8-sig")
xlsx("bad-price.xlsx", replace(0, 5, "三元"))
xlsx("negative-quantity.xlsx", replace(1, 4, "-5斤"))
xlsx("unknown-region.xlsx", replace(1, 1, "巫山县某某村"))
xlsx("duplicate-rows.xlsx", ROWS + [["3"] + ROWS[0][1:]])
# A cooperative's line names the households it involves in 备注; another names none (a warning, not one household).
xlsx("coop.xlsx", [
    ["1", "云阳县龙角镇示例村", "龙角镇柑橘合作社", "云阳红橙", "5000斤", "4.5元/斤", "电商", "", "刘主任 17723635558", "合作社，带动贫困户12户"],
    ["2", "云阳县龙角镇示例村", "示例村蜂蜜合作社", "蜂蜜", "200斤", "60元/斤", "送货上门", "", "刘主任 17723635558", ""],
])
wrong = openpyxl.Workbook()
wrong.active.append(["名称", "数量", "价格"])
wrong.active.append(["土豆", "30斤", "3元"])
wrong.save(OUT / "wrong-header.xlsx")
(OUT / "not-a-sheet.xlsx").write_bytes(b"PK\x03\x04 this is not a zip")

# 附件2 (a township's sales) and 附件3 (a lead unit's purchases), with the seed's own spellings.
SALES = ["序号", "采购单位", "销售时间", "地区", "贫困户姓名", "产品品种", "销售数量", "销售金额", "备注"]
PURCHASES = ["序号", "采购单位", "采购时间", "地区", "贫困户姓名", "产品品种", "采购数量", "采购金额", "备注"]
ORANGES = ["云阳县实验中学", "2026.11.3", "云阳县龙角镇示例村", "张大山", "云阳红橙", "100斤", "450元"]
ATT2 = [["1", "云阳县人民医院", "2026.11.2", "云阳县龙角镇示例村", "王小明", "土豆", "30斤", "90元", ""],
        ["2"] + ORANGES + [""]]
ATT3 = [["例1"] + ORANGES + ["用于学校食堂"],
        ["2", "云阳县实验中学", "2026.11.5", "云阳县龙角镇示例村", "王小明", "土豆", "50斤", "150元", "工会福利"]]


def report(title, columns, rows):
    return ([[title], ["填报单位：龙角镇", "", "供货联系人姓名：李xx", "", "联系方式：17723635558", "", "填报时间：2026.11.20"], columns]
            + rows + [[""] * 9])


def report_xlsx(name, title, columns, rows):
    wb = openpyxl.Workbook()
    for r in report(title, columns, rows):
        wb.active.append(r)
    wb.active.merge_cells("A1:I1")
    wb.save(OUT / name)


report_xlsx("att2.xlsx", "乡镇（街道）贫困户产品销售情况表", SALES, ATT2)
report_xlsx("att3.xlsx", "牵头单位系统（行业）购买贫困户产品采购情况表", PURCHASES, ATT3)
buf = io.StringIO()
csv.writer(buf, lineterminator="\r\n").writerows(report("牵头单位系统（行业）购买贫困户产品采购情况表", PURCHASES, ATT3))
(OUT / "att3-gbk.csv").write_bytes(buf.getvalue().encode("gb18030"))
report_xlsx("att2-bad.xlsx", "乡镇（街道）贫困户产品销售情况表", SALES, [
    ATT2[0],
    ["2", "云阳县人民医院", "2026.13.1", "云阳县龙角镇示例村", "王小明", "土豆", "30斤", "九十元", ""],
    ["3", "某某单位", "2026.11.4", "云阳县龙角镇示例村", "王小明", "土豆", "30斤", "90元", ""],
])
# A township's 附件2 with a cooperative's row as offices write it (seed 003): the households it involves in 备注.
report_xlsx("att2-coop.xlsx", "乡镇（街道）贫困户产品销售情况表", SALES, [
    ["1", "云阳县人民医院", "2026.11.6", "云阳县龙角镇示例村", "龙角镇柑橘合作社", "云阳红橙", "500斤", "2250元", "合作社，带动贫困户12户"],
    ["2", "云阳县人民医院", "2026.11.7", "云阳县龙角镇示例村", "示例村蜂蜜合作社", "蜂蜜", "20斤", "1600元", "合作社"],
])
# One sale seen from both sides, a day apart (a suspected pair an office links): the township knows the households
# the cooperative involves, the lead unit what it bought for; and a buyer written as offices abbreviate it.
PAIR = ["云阳县实验中学", "", "云阳县龙角镇示例村", "龙角镇柑橘合作社", "云阳红橙", "500斤", "2250元"]
report_xlsx("att2-pair.xlsx", "乡镇（街道）贫困户产品销售情况表", SALES, [
    ["1"] + PAIR[:1] + ["2026.11.6"] + PAIR[2:] + ["合作社(12户)"],
    ["2", "云阳实验中学", "2026.11.8", "云阳县龙角镇示例村", "王小明", "土豆", "30斤", "90元", ""],
])
report_xlsx("att3-pair.xlsx", "牵头单位系统（行业）购买贫困户产品采购情况表", PURCHASES, [
    ["1"] + PAIR[:1] + ["2026.11.7"] + PAIR[2:] + ["用于机关食堂"],
])
print(f"wrote test sheets to {OUT}")

# 申报基数: one row per unit, year and item, as a lead unit collects them from its system.
wb = openpyxl.Workbook()
for r in [["采购单位", "年度", "申报项目", "数额"],
          ["云阳县人民医院", 2026, "年度食堂食材采购额", "100万"],
          ["云阳县实验中学", 2026, "年度食堂农副产品采购额", "30万"],
          ["云阳县实验中学", 2026, "工会会员人数", 85]]:
    wb.active.append(r)
wb.save(OUT / "declarations.xlsx")
wb = openpyxl.Workbook()
for r in [["采购单位", "年度", "申报项目", "数额"], ["云阳县人民医院", 2026, "年度食堂食材采购额", "一百万"],
          ["不存在的单位", 2026, "工会会员人数", 10]]:
    wb.active.append(r)
wb.save(OUT / "declarations-bad.xlsx")
