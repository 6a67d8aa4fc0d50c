from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    path("", views.budget_overview, name="budget-overview"),
    path("committees/<int:pk>/", views.committee_budget, name="committee-budget"),
    path("approve/", views.budget_approval, name="budget-approval"),
    path("scenarios/", views.scenario_list, name="scenario-list"),
    path("scenarios/<int:pk>/", views.scenario_compare, name="scenario-compare"),
]
