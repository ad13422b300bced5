"""The check of a filled 自评表 (DOMAIN.md section 10): hand-worked figures, and every finding
kind triggered once on an otherwise clean table (tests/fundmgr/review/tables.py)."""

from dataclasses import replace
from decimal import Decimal

import pytest

from fundmgr.review.checker import check_json, table_check
from fundmgr.review.reader import read_tables
from tests.fundmgr.review.tables import Indicator, clean_project, with_indicator, xlsx

D = Decimal


def checked(table):
    [read] = read_tables(xlsx(table))
    return check_json(table_check(read), file="a.xlsx")


def kinds(result) -> list[str]:
    return [finding["kind"] for finding in result["findings"]]


def test_a_clean_table_has_no_findings_and_its_hand_worked_figures():
    result = checked(clean_project())
    assert result["findings"] == []
    assert result["computed"] == {
        "execution_rate": "95.00",
        "execution_points": "9.50",  # 10 x 19.00 / 20.00
        "indicator_points": "90.00",
        "score": "94.33",  # 9.50 + 15 + 14.21 + 10 + 9.62 + 20 + 6 + 10
        "rating": "优",
    }
    by_name = {row["name"]: row for row in result["indicators"]}
    assert (by_name["培训合格率"]["computed"], by_name["培训合格率"]["ratio"]) == ("14.21", "94.74")  # 15 x 90/95
    assert (by_name["人均培训成本"]["computed"], by_name["人均培训成本"]["ratio"]) == ("9.62", "96.15")  # 10 x 500/520
    assert (by_name["长效机制"]["computed"], by_name["长效机制"]["ratio"]) == ("6.00", "60.00")  # 部分达成
    assert by_name["完成时间"]["computed"] == "10.00"  # 11-30 is before 12月底
    assert by_name["受益妇女人数"]["computed"] == "20.00"  # 1.2万人 is a bare number: ≥ 12000


def test_score_override_names_the_row_and_both_figures():
    table = with_indicator(clean_project(score=D("95.12")), 1, earned=D("15.00"))
    result = checked(table)
    assert result["findings"] == [
        {"row": 15, "kind": "score_override",
         "message": "第15行 “培训合格率”填报得分 15.00，按公式应为 14.21（分值 15.00 × 完成率 94.74%）"},
    ]
    assert result["computed"]["score"] == "94.33"  # the formula's, not the declared 得分


def test_execution_points_differing_from_the_formula():
    result = checked(clean_project(execution_earned=D("10.00"), score=D("94.83")))
    assert result["findings"] == [
        {"row": 7, "kind": "execution_points",
         "message": "第7行 预算执行得分填报 10.00，按公式应为 9.50（分值 10.00 × 执行率 95.00%）"},
    ]


def test_execution_rate_differing_from_spent_over_full_year():
    result = checked(clean_project(rate=D("0.96")))
    assert result["findings"] == [
        {"row": 7, "kind": "execution_rate",
         "message": "第7行 执行率填报 96.00%，全年执行数 19.00 ÷ 全年预算数 20.00 为 95.00%"},
    ]


def test_execution_rate_within_a_hundredth_of_a_point_is_no_finding():
    result = checked(clean_project(rate="95.01%"))
    assert result["findings"] == []
    assert result["budget"]["execution_rate"] == "95.01"


def test_budget_sum_differing_from_its_parts():
    money = dict(clean_project().money)
    money["其中：当年财政拨款"] = (D("15.00"), D("15.00"), D("14.00"))
    result = checked(clean_project(money=money))
    assert result["findings"] == [
        {"row": 7, "kind": "budget_sum", "message": "第7行 年度资金总额的全年执行数 19.00，不等于其中各项之和 18.50"},
    ]


def test_a_cent_of_rounding_in_a_wan_table_is_no_budget_sum_finding_but_is_one_in_yuan():
    money = dict(clean_project().money)
    money["其中：当年财政拨款"] = (D("15.00"), D("15.01"), D("14.50"))  # 20.01 against 20.00
    assert kinds(checked(clean_project(money=money))) == []
    yuan = {label: tuple(value * 10000 for value in figures) for label, figures in clean_project().money.items()}
    yuan["其中：当年财政拨款"] = (D("150000.00"), D("150000.01"), D("145000.00"))
    assert kinds(checked(clean_project(unit="元", money=yuan))) == ["budget_sum"]


def test_points_total_not_100():
    table = with_indicator(clean_project(score=D("99.33")), 6, points=D("15"), earned=D("15.00"))
    result = checked(table)
    assert result["findings"] == [
        {"row": 21, "kind": "points_total",
         "message": "第21行 分值合计 105.00（预算执行 10.00 + 绩效指标 95.00），应为 100.00"},
    ]
    assert result["computed"]["indicator_points"] == "95.00"


def test_score_sum_differing_from_the_declared_scores():
    result = checked(clean_project(score=D("95.00")))
    assert result["findings"] == [
        {"row": 21, "kind": "score_sum", "message": "第21行 总分填报 95.00，预算执行得分与各指标得分之和为 94.33"},
    ]


def test_rating_not_that_of_the_declared_score():
    result = checked(clean_project(rating="良"))
    assert result["findings"] == [
        {"row": 22, "kind": "rating", "message": "第22行 自评等级填报“良”，总分 94.33 对应的等级为“优”"},
    ]


def test_unparsed_target_nulls_the_indicator_and_the_score():
    result = checked(with_indicator(clean_project(), 0, target="详见附件"))
    assert result["findings"] == [
        {"row": 14, "kind": "unparsed", "message": "第14行 “培训人数”的年度指标值“详见附件”无法识别"},
    ]
    assert result["indicators"][0]["computed"] is None and result["indicators"][0]["ratio"] is None
    assert result["computed"]["score"] is None and result["computed"]["rating"] is None


def test_missing_actual_value():
    result = checked(with_indicator(clean_project(), 2, actual=None))
    assert result["findings"] == [{"row": 16, "kind": "missing", "message": "第16行 “完成时间”的实际完成值未填写"}]
    assert result["indicators"][2]["actual"] is None
    assert result["computed"]["score"] is None


def test_a_missed_date_target_earns_nothing():
    table = with_indicator(clean_project(score=D("84.33"), rating="良"), 2, actual="2025年1月15日", earned=D("0.00"))
    result = checked(table)
    assert result["findings"] == []
    assert (result["indicators"][2]["computed"], result["indicators"][2]["ratio"]) == ("0.00", "0.00")


def test_whole_point_tables_are_recomputed_in_whole_points():
    # Every 得分 written without decimals: 9.50 -> 10, 14.21 -> 14, 9.62 -> 10 (half up).
    table = clean_project(execution_earned=10, score=95, indicators=tuple(
        Indicator(i.level1, i.level2, i.name, i.target, i.actual, i.points, round(i.earned))
        for i in clean_project().indicators
    ))
    result = checked(table)
    assert result["findings"] == []
    assert result["computed"]["execution_points"] == "10.00"
    assert [row["computed"] for row in result["indicators"]] == ["15.00", "14.00", "10.00", "10.00", "20.00", "6.00", "10.00"]
    assert result["computed"]["score"] == "95.00"


def test_one_decimal_in_one_cell_sets_the_precision_of_the_table():
    table = with_indicator(clean_project(execution_earned=D("9.5"), score=D("94.3")), 1, earned=D("14.2"))
    table = with_indicator(table, 3, earned=D("9.6"))
    result = checked(table)
    assert result["findings"] == []
    assert [row["computed"] for row in result["indicators"]][1:4] == ["14.20", "10.00", "9.60"]


def test_a_qualitative_score_inside_its_tier_is_the_evaluators_rate_not_an_override():
    inside = with_indicator(clean_project(score=D("95.33")), 5, earned=D("7.00"))  # 基本达成: 60-80 %
    result = checked(inside)
    assert result["findings"] == []
    assert (result["indicators"][5]["computed"], result["indicators"][5]["ratio"]) == ("7.00", "70.00")
    outside = with_indicator(clean_project(score=D("96.33")), 5, earned=D("8.00"))  # 80 % is the next tier
    assert checked(outside)["findings"] == [
        {"row": 19, "kind": "score_override",
         "message": "第19行 “长效机制”填报得分 8.00，按公式应为 6.00（分值 10.00 × 完成率 60.00%）"},
    ]


def test_execution_worth_20_points_is_taken_from_the_table():
    # 20 x 0.95 = 19.00; the indicators then total 80 (满意度 0).
    table = with_indicator(clean_project(execution_points=D("20"), execution_earned=D("19.00"), score=D("93.83")), 6,
                           points=D("0"), earned=D("0.00"))
    result = checked(table)
    assert result["declared"]["execution_max"] == "20.00"
    assert result["computed"]["execution_points"] == "19.00"
    assert result["findings"] == []


@pytest.mark.parametrize("rate, rate_format", [(D("0.95"), "0.00%"), ("95%", "General"), (D("95"), "General"), (D("0.95"), "General")])
def test_the_execution_rate_reads_as_percent_however_the_cell_writes_it(rate, rate_format):
    result = checked(clean_project(rate=rate, rate_format=rate_format))
    assert result["budget"]["execution_rate"] == "95.00"
    assert result["findings"] == []


def test_a_qualitative_indicator_written_with_the_direction_word_as_target():
    # Our own exports write 定性 as the 年度指标值 of a qualitative indicator: the actual's tier decides.
    result = checked(with_indicator(clean_project(), 5, target="定性", actual="部分达成"))
    assert result["findings"] == []
    assert (result["indicators"][5]["computed"], result["indicators"][5]["ratio"]) == ("6.00", "60.00")


def test_a_wan_table_is_allowed_the_rounding_of_its_shown_amounts_in_rate_and_execution_points():
    # 6,049 yuan budget, 5,051 spent: 83.50 %, 8.35 points; shown as 0.60 and 0.51 万元 (85.00 %).
    money = {"年度资金总额": (D("0.60"), D("0.60"), D("0.51")), "其中：当年财政拨款": (D("0.60"), D("0.60"), D("0.51"))}
    wan = clean_project(money=money, rate=D("0.835"), execution_earned=D("8.35"), score=D("93.18"))
    result = checked(wan)
    assert result["findings"] == []
    assert (result["computed"]["execution_rate"], result["computed"]["execution_points"]) == ("85.00", "8.50")
    yuan = {label: tuple(value * 10000 for value in figures) for label, figures in money.items()}
    assert kinds(checked(replace(wan, unit="元", money=yuan))) == ["execution_rate", "execution_points"]
