from django.urls import path

from units import views

app_name = "units"
urlpatterns = [
    path("", views.UnitDetailView.as_view(), name="detail"),
    path("expenditures.xlsx", views.UnitExpendituresExportView.as_view(), name="expenditures_export"),
]
