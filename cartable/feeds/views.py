"""The spreadsheet import of the school admin console: upload, columns, preview, then the job's progress and
report. Views are thin (parse, call cartable.feeds.actions, render) and guarded like every console page
(cartable.console.decorators.console_view): the school's ADML or the platform admin, second factor, else
404."""

import csv
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cartable.console.decorators import console_view
from cartable.feeds import actions, csv_import
from cartable.feeds.access import job_of_school_or_404, jobs_of
from cartable.feeds.forms import MappingForm, UploadForm
from cartable.feeds.models import ImportJob
from cartable.feeds.tabular import TableError

RECENT_JOBS = 10
# The page lists the first rejected lines; the downloadable report has them all.
SHOWN_PROBLEMS = 200
SAMPLE_ROWS = 3


def _outcome_labels() -> dict[str, str]:
    # Built per request: the labels are read in the ADML's language.
    return {
        csv_import.CREATED: _("créé"),
        csv_import.UPDATED: _("mis à jour"),
        csv_import.UNCHANGED: _("inchangé"),
        csv_import.REJECTED: _("rejeté"),
    }


@console_view
def upload(request, school):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = actions.upload(
            request.user, school, data["kind"], data["file"].name, data["content"], data["table"]
        )
        return redirect("feeds:import_mapping", uai=school.uai, job_id=job.pk)
    recent = jobs_of(school).select_related("created_by").defer("content", "report_rows")[:RECENT_JOBS]
    status = 400 if request.method == "POST" else 200
    expected = [(label, csv_import.fields_of(kind)) for kind, label in ImportJob.Kind.choices]
    context = {"school": school, "form": form, "jobs": recent, "expected": expected}
    return render(request, "feeds/import_upload.html", context, status=status)


def _draft_or_redirect(school, job):
    """Columns and preview belong to a job not started yet; a started one shows its progress instead."""
    if job.status != ImportJob.Status.DRAFT:
        return redirect("feeds:import_job", uai=school.uai, job_id=job.pk)
    return None


def _unreadable(request, school, error: TableError):
    messages.error(request, str(error))
    return redirect("feeds:import_upload", uai=school.uai)


@console_view
def mapping(request, school, job_id):
    job = job_of_school_or_404(school, job_id)
    if (elsewhere := _draft_or_redirect(school, job)) is not None:
        return elsewhere
    try:
        table = actions.job_table(job)
    except TableError as error:
        return _unreadable(request, school, error)
    form = MappingForm(job, table.headers, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.set_mapping(request.user, job, form.mapping())
        return redirect("feeds:import_preview", uai=school.uai, job_id=job.pk)
    columns = [
        (index + 1, header, [row.cell(index) for row in table.rows[:SAMPLE_ROWS]])
        for index, header in enumerate(table.headers)
    ]
    context = {"school": school, "job": job, "form": form, "table": table, "columns": columns}
    return render(request, "feeds/import_mapping.html", context, status=400 if form.errors else 200)


@console_view
def preview(request, school, job_id):
    job = job_of_school_or_404(school, job_id)
    if (elsewhere := _draft_or_redirect(school, job)) is not None:
        return elsewhere
    if request.method == "POST":
        if "discard" in request.POST:
            actions.discard(request.user, job)
            messages.info(request, _("Le fichier « %(name)s » est abandonné.") % {"name": job.filename})
            return redirect("feeds:import_upload", uai=school.uai)
        actions.start(request.user, job)
        return redirect("feeds:import_job", uai=school.uai, job_id=job.pk)
    try:
        table = actions.job_table(job)
    except TableError as error:
        return _unreadable(request, school, error)
    missing = [f for f in csv_import.fields_of(job.kind) if f.required and f.code not in job.mapping]
    if missing:
        messages.error(request, _("Choisissez d’abord les colonnes obligatoires."))
        return redirect("feeds:import_mapping", uai=school.uai, job_id=job.pk)
    result = csv_import.preview(job, table)
    fields = [f for f in csv_import.fields_of(job.kind) if f.code in job.mapping]
    rows = [(line, [line.values[f.code] for f in fields]) for line in result.shown]
    context = {
        "school": school,
        "job": job,
        "table": table,
        "preview": result,
        "fields": fields,
        "rows": rows,
    }
    return render(request, "feeds/import_preview.html", context)


@console_view
def job_detail(request, school, job_id):
    job = job_of_school_or_404(school, job_id)
    if job.status == ImportJob.Status.DRAFT:
        return redirect("feeds:import_preview", uai=school.uai, job_id=job.pk)
    labels = _outcome_labels()
    problems = [
        (line, name, labels.get(outcome, outcome), detail)
        for line, name, outcome, detail, _login in job.report_rows
        if outcome == csv_import.REJECTED
    ]
    context = {
        "school": school,
        "job": job,
        "problems": problems[:SHOWN_PROBLEMS],
        "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
    }
    if request.htmx:
        return render(request, "feeds/import_job.html#progress", context)
    return render(request, "feeds/import_job.html", context)


@console_view
def report(request, school, job_id):
    job = job_of_school_or_404(school, job_id)
    if not job.is_over:
        return redirect("feeds:import_job", uai=school.uai, job_id=job.pk)
    labels = _outcome_labels()
    out = io.StringIO()
    # Semicolons and a BOM: what a French spreadsheet opens with its accents and columns right.
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Ligne"), _("Personne"), _("Résultat"), _("Détail"), _("Identifiant")])
    for line, name, outcome, detail, login in job.report_rows:
        writer.writerow(
            [line, _spreadsheet_safe(name), labels.get(outcome, outcome), _spreadsheet_safe(detail), login]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    stem = slugify(job.filename.rsplit(".", 1)[0]) or "import"
    response["Content-Disposition"] = f'attachment; filename="rapport-{stem}-{job.pk}.csv"'
    return response


def _spreadsheet_safe(text: str) -> str:
    """A cell that a spreadsheet would run as a formula (names come from an uploaded file) is quoted."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
