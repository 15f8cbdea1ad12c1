"""Who reaches an import job: the ADML of the job's school and the platform admin, through the school named in
the URL (cartable.console.access.administered_school_or_404). A job of another school answers 404."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cartable.directory.models import School
from cartable.feeds.models import ImportJob
from cartable.lib.params import int_or_404


def jobs_of(school: School) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(school=school)


def job_of_school_or_404(school: School, job_id: Any) -> ImportJob:
    # The file (up to a few megabytes) is read only by the pages that need it (columns, preview).
    job = (
        jobs_of(school)
        .select_related("school", "created_by")
        .defer("content")
        .filter(pk=int_or_404(job_id))
        .first()
    )
    if job is None:
        raise Http404
    return job
