"""序时进度预警: the items behind their spending plan at a month's end, and the digests e-mailed about them.

An item is behind (yellow or red) by its plan execution rate, spent to date ÷ plan to date, with
the thresholds of 序时进度 (DOMAIN.md section 8; an item without a plan has the linear plan
full-year × m ÷ 12). The figures are projects.selectors.budget_summary's, as of the end of the
month, the same as the dashboards'. The page (fundmgr.dashboards.views.AlertsView) shows the
rows a user's scope sees; `manage.py send_alerts` mails each unit's accountants their unit's
rows and the finance office every row. Nothing goes to a unit with no item behind.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from projects.arithmetic import month_end
from projects.selectors import BudgetSummary, Figures, ItemRow, budget_summary_at_month
from units.models import DepartmentYear, Membership

STATUS_ORDER = {"red": 0, "yellow": 1}


def plan_status(figures: Figures) -> str:
    """A scope's lag colour (DOMAIN.md section 8): "red", "yellow", or "" on plan, from its plan
    execution rate (projects.arithmetic.plan_lag, whose "ok" the pages write as ""). The one lag
    signal of the dashboards, this page, the digests and the execution workbook."""
    status = figures.plan_lag
    return "" if status == "ok" else status


@dataclass
class AlertRow:
    """An item behind its plan: its row of the summary and its colour ("yellow" or "red")."""

    item: ItemRow
    status: str

    @property
    def figures(self):
        return self.item.figures


def lagging_items(summary: BudgetSummary, *, unit_id: int | None = None) -> list[AlertRow]:
    """The summary's items that are yellow or red by their plan execution rate (DOMAIN.md section 8),
    of one unit when `unit_id` is given; in the summary's unit order, red before yellow, then by code."""
    unit_order = {unit.id: position for position, unit in enumerate(summary.by_unit)}
    rows = [
        AlertRow(item=item, status=plan_status(item.figures))
        for item in summary.by_item
        if plan_status(item.figures) and (unit_id is None or item.unit_id == unit_id)
    ]
    rows.sort(key=lambda row: (unit_order[row.item.unit_id], STATUS_ORDER[row.status], row.item.code))
    return rows


# --- the digests ---


@dataclass
class Digest:
    """One e-mail: to one recipient, about `rows` (their unit's, or every unit's for the finance office)."""

    recipient: str  # the e-mail address
    kind: str  # "accountant" or "finance"
    unit_code: str  # the accountant's unit; "" for the finance office
    subject: str
    body: str
    rows: list[AlertRow] = field(default_factory=list)


@dataclass
class DigestRun:
    """What send_alerts did for one department-year."""

    department_year: DepartmentYear
    month: int
    rows: list[AlertRow]
    digests: list[Digest]

    @property
    def accountant_mails(self) -> list[Digest]:
        return [digest for digest in self.digests if digest.kind == Membership.Role.ACCOUNTANT]

    @property
    def finance_mails(self) -> list[Digest]:
        return [digest for digest in self.digests if digest.kind == Membership.Role.FINANCE]


def _recipients(department_year: DepartmentYear, role: str):
    """Active members of the department in `role` who have an e-mail address, one query."""
    return (
        Membership.objects.filter(department_id=department_year.department_id, role=role, user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "unit")
        .order_by("unit__code", "user__username")
    )


def _render(department_year: DepartmentYear, month: int, rows: list[AlertRow], *, unit_name: str) -> tuple[str, str]:
    context = {
        "department_year": department_year,
        "month": month,
        "as_of": month_end(department_year.year, month),
        "rows": rows,
        "unit_name": unit_name,
        "red": sum(1 for row in rows if row.status == "red"),
        "yellow": sum(1 for row in rows if row.status == "yellow"),
    }
    subject = " ".join(render_to_string("alerts/digest_subject.txt", context).split())
    return subject, render_to_string("alerts/digest_body.txt", context)


def digests_for(*, department_year: DepartmentYear, month: int) -> DigestRun:
    """The digests of one department-year at the end of `month`: one mail to each accountant of a
    unit with items behind (that unit's items), one to each finance officer when any item is
    behind (every item). Written in the default language (settings.LANGUAGE_CODE), which is the
    recipients' language. Seven queries: the summary's five and the two lists of recipients."""
    summary = budget_summary_at_month(department_year=department_year, month=month)
    rows = lagging_items(summary)
    digests = []
    if rows:
        with translation.override(settings.LANGUAGE_CODE):
            for membership in _recipients(department_year, Membership.Role.ACCOUNTANT):
                unit_rows = [row for row in rows if row.item.unit_id == membership.unit_id]
                if not unit_rows:
                    continue
                subject, body = _render(department_year, month, unit_rows, unit_name=membership.unit.name)
                digests.append(
                    Digest(membership.user.email, Membership.Role.ACCOUNTANT, membership.unit.code, subject, body, unit_rows)
                )
            finance = list(_recipients(department_year, Membership.Role.FINANCE))
            if finance:
                subject, body = _render(department_year, month, rows, unit_name="")
                digests += [
                    Digest(membership.user.email, Membership.Role.FINANCE, "", subject, body, rows) for membership in finance
                ]
    return DigestRun(department_year=department_year, month=month, rows=rows, digests=digests)


def send_digests(run: DigestRun) -> int:
    """Send the run's digests through Django's e-mail (settings.EMAIL_BACKEND), one message per
    recipient so no one sees another's address; the number sent."""
    messages = [EmailMessage(digest.subject, digest.body, to=[digest.recipient]) for digest in run.digests]
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0
