"""The full 绩效运行监控表 (issue 16): the monitoring month, the indicators' forecasts and causes,
the items' entries, the flags, the page and its entry forms per persona, and the export.

The seed department (fundmgr/demo/xjwf-2024.toml) at the end of June 2024, worked by hand:
- XM06: 764.13 万元 spent evenly over March..December, 76.413 a month: 305.652 by June
  (3,056,520.00). Its plan after June is 60.00 a month: forecast 305.652 + 360 = 665.652 万元
  (6,656,520.00). The 3.00 transfer out is dated after June, so its budget at June is 1003.00:
  execution 30.47 %, forecast rate 66.37 %, shortfall 1003.00 − 665.652 = 337.348 万元.
- XM02: 1116.00 spent at 111.60 a month from March: 446.40 by June, plan 111.60 × 6 after it:
  forecast 1116.00 = its budget, no shortfall, no flag.
- XM08: 200.76 spent at 20.076 a month: 80.304 by June; plan 15.00 × 6 after it: forecast
  170.304 of 205.00 (83.08 %), shortfall 34.696.
- XM01 (no plan): 27.69 spent at 2.769 a month: 11.076 by June; the linear rest 28.00 × 6 ÷ 12
  = 14.00: forecast 25.076 of 28.00 (89.56 %).
- 人员类 (no plan): initial 2638.54 by June (the addition comes in July); spent by June plus the
  linear rest exceeds it, so the forecast is capped at the budget: 2638.54, no shortfall.
"""

from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from fundmgr.demo.monitoring import demo_monitoring
from fundmgr.lib.money import percent, wan
from indicators.models import Indicator, ItemMonitoring
from indicators.monitoring import forecast_missed, forecast_ratio, monitoring_for
from indicators.selectors import monitoring_month, monitoring_value
from indicators.services import indicator_set_monitoring, item_monitoring_set
from tests.builders import BudgetItemFactory, BudgetLineFactory, ExpenditureFactory, IndicatorFactory
from units.models import DepartmentYear
from units.services import monitoring_month_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    pytest.importorskip("fundmgr.management.commands.load_demo")
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    department_year = DepartmentYear.objects.select_related("department").get(department__code="XJWF", year=2024)
    demo_monitoring(department_year=department_year)
    department_year.refresh_from_db()
    return department_year


def url(world_or_dy, name, **kwargs):
    dy = getattr(world_or_dy, "department_year", world_or_dy)
    return reverse(name, kwargs={"department_code": dy.department.code, "year": dy.year, **kwargs})


# --- the seed department at 2024-06, against hand-worked values ---


def test_the_seed_items_at_june_match_the_hand_worked_figures(seed):
    monitoring = monitoring_for(department_year=seed)
    assert monitoring.month == 6 and monitoring.as_of == date(2024, 6, 30)
    items = {scope.code: scope for scope in monitoring.items}
    xm06 = items["XJWF001-XM06"]
    assert xm06.figures.initial == Decimal("10030000.00")
    assert xm06.figures.full_year == Decimal("10030000.00")
    assert xm06.figures.spent == Decimal("3056520.00")
    assert percent(xm06.figures.execution_rate) == Decimal("30.47")
    assert xm06.figures.forecast == Decimal("6656520.00")
    assert percent(xm06.figures.forecast_rate) == Decimal("66.37")
    assert xm06.shortfall == Decimal("3373480.00")
    assert xm06.budget_missed and xm06.flagged
    assert xm06.entry.needs_correction and xm06.entry.get_cause_display() == "其他"

    xm02 = items["XJWF001-XM02"]
    assert (xm02.figures.spent, xm02.figures.forecast, xm02.shortfall) == (
        Decimal("4464000.00"),
        Decimal("11160000.00"),
        Decimal("0.00"),
    )
    assert not xm02.flagged

    xm08 = items["XJWF001-XM08"]
    assert (xm08.figures.spent, xm08.figures.forecast, xm08.shortfall) == (
        Decimal("803040.00"),
        Decimal("1703040.00"),
        Decimal("346960.00"),
    )
    assert percent(xm08.figures.forecast_rate) == Decimal("83.08")
    assert xm08.entry.cause == "staffing" and not xm08.entry.needs_correction

    xm01 = items["XJWF001-XM01"]
    assert (xm01.figures.spent, xm01.figures.forecast) == (Decimal("110760.00"), Decimal("250760.00"))
    assert percent(xm01.figures.forecast_rate) == Decimal("89.56")
    # every 特定目标类 item has its table, and only those (the seed has no item indicators)
    assert len(monitoring.items) == 20  # 本级 9 + 2 carried over + 9 of the other units


def test_the_seed_department_at_june_is_the_sum_of_its_items_with_personnel_capped_at_its_budget(seed):
    monitoring = monitoring_for(department_year=seed)
    personnel = monitoring.by_category["personnel"]
    assert personnel.full_year == personnel.initial == Decimal("26385400.00")
    assert personnel.forecast == Decimal("26385400.00")  # spent + linear rest exceeds it: capped
    department = monitoring.department
    assert department.figures.initial == Decimal("88435000.00")
    assert department.figures.full_year == Decimal("90379400.00")
    assert department.figures.spent == Decimal("40213929.94")
    assert department.figures.forecast == Decimal("82731980.00")
    assert department.shortfall == Decimal("7647420.00")
    assert wan(department.shortfall) == Decimal("764.74")


def test_the_seed_indicators_at_june_flag_only_the_forecast_below_its_target(seed):
    rows = {row.indicator.code: row for row in monitoring_for(department_year=seed).department.rows}
    assert rows["XJWF-ZT05"].forecast_missed  # 88 of ≥ 90
    assert rows["XJWF-ZT05"].forecast_ratio == Decimal("88") / Decimal("90")
    assert rows["XJWF-ZT05"].indicator.get_likelihood_display() == "有可能"
    assert not rows["XJWF-ZT01"].forecast_missed  # 5000 of ≥ 5000
    assert rows["XJWF-ZT01"].value == Decimal("800")  # the value at the monitoring month
    assert rows["XJWF-ZT01"].midyear_flag is not None  # 800 < 50 % of 5000
    assert not rows["XJWF-ZT03"].forecast_filled and not rows["XJWF-ZT03"].forecast_missed
    flagged = [code for code, row in rows.items() if row.forecast_missed]
    assert flagged == ["XJWF-ZT05"]


def test_the_seed_monitoring_page_shows_the_figures_and_flags(seed, client, superuser):
    client.force_login(superuser)
    page = client.get(url(seed, "indicators:monitoring")).content.decode()
    assert "2024年度绩效运行监控表（截至6月末）" in page
    row = page.split('<tr data-item="XJWF001-XM06">')[1].split("</tr>")[0]
    for shown in ("1,003.00", "305.65", "30.47%", "665.65", "66.37%", "337.35", "预计执行不足", "其他：培训按月均衡开展"):
        assert shown in row, shown
    xm02 = page.split('<tr data-item="XJWF001-XM02">')[1].split("</tr>")[0]
    assert "预计执行不足" not in xm02 and "正常" in xm02
    indicator = page.split('<tr data-indicator="XJWF-ZT05">')[1].split("</tr>")[0]
    assert "预计不能完成目标" in indicator and "制度保障：部分地州普法宣传" in indicator and "有可能" in indicator
    assert '<td class="num" id="department-shortfall"><span class="badge bad">764.74</span></td>' in page


# --- the monitoring month ---


def test_the_monitoring_month_is_june_by_default_and_moves_every_figure(world):
    dy = world.department_year
    assert monitoring_month(dy) == 6
    ExpenditureFactory(item=world.item_a, date=date(2024, 9, 10), amount=Decimal("500.00"))
    june = monitoring_for(department_year=dy)
    assert june.as_of == date(2024, 6, 30) and june.department.figures.spent == Decimal("3000.00")
    monitoring_month_set(department_year=dy, month=9)
    dy.refresh_from_db()
    september = monitoring_for(department_year=dy)
    assert september.as_of == date(2024, 9, 30)
    assert september.department.figures.spent == Decimal("3500.00")
    # item A1, no plan: 1500.00 spent + 100,000 × 3 ÷ 12 = 26,500.00
    assert {scope.code: scope.figures.forecast for scope in september.items}["A1"] == Decimal("26500.00")


@pytest.mark.parametrize("month", [0, 13, -1, True, "6"])
def test_a_monitoring_month_outside_1_to_12_is_refused(world, month):
    with pytest.raises(ValidationError) as error:
        monitoring_month_set(department_year=world.department_year, month=month)
    assert error.value.message_dict == {"monitoring_month": ["监控月份须为1到12之间的整数"]}
    world.department_year.refresh_from_db()
    assert world.department_year.monitoring_month == 6


def test_the_monitoring_month_constraint_holds_through_full_clean_and_the_database(world):
    dy = world.department_year
    dy.monitoring_month = 13
    with pytest.raises(ValidationError):
        dy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        DepartmentYear.objects.filter(pk=dy.pk).update(monitoring_month=0)


def test_the_finance_office_sets_the_month_on_the_page_and_others_cannot(world, as_persona):
    target = url(world, "indicators:monitoring_month")
    assert as_persona("leader").post(target, {"monitoring_month": "9"}).status_code == 403
    assert as_persona("accountant_a").post(target, {"monitoring_month": "9"}).status_code == 403
    finance = as_persona("finance")
    response = finance.post(target, {"monitoring_month": "13"}, follow=True)
    assert "监控月份须为1到12之间的整数" in response.content.decode()
    world.department_year.refresh_from_db()
    assert world.department_year.monitoring_month == 6
    response = finance.post(target, {"monitoring_month": "9"}, follow=True)
    assert "监控月份已设为9月" in response.content.decode()
    assert "截至9月末" in response.content.decode()
    world.department_year.refresh_from_db()
    assert world.department_year.monitoring_month == 9


# --- flags ---


def indicator(world, **fields):
    defaults = {"department_year": world.department_year, "level2": "数量", "unit": "个", "target": Decimal("100")}
    return IndicatorFactory(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("direction", "target", "forecast", "missed"),
    [
        ("ge", "100", "100", False),
        ("ge", "100", "99.99", True),
        ("le", "10", "10", False),
        ("le", "10", "12", True),
        ("eq", "50", "50", False),
        ("eq", "50", "49", True),
    ],
)
def test_a_quantitative_forecast_is_flagged_when_its_completion_is_under_100_percent(world, direction, target, forecast, missed):
    row = indicator(world, code="Q1", direction=direction, target=Decimal(target), forecast=Decimal(forecast))
    ratio = forecast_ratio(row, year=2024, phrases=None)
    assert forecast_missed(row, ratio) is missed


def test_a_quantitative_indicator_without_a_forecast_is_not_flagged(world):
    row = indicator(world, code="Q2", likelihood="impossible")
    assert forecast_ratio(row, year=2024, phrases=None) is None
    assert forecast_missed(row, None) is False


@pytest.mark.parametrize(
    ("likelihood", "forecast_text", "missed"),
    [
        ("certain", "达到预期", False),
        ("possible", "达到预期", True),
        ("impossible", "", True),
        ("certain", "基本达成", True),  # a forecast tier other than 达成
        ("", "", False),
    ],
)
def test_a_qualitative_forecast_is_flagged_by_its_likelihood_or_its_tier(world, likelihood, forecast_text, missed):
    row = indicator(
        world,
        code="L1",
        direction="qualitative",
        target=None,
        target_text="达到预期",
        likelihood=likelihood,
        forecast_text=forecast_text,
    )
    assert forecast_missed(row, forecast_ratio(row, year=2024, phrases=None)) is missed


def test_a_date_target_is_flagged_when_the_forecast_date_is_late(world):
    row = indicator(world, code="T1", direction="le", target=None, target_text="10月31日前", forecast_text="11月15日")
    assert forecast_missed(row, forecast_ratio(row, year=2024, phrases=None))
    row.forecast_text = "10月20日"
    assert not forecast_missed(row, forecast_ratio(row, year=2024, phrases=None))


def test_the_value_at_the_monitoring_month_is_read_in_one_place(world):
    assert monitoring_value(world.indicator_a) == Decimal("5")
    [scope] = [scope for scope in monitoring_for(department_year=world.department_year).items if scope.code == "A1"]
    assert scope.rows[0].value == Decimal("5")


# --- the indicator form, per persona, and bad input ---


def indicator_form(world, indicator, **overrides):
    return {
        "midyear": "6",
        "forecast": "9",
        "monitoring_cause": "funding",
        "monitoring_cause_text": "资金下半年到位",
        "likelihood": "possible",
        "monitoring_measures": "加快资金拨付",
        **overrides,
    }


def test_the_finance_office_records_an_indicators_monitoring_and_the_page_flags_it(world, as_persona):
    finance = as_persona("finance")
    response = finance.post(
        url(world, "indicators:monitoring_indicator", indicator_code="I-A1"), indicator_form(world, world.indicator_a)
    )
    assert response.status_code == 302 and response["Location"] == url(world, "indicators:monitoring")
    world.indicator_a.refresh_from_db()
    assert (world.indicator_a.midyear, world.indicator_a.forecast) == (Decimal("6"), Decimal("9"))
    assert world.indicator_a.monitoring_cause == "funding" and world.indicator_a.likelihood == "possible"
    assert world.indicator_a.history.first().history_user == world.finance
    page = finance.get(url(world, "indicators:monitoring")).content.decode()
    row = page.split('<tr data-indicator="I-A1">')[1].split("</tr>")[0]
    assert "预计不能完成目标" in row and "经费保障：资金下半年到位" in row  # 9 of ≥ 10


def test_a_unit_accountant_records_their_units_item_indicator_only(world, as_persona):
    accountant = as_persona("accountant_a")
    response = accountant.post(
        url(world, "indicators:monitoring_indicator", indicator_code="I-A1"), indicator_form(world, world.indicator_a)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", kwargs={**world.kwargs, "item_code": "A1"})
    world.indicator_a.refresh_from_db()
    assert world.indicator_a.forecast == Decimal("9")
    # another unit's indicator does not exist for them; a department-level one is the finance office's
    assert (
        accountant.post(
            url(world, "indicators:monitoring_indicator", indicator_code="I-B1"), indicator_form(world, None)
        ).status_code
        == 404
    )
    department_level = indicator(world, code="D1")
    target = url(world, "indicators:monitoring_indicator", indicator_code="D1")
    assert accountant.get(target).status_code == 403
    assert accountant.post(target, indicator_form(world, None)).status_code == 403
    assert as_persona("leader").post(target, indicator_form(world, None)).status_code == 403
    department_level.refresh_from_db()
    world.indicator_b.refresh_from_db()
    assert department_level.forecast is None and world.indicator_b.forecast is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"forecast": "很多"}, "forecast", "全年预计完成值“很多”无法识别"),
        ({"forecast": "达到预期"}, "forecast", "全年预计完成值“达到预期”是定性表述，定量指标须填写数字"),
        ({"forecast": "9天"}, "forecast", "全年预计完成值“9天”的单位与计量单位“个”不一致"),
        ({"midyear": "1e309"}, "midyear", "监控期完成值“1e309”无法识别"),
        (
            {"monitoring_cause": "other", "monitoring_cause_text": ""},
            "monitoring_cause_text",
            "偏差原因选择“其他”时须填写偏差原因说明",
        ),
        ({"monitoring_cause": "weather"}, "monitoring_cause", "weather"),
        ({"likelihood": "maybe"}, "likelihood", "maybe"),
        ({"monitoring_measures": "x" * 2001}, "monitoring_measures", "2000"),
    ],
)
def test_bad_indicator_input_names_the_field_and_saves_nothing(world, as_persona, overrides, field, message):
    world.indicator_a.unit = "个"
    world.indicator_a.save()
    response = as_persona("finance").post(
        url(world, "indicators:monitoring_indicator", indicator_code="I-A1"),
        indicator_form(world, world.indicator_a, **overrides),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="errors-{field}"' in page and message in page
    world.indicator_a.refresh_from_db()
    assert world.indicator_a.forecast is None and world.indicator_a.monitoring_cause == ""


def test_a_qualitative_indicator_takes_no_numbers_in_the_service(world):
    row = indicator(world, code="L2", direction="qualitative", target=None, target_text="达到预期")
    with pytest.raises(ValidationError) as error:
        indicator_set_monitoring(indicator=row, midyear=None, forecast=Decimal("1"))
    assert error.value.message_dict["forecast"] == ["定性指标的全年预计完成值不能是数字，请填写定性表述（如达到预期）或留空"]


def test_the_form_keeps_a_value_text_and_the_page_shows_it(world, as_persona):
    finance = as_persona("finance")
    finance.post(
        url(world, "indicators:monitoring_indicator", indicator_code="I-A1"),
        indicator_form(world, world.indicator_a, forecast="≥12个", likelihood="certain"),
    )
    world.indicator_a.refresh_from_db()
    assert (world.indicator_a.forecast, world.indicator_a.forecast_text) == (Decimal("12"), "≥12个")
    form = finance.get(url(world, "indicators:monitoring_indicator", indicator_code="I-A1")).content.decode()
    assert 'value="≥12个"' in form


# --- the item form ---


def test_a_unit_accountant_records_their_items_monitoring_with_history(world, as_persona):
    accountant = as_persona("accountant_a")
    data = {"cause": "system", "cause_text": "采购制度调整", "needs_correction": "on", "measures": "三季度完成采购"}
    response = accountant.post(url(world, "indicators:monitoring_item", item_code="A1"), data)
    assert response.status_code == 302
    entry = ItemMonitoring.objects.get(item=world.item_a)
    assert (entry.cause, entry.cause_text, entry.needs_correction, entry.measures) == (
        "system",
        "采购制度调整",
        True,
        "三季度完成采购",
    )
    assert entry.history.first().history_user == world.accountant_a
    assert as_persona("accountant_b").post(url(world, "indicators:monitoring_item", item_code="A1"), data).status_code == 404
    assert as_persona("leader").post(url(world, "indicators:monitoring_item", item_code="A1"), data).status_code == 403
    assert as_persona("accountant_a").post(url(world, "indicators:monitoring_item", item_code="B1"), data).status_code == 404
    assert ItemMonitoring.objects.count() == 1
    page = as_persona("finance").get(url(world, "indicators:monitoring")).content.decode()
    row = page.split('<tr data-item="A1">')[1].split("</tr>")[0]
    assert "制度保障：采购制度调整" in row and "是" in row


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"needs_correction": "on", "measures": ""}, "measures", "需要纠偏时须填写纠偏措施"),
        ({"cause": "other", "cause_text": " "}, "cause_text", "偏差原因选择“其他”时须填写偏差原因说明"),
        ({"cause": "weather"}, "cause", "weather"),
        ({"cause_text": "\x00"}, "cause_text", ""),
    ],
)
def test_bad_item_input_names_the_field_and_saves_nothing(world, as_persona, data, field, message):
    response = as_persona("finance").post(url(world, "indicators:monitoring_item", item_code="A1"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="errors-{field}"' in page and message in page
    assert not ItemMonitoring.objects.exists()


def test_the_item_service_refuses_a_correction_without_measures(world):
    with pytest.raises(ValidationError) as error:
        item_monitoring_set(item=world.item_a, needs_correction=True, measures="  ")
    assert error.value.message_dict == {"measures": ["需要纠偏时须填写纠偏措施"]}


def test_the_cause_constraints_hold_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemMonitoring.objects.create(department_year=world.department_year, item=world.item_a, cause="weather")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=world.indicator_a.pk).update(likelihood="maybe")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=world.indicator_a.pk).update(monitoring_cause="weather")
    world.indicator_a.likelihood = "maybe"
    with pytest.raises(ValidationError):
        world.indicator_a.full_clean()
    entry = ItemMonitoring(department_year=world.department_year, item=world.item_a, cause="weather")
    with pytest.raises(ValidationError):
        entry.full_clean()


# --- the page's queries ---


def test_the_monitoring_page_runs_a_fixed_number_of_queries_whatever_the_size(world, as_persona, django_assert_num_queries):
    client = as_persona("finance")
    client.get(url(world, "indicators:monitoring"))  # warm the session and content-type caches
    for size in (2, 12):
        for n in range(size):
            item = BudgetItemFactory(department_year=world.department_year, unit=world.unit_a, code=f"G{size}-{n}")
            BudgetLineFactory(item=item, amount=Decimal("1200.00"))
            ExpenditureFactory(item=item, date=date(2024, 5, 1), amount=Decimal("100.00"))
            row = IndicatorFactory(
                department_year=world.department_year,
                item=item,
                code=f"G{size}-{n}-1",
                level2="数量",
                target=Decimal("10"),
                forecast=Decimal("8"),
            )
            item_monitoring_set(item=item, cause="funding")
            assert row.pk
        # session, user, department-year, membership; the summary's three (units, items, their
        # figures with the budget by source); the indicators, the scoring
        # profiles, the 特定目标类 items, the items' monitoring entries, the qualitative phrases
        with django_assert_num_queries(12):
            assert client.get(url(world, "indicators:monitoring")).status_code == 200


# --- the export ---


def download(client, dy):
    response = client.get(
        reverse("exports:download", kwargs={"department_code": dy.department.code, "year": dy.year, "what": "monitoring"})
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(BytesIO(content))


def rows_of(ws):
    """The sheet's values, numbers as exact decimals of what the cell shows (openpyxl reads floats)."""
    return [
        tuple(Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else value for value in row)
        for row in ws.iter_rows(values_only=True)
    ]


def row_labelled(ws, label):
    return next(row for row in rows_of(ws) if row[0] == label)


def test_the_seed_export_has_the_department_sheet_and_one_per_project_in_wan(seed, client, superuser):
    client.force_login(superuser)
    wb = download(client, seed)
    assert wb.sheetnames[0] == "部门整体运行监控表"
    assert "XJWF001-XM06" in wb.sheetnames and len(wb.sheetnames) == 1 + 20
    department = wb["部门整体运行监控表"]
    assert department["A1"].value == "部门整体支出绩效运行监控表"
    assert department["A2"].value == "（2024年度，截至6月末）　金额单位：万元"
    total = row_labelled(department, "年度资金总额")
    assert total[1:8] == (
        Decimal("8843.50"),
        Decimal("9037.94"),
        Decimal("4021.39"),
        Decimal("0.4449"),
        Decimal("8273.20"),
        Decimal("0.9154"),
        Decimal("764.74"),
    )
    assert total[9] == "预计执行不足，缺口764.74万元"
    zt05 = next(row for row in rows_of(department) if row[2] == "妇女群众法律知识知晓率")
    assert zt05[3:] == (
        "≥90%",
        Decimal("90"),
        Decimal("88"),
        "制度保障：部分地州普法宣传尚未纳入年度工作计划",
        "有可能",
        "三季度组织普法宣传进村入户，年底前开展知晓率测评",
        "预计不能完成目标",
    )
    xm06 = wb["XJWF001-XM06"]
    assert xm06["A1"].value == "项目支出绩效运行监控表"
    total = row_labelled(xm06, "年度资金总额")
    assert total[1:10] == (
        Decimal("1003.00"),
        Decimal("1003.00"),
        Decimal("305.65"),
        Decimal("0.3047"),
        Decimal("665.65"),
        Decimal("0.6637"),
        Decimal("337.35"),
        "其他：培训按月均衡开展，用款计划春季安排偏高",
        "预计执行不足，缺口337.35万元",
    )
    assert row_labelled(xm06, "是否需要纠偏")[1] == "是"
    assert row_labelled(xm06, "纠偏措施")[1] == "调整下半年用款计划，加快培训进度"
    xm02 = row_labelled(wb["XJWF001-XM02"], "年度资金总额")
    assert xm02[7] == Decimal("0.00") and xm02[9] in ("", None)


def test_a_unit_accountant_cannot_download_the_monitoring_table(world, as_persona):
    response = as_persona("accountant_a").get(reverse("exports:download", kwargs={**world.kwargs, "what": "monitoring"}))
    assert response.status_code == 403


def test_an_accountant_reaches_the_forms_from_their_items_page(world, as_persona):
    accountant = as_persona("accountant_a")
    detail = accountant.get(reverse("projects:detail", kwargs={**world.kwargs, "item_code": "A1"})).content.decode()
    form_url = url(world, "indicators:monitoring_item", item_code="A1")
    assert f'href="{form_url}"' in detail
    form = accountant.get(form_url).content.decode()
    assert f'href="{url(world, "indicators:monitoring_indicator", indicator_code="I-A1")}"' in form
    leader = as_persona("leader").get(reverse("projects:detail", kwargs={**world.kwargs, "item_code": "A1"})).content.decode()
    assert f'href="{form_url}"' not in leader


def test_a_qualitative_forecast_phrase_is_kept_as_text_and_flagged(world, as_persona):
    indicator(world, code="Q9", item=world.item_a, direction="qualitative", target=None, target_text="达到预期", unit="")
    finance = as_persona("finance")
    response = finance.post(
        url(world, "indicators:monitoring_indicator", indicator_code="Q9"),
        {"midyear": "基本完成", "forecast": "基本达成", "likelihood": "certain"},
    )
    assert response.status_code == 302
    row = Indicator.objects.get(code="Q9")
    assert (row.forecast, row.forecast_text, row.midyear_text) == (None, "基本达成", "基本完成")
    page = finance.get(url(world, "indicators:monitoring")).content.decode()
    assert "预计不能完成目标" in page.split('<tr data-indicator="Q9">')[1].split("</tr>")[0]


def test_the_entry_forms_run_a_fixed_number_of_queries(world, as_persona, django_assert_num_queries):
    client = as_persona("accountant_a")
    item_form = url(world, "indicators:monitoring_item", item_code="A1")
    client.get(item_form)  # warm the session and content-type caches
    for size in (1, 6):
        for n in range(size):
            indicator(world, code=f"F{size}-{n}", item=world.item_a)
        # session, user, department-year, membership, the item, its entry, its indicators
        with django_assert_num_queries(7):
            assert client.get(item_form).status_code == 200
    # session, user, department-year, membership, the indicator (with its item), the phrases
    with django_assert_num_queries(6):
        assert client.get(url(world, "indicators:monitoring_indicator", indicator_code="I-A1")).status_code == 200


def test_a_save_racing_a_replaced_year_shows_the_services_message_not_a_traceback(world, as_persona, monkeypatch):
    """The service refuses with a plain message (no field) when the year was replaced meanwhile: the
    form shows it on top (fundmgr.lib.forms.apply_service_error), and nothing is saved."""
    monkeypatch.setattr("indicators.services.department_year_lock_shared", lambda pk: False)
    response = as_persona("finance").post(
        url(world, "indicators:monitoring_indicator", indicator_code="I-A1"), indicator_form(world, world.indicator_a)
    )
    assert response.status_code == 200
    assert "该绩效指标已不存在（年度数据可能刚被重新导入），请刷新页面" in response.content.decode()
    world.indicator_a.refresh_from_db()
    assert world.indicator_a.forecast is None
