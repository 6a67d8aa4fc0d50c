"""Hostile files are refused before any reader allocates for them (imports/file_safety.py),
with a Chinese message naming the limit; the memory of each refusal is measured in a
subprocess, the way a server process would live or die."""

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from imports import jobs
from imports.errors import ImportFileError
from imports.models import ImportJob
from imports.reading import read_sheet

from .hostile import DATA, hostile_files

ROOT = Path(__file__).resolve().parents[2]
PEAK_LIMIT_MB = 400

PROBE = r"""
import json, resource, sys
# A regression must fail the test, not take the machine down with it.
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
import django
django.setup()
from django.utils import translation
from imports.errors import ImportFileError
from imports.reading import read_sheet
translation.activate("zh-hans")
try:
    result = {"rows": len(read_sheet(sys.argv[1]).rows)}
except ImportFileError as exc:
    result = {"refused": str(exc)}
# This process's own peak (VmHWM, reset by exec), not ru_maxrss: Linux carries ru_maxrss
# over from the forking parent, so a big test runner would be counted as this reader.
with open("/proc/self/status") as status:
    result["peak_mb"] = next(
        int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:")
    )
print(json.dumps(result, ensure_ascii=False))
"""


def probe(path: Path) -> dict:
    """What reading ``path`` does in a fresh process: refused (why) or read, and its peak
    memory."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jianye.settings", "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, f"the process died ({done.returncode}): {done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return hostile_files(tmp_path_factory.mktemp("hostile"))


HOSTILE = sorted(hostile_files(Path("/tmp") / "jianye-hostile-names"))


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_is_refused_unopened_in_little_memory(hostile, name):
    path, limit_text = hostile[name]
    assert path.stat().st_size < 200_000  # small files, every one
    result = probe(path)
    assert "refused" in result, result
    message = result["refused"]
    assert limit_text in message, message
    assert "拒" in message, message  # in Chinese: refused (拒收, 拒绝)
    assert result["peak_mb"] < PEAK_LIMIT_MB, result


@pytest.mark.parametrize(
    "name", ["committees_libreoffice.xlsx", "committees_libreoffice.ods",
             "committees_libreoffice.xls", "committees_padded.xlsx"]
)
def test_files_as_people_make_them_still_read(name):
    result = probe(DATA / name)
    assert result.get("rows", 0) >= 2, result
    assert result["peak_mb"] < PEAK_LIMIT_MB


def test_the_probe_measures_the_reader_not_the_test_runner():
    # Linux carries ru_maxrss over from the forking parent: a test runner grown past the
    # limit once made every probe "use" 402 MB. The probe reads its own peak.
    ballast = bytearray(PEAK_LIMIT_MB << 20)
    for offset in range(0, len(ballast), 4096):
        ballast[offset] = 1  # resident, not only reserved
    result = probe(DATA / "committees_libreoffice.xlsx")
    del ballast
    assert result.get("rows", 0) >= 2 and result["peak_mb"] < PEAK_LIMIT_MB, result


def test_the_limits_are_settings_and_the_message_names_them(settings):
    settings.IMPORT_MAX_CELLS = 20
    with translation.override("zh-hans"), pytest.raises(ImportFileError) as refused:
        read_sheet(DATA / "committees_libreoffice.xlsx")
    assert "20" in str(refused.value) and "单元格" in str(refused.value)
    settings.IMPORT_MAX_CELLS = 2_000_000
    settings.IMPORT_MAX_SHEET_ROWS = 3
    with translation.override("zh-hans"), pytest.raises(ImportFileError) as refused:
        read_sheet(DATA / "committees_libreoffice.ods")
    assert "第 4 行" in str(refused.value) and "3 行" in str(refused.value)


def test_reader_failures_are_told_in_chinese_without_the_readers_words(tmp_path):
    from .hostile import MAIN, xlsx

    broken = xlsx(
        tmp_path / "broken.xlsx",
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        '<c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>',  # no shared strings
    )
    broken.write_bytes(broken.read_bytes())
    with translation.override("zh-hans"):
        try:
            read_sheet(broken)
        except ImportFileError as exc:
            message = str(exc)
        else:
            message = ""
    if message:  # a reader that shrugs at the missing table is fine too
        assert "另存为" in message or "损坏" in message, message
        assert "unrecognized" not in message and "Error" not in message


# --- a job whose process died -------------------------------------------------------------


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def running_job(users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def make(runner, heartbeat=None):
        return ImportJob.objects.create(
            user=users["clerk"],
            register="committees",
            file_name="名册.xlsx",
            status=ImportJob.Status.RUNNING,
            phase=ImportJob.Phase.CHECK,
            background=True,
            runner=runner,
            started_at=timezone.now() - timedelta(minutes=1),
            heartbeat_at=heartbeat or timezone.now(),
            language="zh-hans",
        )

    return make


@pytest.mark.django_db
def test_a_job_whose_process_died_is_marked_failed(clients, running_job):
    job = running_job(f"{socket.gethostname()}:{dead_pid()}:")
    state = clients["clerk"].get(reverse("imports:job-progress", args=[job.token])).json()
    assert (state["status"], state["finished"]) == ("failed", True)
    job.refresh_from_db()
    assert job.finished_at is not None
    assert "重新上传" in job.message and "没有写入" in job.message, job.message
    page = clients["clerk"].get(reverse("imports:job", args=[job.token])).content.decode()
    assert "重新上传" in page


@pytest.mark.django_db
def test_a_job_whose_process_lives_stays_running(clients, running_job):
    job = running_job(jobs.this_runner())
    state = clients["clerk"].get(reverse("imports:job-progress", args=[job.token])).json()
    assert (state["status"], state["finished"]) == ("running", False)


@pytest.mark.django_db
def test_a_job_on_another_machine_is_judged_by_its_heartbeat(clients, running_job, settings):
    settings.IMPORT_JOB_DEAD_AFTER = 600
    fresh = running_job("another-host:123:456")
    stale = running_job(
        "another-host:124:456", heartbeat=timezone.now() - timedelta(seconds=601)
    )
    client = clients["clerk"]
    assert client.get(reverse("imports:job-progress", args=[fresh.token])).json()["status"] == (
        "running"
    )
    assert client.get(reverse("imports:job-progress", args=[stale.token])).json()["status"] == (
        "failed"
    )
