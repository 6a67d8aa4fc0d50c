"""Round trip: export every register, empty the database, import the files back: same data.

Every register is exported as a district administrator (administrators see ID-card numbers
whole; a clerk's export masks them, and a masked number cannot create a person) with the
streamed writer of :mod:`imports.exports`, the database is emptied, and the files are imported
back in dependency order through :func:`imports.services.import_file` — the one import path of
the browser and ``importxlsx`` — by a district administrator created after the emptying.
Then every model's rows, foreign keys replaced by natural keys and surrogate ids left out,
must be exactly what they were.

What cannot come back, and why (these are not in any register's columns):

- the district, the planning standards, the validation rules and quarter deadlines of
  returns: reference data without a register; they are put back as they were before the
  import (the district is needed to import streets);
- user accounts: not a register; the importing administrator is created afresh;
- budget scenarios: no register exports them (what-if data kept in the application);
- a return's workflow (status, version, submission and approval times, approved figures,
  the reason it was returned, last editor, its event log): an import creates or updates
  *draft* figures only — it can never submit or approve, by design (a submitted or approved
  return cannot be overwritten by an import). The figures, note and comment come back.
"""

import datetime
import decimal

import pytest
from django.apps import apps

from accounts.roles import Role
from imports.exports import export_register
from imports.services import import_file
from tests.conftest import make_user

# Dependency order: every file only names rows of the files before it.
ORDER = [
    "streets",
    "committees",
    "titles",
    "centres",
    "positions",
    "pay-standards",
    "people",
    "postings",
    "pay-components",
    "training",
    "attendance",
    "exam-results",
    "qualifications",
    "function-standard",
    "premises",
    "compliance",
    "area-standards",
    "office-fund-rates",
    "cost-shares",
    "party-allocations",
    "returns",
]

NOT_REGISTERS = {"District", "PlanningStandard", "ValidationRule", "QuarterDeadline"}
NOT_COMPARED = {"Scenario", "ScenarioPayChange", "ScenarioRateChange",
                "ScenarioCostShareChange", "ReturnEvent"}
# A return's workflow is not part of its register (see the module's docstring).
IGNORED_FIELDS = {
    "QuarterlyReturn": {"status", "version", "reason", "first_submitted_at", "submitted_at",
                        "approved_at", "approved_figures", "updated_at", "updated_by"},
}
NATURAL_KEYS = {
    "District": ("code",),
    "Street": ("code",),
    "Committee": ("code",),
    "Position": ("code",),
    "Person": ("id_number",),
    "TrainingClass": ("title", "date"),
    "FunctionStandardItem": ("code",),
    "User": ("username",),
}
APPS = ("communities", "staffing", "facilities", "budgets", "returns")


def domain_models():
    for label in APPS:
        yield from apps.get_app_config(label).get_models()


def normal(value):
    if isinstance(value, decimal.Decimal):
        return value.normalize() if value == value.to_integral() else value.quantize(
            decimal.Decimal("0.01")
        )
    return value


def snapshot() -> dict[str, list[tuple]]:
    """Every compared model's rows as sorted tuples: natural keys for foreign keys, no ids."""
    keys: dict[tuple, tuple] = {}
    for name, key_fields in NATURAL_KEYS.items():
        model = next((m for m in domain_models() if m.__name__ == name), None)
        if model is None:
            continue
        for row in model._base_manager.values("pk", *key_fields):
            keys[(name, row["pk"])] = tuple(row[f] for f in key_fields)
    result = {}
    for model in domain_models():
        name = model.__name__
        if name in NOT_COMPARED:
            continue
        ignored = IGNORED_FIELDS.get(name, set())
        columns = [f for f in model._meta.concrete_fields
                   if not f.primary_key and f.name not in ignored]
        rows = []
        for row in model._base_manager.values(*[f.attname for f in columns]):
            values = []
            for field in columns:
                value = row[field.attname]
                if field.is_relation and value is not None:
                    value = keys[(field.related_model.__name__, value)]
                values.append((field.name, normal(value)))
            rows.append(tuple(values))
        result[name] = sorted(rows, key=repr)
    return result


@pytest.mark.django_db
def test_every_register_round_trips(users, tmp_path, request):
    admin = users["admin"]
    before = snapshot()
    assert all(before[name] for name in ("Street", "Committee", "Person", "Posting")), {
        name: len(rows) for name, rows in before.items()
    }
    files = {}
    for register in ORDER:
        files[register] = tmp_path / f"{register}.xlsx"
        export_register(register, files[register], user=admin)
    reference = {
        model: list(model._base_manager.values())
        for model in domain_models()
        if model.__name__ in NOT_REGISTERS
    }

    request.getfixturevalue("empty_registers")
    assert not any(m._base_manager.exists() for m in domain_models())
    for model, rows in reference.items():  # reference data without a register
        model._base_manager.bulk_create([model(**row) for row in rows])
    importer = make_user(Role.ADMIN, username="round-trip-admin")

    for register in ORDER:
        outcome = import_file(register=register, path=files[register], user=importer)
        assert not outcome.errors, (register, [str(e) for e in outcome.errors[:10]])
        assert outcome.written, register
        assert outcome.updated == 0, register

    after = snapshot()
    for name, rows in before.items():
        assert after[name] == rows, name

    # The same files once more: nothing new, nothing changed.
    for register in ORDER:
        outcome = import_file(register=register, path=files[register], user=importer)
        assert not outcome.errors, (register, [str(e) for e in outcome.errors[:10]])
        assert (outcome.new, outcome.updated) == (0, 0), register
    assert snapshot() == after


@pytest.mark.django_db
def test_round_trip_covers_every_register():
    from imports.registry import REGISTERS

    assert sorted(ORDER) == sorted(REGISTERS)


def test_dates_and_decimals_compare_by_value():
    assert normal(decimal.Decimal("850.00")) == normal(decimal.Decimal("850"))
    assert normal(datetime.date(2006, 7, 1)) == datetime.date(2006, 7, 1)
