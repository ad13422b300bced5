"""Audit trail pages over django-simple-history: one page per record showing who changed
what, when, and each field's old and new value; and a department-wide change log."""

from dataclasses import dataclass
from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from indicators.models import Evidence, Indicator, TargetDeclaration
from projects.models import BudgetItem, BudgetLine, BudgetTransfer, Expenditure, MonthClose, SpendingPlan
from units.access import ScopedViewMixin, record_in_scope

ACTIONS = {"+": gettext_lazy("新增"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}
USER_FIELDS = {"entered_by", "decided_by", "created_by", "closed_by", "imported_by"}
HIDDEN_FIELDS = {"id"}
CHANGE_LOG_LIMIT = 200


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    user: str
    action: str
    reason: str
    changes: list


def _display(model, field_name, value, usernames, items):
    if value is None or value == "":
        return "—"
    field = model._meta.get_field(field_name)
    if field_name in USER_FIELDS:
        return usernames.get(value, str(value))
    if field_name == "item":
        return items.get(value, str(value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if field.choices:
        return str(dict(field.choices).get(value, value))
    return str(value)


def _field_names(model):
    return [
        field.attname.removesuffix("_id") if field.is_relation else field.name
        for field in model._meta.concrete_fields
        if field.name not in HIDDEN_FIELDS
    ]


def history_entries(model, records) -> list[HistoryEntry]:
    """Pair each historical record with its predecessor (records oldest first), newest entry first."""
    user_ids = set()
    for record in records:
        for name in USER_FIELDS:
            value = getattr(record, f"{name}_id", None)
            if value:
                user_ids.add(value)
    usernames = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
    item_ids = {getattr(record, "item_id", None) for record in records} - {None}
    items = {
        pk: f"{code} {name}" for pk, code, name in BudgetItem.objects.filter(pk__in=item_ids).values_list("pk", "code", "name")
    }
    names = _field_names(model)
    entries = []
    previous = None
    for record in records:
        changes = []
        for name in names:
            field = model._meta.get_field(name)
            attname = field.attname
            new = getattr(record, attname)
            old = getattr(previous, attname) if previous is not None else None
            if previous is None and record.history_type == "-":
                continue
            if previous is None or old != new:
                changes.append(
                    FieldChange(
                        label=str(field.verbose_name),
                        old=_display(model, name, old, usernames, items) if previous is not None else "—",
                        new=_display(model, name, new, usernames, items),
                    )
                )
        if record.history_type == "-":
            changes = []
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=record.history_user.username if record.history_user else _("系统"),
                action=str(ACTIONS[record.history_type]),
                reason=_reason_text(record.history_change_reason),
                changes=changes,
            )
        )
        previous = record
    entries.reverse()
    return entries


class RecordHistoryView(ScopedViewMixin, TemplateView):
    """History of one record, also after it was deleted (it is found through its history rows)."""

    template_name = "ledger/history.html"
    model = None

    def unit_of(self, record):
        return record.item.unit_id

    def department_year_of(self, record):
        return record.item.department_year_id

    def label_of(self, record):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        records = list(
            self.model.history.filter(id=kwargs["pk"]).select_related("history_user").order_by("history_date", "history_id")
        )
        if not records:
            raise Http404
        latest = records[-1]
        try:
            department_year_id = self.department_year_of(latest)
            unit_id = self.unit_of(latest)
        except Exception:  # the item itself is gone: nothing to show in this department
            raise Http404 from None
        record_in_scope(self.scope, department_year_id=department_year_id, unit_id=unit_id)
        context.update(
            record_label=self.label_of(latest),
            model_name=self.model._meta.verbose_name,
            entries=history_entries(self.model, records),
        )
        return context


class ExpenditureHistoryView(RecordHistoryView):
    model = Expenditure

    def label_of(self, record):
        return f"{record.item.code} {record.date} {record.amount:,.2f} {record.memo}"


class BudgetLineHistoryView(RecordHistoryView):
    model = BudgetLine

    def label_of(self, record):
        return f"{record.item.code} {record.date} {record.get_kind_display()} {record.amount:,.2f}"


class IndicatorHistoryView(RecordHistoryView):
    model = Indicator

    def unit_of(self, record):
        return record.item.unit_id if record.item_id else None

    def department_year_of(self, record):
        return record.department_year_id

    def label_of(self, record):
        return f"{record.code} {record.name}"


class ChangeLogFilter(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("用户"), queryset=get_user_model().objects.none(), required=False)
    start = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@dataclass
class ChangeRow:
    when: datetime
    user: str
    action: str
    kind: str
    label: str
    reason: str
    url: str | None


class ChangeLogView(ScopedViewMixin, TemplateView):
    """Every recorded change in the department-year (an accountant's: their unit's), newest first."""

    template_name = "ledger/changes.html"

    def sources(self):
        department_year = self.department_year
        unit_id = self.scope.unit_id
        expenditures = Expenditure.history.filter(item__department_year=department_year).select_related("item")
        lines = BudgetLine.history.filter(item__department_year=department_year).select_related("item")
        indicators = Indicator.history.filter(department_year=department_year)
        closes = MonthClose.history.filter(department_year=department_year)
        plans = SpendingPlan.history.filter(item__department_year=department_year).select_related("item")
        transfers = BudgetTransfer.history.filter(department_year=department_year).select_related("from_item", "to_item")
        declarations = TargetDeclaration.history.filter(department_year=department_year).select_related("item")
        evidence = Evidence.history.filter(department_year=department_year).select_related("item", "indicator")
        if unit_id is not None:
            declarations = declarations.filter(item__unit_id=unit_id)
            expenditures = expenditures.filter(item__unit_id=unit_id)
            lines = lines.filter(item__unit_id=unit_id)
            indicators = indicators.filter(item__unit_id=unit_id)
            plans = plans.filter(item__unit_id=unit_id)
            transfers = transfers.filter(Q(from_item__unit_id=unit_id) | Q(to_item__unit_id=unit_id))
            evidence = evidence.filter(item__unit_id=unit_id)
        kwargs = {"department_code": department_year.department.code, "year": department_year.year}
        return [
            (
                expenditures,
                Expenditure._meta.verbose_name,
                lambda r: f"{r.item.code} {r.date} {r.amount:,.2f} {r.memo}",
                lambda r: reverse("expenditures:history", kwargs={**kwargs, "pk": r.id}),
            ),
            (
                lines,
                BudgetLine._meta.verbose_name,
                lambda r: f"{r.item.code} {r.date} {r.get_kind_display()} {r.amount:,.2f}",
                lambda r: reverse("budget_lines:history", kwargs={**kwargs, "pk": r.id}),
            ),
            (
                indicators,
                Indicator._meta.verbose_name,
                lambda r: f"{r.code} {r.name}",
                lambda r: reverse("audit:indicator_history", kwargs={**kwargs, "pk": r.id}),
            ),
            (closes, MonthClose._meta.verbose_name, lambda r: _("%(month)s月") % {"month": r.month}, lambda r: None),
            (
                plans,
                SpendingPlan._meta.verbose_name,
                lambda r: f"{r.item.code} " + _("%(month)s月") % {"month": r.month} + f" {r.amount:,.2f}",
                lambda r: reverse("plans:edit", kwargs={**kwargs, "item_code": r.item.code}),
            ),
            (
                transfers,
                BudgetTransfer._meta.verbose_name,
                lambda r: f"{r.from_item.code}→{r.to_item.code} {r.date} {r.amount:,.2f} {r.get_status_display()}",
                lambda r: reverse("transfers:list", kwargs=kwargs),
            ),
            # 绩效目标申报 and 目标调整: each version's page shows its diff against the one before
            (
                declarations,
                TargetDeclaration._meta.verbose_name,
                lambda r: _declaration_label(r),
                lambda r: _declaration_url(r, kwargs),
            ),
            (evidence, Evidence._meta.verbose_name, _evidence_label, lambda r: None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = get_user_model().objects.filter(memberships__department=self.department_year.department_id)
        form = ChangeLogFilter(self.request.GET or None)
        form.fields["user"].queryset = members.order_by("username")
        filters = {}
        if form.is_valid():
            data = form.cleaned_data
            if data["user"]:
                filters["history_user"] = data["user"]
            tz = timezone.get_current_timezone()
            if data["start"]:
                filters["history_date__gte"] = datetime.combine(data["start"], time.min, tzinfo=tz)
            if data["end"]:
                filters["history_date__lte"] = datetime.combine(data["end"], time.max, tzinfo=tz)
        rows = []
        for queryset, kind, label, url in self.sources():
            for record in queryset.filter(**filters).select_related("history_user").order_by("-history_date")[:CHANGE_LOG_LIMIT]:
                rows.append(
                    ChangeRow(
                        when=record.history_date,
                        user=record.history_user.username if record.history_user else _("系统"),
                        action=str(ACTIONS[record.history_type]),
                        kind=str(kind),
                        label=label(record),
                        reason=_reason_text(record.history_change_reason),
                        url=url(record),
                    )
                )
        rows.sort(key=lambda row: row.when, reverse=True)
        context.update(form=form, rows=rows[:CHANGE_LOG_LIMIT], limit=CHANGE_LOG_LIMIT)
        return context


def _declaration_label(record) -> str:
    scope = _("部门整体") if record.item_id is None else (record.item.code if record.item else "")
    return _("%(scope)s 第%(version)s版（%(kind)s）%(state)s") % {
        "scope": scope,
        "version": record.version,
        "kind": record.get_kind_display(),
        "state": record.get_state_display(),
    }


def _declaration_url(record, kwargs) -> str | None:
    if record.item_id is None:
        return reverse("indicators:declaration_version", kwargs={**kwargs, "version": record.version})
    if record.item is None:  # the item is gone
        return None
    kwargs = {**kwargs, "item_code": record.item.code, "version": record.version}
    return reverse("indicators:item_declaration_version", kwargs=kwargs)


def _evidence_label(record) -> str:
    """A 佐证材料 in the change log: its file name and what it is attached to (the indicator, else
    the item's evaluation, else the department's)."""
    if record.indicator_id and record.indicator:
        target = record.indicator.code
    elif record.item_id and record.item:
        target = record.item.code
    else:
        target = _("部门整体")
    return _("%(file)s（%(target)s）") % {"file": record.original_name, "target": target}


def _reason_text(reason: str | None) -> str:
    """A change reason in the reader's language: the system's own reasons (the workbook import's) are
    stored as their Chinese msgid and translated here; a reason a user typed is shown as typed."""
    return _(reason) if reason else ""
