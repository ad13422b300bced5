from django.urls import path

from fundmgr import audit
from projects import entry_views

app_name = "budget_lines"
urlpatterns = [
    path("", entry_views.BudgetLineListView.as_view(), name="list"),
    path("new/", entry_views.BudgetLineCreateView.as_view(), name="new"),
    path("<int:pk>/history/", audit.BudgetLineHistoryView.as_view(), name="history"),
]
