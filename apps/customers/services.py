"""Writes on customers and customer imports. Views and tasks call these; nothing else writes."""

import csv
import hashlib
import json
import logging
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import timedelta
from functools import partial
from itertools import chain, islice

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from apps.surveys.models import Response
from apps.workspaces.models import AuditEntry, Workspace, audit
from cxm.spreadsheets import neutralise_formula

from . import tasks
from .csv_import import Columns, CustomerCsv, ImportFailure, Row, RowError, failure_message
from .models import Customer, CustomerImport, Segment
from .segments import SegmentRules

logger = logging.getLogger(__name__)

# Rows validated and written per transaction; the progress bar moves once per batch.
BATCH_SIZE = 2000
# Enough to fix a file by; error_count still counts every bad row.
MAX_STORED_ERRORS = 5000
EXPORT_CHUNK_SIZE = 2000
# Always exported as columns, so a file has the same shape whatever the first rows hold.
EXPORT_ATTRIBUTES = ["segment", "tier", "region"]
EXPORT_FIELDS = ["external_id", "name", "email", "phone", "language", "consent", "last_surveyed_at", "created_at"]


# Imports ---------------------------------------------------------------------------------------

@transaction.atomic
def customer_import_create(*, workspace: Workspace, uploaded_by, file_name: str, content: bytes) -> CustomerImport:
    """Store the uploaded file in the row and start the import job once the row is committed."""
    customer_import = CustomerImport.objects.create(workspace=workspace, uploaded_by=uploaded_by,
                                                    file_name=file_name[:255], content=content)
    # A worker started before commit would not find the row.
    transaction.on_commit(partial(_enqueue_import, customer_import.pk))
    return customer_import


def customer_import_retry(*, customer_import: CustomerImport) -> CustomerImport:
    """Run the import again from the stored file: the job recomputes everything, so this is safe."""
    CustomerImport.objects.filter(pk=customer_import.pk).update(
        status=CustomerImport.Status.PENDING, failure="", failure_code="", failure_params={}, finished_at=None)
    transaction.on_commit(partial(_enqueue_import, customer_import.pk))
    customer_import.refresh_from_db()
    return customer_import


def _enqueue_import(import_id: int) -> None:
    try:
        tasks.import_customers.delay(import_id)
    except (OperationalError, ConnectionError, OSError):
        # Nothing recomputes imports periodically: say so on the status page, where "Try again" re-sends it.
        logger.warning("broker unreachable: customer import %s not enqueued", import_id, exc_info=True)
        _import_failed(import_id, ImportFailure("queue_unavailable"))


def customer_import_run(*, import_id: int) -> CustomerImport:
    """Import the stored file from scratch: counters reset, every valid row upserted by external id (or by
    e-mail for rows without one), bad rows reported by line. Running it again converges to the same customers.

    Never raises for a bad file: the import ends DONE, or FAILED with a message code for the status page.
    """
    customer_import = CustomerImport.objects.select_related("workspace", "uploaded_by").get(pk=import_id)
    if customer_import.file_purged_at is not None:
        # Keep the summary of the run that happened; only say why nothing more can be done.
        _update(import_id, failure_code="file_purged", failure_params={})
        customer_import.refresh_from_db()
        return customer_import
    _update(import_id, status=CustomerImport.Status.RUNNING, encoding="", total_rows=0, processed_rows=0,
            created_count=0, updated_count=0, error_count=0, errors=[], failure="", failure_code="",
            failure_params={}, finished_at=None)
    writer = None
    try:
        parsed = CustomerCsv(bytes(customer_import.content))
        _update(import_id, encoding=parsed.encoding, total_rows=parsed.total_rows)
        writer = _ImportWriter(customer_import.workspace, parsed.columns)
        processed = 0
        for batch in batched(parsed.rows(), BATCH_SIZE):
            writer.write(batch)
            processed += len(batch)
            _update(import_id, processed_rows=processed, **writer.counters())
    except ImportFailure as failure:
        return _import_failed(import_id, failure, writer)
    except Exception:
        logger.exception("customer import %s stopped", import_id)
        return _import_failed(import_id, ImportFailure("unexpected"), writer)

    _update(import_id, status=CustomerImport.Status.DONE, finished_at=timezone.now(), errors=writer.sorted_errors(),
            **writer.counters())
    customer_import.refresh_from_db()
    audit(workspace=customer_import.workspace, actor=customer_import.uploaded_by,
          action=AuditEntry.Action.CUSTOMERS_IMPORTED, target=customer_import.file_name[:200],
          import_id=customer_import.pk, rows=customer_import.total_rows, created=customer_import.created_count,
          updated=customer_import.updated_count, errors=customer_import.error_count)
    return customer_import


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _update(import_id: int, **fields) -> None:
    CustomerImport.objects.filter(pk=import_id).update(**fields)


def _import_failed(import_id: int, failure: ImportFailure, writer=None) -> CustomerImport:
    with translation.override("en"):
        text = failure_message(failure.code, failure.params)
    fields = writer.counters() if writer else {}
    if writer:
        fields["errors"] = writer.sorted_errors()
    _update(import_id, status=CustomerImport.Status.FAILED, failure=text, failure_code=failure.code,
            failure_params=failure.params, finished_at=timezone.now(), **fields)
    return CustomerImport.objects.get(pk=import_id)


class _ImportWriter:
    """Resolves validated rows to customers and upserts them, one batch per transaction.

    Every customer is written at most once per file, whatever the batch boundaries: a later row that names
    an external id or an e-mail address already seen is reported against the line that came first.
    """

    def __init__(self, workspace: Workspace, columns: Columns):
        self.workspace = workspace
        self.columns = columns
        self.has_attributes = bool(columns.attributes)
        # Columns absent from the file leave what is stored untouched.
        self.update_fields = [name for name in ("name", "email", "phone", "language", "consent")
                              if name in columns.fields]
        if self.has_attributes:
            self.update_fields.append("attributes")
        self.update_fields.append("updated_at")
        self.seen_ids: dict[str, int] = {}
        self.seen_emails: dict[str, int] = {}
        self.errors: list[dict] = []
        self.error_count = self.created = self.updated = 0

    def counters(self) -> dict:
        return {"created_count": self.created, "updated_count": self.updated, "error_count": self.error_count}

    def sorted_errors(self) -> list[dict]:
        # Duplicates are found after the other checks of their batch; the page lists problems in file order.
        return sorted(self.errors, key=lambda entry: entry["line"])

    def reject(self, errors: list[RowError]) -> None:
        self.error_count += 1
        room = MAX_STORED_ERRORS - len(self.errors)
        self.errors.extend(error.as_entry() for error in errors[:max(room, 0)])

    def write(self, batch: Iterable[Row | list[RowError]]) -> None:
        rows = []
        for item in batch:
            if isinstance(item, Row):
                rows.append(item)
            else:
                self.reject(item)
        customers = Customer.objects.for_workspace(self.workspace)
        # One query per batch finds the customers that rows without an external id mean, by e-mail.
        emails = {row.email_key for row in rows if not row.external_id}
        by_email: dict[str, str] = {}
        if emails:
            for email_key, external_id in (customers.with_email(emails).order_by("-pk")
                                           .values_list("email_lower", "external_id")):
                by_email[email_key] = external_id  # the oldest customer with the address wins
        accepted: list[tuple[str, Row]] = []
        for row in rows:
            if row.external_id:
                key = row.external_id
                if key in self.seen_ids:
                    self.reject([RowError(row.line, "duplicate_id", {"value": key[:60],
                                                                     "first_line": self.seen_ids[key]})])
                    continue
            else:
                if row.email_key in self.seen_emails:
                    self.reject([RowError(row.line, "duplicate_email", {
                        "value": row.email[:60], "first_line": self.seen_emails[row.email_key]})])
                    continue
                # A new customer known only by e-mail is filed under the address itself.
                key = by_email.get(row.email_key, row.email_key)
                if key in self.seen_ids:
                    self.reject([RowError(row.line, "same_customer", {
                        "value": row.email[:60], "customer": key[:60], "first_line": self.seen_ids[key]})])
                    continue
            self.seen_ids[key] = row.line
            if row.email:
                self.seen_emails.setdefault(row.email_key, row.line)
            accepted.append((key, row))
        if not accepted:
            return
        keys = [key for key, _row in accepted]
        existing = dict(customers.filter(external_id__in=keys).values_list("external_id", "attributes"))
        objects = []
        for key, row in accepted:
            attributes = row.attributes
            if self.has_attributes and key in existing and isinstance(existing[key], dict):
                attributes = {**existing[key], **row.attributes}
            objects.append(Customer(workspace=self.workspace, external_id=key, attributes=attributes, **row.values))
        with transaction.atomic():
            Customer.objects.bulk_create(objects, batch_size=BATCH_SIZE, update_conflicts=True,
                                         unique_fields=["workspace", "external_id"],
                                         update_fields=self.update_fields)
        self.updated += len(existing)
        self.created += len(objects) - len(existing)


def customer_import_error_rows(*, customer_import: CustomerImport) -> Iterator[list[str]]:
    """The rejected rows as they were in the file, each with its line number and reasons, so they can be
    fixed in a spreadsheet and imported again."""
    from .csv_import import row_error_message

    reasons: dict[int, list[str]] = {}
    for entry in customer_import.errors:
        reasons.setdefault(entry.get("line"), []).append(row_error_message(entry))
    try:
        parsed = CustomerCsv(bytes(customer_import.content))
    except ImportFailure:
        return
    yield ["line", "error", *parsed.columns.headers]
    for line, cells in parsed.records():
        if line in reasons:
            yield [str(line), " ".join(reasons[line]), *cells]


def customer_import_purge_files(*, older_than: timedelta) -> int:
    """Delete the stored uploads of imports that finished before now − older_than; the counts and the
    error list (line numbers and reasons, no row contents) stay. Returns how many files were deleted."""
    cutoff = timezone.now() - older_than
    return (CustomerImport.objects.filter(finished_at__lt=cutoff, file_purged_at__isnull=True)
            .update(content=b"", file_purged_at=timezone.now()))


# Profiles --------------------------------------------------------------------------------------

def customer_update(*, customer: Customer, consent: bool, language: str, attributes: dict) -> Customer:
    customer.consent, customer.language, customer.attributes = consent, language, attributes
    customer.full_clean()
    customer.save(update_fields=["consent", "language", "attributes", "updated_at"])
    return customer


def external_id_fingerprint(*, workspace: Workspace, external_id: str) -> str:
    """SHA-256 of the external id within its workspace: recognises an erased customer in a later import
    without keeping the id itself."""
    return hashlib.sha256(f"{workspace.pk}:{external_id}".encode()).hexdigest()


@transaction.atomic
def customer_erase(*, customer: Customer, actor) -> None:
    """Delete the profile (a privacy request). Responses stay, unlinked (customer → NULL), so every score
    stays true; their free-text comments are kept as the response's content. The audit entry names the
    customer only by row number and a fingerprint of the external id, never by e-mail, name or phone."""
    workspace = customer.workspace
    responses = Response.objects.for_workspace(workspace).filter(customer=customer).count()
    pk, fingerprint = customer.pk, external_id_fingerprint(workspace=workspace, external_id=customer.external_id)
    customer.delete()
    audit(workspace=workspace, actor=actor, action=AuditEntry.Action.CUSTOMER_ERASED, target=f"customer #{pk}",
          external_id_sha256=fingerprint, responses_kept=responses)


# Export ----------------------------------------------------------------------------------------

class _Echo:
    def write(self, value: str) -> str:
        return value


def customer_export(*, workspace: Workspace, actor, customers, filters: dict) -> Iterator[bytes]:
    """Record the export, then return the CSV as a stream of UTF-8 bytes (with the BOM Korean Excel needs).

    Columns: EXPORT_FIELDS, then segment, tier and region, then any other attribute key found in the first
    chunk of rows, sorted. Keys that appear only later are left out: the header must be written before the
    rest is read, and reading every row twice (or every key in SQL) costs more than it is worth here.
    """
    audit(workspace=workspace, actor=actor, action=AuditEntry.Action.CUSTOMERS_EXPORTED,
          target=str(workspace.name)[:200], rows=customers.count(),
          filters={key: value for key, value in filters.items() if value not in (None, "")})
    return _export_stream(workspace, customers)


def _export_stream(workspace: Workspace, customers) -> Iterator[bytes]:
    try:
        time_zone = zoneinfo.ZoneInfo(workspace.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        time_zone = timezone.get_current_timezone()
    rows = (customers.values(*EXPORT_FIELDS, "attributes").iterator(chunk_size=EXPORT_CHUNK_SIZE))
    first_chunk = list(islice(rows, EXPORT_CHUNK_SIZE))
    extra = sorted({key for row in first_chunk for key in (row["attributes"] or {})} - set(EXPORT_ATTRIBUTES))
    attribute_keys = EXPORT_ATTRIBUTES + extra
    writer = csv.writer(_Echo())
    # Attribute keys come from imported files: the header is neutralised like every other cell.
    yield ("\ufeff" + writer.writerow([neutralise_formula(key) for key in EXPORT_FIELDS + attribute_keys])).encode()

    def cell(value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if hasattr(value, "astimezone"):
            return value.astimezone(time_zone).isoformat(timespec="seconds")
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        return neutralise_formula(str(value))

    for row in chain(first_chunk, rows):
        attributes = row["attributes"] if isinstance(row["attributes"], dict) else {}
        values = [cell(row[name]) for name in EXPORT_FIELDS] + [cell(attributes.get(key)) for key in attribute_keys]
        yield writer.writerow(values).encode()


# Last NPS answer --------------------------------------------------------------------------------

def customer_last_nps_refresh(*, workspace: Workspace, start=None, end=None) -> int:
    """Copy each customer's latest NPS answer onto the profile, for the customers who answered in
    [start, end) (every customer with a response when both are None): one UPDATE with a correlated
    subquery, recomputed from the responses, so re-runs converge. The rollup jobs call it."""
    latest = (Response.objects.for_workspace(workspace).filter(customer=OuterRef("pk"), nps_score__isnull=False)
              .order_by("-submitted_at", "-pk"))
    answered = Response.objects.for_workspace(workspace).in_period(start, end).filter(customer__isnull=False)
    return Customer.objects.for_workspace(workspace).filter(pk__in=answered.values("customer_id")).update(
        last_nps_score=Subquery(latest.values("nps_score")[:1]))


# Saved segments ---------------------------------------------------------------------------------

def _segment_save(segment: Segment) -> Segment:
    from apps.kpis import tasks as kpi_tasks
    from cxm.queue import enqueue_on_commit

    segment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError:
        raise ValidationError({"name": _("A segment with this name already exists.")}) from None
    # The dashboard and NPS report read this segment's rollups: rebuild them for the new rules.
    enqueue_on_commit(kpi_tasks.rebuild_segment_rollups, segment.pk)
    return segment


def segment_create(*, workspace: Workspace, created_by, name: str, description: str = "",
                   rules: SegmentRules) -> Segment:
    return _segment_save(Segment(workspace=workspace, created_by=created_by, name=name.strip(),
                                 description=description.strip(), rules=rules.to_json()))


def segment_update(*, segment: Segment, name: str, description: str = "", rules: SegmentRules) -> Segment:
    segment.name, segment.description, segment.rules = name.strip(), description.strip(), rules.to_json()
    return _segment_save(segment)


def segment_uses(segment: Segment) -> list[str]:
    """Names of what relies on the segment and would lose its audience: personas and wave schedules."""
    from apps.surveys.models import WaveSchedule
    from apps.touchpoints.models import Persona

    personas = Persona.objects.for_workspace(segment.workspace_id).filter(saved_segment=segment)
    schedules = WaveSchedule.objects.for_workspace(segment.workspace_id).filter(segment=segment)
    return ([_("persona “%(name)s”") % {"name": name} for name in personas.values_list("name", flat=True)]
            + [_("wave schedule “%(name)s”") % {"name": name} for name in schedules.values_list("name", flat=True)])


@transaction.atomic
def segment_delete(*, segment: Segment) -> None:
    """Refused while a persona or a wave schedule uses the segment; past distributions keep their own copy
    of the rules."""
    uses = segment_uses(segment)
    if uses:
        raise ValidationError(_("This segment is used by %(uses)s. Change those first.") % {"uses": ", ".join(uses)})
    segment.delete()
