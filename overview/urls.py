from django.urls import path

from . import views

app_name = "overview"

# Included by jianye/urls.py at the root, before reports/ (whose <identifier>/ would take
# basic-situation/ for a report). The dashboard keeps its project-wide name "home" there.
urlpatterns = [
    path("reports/basic-situation/", views.basic_situation_view, name="basic-situation"),
    path("reports/yearly-report/", views.yearly_report_view, name="yearly-report"),
]
