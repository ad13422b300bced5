"""年终结转 (DOMAIN.md section 8): the finance office's year page.

An open year shows the preview of projects.yearend: per item with an unspent balance, its figures
and a choice of carrying it over (结转) or letting it lapse (结余), defaulting as section 8 says
(特定目标类 carries, 人员类 and 运转类 lapse). "重新计算" shows the totals of the chosen fates without
writing; "确认结转" applies them through projects.yearend.close_year, all or nothing. A closed year
shows its closing record and no button; a POST to it is refused with close_year's message.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from fundmgr.lib.money import ZERO, yuan
from projects import closing, yearend
from projects.arithmetic import unspent
from projects.forms import CARRY, LAPSE, YearCloseForm
from projects.models import BudgetItem, BudgetLine, YearClose
from projects.selectors import budget_summary
from projects.views.entry import department_kwargs
from units.access import FINANCE, ScopedViewMixin

CATEGORY_LABELS = dict(BudgetItem.Category.choices)


@dataclass
class YearEndItem:
    """One item with an unspent balance at year end, as the year page lists it."""

    item_id: int
    code: str
    name: str
    unit_name: str
    category: str
    category_label: str
    full_year: Decimal
    spent: Decimal
    balance: Decimal
    default: str  # CARRY or LAPSE, by section 8's default for its category

    @property
    def field_name(self) -> str:
        return f"fate-{self.item_id}"


def year_end_items(summary) -> list[YearEndItem]:
    """The items of budget_summary with an unspent balance, as projects.yearend decides them."""
    rows = []
    for row in summary.by_item:
        balance = yuan(unspent(full_year=row.figures.full_year, spent=row.figures.spent))
        if balance <= ZERO:
            continue
        rows.append(
            YearEndItem(
                item_id=row.id,
                code=row.code,
                name=row.name,
                unit_name=row.unit_name,
                category=row.category,
                category_label=str(CATEGORY_LABELS.get(row.category, row.category)),
                full_year=row.figures.full_year,
                spent=row.figures.spent,
                balance=balance,
                default=CARRY if row.category in yearend.CARRIED_BY_DEFAULT else LAPSE,
            )
        )
    return rows


class YearCloseView(ScopedViewMixin, TemplateView):
    """Queries, whatever the number of items: session, user, department-year, membership, the
    year's closing record; for an open year, budget_summary (5), the preview (6: the codes, then
    budget_summary's 5) and the months still open; for a closed year, budget_summary (5) and the
    carried-over lines of the next year.
    """

    need = FINANCE
    template_name = "projects/year_close.html"

    def page_url(self) -> str:
        return reverse("yearend:close", kwargs=department_kwargs(self.scope))

    def year_close(self) -> YearClose | None:
        return (
            YearClose.objects.filter(department_year=self.department_year)
            .select_related("closed_by", "next_year__department")
            .first()
        )

    def form_for(self, items: list[YearEndItem], data=None) -> YearCloseForm:
        return YearCloseForm(data, rows=[(row.item_id, row.code, row.default) for row in items])

    def get(self, request, *args, **kwargs):
        record = self.year_close()
        if record is not None:
            return self.render_to_response(self.closed_context(record))
        items = year_end_items(budget_summary(department_year=self.department_year))
        return self.render_to_response(self.open_context(items, self.form_for(items)))

    def post(self, request, *args, **kwargs):
        record = self.year_close()
        if record is not None:
            # Closed: close_year refuses with its message and changes nothing.
            self.apply(carry=set(), lapse=set())
            return redirect(self.page_url())
        items = year_end_items(budget_summary(department_year=self.department_year))
        form = self.form_for(items, request.POST)
        if not form.is_valid():
            return self.render_to_response(self.open_context(items, form))
        carry, lapse = form.choices()
        if "preview" in request.POST:
            return self.render_to_response(self.open_context(items, form, carry=carry, lapse=lapse))
        result = self.apply(carry=carry, lapse=lapse)
        if result is None:
            return self.render_to_response(self.open_context(items, form, carry=carry, lapse=lapse))
        return redirect(self.page_url())

    def apply(self, *, carry: set[str], lapse: set[str]):
        try:
            result = yearend.close_year(department_year=self.department_year, carry=carry, lapse=lapse, user=self.request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return None
        messages.success(
            self.request,
            _("%(year)s年度已年终结转：结转 %(carried)s 元，结余 %(lapsed)s 元")
            % {
                "year": result.year,
                "carried": f"{result.carried_total:,.2f}",
                "lapsed": f"{result.lapsed_total:,.2f}",
            },
        )
        return result

    def open_context(self, items, form, *, carry=(), lapse=()):
        result = yearend.preview(department_year=self.department_year, carry=carry, lapse=lapse)
        for row in items:
            row.field = form[row.field_name]
        return self.get_context_data(
            closed=False,
            items=items,
            form=form,
            carried_total=result.carried_total,
            lapsed_total=result.lapsed_total,
            balance_total=sum((row.balance for row in items), ZERO),
            open_months=closing.open_months_through(department_year=self.department_year, month=12),
            next_year=self.department_year.year + 1,
        )

    def closed_context(self, record: YearClose):
        year = self.department_year.year
        carried = {
            line.item.code: line
            for line in BudgetLine.objects.filter(
                item__department_year_id=record.next_year_id,
                kind=BudgetLine.Kind.CARRYOVER,
                document=yearend.carryover_document(year),
            ).select_related("item")
        }
        items = year_end_items(budget_summary(department_year=self.department_year))
        for row in items:
            row.carried = row.code in carried
        next_url = None
        if record.next_year is not None:
            next_url = reverse(
                "department",
                kwargs={"department_code": record.next_year.department.code, "year": record.next_year.year},
            )
        return self.get_context_data(
            closed=True,
            record=record,
            items=items,
            carried_lines=list(carried.values()),
            next_url=next_url,
            next_year=year + 1,
        )
