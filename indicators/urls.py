from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("evaluation/", views.DepartmentEvaluationView.as_view(), name="evaluation"),
    path("evaluation/indicators/<str:indicator_code>/", views.IndicatorResultsView.as_view(), name="results"),
    path("items/<str:item_code>/evaluation/", views.ItemEvaluationView.as_view(), name="item_evaluation"),
    path("monitoring/", views.MonitoringView.as_view(), name="monitoring"),
]
