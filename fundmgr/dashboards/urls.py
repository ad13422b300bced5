"""The unit and item dashboards, under their apps' URL namespaces (units:detail, projects:detail),
and the 序时进度预警 page of a department-year (alerts:index)."""

from django.urls import path

from fundmgr.dashboards import views

unit_patterns = (
    [
        path("", views.UnitDetailView.as_view(), name="detail"),
        path("expenditures.xlsx", views.UnitExpendituresExportView.as_view(), name="expenditures_export"),
    ],
    "units",
)

item_patterns = ([path("", views.ItemDetailView.as_view(), name="detail")], "projects")

alert_patterns = ([path("", views.AlertsView.as_view(), name="index")], "alerts")
