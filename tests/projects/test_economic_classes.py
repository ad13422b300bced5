"""The economic classification as reference data (DOMAIN.md sections 6 and 9): the full list of
the edition named, loaded by the migrations, one row per code."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError

from projects.economic_classes import CLASSES, EDITION, economic_classes_rows, economic_classes_sync
from projects.forms import EconomicClassField, economic_class_choices
from projects.models import EconomicClass, Expenditure
from tests.personas import build

pytestmark = pytest.mark.django_db

# DOMAIN.md section 6: the codes in use, with the names they must keep.
SECTION_6 = {
    "301": "工资福利支出", "30101": "基本工资", "30102": "津贴补贴", "30103": "奖金", "30106": "伙食补助费",
    "30107": "绩效工资", "30108": "机关事业单位基本养老保险缴费", "30109": "职业年金缴费",
    "30110": "职工基本医疗保险缴费", "30111": "公务员医疗补助缴费", "30112": "其他社会保障缴费",
    "30113": "住房公积金", "30114": "医疗费", "30199": "其他工资福利支出",
    "302": "商品和服务支出", "30201": "办公费", "30202": "印刷费", "30203": "咨询费", "30204": "手续费",
    "30205": "水费", "30206": "电费", "30207": "邮电费", "30208": "取暖费", "30209": "物业管理费",
    "30211": "差旅费", "30212": "因公出国（境）费用", "30213": "维修（护）费", "30214": "租赁费",
    "30215": "会议费", "30216": "培训费", "30217": "公务接待费", "30218": "专用材料费", "30226": "劳务费",
    "30227": "委托业务费", "30228": "工会经费", "30229": "福利费", "30231": "公务用车运行维护费",
    "30239": "其他交通费用", "30240": "税金及附加费用", "30299": "其他商品和服务支出",
    "303": "对个人和家庭的补助", "30301": "离休费", "30302": "退休费", "30303": "退职（役）费",
    "30304": "抚恤金", "30305": "生活补助", "30306": "救济费", "30307": "医疗费补助", "30308": "助学金",
    "30309": "奖励金", "30399": "其他对个人和家庭的补助",
    "310": "资本性支出", "31001": "房屋建筑物购建", "31002": "办公设备购置", "31003": "专用设备购置",
    "31005": "基础设施建设", "31006": "大型修缮", "31007": "信息网络及软件购置更新", "31013": "公务用车购置",
    "31022": "无形资产购置", "31099": "其他资本性支出",
    "399": "其他支出", "39999": "其他支出",
}

EDITION_CLASSES = {
    "301": "工资福利支出", "302": "商品和服务支出", "303": "对个人和家庭的补助", "307": "债务利息及费用支出",
    "309": "资本性支出（基本建设）", "310": "资本性支出", "311": "对企业补助（基本建设）", "312": "对企业补助",
    "313": "对社会保障基金补助", "399": "其他支出",
}

migration = importlib.import_module("projects.migrations.0002_full_economic_classification")


def table() -> dict[str, tuple[str, str | None]]:
    return {row.code: (row.name, row.parent_id) for row in EconomicClass.objects.all()}


def expected() -> dict[str, tuple[str, str | None]]:
    return {code: (name, parent) for code, name, parent in economic_classes_rows()}


def test_the_edition_is_named():
    assert EDITION == "2025年政府收支分类科目（部门预算支出经济分类科目）"


def test_the_migrations_load_every_class_of_the_edition_with_its_subclasses():
    assert table() == expected()
    classes = {code: name for code, (name, parent) in table().items() if parent is None}
    assert classes == EDITION_CLASSES
    assert len(table()) == len(CLASSES) + sum(len(children) for children in CLASSES.values())
    for (code, _name), children in CLASSES.items():
        assert children, code
        assert set(EconomicClass.objects.get(code=code).children.values_list("code", flat=True)) == {
            child for child, _ in children
        }


def test_every_code_is_a_3_digit_class_or_a_5_digit_subclass_under_its_own_class():
    for code, (name, parent) in expected().items():
        assert code.isdigit() and name, code
        if parent is None:
            assert len(code) == 3 and "301" <= code <= "399", code
        else:
            assert len(code) == 5 and code[:3] == parent, code


def test_the_classes_added_to_section_6_are_there_with_their_subclasses():
    codes = set(table())
    assert {"307", "309", "311", "312", "313"} <= codes
    assert {"30701", "30901", "30999", "31101", "31201", "31204", "31205", "31299", "31302"} <= codes
    assert table()["31201"] == ("资本金注入", "312")
    assert table()["31299"] == ("其他对企业补助", "312")


def test_the_codes_of_section_6_keep_their_names():
    names = {code: name for code, (name, _) in table().items()}
    assert {code: names[code] for code in SECTION_6} == SECTION_6


def test_the_entry_forms_picker_lists_every_class_and_each_ones_subclasses():
    classes, subclasses = economic_class_choices()
    assert [code for code, _ in classes] == list(EDITION_CLASSES)
    assert ("312", "312 对企业补助") in classes
    assert subclasses["312"] == [
        ("31201", "31201 资本金注入"), ("31203", "31203 政府投资基金股权投资"), ("31204", "31204 费用补贴"),
        ("31205", "31205 利息补贴"), ("31299", "31299 其他对企业补助"),
    ]


def section_6_only():
    """The table as 0001_ledger left it before the list was completed: the section-6 codes, one renamed."""
    EconomicClass.objects.filter(parent__isnull=False).exclude(code__in=SECTION_6).delete()
    EconomicClass.objects.exclude(code__in=SECTION_6).delete()
    EconomicClass.objects.filter(code="30201").update(name="办公费（旧）")
    assert set(table()) == set(SECTION_6)


def test_the_migration_over_the_section_6_codes_inserts_the_rest_and_corrects_names():
    section_6_only()
    migration.classes_sync(global_apps, None)
    assert table() == expected()


def test_the_migration_applied_twice_leaves_one_row_per_code():
    migration.classes_sync(global_apps, None)
    migration.classes_sync(global_apps, None)
    assert table() == expected()
    assert EconomicClass.objects.count() == len(expected())


def test_the_sync_keeps_a_code_outside_the_list_and_the_expenditures_on_the_codes():
    build()
    used = dict(Expenditure.objects.values_list("id", "economic_class_id"))
    assert used
    EconomicClass.objects.create(code="39906", name="赠与", parent_id="399")
    economic_classes_sync(EconomicClass)
    assert table()["39906"] == ("赠与", "399")
    assert dict(Expenditure.objects.values_list("id", "economic_class_id")) == used


@pytest.mark.parametrize(
    ("typed", "code"),
    [("办公费", "30201"), ("31002 办公设备购置", "31002"), ("30902", "30902"), ("其他对企业补助 31299", None)],
)
def test_a_subclass_typed_by_code_or_by_a_name_of_its_own_is_read(typed, code):
    field = EconomicClassField()
    if code is None:  # the code comes first or not at all
        with pytest.raises(ValidationError):
            field.clean(typed)
    else:
        assert field.clean(typed).code == code


@pytest.mark.parametrize(
    ("name", "codes"), [("办公设备购置", "30902、31002"), ("资本金注入", "31101、31201"), ("其他对企业补助", "31199、31299")]
)
def test_a_name_that_recurs_under_two_classes_is_refused_naming_both_codes(name, codes):
    with pytest.raises(ValidationError) as refused:
        EconomicClassField().clean(name)
    assert refused.value.messages == [f"经济分类名称“{name}”对应多个编码（{codes}），请选择或输入编码"]


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_finds_the_full_list_after_an_earlier_ones_flush():
    # tests/conftest.py reloads the reference data a flush removed: the same full list.
    assert table() == expected()
