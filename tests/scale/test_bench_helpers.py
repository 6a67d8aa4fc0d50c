"""The benchmarks' shared pieces: the docs section writer and the load test's form reader."""

from bench.loadtest import inputs_of, percentile
from bench.machine import write_section


def test_write_section_appends_then_replaces(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nintro\n", encoding="utf-8")
    write_section("bench.x", "first", doc)
    write_section("bench.y", "other", doc)
    write_section("bench.x", "second", doc)
    text = doc.read_text(encoding="utf-8")
    assert "intro" in text and "other" in text and "second" in text
    assert "first" not in text
    assert text.count("<!-- bench.x:start -->") == 1


def test_inputs_of_reads_the_form_as_a_browser_would():
    page = """<form><input type="hidden" name="csrfmiddlewaretoken" value="abc">
    <input name="form-0-households" value="12"><input name="form-1-households" disabled value="3">
    <input type="checkbox" name="form-0-select"><input type="submit" value="x"></form>"""
    assert inputs_of(page) == {"csrfmiddlewaretoken": "abc", "form-0-households": "12"}


def test_percentile():
    assert percentile(list(range(1, 101)), 0.95) == 95
    assert percentile([5], 0.5) == 5
