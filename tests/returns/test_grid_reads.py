"""The grid's POST reads the street's rows again only after it wrote something: asking
to submit an unchanged grid (the plan to confirm) reads them once, as opening the grid does;
a save before the plan, or a confirmed submission re-shown with errors, reads them again
(bench.loadtest: the submission and its confirmation were the dearest pages)."""

import pytest

from returns.models import ReturnStatus
from returns.views import grid as grid_view

from .conftest import grid_data, prefixes
from .test_grid_paper import current, full_row, grid_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads(monkeypatch):
    calls = []
    original = grid_view.grid_rows

    def counted(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(grid_view, "grid_rows", counted)
    return calls


def test_asking_to_submit_an_unchanged_grid_reads_the_rows_once(clients, demo, reads):
    street = demo["streets"]["南湖"]
    client = clients["nanhu"]
    page = client.get(grid_url(street))
    data = grid_data(page)
    full_row(data, prefixes(page)["南湖西路社区"])
    data["action"] = "save"
    assert client.post(grid_url(street), data).status_code == 302
    page = client.get(grid_url(street))
    reads.clear()
    data = grid_data(page)
    data["action"] = "submit_all"
    response = client.post(grid_url(street), data)
    assert response.status_code == 200
    assert len(reads) == 1
    plan = {line.committee.name: line for line in response.context["plan"]}
    assert plan["南湖西路社区"].ready
    # The confirmation submits and redirects: one read too.
    reads.clear()
    confirm = grid_data(response)
    confirm["action"] = "confirm_all"
    confirm["confirmed"] = [line.committee.pk for line in plan.values() if line.ready]
    assert client.post(grid_url(street), confirm).status_code == 302
    assert len(reads) == 1
    assert current("南湖西路社区").status == ReturnStatus.SUBMITTED


def test_a_save_before_the_plan_reads_the_rows_again(clients, demo, reads):
    street = demo["streets"]["南湖"]
    client = clients["nanhu"]
    page = client.get(grid_url(street))
    reads.clear()
    data = grid_data(page)
    full_row(data, prefixes(page)["南湖西路社区"])
    data["action"] = "submit_all"
    response = client.post(grid_url(street), data)
    assert response.status_code == 200
    assert len(reads) == 2  # before the save, after it
    # The plan shows the saved draft, its version moved on.
    saved = current("南湖西路社区")
    assert saved.status == ReturnStatus.DRAFT
    line = next(li for li in response.context["lines"] if li["row"].committee.name == "南湖西路社区")
    assert line["row"].quarterly_return.version == saved.version
