from django.urls import path

from fundmgr.lib import converters  # noqa: F401  (registers the "code" path converter)
from fundmgr.review import load_views, views

review_patterns = (
    [
        path("", views.ReviewUploadView.as_view(), name="upload"),
        path("<str:token>/", views.ReviewBatchView.as_view(), name="batch"),
        path("<str:token>/export/", views.ReviewExportView.as_view(), name="export"),
        path("<str:token>/<int:number>/", views.ReviewTableView.as_view(), name="table"),
    ],
    "review",
)

# Under a department-year's address (fundmgr.urls): the finance office loads a filled 自评表 into
# an item's evaluation or the department's, next to indicators:item_evaluation and indicators:evaluation.
evaluation_upload_patterns = (
    [
        path("evaluation/upload/", load_views.DepartmentEvaluationLoadView.as_view(), name="department"),
        path("items/<code:item_code>/evaluation/upload/", load_views.ItemEvaluationLoadView.as_view(), name="item"),
    ],
    "evaluation_upload",
)
