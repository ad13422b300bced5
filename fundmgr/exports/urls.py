from django.urls import path

from fundmgr.exports import views

app_name = "exports"
urlpatterns = [
    path("exports/", views.index, name="index"),
    path("exports/<str:what>/", views.download, name="download"),
    path("narrative/", views.narrative, name="narrative"),
]
