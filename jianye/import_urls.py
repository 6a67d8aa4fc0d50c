from django.urls import path

from imports import views as job_views

from . import import_views

app_name = "imports"

urlpatterns = [
    path("<slug:register>/template.xlsx", import_views.template, name="template"),
    # An admin upload: its progress page (then its result) and the JSON the page polls.
    path("jobs/<uuid:token>/", job_views.job_page, name="job"),
    path("jobs/<uuid:token>/progress.json", job_views.job_progress, name="job-progress"),
]
