from django.urls import path

from fundmgr.lib import converters  # noqa: F401  (registers the "code" path converter)
from indicators import views

app_name = "indicators"
urlpatterns = [
    path("evaluation/", views.DepartmentEvaluationView.as_view(), name="evaluation"),
    path("evaluation/goal/", views.AnnualGoalView.as_view(), name="goal"),
    path("evaluation/indicators/<code:indicator_code>/", views.IndicatorResultsView.as_view(), name="results"),
    path("items/<code:item_code>/evaluation/", views.ItemEvaluationView.as_view(), name="item_evaluation"),
    path("monitoring/", views.MonitoringView.as_view(), name="monitoring"),
    path("scoring/", views.ScoringProfileView.as_view(), name="scoring"),
    path("phrases/", views.QualitativePhraseView.as_view(), name="phrases"),
    # -- declaration --

    # -- monitoring --

    # -- evidence --

    # -- formulas --
    path("evaluation/formulas/", views.FormulaIndicatorsView.as_view(), name="formulas"),

]
