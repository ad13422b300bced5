from django.urls import path

from fundmgr import audit
from projects import entry_views

app_name = "expenditures"
urlpatterns = [
    path("expenditures/", entry_views.ExpenditureListView.as_view(), name="list"),
    path("expenditures/new/", entry_views.ExpenditureCreateView.as_view(), name="new"),
    path("expenditures/<int:pk>/edit/", entry_views.ExpenditureUpdateView.as_view(), name="edit"),
    path("expenditures/<int:pk>/delete/", entry_views.ExpenditureDeleteView.as_view(), name="delete"),
    path("expenditures/<int:pk>/history/", audit.ExpenditureHistoryView.as_view(), name="history"),
    path("available/", entry_views.AvailableView.as_view(), name="available"),
    path("approvals/", entry_views.ApprovalQueueView.as_view(), name="approvals"),
    path("approvals/<int:pk>/approve/", entry_views.ApproveView.as_view(), name="approve"),
    path("approvals/<int:pk>/reject/", entry_views.RejectView.as_view(), name="reject"),
]
