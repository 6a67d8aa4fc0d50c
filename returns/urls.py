from django.urls import path

from . import views

app_name = "returns"

urlpatterns = [
    path("", views.return_index, name="return-index"),
    path("<int:year>/<int:quarter>/", views.return_grid, name="return-grid"),
    path("<int:year>/<int:quarter>/review/", views.return_review, name="return-review"),
    path("<int:year>/<int:quarter>/completeness/", views.completeness_page, name="completeness"),
    path(
        "<int:year>/<int:quarter>/completeness/remind/",
        views.completeness_remind,
        name="completeness-remind",
    ),
    path("<int:year>/<int:quarter>/workbook/", views.grid_workbook, name="return-workbook"),
    path("<int:year>/<int:quarter>/import/", views.grid_import, name="return-import"),
    path("history/<int:pk>/", views.return_history, name="return-history"),
]
