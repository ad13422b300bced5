import io

from docx import Document

from tests.exports.known_ledger import generated


def report_text(department_year) -> str:
    document = Document(io.BytesIO(generated("report", department_year)))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_report_has_the_seed_reports_sections_in_order(ledger):
    text = report_text(ledger.department_year)
    headings = [
        "一、基本概况", "(一)部门单位基本情况", "(二)部门单位年度重点工作", "(三)部门单位整体预算规模及安排情况",
        "二、部门单位整体支出管理及使用情况", "三、部门单位整体支出绩效分析", "四、评价结论",
        "五、存在的主要问题及原因分析", "六、改进措施和建议",
    ]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert text.startswith("测试部门2024年度部门整体支出绩效自评报告")


def test_report_figures_come_from_the_ledger(ledger):
    text = report_text(ledger.department_year)
    assert "全年预算数445.00万元" in text
    assert "其中：上级安排210.00万元，本级财政安排228.00万元，其他资金7.00万元" in text
    assert "2024年实际支出379.00万元，其中工资福利支出148.00万元，商品和服务支出181.00万元，资本性支出50.00万元" in text
    assert "人员经费年初预算140.00万元，全年预算数160.00万元，实际支出148.00万元" in text
    assert "①测试部门（本级）：妇女培训项目收入195.00万元，支出150.00万元。" in text
    assert "②测试中心：儿童关爱项目收入58.00万元，支出56.00万元。" in text
    assert "人员编制数15人，年底实有在职人员13人，离休人员1人，退休人员3人" in text
    assert "行政单位1家，参公管理事业单位0家，事业单位1家" in text


def test_report_states_each_indicator_and_whether_it_deviated(ledger):
    text = report_text(ledger.department_year)
    assert "（一）指标一：履职效能" in text and "（二）指标二：社会效益" in text and "（三）指标三：服务对象满意度" in text
    # Behind at mid-year (40 of 100) but met by year end: not a deviation in the year-end report.
    # The page's vocabulary (indicators.wording): ≥ before the target, 无偏差 for no deviation.
    assert "①培训妇女人数：年初预期指标值完成≥100人，年中绩效运行监控时完成40人，年末实际完成120人。该指标无偏差。" in text
    assert "②培训合格率：年初预期指标值完成≥50%，年中绩效运行监控时完成20%，年末实际完成40%。该指标有偏差：未完成目标值" in text
    assert "受天气影响延期" in text and "下半年加密培训" in text
    assert "④群众满意度：年初预期指标值完成≥95%，年中绩效运行监控时完成95%，年末实际完成96%。该指标无偏差。" in text
    assert ">=" not in text and "未偏离" not in text
    # 表5 states the deviation in the same words: 无偏差, or the flag's statement with the reason and measures
    assert "| 偏差原因分析及改进措施" in text
    assert "①培训妇女人数 | ≥100人 | 40人 | 120人 |" in text and text.count("| 无偏差") == 3
    assert "②培训合格率 | ≥50% | 20% | 40% |" in text and "| 未完成目标值" in text


def test_report_gives_the_score_to_one_decimal_and_the_rating(ledger):
    text = report_text(ledger.department_year)
    assert "2024年度部门整体支出绩效自评综合得分93.5分，评价结果为“优”。" in text
    assert "总分 | 100.00 | 93.52" in text
    assert "预算执行率（85.17%） | 10.00 | 8.52" in text


def test_report_narrative_comes_from_the_department_year(ledger):
    department_year = ledger.department_year
    department_year.duties = "第一段职能。\n第二段职责。"
    department_year.problems = "绩效管理水平有待提高。"
    department_year.save()
    text = report_text(department_year)
    assert "一是主要职能及主要职责：第一段职能。\n第二段职责。" in text
    assert "绩效管理水平有待提高。" in text
    assert text.count("待财务处") == 2  # 重点工作 and 改进措施 are still empty


def test_report_carries_who_generated_it_and_when(ledger):
    document = Document(io.BytesIO(generated("report", ledger.department_year)))
    assert document.core_properties.author == "测试用户"
    assert document.core_properties.created.date().isoformat() == "2025-03-12"
    assert "填报时间：2025 年 3 月 12 日" in document.paragraphs[1].text
