"""Background work of the imports app (the Tasks API: ``django_tasks`` on Django 5.2, run
by ``manage.py db_worker`` of django-tasks-db): the task that runs an admin upload's job
(:func:`imports.jobs.run_job`), and :func:`start`, which runs a job's phase here or queues
it for the worker. This module imports :mod:`imports.jobs`, never the reverse."""

from django_tasks import task

from .jobs import run_job
from .models import ImportJob


@task()
def run_import_job(job_id: int) -> dict:
    """Checks or imports an admin upload too big for a request: the same
    :func:`imports.jobs.run_job` (and so :func:`imports.services.import_file`) as a small one,
    with its progress written to the job's row for the user's progress bar."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    job = run_job(job, report_progress=True)
    return {
        "job": job.pk,
        "phase": job.phase,
        "status": job.status,
        "rows": job.rows,
        "new": job.new,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "errors": job.error_count,
        "record": job.record_id,
    }


def start(job: ImportJob, phase: str, *, background: bool) -> bool:
    """Queues the job's ``phase`` and runs it: by the worker when ``background`` (returns
    True; the user follows it on the job's page), else here and now (returns False)."""
    job.phase = phase
    job.status = ImportJob.Status.QUEUED
    job.background = background
    job.done = 0
    job.save(update_fields=["phase", "status", "background", "done"])
    if not background:
        run_job(job)
        return False
    result = run_import_job.enqueue(job.pk)
    job.task_id = str(result.id)[:64]
    job.save(update_fields=["task_id"])
    return True
