"""The AAF 2D importer's actions: map feed records onto the directory and write them in batches.

Keyed on `ENTPersonJointure` (people) and `ENTStructureJointure` / UAI (schools). Rows are compared before
they are written, so importing the same feed twice writes nothing the second time. Delta feeds apply
`modifyRequest`s (only the attributes they carry change) and turn a `deleteRequest` into a departure
(`left_at`, like the lifecycle of full feeds: nothing is deleted). Records that cannot be
imported are rejected with a reason in the report and the import goes on; a file that is not well-formed XML
is rejected as a whole (its records are rolled back to a savepoint) and the other files are still imported.
"""

from cartable.feeds.aaf_import.files import AafImport, import_aaf
from cartable.feeds.aaf_import.rows import BATCH, FUNCTIONS, KeySet, PersonRow, parse_date

__all__ = ["BATCH", "FUNCTIONS", "AafImport", "KeySet", "PersonRow", "import_aaf", "parse_date"]
