from django.urls import path

from fundmgr import audit

app_name = "audit"
urlpatterns = [
    path("changes/", audit.ChangeLogView.as_view(), name="changes"),
    path("indicators/<int:pk>/history/", audit.IndicatorHistoryView.as_view(), name="indicator_history"),
]
