"""Figures the database cannot hold, or that cannot be counts, typed in the quarterly grid:
an error on the cell naming the limit, every typed figure shown again, the row not saved
(issue 13; a 20-digit number used to reach the database and give a server error), the
other rows saved (issue 15)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from returns.models import FIGURE_MAX, FIGURES, QuarterlyReturn

from .conftest import grid_data, prefixes

pytestmark = pytest.mark.django_db

YEAR, QUARTER = 2007, 1


def grid_url(street):
    return reverse("returns:return-grid", args=[YEAR, QUARTER]) + f"?street={street.pk}"


def typed_grid(client, street, bad_value, bad_field="households"):
    """The grid with figures typed in two rows, one cell holding ``bad_value``."""
    page = client.get(grid_url(street))
    data = grid_data(page)
    rows = list(prefixes(page).values())
    typed = {}
    for number, prefix in enumerate(rows[:2]):
        for offset, name in enumerate(FIGURES):
            typed[f"{prefix}-{name}"] = str(4321 + 10 * number + offset)
    typed[f"{rows[0]}-{bad_field}"] = bad_value
    data.update(typed)
    return data, typed, rows


@pytest.mark.parametrize("field", FIGURES)
@pytest.mark.parametrize(
    "value, words",
    [
        ("99999999999999999999", ["2147483647", "上限"]),
        (str(FIGURE_MAX + 1), ["2147483647"]),
        ("-5", ["负数"]),
    ],
)
def test_a_figure_out_of_bounds_is_a_cell_error_and_the_figures_stay(
    clients, demo, field, value, words
):
    street = demo["streets"]["南湖"]
    data, typed, rows = typed_grid(clients["nanhu"], street, value, field)
    page = clients["nanhu"].get(grid_url(street))
    bad, good = (
        next(line["row"].committee for line in page.context["lines"] if line["form"].prefix == p)
        for p in rows[:2]
    )
    before = QuarterlyReturn.objects.filter(committee=bad, year=YEAR, quarter=QUARTER).first()
    response = clients["nanhu"].post(grid_url(street), data)
    assert response.status_code == 400
    form = next(f for f in response.context["formset"].forms if f.prefix == rows[0])
    errors = " ".join(form.errors[field])
    assert all(word in errors for word in words), errors
    html = response.content.decode()
    for name, text in typed.items():
        assert f'name="{name}" value="{text}"' in html, name
    assert "已保存 1 份；1 份有错误" in html
    # The bad row is not saved; the good one is.
    after = QuarterlyReturn.objects.filter(committee=bad, year=YEAR, quarter=QUARTER).first()
    assert (after and after.version) == (before and before.version)
    assert QuarterlyReturn.objects.get(committee=good, year=YEAR, quarter=QUARTER).households == 4331


def test_the_largest_figure_the_database_holds_is_saved(clients, demo):
    street = demo["streets"]["南湖"]
    data, _typed, _rows = typed_grid(clients["nanhu"], street, str(FIGURE_MAX))
    response = clients["nanhu"].post(grid_url(street), data)
    assert response.status_code == 302
    assert QuarterlyReturn.objects.filter(
        year=YEAR, quarter=QUARTER, households=FIGURE_MAX
    ).exists()


@pytest.mark.parametrize("name", ["version", "committee"])
def test_huge_hidden_numbers_are_no_server_error(clients, demo, name):
    street = demo["streets"]["南湖"]
    data, _typed, rows = typed_grid(clients["nanhu"], street, "12")
    data[f"{rows[0]}-{name}"] = "99999999999999999999"
    response = clients["nanhu"].post(grid_url(street), data)
    assert response.status_code in (302, 400, 404, 409)
    assert not QuarterlyReturn.objects.filter(year=YEAR, quarter=QUARTER, households=12).exists()


def test_the_model_refuses_them_too(demo):
    committee = next(iter(demo["committees"].values()))
    item = QuarterlyReturn(committee=committee, year=YEAR, quarter=QUARTER, households=-1,
                           volunteers=10**20)
    with pytest.raises(ValidationError) as raised:
        item.full_clean()
    assert {"households", "volunteers"} <= set(raised.value.message_dict)
