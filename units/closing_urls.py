from django.urls import path

from units import closing_views

app_name = "closing"
urlpatterns = [
    path("", closing_views.MonthListView.as_view(), name="months"),
    path("<int:month>/close/", closing_views.MonthCloseView.as_view(), name="close"),
    path("<int:month>/reopen/", closing_views.MonthReopenView.as_view(), name="reopen"),
]
