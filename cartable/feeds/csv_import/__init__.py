"""The generic spreadsheet import of the admin console: pupils, guardians or staff of one school.

The file carries no identifiers, so people are found again by what the file says about them, in the school:

- a pupil: family name + first name + birth date, among the school's pupils;
- a guardian: family name + first name among the guardians of the pupil the row names (family name,
  first name and class), else among the school's relatives with the same email address; rows naming the
  same guardian (same names and email) are one person with several children;
- a staff member: family name + first name among the school's teachers and personnel.

Names are compared folded (no accents, case or extra spaces), as the ONDE import does. Importing the same file
twice creates nobody the second time. The file is checked as a whole first (missing values, bad dates, unknown
classes, lines in double), then written batch by batch, each batch in one transaction with a constant number
of queries: a long import shows its progress, and stopping half-way loses nothing, since running it again
finds what the first run wrote.
"""

from cartable.feeds.csv_import.columns import FIELDS, Field, Kind, fields_of, guess_mapping, normalize_header
from cartable.feeds.csv_import.known import Known
from cartable.feeds.csv_import.lines import (
    Line,
    SchoolFacts,
    class_key,
    parse_date,
    read_line,
    read_lines,
    school_facts,
)
from cartable.feeds.csv_import.preview import PREVIEW_ROWS, Preview, preview
from cartable.feeds.csv_import.writing import (
    BATCH,
    CREATED,
    REJECTED,
    UNCHANGED,
    UPDATED,
    Outcome,
    batches,
    import_batch,
)

__all__ = [
    "BATCH",
    "CREATED",
    "FIELDS",
    "PREVIEW_ROWS",
    "REJECTED",
    "UNCHANGED",
    "UPDATED",
    "Field",
    "Kind",
    "Known",
    "Line",
    "Outcome",
    "Preview",
    "SchoolFacts",
    "batches",
    "class_key",
    "fields_of",
    "guess_mapping",
    "import_batch",
    "normalize_header",
    "parse_date",
    "preview",
    "read_line",
    "read_lines",
    "school_facts",
]
