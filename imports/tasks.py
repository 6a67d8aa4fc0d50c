"""Background work of the imports app (the Tasks API: ``django_tasks`` on Django 5.2, run
by ``manage.py db_worker`` of django-tasks-db)."""

from django_tasks import task


@task()
def run_import_job(job_id: int) -> dict:
    """Checks or imports an admin upload too big for a request: the same
    :func:`imports.jobs.run_job` (and so :func:`jianye.imports.import_file`) as a small one,
    with its progress written to the job's row for the user's progress bar."""
    from .jobs import run_job
    from .models import ImportJob

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
