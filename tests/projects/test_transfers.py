"""预算调剂 (DOMAIN.md section 8): projects.services.transfer_* and what a transfer does to the
figures of projects.selectors.budget_summary and to availability control."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from projects import availability, services
from projects.models import BudgetLine, BudgetTransfer, EconomicClass, Expenditure, MonthClose
from projects.selectors import budget_summary
from tests.builders import BudgetItemFactory, BudgetLineFactory, UserFactory
from tests.personas import ensure_economic_classes
from tests.projects.budget_year import small_department

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return small_department()


@pytest.fixture
def officer():
    return UserFactory(username="transfer_officer")


def transfer(department, from_code, to_code, amount, on=date(2024, 4, 1), source=BudgetLine.Source.LOCAL, user=None):
    return services.transfer_create(
        department_year=department.department_year,
        from_item=department[from_code],
        to_item=department[to_code],
        source=source,
        amount=Decimal(amount),
        date=on,
        document="财调〔2024〕1号",
        created_by=user,
    )


def spend(item, amount, on):
    return services.expenditure_create(
        item=item, date=on, amount=Decimal(amount), economic_class=EconomicClass.objects.get(code="30201")
    )


def figures(department):
    summary = budget_summary(department_year=department.department_year)
    return summary, {row.code: row.figures for row in summary.by_item}, {unit.code: unit.figures for unit in summary.by_unit}


def test_a_transfer_across_units_keeps_the_department_total_and_moves_both_units_totals(department, officer):
    saved = transfer(department, "A1", "B1", "300.00", user=officer)
    assert saved.status == BudgetTransfer.Status.APPROVED
    summary, items, units = figures(department)
    assert summary.totals.full_year == Decimal("5100.00")
    assert (summary.totals.transfer_in, summary.totals.transfer_out) == (Decimal("300.00"), Decimal("300.00"))
    assert (units["A"].full_year, units["A"].transfer_out, units["A"].transfer_in) == (
        Decimal("1500.00"),
        Decimal("300.00"),
        Decimal("0.00"),
    )
    assert (units["B"].full_year, units["B"].transfer_in, units["B"].transfer_out) == (
        Decimal("3600.00"),
        Decimal("300.00"),
        Decimal("0.00"),
    )
    assert (items["A1"].full_year, items["B1"].full_year) == (Decimal("900.00"), Decimal("2700.00"))
    assert summary.by_source[BudgetLine.Source.LOCAL] == Decimal("2700.00")  # both sides are 本级财政
    lines = BudgetLine.objects.filter(transfer=saved).order_by("kind")
    assert [(line.item.code, line.kind, line.amount, line.date, line.document) for line in lines] == [
        ("B1", "transfer_in", Decimal("300.00"), date(2024, 4, 1), "财调〔2024〕1号"),
        ("A1", "transfer_out", Decimal("300.00"), date(2024, 4, 1), "财调〔2024〕1号"),
    ]


def test_a_transfer_inside_one_unit_shows_on_both_sides_of_it(department):
    transfer(department, "A1", "A2", "250.50")
    _summary, items, units = figures(department)
    assert (units["A"].full_year, units["A"].transfer_in, units["A"].transfer_out) == (
        Decimal("1800.00"),
        Decimal("250.50"),
        Decimal("250.50"),
    )
    assert (items["A1"].full_year, items["A2"].full_year) == (Decimal("949.50"), Decimal("850.50"))


def test_a_transfer_to_the_same_item_is_refused(department):
    with pytest.raises(ValidationError) as refused:
        transfer(department, "A1", "A1", "10.00")
    assert refused.value.messages == ["调出项目与调入项目不能相同"]
    assert not BudgetTransfer.objects.exists()


def test_an_item_of_another_department_year_is_refused(department):
    stranger = small_department(code="ZZ")
    with pytest.raises(ValidationError) as refused:
        services.transfer_create(
            department_year=department.department_year,
            from_item=department["A1"],
            to_item=stranger["A1"],
            source=BudgetLine.Source.LOCAL,
            amount=Decimal("10.00"),
            date=date(2024, 4, 1),
        )
    assert refused.value.messages == ["调入项目A1不属于该部门年度"]
    assert not BudgetTransfer.objects.exists() and not BudgetLine.objects.filter(transfer__isnull=False).exists()


@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_an_amount_not_above_zero_is_refused(department, amount):
    with pytest.raises(ValidationError) as refused:
        transfer(department, "A1", "B1", amount)
    assert refused.value.messages == ["金额须大于0"]
    assert not BudgetTransfer.objects.exists()


def test_a_transfer_that_would_overspend_its_source_on_its_date_is_refused_though_a_later_addition_covers_it(department):
    # A1: 1,200.00 on 1 January, 300.00 spent on 15 March, 1,000.00 added on 1 October.
    BudgetLineFactory(item=department["A1"], kind=BudgetLine.Kind.ADDITION, amount=Decimal("1000.00"), date=date(2024, 10, 1))
    with pytest.raises(availability.AvailabilityError) as refused:
        transfer(department, "A1", "B1", "1000.00", on=date(2024, 4, 1))
    assert refused.value.messages == ["项目“A1项目”可用指标 900.00 元，本次调出 1,000.00 元，超出 100.00 元"]
    assert not BudgetTransfer.objects.exists() and not BudgetLine.objects.filter(transfer__isnull=False).exists()
    transfer(department, "A1", "B1", "1000.00", on=date(2024, 10, 1))
    assert figures(department)[1]["A1"].full_year == Decimal("1200.00")


def test_a_transfer_may_not_take_money_that_later_spending_already_holds(department):
    # B1: 2,400.00, 1,000.00 spent on 20 May: on 1 April only 1,400.00 can leave.
    with pytest.raises(availability.AvailabilityError, match="可用指标 1,400.00 元，本次调出 1,400.01 元，超出 0.01 元"):
        transfer(department, "B1", "A1", "1400.01")
    transfer(department, "B1", "A1", "1400.00")


def test_money_transferred_in_is_available_to_the_receiving_item_from_the_transfers_date(department):
    # A2: 600.00, 100.00 spent: 500.00 available; 500.00 more arrives on 1 July.
    transfer(department, "A1", "A2", "500.00", on=date(2024, 7, 1))
    with pytest.raises(availability.AvailabilityError, match="可用指标 500.00 元，本次支出 900.00 元，超出 400.00 元"):
        spend(department["A2"], "900.00", date(2024, 6, 30))
    spend(department["A2"], "900.00", date(2024, 7, 1))
    assert availability.available_amount(item=department["A2"], on=date(2024, 7, 1)) == Decimal("100.00")


def test_a_transfer_in_a_closed_month_is_refused(department, officer):
    MonthClose.objects.create(department_year=department.department_year, month=4, closed_by=officer)
    with pytest.raises(ValidationError, match="2024年4月已结账"):
        transfer(department, "A1", "B1", "10.00", on=date(2024, 4, 30))
    assert not BudgetTransfer.objects.exists()


def test_a_major_transfer_waits_for_approval_and_counts_nowhere_until_then(department, officer, settings):
    settings.APPROVAL_THRESHOLD = Decimal("500.00")
    pending = transfer(department, "A1", "B1", "500.00")
    assert pending.status == BudgetTransfer.Status.PENDING
    assert not BudgetLine.objects.filter(transfer=pending).exists()
    summary, items, _units = figures(department)
    assert (items["A1"].full_year, items["B1"].full_year, summary.totals.transfer_in) == (
        Decimal("1200.00"),
        Decimal("2400.00"),
        Decimal("0.00"),
    )
    with pytest.raises(ValidationError) as refused:
        services.transfer_approve(transfer=pending, decided_by=officer, meeting_date=None, minutes_number=" ")
    assert sorted(refused.value.message_dict) == ["meeting_date", "minutes_number"]
    approved = services.transfer_approve(
        transfer=pending, decided_by=officer, meeting_date=date(2024, 4, 2), minutes_number="党组〔2024〕3号"
    )
    assert (approved.status, approved.decided_by, approved.minutes_number) == (
        BudgetTransfer.Status.APPROVED,
        officer,
        "党组〔2024〕3号",
    )
    _summary, items, _units = figures(department)
    assert (items["A1"].full_year, items["B1"].full_year) == (Decimal("700.00"), Decimal("2900.00"))
    with pytest.raises(ValidationError, match="只有待审批的预算调剂可以审批"):
        services.transfer_approve(transfer=pending, decided_by=officer, meeting_date=date(2024, 4, 2), minutes_number="x")


def test_an_approval_rechecks_the_source_and_refuses_when_it_was_spent_meanwhile(department, officer, settings):
    settings.APPROVAL_THRESHOLD = Decimal("500.00")
    pending = transfer(department, "A1", "B1", "800.00")  # A1 has 900.00 available
    spend(department["A1"], "200.00", date(2024, 4, 20))
    with pytest.raises(availability.AvailabilityError, match="可用指标 700.00 元，本次调出 800.00 元，超出 100.00 元"):
        services.transfer_approve(transfer=pending, decided_by=officer, meeting_date=date(2024, 4, 25), minutes_number="3")
    pending.refresh_from_db()
    assert pending.status == BudgetTransfer.Status.PENDING
    assert not BudgetLine.objects.filter(transfer=pending).exists()


def test_a_rejected_transfer_never_takes_effect(department, officer, settings):
    settings.APPROVAL_THRESHOLD = Decimal("500.00")
    pending = transfer(department, "A1", "B1", "500.00")
    with pytest.raises(ValidationError, match="请填写驳回理由"):
        services.transfer_reject(transfer=pending, decided_by=officer, reason="  ")
    rejected = services.transfer_reject(transfer=pending, decided_by=officer, reason="不符合调剂规定")
    assert (rejected.status, rejected.rejection_reason) == (BudgetTransfer.Status.REJECTED, "不符合调剂规定")
    assert not BudgetLine.objects.filter(transfer=pending).exists()
    with pytest.raises(ValidationError, match="只有待审批的预算调剂可以审批"):
        services.transfer_approve(transfer=pending, decided_by=officer, meeting_date=date(2024, 4, 2), minutes_number="3")


def test_deleting_a_transfer_deletes_both_its_lines(department):
    saved = transfer(department, "A1", "B1", "300.00")
    services.transfer_delete(transfer=saved)
    assert not BudgetTransfer.objects.exists() and not BudgetLine.objects.filter(kind__startswith="transfer").exists()
    summary, items, _units = figures(department)
    assert (items["A1"].full_year, items["B1"].full_year, summary.totals.transfer_out) == (
        Decimal("1200.00"),
        Decimal("2400.00"),
        Decimal("0.00"),
    )


def test_deleting_a_transfer_whose_money_was_spent_is_refused(department):
    saved = transfer(department, "A1", "A2", "500.00", on=date(2024, 7, 1))
    spend(department["A2"], "900.00", date(2024, 7, 2))
    with pytest.raises(availability.AvailabilityError) as refused:
        services.transfer_delete(transfer=saved)
    assert refused.value.messages == ["项目“A2项目”删除该调剂后将超支 400.00 元"]
    assert BudgetLine.objects.filter(transfer=saved).count() == 2


def test_a_transfers_lines_are_not_written_one_at_a_time(department):
    saved = transfer(department, "A1", "B1", "300.00")
    out_line = BudgetLine.objects.get(transfer=saved, kind=BudgetLine.Kind.TRANSFER_OUT)
    with pytest.raises(ValidationError, match="请通过预算调剂录入"):
        services.budget_line_create(
            item=department["A1"], source="local", kind=BudgetLine.Kind.TRANSFER_IN, amount=Decimal("1.00"), date=date(2024, 5, 1)
        )
    with pytest.raises(ValidationError, match="请修改或删除该预算调剂"):
        services.budget_line_delete(line=out_line)
    with pytest.raises(ValidationError, match="请修改或删除该预算调剂"):
        services.budget_line_update(line=out_line, source="local", kind="addition", amount=Decimal("1.00"), date=date(2024, 5, 1))
    assert BudgetLine.objects.filter(transfer=saved).count() == 2


def test_an_item_with_a_transfer_cannot_be_deleted_alone(department):
    newcomer = BudgetItemFactory(department_year=department.department_year, unit=department["A1"].unit, code="A3", name="新项目")
    department.items["A3"] = newcomer
    transfer(department, "A1", "A3", "100.00")
    with pytest.raises(ValidationError) as refused:
        services.budget_item_delete(item=newcomer)
    assert refused.value.messages == ["项目“新项目”有预算调剂，不能删除"]
    assert figures(department)[1]["A3"].full_year == Decimal("100.00")


def test_the_database_holds_the_transfers_invariants(department):
    dy, a1, b1 = department.department_year, department["A1"], department["B1"]
    common = {"department_year": dy, "source": "local", "date": date(2024, 4, 1)}
    for bad in (
        {"from_item": a1, "to_item": a1, "amount": Decimal("1.00")},
        {"from_item": a1, "to_item": b1, "amount": Decimal("0.00")},
    ):
        with pytest.raises(ValidationError):
            BudgetTransfer(**common, **bad).full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            BudgetTransfer.objects.create(**common, **bad)
    saved = BudgetTransfer.objects.create(**common, from_item=a1, to_item=b1, amount=Decimal("1.00"))
    line = {"item": a1, "source": "local", "amount": Decimal("1.00"), "date": date(2024, 4, 1)}
    for bad in ({"kind": "transfer_out"}, {"kind": "addition", "transfer": saved}):
        with pytest.raises(ValidationError):
            BudgetLine(**line, **bad).full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            BudgetLine.objects.create(**line, **bad)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises whole-database writes and has no row locks to test")


THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transfers_and_spending_on_one_item_never_overspend_it_nor_deadlock(postgres_only):
    ensure_economic_classes()
    department = small_department()
    # A1 has 900.00 available; every writer tries to take 200.00 of it: a transfer out to B1 or
    # A2, or spending. B1 meanwhile sends money back to A1, locking the same two items the other
    # way round. At most four of the A1 takers fit in 900.00 plus what arrives in time.
    barrier = threading.Barrier(THREADS)
    outcomes: list = [None] * THREADS

    def writer(number):
        try:
            barrier.wait(timeout=30)
            if number % 4 == 0:
                spend(department["A1"], "200.00", date(2024, 4, 1))
            elif number % 4 == 1:
                transfer(department, "A1", "B1", "200.00")
            elif number % 4 == 2:
                transfer(department, "A1", "A2", "200.00")
            else:
                transfer(department, "B1", "A1", "50.00")
            outcomes[number] = "saved"
        except ValidationError:
            outcomes[number] = "refused"
        except BaseException as error:  # noqa: BLE001
            outcomes[number] = f"crashed: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(outcome in ("saved", "refused") for outcome in outcomes), outcomes
    for item in department.items.values():
        # Replaying each item's ledger in date order refuses nothing: no point is overspent.
        assert availability.replay(availability.item_movements(item)) == [], item.code
    a1 = department["A1"]
    taken = sum(
        (line.amount for line in BudgetLine.objects.filter(item=a1, kind=BudgetLine.Kind.TRANSFER_OUT)), Decimal("0.00")
    ) + sum((row.amount for row in Expenditure.objects.filter(item=a1)), Decimal("0.00"))
    brought = sum((line.amount for line in BudgetLine.objects.filter(item=a1, kind=BudgetLine.Kind.TRANSFER_IN)), Decimal("0.00"))
    assert taken <= Decimal("1200.00") + brought
    saved_takers = sum(1 for number, outcome in enumerate(outcomes) if outcome == "saved" and number % 4 != 3)
    assert taken == Decimal("300.00") + Decimal("200.00") * saved_takers
