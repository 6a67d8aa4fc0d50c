"""What a quarterly return reports (its six figures) and how hard a rule on them bites: the
names both the models and the rule evaluator (rules.py) are written in."""

from django.db import models
from django.utils.translation import gettext_lazy as _

FIGURES = (
    "households",
    "registered_population",
    "resident_population",
    "volunteers",
    "activities",
    "one_stop_cases",
)


class Severity(models.TextChoices):
    ERROR = "error", _("Error (blocks)")
    WARNING = "warning", _("Warning (needs a comment)")
