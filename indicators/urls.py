from django.urls import path

from fundmgr.lib import converters  # noqa: F401  (registers the "code" path converter)
from indicators import declaration_views, views

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
    path("declaration/", declaration_views.DeclarationView.as_view(), name="declaration"),
    path("declaration/v<int:version>/", declaration_views.DeclarationVersionView.as_view(), name="declaration_version"),
    path("declaration/export/", declaration_views.DeclarationExportView.as_view(), name="declaration_export"),
    path("items/<code:item_code>/declaration/", declaration_views.DeclarationView.as_view(), name="item_declaration"),
    path(
        "items/<code:item_code>/declaration/v<int:version>/",
        declaration_views.DeclarationVersionView.as_view(),
        name="item_declaration_version",
    ),
    path(
        "items/<code:item_code>/declaration/export/",
        declaration_views.DeclarationExportView.as_view(),
        name="item_declaration_export",
    ),
    # -- monitoring --
    path("monitoring/month/", views.MonitoringMonthView.as_view(), name="monitoring_month"),
    path("monitoring/indicators/<code:indicator_code>/", views.IndicatorMonitoringView.as_view(), name="monitoring_indicator"),
    path("monitoring/items/<code:item_code>/", views.ItemMonitoringView.as_view(), name="monitoring_item"),
    # -- evidence --
    path("evaluation/evidence/", views.EvidenceUploadView.as_view(), name="evidence_upload"),
    path("items/<code:item_code>/evaluation/evidence/", views.EvidenceUploadView.as_view(), name="item_evidence_upload"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.EvidenceDeleteView.as_view(), name="evidence_delete"),
    # -- formulas --
    path("evaluation/formulas/", views.FormulaIndicatorsView.as_view(), name="formulas"),
]
