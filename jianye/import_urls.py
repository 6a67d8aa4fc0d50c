from django.urls import path

from . import import_views

app_name = "imports"

urlpatterns = [
    path("<slug:register>/template.xlsx", import_views.template, name="template"),
]
