"""Running an admin upload (:class:`imports.models.ImportJob`): check, then import.

:func:`run_job` is the one function that does the work, for both phases and for both ways
of running: in the request for a small file, and in the task worker for a big one
(:func:`imports.tasks.run_import_job` calls it; :func:`imports.tasks.start` chooses). It calls
:func:`imports.services.import_file` — the one import path — with the job's register, file,
user and file name, ``dry_run`` for the check, and keeps the outcome on the job.

Big means more data rows than ``settings.IMPORT_BACKGROUND_ROWS`` (default 2000). Before a
file is checked, its rows are counted from its structure (:func:`estimated_rows`: the row
elements of an .xlsx/.ods, the lines of a CSV, the sheets of an .xls) without reading the
cells; once checked, the exact count of the check decides.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import zipfile
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from tempfile import NamedTemporaryFile

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.utils import timezone, translation
from django.utils.translation import gettext

from .errors import ImportFileError
from .file_safety import xls_rows
from .models import ImportJob
from .services import import_file

UPLOADS = "admin-imports"  # the folder of default_storage that holds uploads until imported
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes of a background job
HEARTBEAT_INTERVAL = 10  # seconds between two signs of life of a running background job
STALE_AFTER = 24 * 3600  # an upload never confirmed is deleted after a day


def background_rows() -> int:
    return int(getattr(settings, "IMPORT_BACKGROUND_ROWS", 2000))


# --- the file ------------------------------------------------------------------------------


@contextmanager
def local_path(stored: str):
    """A path on this machine for a file of default_storage: always a temporary copy, read
    through ``default_storage.open()`` (object storage has no ``path()``), with the stored
    name's suffix (the readers go by it); deleted when the block ends. A file that is gone
    (deleted, or storage lost) is the user's to upload again, said in their words."""
    try:
        source = default_storage.open(stored, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise ImportFileError(
            gettext("The uploaded file is no longer kept; upload it again.")
        ) from exc
    with source, NamedTemporaryFile(suffix=Path(stored).suffix) as copy:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def delete_upload(job: ImportJob) -> None:
    if job.stored:
        with suppress(OSError):
            default_storage.delete(job.stored)
        job.stored = ""
        ImportJob.objects.filter(pk=job.pk).update(stored="")


def prune_stale_uploads() -> int:
    """Deletes the files of uploads nobody confirmed within a day (their sessions are gone)."""
    cutoff = timezone.now() - timedelta(seconds=STALE_AFTER)
    stale = ImportJob.objects.filter(created_at__lt=cutoff).exclude(stored="")
    stale = stale.exclude(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
    count = 0
    for job in stale.only("pk", "stored"):
        delete_upload(job)
        count += 1
    return count


ROW_ELEMENT = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:table-)?row[\s/>]")
XLSX_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def _count_in_zip(path: Path, wanted) -> int:
    """Row elements in the zip's sheet parts, read as a stream, at most the allowed size."""
    limit = int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024))
    total = count = 0
    with zipfile.ZipFile(path) as archive:
        for entry in archive.infolist():
            if not wanted(entry.filename):
                continue
            tail = b""
            with archive.open(entry) as part:
                for block in iter(lambda: part.read(1 << 20), b""):
                    total += len(block)
                    if total > limit:
                        return max(count, 1 << 30)  # the import refuses it: not here
                    data = tail + block
                    count += len(ROW_ELEMENT.findall(data))
                    # A tag cut at the block's end is counted with the next block.
                    cut = data.rfind(b"<")
                    tail = data[cut:] if cut >= 0 and b">" not in data[cut:] else b""
                    if tail:
                        count -= len(ROW_ELEMENT.findall(tail))
    return count


def estimated_rows(path: Path) -> int:
    """The file's rows, counted from its structure without reading cells (an upper bound:
    the header, blank and padding rows are counted too). 0 when it cannot tell; the import
    then says what is wrong with the file."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _count_in_zip(path, XLSX_SHEET.match)
        if suffix == ".ods":
            return _count_in_zip(path, lambda name: name == "content.xml")
        if suffix == ".csv":
            with path.open("rb") as handle:
                return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
        if suffix == ".xls":
            # Measured from the records, never by a reader: a far cell would make one
            # allocate its whole grid before the import's own check refuses the file.
            return xls_rows(path)
    except Exception:  # noqa: BLE001 - a damaged file is the import's to explain
        return 0
    return 0


def goes_to_background(job: ImportJob, *, estimated: int | None = None) -> bool:
    """Whether the job's next phase is run by the worker: a file counted (before its check)
    or checked (before its import) as having more rows than ``IMPORT_BACKGROUND_ROWS``.
    A file checked in the background is imported there too."""
    if estimated is not None:
        return estimated > background_rows()
    return job.background or job.rows > background_rows()


# --- progress ------------------------------------------------------------------------------


class ProgressWriter:
    """The ``progress(done, total)`` callback of a background job.

    ``import_file`` may call it from inside its own transaction, where a write would stay
    invisible (or be rolled back with the dry run); so the callback only notes the figures
    and a thread of its own, with its own database connection, writes them to the job's
    row every half second. On SQLite, whose one writer may be the import itself, a write
    that finds the database locked is skipped (the final figures are written at the end).
    """

    def __init__(self, job_id: int, interval: float = PROGRESS_INTERVAL):
        self.job_id = job_id
        self.interval = interval
        self.latest: tuple[int, int] | None = None
        self.written: tuple[int, int] | None = None
        self.beaten = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"import-job-{job_id}", daemon=True)

    def __call__(self, done, total):
        self.latest = (int(done), int(total))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def _flush(self):
        latest = self.latest
        now = timezone.now()
        beat = self.beaten is None or (now - self.beaten).total_seconds() >= HEARTBEAT_INTERVAL
        if (latest is None or latest == self.written) and not beat:
            return
        fields = {"heartbeat_at": now}
        if latest is not None:
            fields.update(done=latest[0], total=latest[1])
        try:
            ImportJob.objects.filter(pk=self.job_id, status=ImportJob.Status.RUNNING).update(
                **fields
            )
            self.written, self.beaten = latest, now
        except DatabaseError:
            pass  # locked (SQLite) or gone: the next write or the final one says it

    def _run(self):
        try:
            if connection.vendor == "sqlite":
                with suppress(DatabaseError), connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 50")  # never hold the import up
            while not self._stop.wait(self.interval):
                self._flush()
            self._flush()
        finally:
            connection.close()


# --- who runs a job, and whether it still lives ----------------------------------------------


def _process_start(pid: int) -> str:
    """When the process started (Linux: clock ticks since boot), so that a pid the system
    gave to a new process is not mistaken for the job's runner; "" where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rpartition(")")[2].split()[19]


def this_runner() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"[:120]


def runner_alive(runner: str) -> bool | None:
    """Whether the process named by ``runner`` still runs: True or False when it ran on this
    machine, None when it ran elsewhere (its heartbeat tells)."""
    host, pid, start = (runner.split(":") + ["", "", ""])[:3]
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, run by another user
    return not start or _process_start(int(pid)) in ("", start)


def dead_after() -> int:
    return int(getattr(settings, "IMPORT_JOB_DEAD_AFTER", 600))


def fail_if_dead(job: ImportJob) -> ImportJob:
    """Marks failed, with a message, a running job whose process died (a server restart, a
    killed worker): on this machine when its process is gone, elsewhere when it has given no
    sign of life for ``IMPORT_JOB_DEAD_AFTER`` seconds (default 600). Nothing of its file
    was written: the import writes in one transaction, which died with the process."""
    if job.status != ImportJob.Status.RUNNING or not job.runner:
        return job
    alive = runner_alive(job.runner)
    if alive is None:
        last = job.heartbeat_at or job.started_at
        alive = last is not None and (timezone.now() - last).total_seconds() < dead_after()
    if alive:
        return job
    with translation.override(job.language or settings.LANGUAGE_CODE):
        message = gettext(
            "The process that was checking or importing this file stopped before it finished "
            "(the server or the task worker was restarted or stopped). Nothing from the file "
            "was written. Upload the file again."
        )
    failed = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.RUNNING, runner=job.runner
    ).update(status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now())
    job.refresh_from_db()
    if failed:
        delete_upload(job)
    return job


# --- running -------------------------------------------------------------------------------


def _rows_of(outcome):
    errors = [[e.sheet, e.row, e.column, str(e.message)] for e in outcome.errors]
    preview = [
        [p.row, p.action, str(p.label), [str(c) for c in p.changes]] for p in outcome.preview
    ]
    return errors, [str(n) for n in outcome.notices], preview


def run_job(job: ImportJob, *, report_progress: bool = False) -> ImportJob:
    """Runs the job's phase (check or import) through ``import_file`` and keeps the outcome.

    Returns the job, finished (done or failed). A file that cannot be imported at all, and
    any failure, leave the job ``failed`` with the reason; nothing is written then.
    """
    Status = ImportJob.Status
    now = timezone.now()
    started = ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now, runner=this_runner(), done=0
    )
    job.refresh_from_db()
    if not started or not job.stored:
        return job  # already run (a task delivered twice) or its file is gone
    dry_run = job.phase == ImportJob.Phase.CHECK
    progress = ProgressWriter(job.pk) if report_progress else None
    outcome = None
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            with local_path(job.stored) as path:
                if progress is None:
                    outcome = _import(job, path, dry_run, None)
                else:
                    with progress:
                        outcome = _import(job, path, dry_run, progress)
    except ImportFileError as exc:
        _finish(job, status=Status.FAILED, message=str(exc))
        delete_upload(job)
        return job
    except Exception as exc:
        _finish(job, status=Status.FAILED, message=f"{type(exc).__name__}: {exc}")
        delete_upload(job)
        raise
    errors, notices, preview = _rows_of(outcome)
    fields = {
        "status": Status.DONE,
        "rows": outcome.rows,
        "done": outcome.rows,
        "total": outcome.rows,
        "new": outcome.new,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "error_count": len(errors),
        "errors": errors,
        "notices": notices,
        # The preview is kept until the import (the pages that show it); then dropped.
        "preview": preview if dry_run else [],
        "record": outcome.record,
    }
    _finish(job, **fields)
    if not dry_run or errors:
        delete_upload(job)  # imported, or refused: nothing left to confirm
    return job


def _import(job, path, dry_run, progress):
    return import_file(
        register=job.register,
        path=path,
        user=job.user,
        dry_run=dry_run,
        file_name=job.file_name,
        progress=progress,
    )


def _finish(job, **fields):
    fields["finished_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))

