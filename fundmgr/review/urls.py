from django.urls import path

from fundmgr.review import views

review_patterns = (
    [
        path("", views.ReviewUploadView.as_view(), name="upload"),
        path("<str:token>/", views.ReviewBatchView.as_view(), name="batch"),
        path("<str:token>/export/", views.ReviewExportView.as_view(), name="export"),
        path("<str:token>/<int:number>/", views.ReviewTableView.as_view(), name="table"),
    ],
    "review",
)
