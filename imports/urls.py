from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("<slug:register>/template.xlsx", views.template, name="template"),
    # An admin upload: its progress page (then its result) and the JSON the page polls.
    path("jobs/<uuid:token>/", views.job_page, name="job"),
    path("jobs/<uuid:token>/progress.json", views.job_progress, name="job-progress"),
]
