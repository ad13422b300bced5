"""The ledger's pages: expenditures and approvals, budget lines, month closing, spending plans,
transfers and closing the year.

Each list is included by fundmgr/urls.py under its namespace; the site adds the history pages
(fundmgr.history) to the expenditure and budget-line namespaces.
"""

from django.urls import path

from fundmgr.lib import converters  # noqa: F401  (registers the "code" path converter)
from projects.views import approvals, closing, entry, plans, transfers, yearend

expenditure_patterns = [
    path("expenditures/", entry.ExpenditureListView.as_view(), name="list"),
    path("expenditures/mine/", approvals.MyEntriesView.as_view(), name="mine"),
    path("expenditures/new/", entry.ExpenditureCreateView.as_view(), name="new"),
    path("expenditures/<int:pk>/edit/", entry.ExpenditureUpdateView.as_view(), name="edit"),
    path("expenditures/<int:pk>/delete/", entry.ExpenditureDeleteView.as_view(), name="delete"),
    path("available/", entry.AvailableView.as_view(), name="available"),
    path("economic-classes/", entry.EconomicSubclassOptionsView.as_view(), name="economic_classes"),
    path("approvals/", approvals.ApprovalQueueView.as_view(), name="approvals"),
    path("approvals/approve/", approvals.BatchApproveView.as_view(), name="approve_batch"),
    path("approvals/<int:pk>/approve/", approvals.ApproveView.as_view(), name="approve"),
    path("approvals/<int:pk>/reject/", approvals.RejectView.as_view(), name="reject"),
]

budget_line_patterns = [
    path("", entry.BudgetLineListView.as_view(), name="list"),
    path("new/", entry.BudgetLineCreateView.as_view(), name="new"),
]

closing_patterns = (
    [
        path("", closing.MonthListView.as_view(), name="months"),
        path("<int:month>/close/", closing.MonthCloseView.as_view(), name="close"),
        path("<int:month>/close-through/", closing.MonthCloseThroughView.as_view(), name="close_through"),
        path("<int:month>/reopen/", closing.MonthReopenView.as_view(), name="reopen"),
    ],
    "closing",
)

# 用款计划 of one item (DOMAIN.md section 8)
plan_patterns = ([path("items/<code:item_code>/plan/", plans.PlanView.as_view(), name="edit")], "plans")

# 预算调剂 (DOMAIN.md section 8)
transfer_patterns = (
    [
        path("", transfers.TransferListView.as_view(), name="list"),
        path("new/", transfers.TransferCreateView.as_view(), name="new"),
        path("<int:pk>/delete/", transfers.TransferDeleteView.as_view(), name="delete"),
        path("<int:pk>/approve/", transfers.TransferApproveView.as_view(), name="approve"),
        path("<int:pk>/reject/", transfers.TransferRejectView.as_view(), name="reject"),
    ],
    "transfers",
)

# 年终结转 (DOMAIN.md section 8)
year_close_patterns = ([path("", yearend.YearCloseView.as_view(), name="close")], "yearend")
