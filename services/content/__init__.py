"""The curated content as the bot answers from it and staff keep it: the catalog (the running
engine, rebuilt and swapped when a publish changes the content), the change events that tell every
worker, the entries' one write path, the lifecycle (drafts, publishing, delete, revert), history,
preview, seeding and transfer (import and export as YAML or CSV).

Imports ``platform`` and ``db`` below it, never the dialogue or staff above it.
"""

from services.content import documents
from services.content.catalog import Catalog, Snapshot
from services.content.csv_files import CsvFormatError, export_csv, read_csv, write_csv
from services.content.engines import EngineShelf
from services.content.entries import EntryView, live_ids
from services.content.events import ContentEvents, on_content_commit
from services.content.exporting import export_entries
from services.content.history import Revision, diff
from services.content.importing import ImportFailed, import_entries, read_rows, validate_rows
from services.content.lifecycle import AdminService
from services.content.preview import Preview
from services.content.seed import SeedReport, seed_entries

__all__ = [
    "AdminService",
    "Catalog",
    "ContentEvents",
    "CsvFormatError",
    "EngineShelf",
    "EntryView",
    "ImportFailed",
    "Preview",
    "Revision",
    "SeedReport",
    "Snapshot",
    "diff",
    "documents",
    "export_csv",
    "export_entries",
    "import_entries",
    "live_ids",
    "on_content_commit",
    "read_csv",
    "read_rows",
    "seed_entries",
    "validate_rows",
    "write_csv",
]
