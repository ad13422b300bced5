"""Turns the readable demo source (xjwf-2024.toml) into workbook rows, and creates the demo logins.

The rows go through fundmgr.workbook.workbook_write and workbook_import, the path every
user's workbook takes, so the demo is checked by the same rules.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from fundmgr.lib.money import TEN_THOUSAND, round_half_up
from units.access import FINANCE_BUREAU_GROUP
from units.models import BudgetUnit, Department, Membership

DEMO_SOURCE = Path(__file__).with_name("xjwf-2024.toml")
DEMO_DEPARTMENT = "XJWF"
DEMO_YEAR = 2024
PROJECT_MONTHS = (3, 12)  # projects spend from spring on, unless the source says otherwise
ILLUSTRATIVE = "（示意）"


def load_source(path: Path = DEMO_SOURCE) -> dict:
    with open(path, "rb") as source:
        return tomllib.load(source, parse_float=Decimal)


def yuan_of_wan(amount) -> Decimal:
    return round_half_up(Decimal(amount) * TEN_THOUSAND)


def monthly_split(total: Decimal, months: int) -> list[Decimal]:
    """Equal monthly shares in cents; the last month takes the remainder, so they add up exactly."""
    share = round_half_up(total / months)
    return [share] * (months - 1) + [total - share * (months - 1)]


def demo_rows(source: dict | None = None) -> dict[str, list[dict]]:
    """Workbook rows per sheet key (fundmgr.workbook.schema), amounts in yuan."""
    source = source or load_source()
    rows = {
        "department": [source["department"]],
        "units": list(source["units"]),
        "items": [],
        "lines": [],
        "expenditures": [],
        "indicators": [],
        "transfers": [],
        "plans": [],
    }
    vouchers = 0
    for item in source["items"]:
        rows["items"].append({key: item.get(key) for key in ("code", "name", "unit", "category", "procurement_required")})
        for line in item["lines"]:
            rows["lines"].append(
                {
                    "project": item["code"],
                    "source": line["source"],
                    "kind": line["kind"],
                    "amount": yuan_of_wan(line["wan"]),
                    "date": line["date"],
                    "document": line.get("document", ""),
                }
            )
        default_months = item.get("months", PROJECT_MONTHS if item["category"] == "特定目标类" else (1, 12))
        for entry in item["spending"]:
            first, last = entry.get("months", default_months)
            months = range(first, last + 1)
            for month, amount in zip(months, monthly_split(yuan_of_wan(entry["wan"]), len(months))):
                vouchers += 1
                rows["expenditures"].append(
                    {
                        "project": item["code"],
                        "date": date(source["department"]["year"], month, entry.get("day", 20)),
                        "amount": amount,
                        "economic_class": entry["class"],
                        "memo": f"{entry['memo']}{ILLUSTRATIVE}",
                        "voucher": f"示意-{vouchers:04d}",
                    }
                )
        for entry in item.get("plan", ()):
            first, last = entry["months"]
            for month in range(first, last + 1):
                rows["plans"].append({"project": item["code"], "month": month, "amount": yuan_of_wan(entry["wan"])})
    for transfer in source.get("transfers", ()):
        rows["transfers"].append(
            {
                "from_project": transfer["from"],
                "to_project": transfer["to"],
                "source": transfer["source"],
                "amount": yuan_of_wan(transfer["wan"]),
                "date": transfer["date"],
                "document": transfer.get("document", ""),
            }
        )
    for indicator in source["indicators"]:
        rows["indicators"].append(dict(indicator))
    return rows


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str  # Membership.Role value, or "" for the outsider
    unit_code: str | None
    group: str | None
    description: str


DEMO_LOGINS = (
    DemoLogin("caiwu", Membership.Role.FINANCE, None, "财务处", "财务处（部门财务，可用管理后台）"),
    DemoLogin("kuaiji1", Membership.Role.ACCOUNTANT, "XJWF001", "单位会计", "单位会计：新疆维吾尔自治区妇女联合会（本级）"),
    DemoLogin("kuaiji2", Membership.Role.ACCOUNTANT, "XJWF002", "单位会计", "单位会计：新疆维吾尔自治区儿童发展中心"),
    DemoLogin("lingdao", Membership.Role.LEADER, None, "领导", "领导"),
    DemoLogin("waibu", "", None, None, "外部用户（无任何角色）"),
    # The finance bureau (财政厅): no role in the department; the group opens the review pages of
    # filled 自评表 and the province view (fundmgr.review.access, units.access.province_department_ids).
    DemoLogin("caizheng", "", None, FINANCE_BUREAU_GROUP, "财政厅复核：自评表复核、全省视图"),
)
FINANCE_APPS = ("units", "projects", "indicators")


def demo_logins_ensure(*, department: Department) -> list[tuple[DemoLogin, bool]]:
    """Create the demo users, their memberships and groups where missing.

    Idempotent: an existing user keeps its password; returns each login with whether it was created.
    """
    User = get_user_model()
    created_any = []
    hashed = None  # one hash for every demo login: they share a published password anyway
    with transaction.atomic():
        finance = Group.objects.get_or_create(name="财务处")[0]
        finance.permissions.add(*Permission.objects.filter(content_type__app_label__in=FINANCE_APPS))
        units = {unit.code: unit for unit in BudgetUnit.objects.filter(department=department)}
        for login in DEMO_LOGINS:
            user, created = User.objects.get_or_create(username=login.username)
            if created:
                hashed = hashed or make_password(settings.DEMO_PASSWORD)
                user.password = hashed
                user.is_staff = login.role == Membership.Role.FINANCE
                user.save()
            if login.role:
                Membership.objects.get_or_create(
                    user=user,
                    department=department,
                    defaults={"role": login.role, "unit": units.get(login.unit_code) if login.unit_code else None},
                )
            if login.group:
                user.groups.add(Group.objects.get_or_create(name=login.group)[0])
            created_any.append((login, created))
    return created_any
