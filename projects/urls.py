"""The ledger's pages: expenditures and approvals, budget lines, month closing.

Each list is included by fundmgr/urls.py under its namespace; the site adds the history pages
(fundmgr.history) to the expenditure and budget-line namespaces.
"""

from django.urls import path

from projects.views import approvals, closing, entry

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
