from django.urls import path

from fundmgr import upload

app_name = "upload"
urlpatterns = [
    path("", upload.UploadView.as_view(), name="workbook"),
]
