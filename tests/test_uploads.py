"""Uploaded files: the customer and feedback CSV imports and the workspace logo. Each has a size limit (a
setting) enforced while the body is read, a type check (a CSV is text, a logo is an image Pillow can
verify), and CSV bombs (millions of columns, one endless line) are refused with a message in the user's
language, never a crash and never the whole file in memory. Files are generated in chunks into a
temporary file that is deleted as soon as the request is sent."""

import io
import struct
import tempfile
import tracemalloc
import zlib
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.html import escape
from PIL import Image

from apps.customers.models import Customer, CustomerImport
from apps.feedback.models import FeedbackImport
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

IMPORT_PAGES = {"customers": ("/w/{slug}/customers/import/", CustomerImport),
                "feedback": ("/w/{slug}/feedback/import/", FeedbackImport)}
CHUNK = 64 * 1024


@contextmanager
def generated_file(chunks, name: str):
    """A file written chunk by chunk, open for reading, deleted on exit."""
    with tempfile.NamedTemporaryFile(suffix=name) as handle:
        for chunk in chunks:
            handle.write(chunk)
        handle.flush()
        handle.seek(0)
        yield handle


def repeated(piece: bytes, total: int, *, head: bytes = b""):
    yield head
    block = piece * max(1, CHUNK // len(piece))
    written = len(head)
    while written < total:
        yield block[: total - written]
        written += len(block)


def message(text: str, language: str, **params) -> str:
    from django.utils.translation import gettext

    with translation.override(language):
        return escape(gettext(text) % params if params else gettext(text))


@pytest.fixture
def importer(workspace, bob):
    def post(client, kind: str, upload, language: str = "en"):
        bob.language = language
        bob.save(update_fields=["language"])
        client.force_login(bob)
        return client.post(IMPORT_PAGES[kind][0].format(slug=workspace.slug), {"file": upload})

    return post


@pytest.mark.parametrize("kind", IMPORT_PAGES)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_csv_over_the_size_limit_is_refused_while_it_is_read(client, importer, settings, kind, language):
    settings.CSV_UPLOAD_MAX_BYTES = 256 * 1024
    kept = CustomerFactory(workspace__slug="other-brand")
    # One line of 3 MB: the "1 GB line" of a CSV bomb, cut to what proves the limit.
    with generated_file(repeated(b"a", 3 * 1024 * 1024, head=b"text,"), ".csv") as handle:
        response = importer(client, kind, SimpleUploadedFile("big.csv", handle.read(), "text/csv"), language)
    assert response.status_code == 400
    from django.template.defaultfilters import filesizeformat

    with translation.override(language):
        limit = filesizeformat(256 * 1024)
    assert message("The file is larger than %(limit)s. Split it into smaller files.", language,
                   limit=limit) in response.content.decode()
    assert not IMPORT_PAGES[kind][1].objects.exists()
    assert Customer.objects.get() == kept


def _upload(client, url: str, size: int, *, traced: bool) -> tuple[int, int]:
    """POST a CSV of about `size` bytes; with traced, also the peak memory the request allocated (the body is
    built before tracing starts)."""
    boundary = "hostile-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bomb.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode()
    body = head + b"id\n" + b"C123456\n" * (size // 8) + f"\r\n--{boundary}--\r\n".encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    if not traced:
        return client.generic("POST", url, body, content_type=content_type).status_code, 0
    tracemalloc.start()
    try:
        response = client.generic("POST", url, body, content_type=content_type)
        return response.status_code, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_oversized_upload_is_never_held_in_memory_whole(client, workspace, bob, settings):
    """Peak memory of a 4 MB upload refused by the limit, and of the same upload accepted (read whole, stored)
    under a limit above it, each over the peak of a refused upload of twice the limit. The first request of a
    process imports and builds what later ones reuse (tens of MB when this test runs alone), so both paths are
    warmed up untraced first: the measurement does not depend on which tests ran before."""
    size = 4 * 1024 * 1024
    refusing, accepting = 128 * 1024, 8 * size
    url = f"/w/{workspace.slug}/customers/import/"
    client.force_login(bob)
    settings.CSV_UPLOAD_MAX_BYTES = refusing
    assert _upload(client, url, size, traced=False)[0] == 400
    settings.CSV_UPLOAD_MAX_BYTES = accepting
    assert _upload(client, url, 2 * refusing, traced=False)[0] == 302
    imports = CustomerImport.objects.count()

    settings.CSV_UPLOAD_MAX_BYTES = refusing
    status, baseline = _upload(client, url, 2 * refusing, traced=True)
    assert status == 400
    status, refused_peak = _upload(client, url, size, traced=True)
    assert status == 400
    assert CustomerImport.objects.count() == imports
    settings.CSV_UPLOAD_MAX_BYTES = accepting
    status, accepted_peak = _upload(client, url, size, traced=True)
    assert status == 302
    refused, accepted = refused_peak - baseline, accepted_peak - baseline
    # The body the test client copies, plus under a megabyte; reading the file whole adds about its size again.
    assert refused < size + 1024 * 1024, (baseline, refused_peak, accepted_peak)
    assert accepted > refused + size // 2, (baseline, refused_peak, accepted_peak)


@pytest.mark.parametrize("kind", IMPORT_PAGES)
@pytest.mark.parametrize(("name", "chunks"), [
    # Two million columns in 2 MB, under the size limit.
    ("columns.csv", lambda: repeated(b",", 2 * 1024 * 1024, head=b"external_id,text")),
    # A first line of 1 MB without a separator or an end.
    ("line.csv", lambda: repeated(b"x", 1024 * 1024)),
])
@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_csv_bomb_under_the_size_limit_is_refused_at_upload(client, importer, kind, name, chunks, language):
    with generated_file(chunks(), name) as handle:
        response = importer(client, kind, SimpleUploadedFile(name, handle.read(), "text/csv"), language)
    assert response.status_code == 400
    assert message("The first line must name the columns, at most %(limit)s of them; this file's first line is "
                   "far longer. Is it really a CSV file?", language, limit=200) in response.content.decode()
    assert not IMPORT_PAGES[kind][1].objects.exists()


@pytest.mark.parametrize("kind", IMPORT_PAGES)
@pytest.mark.parametrize("content", [b"PK\x03\x04workbook", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"%PDF-1.7"])
def test_a_file_that_is_not_csv_text_is_refused(client, importer, kind, content):
    response = importer(client, kind, SimpleUploadedFile("data.csv", content, "text/csv"), "ko")
    assert response.status_code == 400
    assert message("This file is not CSV text. If it is an Excel workbook, save it as CSV with “Save As”.",
                   "ko") in response.content.decode()


def test_a_csv_with_many_columns_in_its_rows_still_reaches_the_job(client, importer, workspace,
                                                                   django_capture_on_commit_callbacks):
    """Only the header line is checked at upload; a wide data row is the job's, reported by line."""
    content = b"external_id,name\nA1,Kim\nA2," + b"," * 50_000 + b"x\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = importer(client, "customers", SimpleUploadedFile("wide.csv", content, "text/csv"))
    assert response.status_code == 302
    customer_import = CustomerImport.objects.get()
    assert customer_import.status == CustomerImport.Status.DONE
    assert [entry["code"] for entry in customer_import.errors] == ["too_many_values"]
    assert Customer.objects.for_workspace(workspace).get().external_id == "A1"


# Logos ---------------------------------------------------------------------------------------------------

def settings_form(workspace, logo) -> dict:
    return {"name": workspace.name, "slug": workspace.slug, "brand_color": "#0F766E", "default_language": "en",
            "time_zone": "Asia/Seoul", "contact_fatigue_days": 30, "follow_up_sla_hours": 48,
            "follow_up_nps_threshold": 6, "logo": logo}


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A 1×1 PNG whose header says width × height: a decompression bomb, tiny on disk."""
    data = bytearray(png(1, 1))
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


@pytest.mark.parametrize(("content", "expected"), [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "invalid"),
    (b"GIF89a but not really", "invalid"),
    (png_claiming(40_000, 40_000), "invalid"),
    (png(5000, 4000), "pixels"),
])
@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_logo_must_be_a_real_image_of_a_sane_size(client, workspace, alice, content, expected, language):
    alice.language = language
    alice.save(update_fields=["language"])
    client.force_login(alice)
    response = client.post(f"/w/{workspace.slug}/settings/",
                           settings_form(workspace, SimpleUploadedFile("logo.png", content, "image/png")))
    assert response.status_code == 200
    [error] = response.context["form"].errors["logo"]
    with translation.override(language):
        from django.forms import ImageField

        invalid = str(ImageField.default_error_messages["invalid_image"])
    if expected == "invalid":
        assert error == invalid
    else:
        assert "5000" in error and "4000" in error and error != invalid
        assert (language == "ko") == ("픽셀" in error)
    workspace.refresh_from_db()
    assert not workspace.logo


def test_a_logo_over_the_limit_is_refused_while_it_is_read(client, workspace, alice, settings):
    settings.LOGO_MAX_BYTES = 64 * 1024
    client.force_login(alice)
    with generated_file(repeated(b"\x00", 2 * 1024 * 1024, head=png(10, 10)), ".png") as handle:
        upload = SimpleUploadedFile("logo.png", handle.read(), "image/png")
    response = client.post(f"/w/{workspace.slug}/settings/", settings_form(workspace, upload))
    assert response.status_code == 200
    assert response.context["form"].errors["logo"] == ["The logo must be at most 64.0\xa0KB."]
    workspace.refresh_from_db()
    assert not workspace.logo


def test_a_small_real_logo_is_saved(client, workspace, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alice)
    response = client.post(f"/w/{workspace.slug}/settings/",
                           settings_form(workspace, SimpleUploadedFile("logo.png", png(120, 40), "image/png")))
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.logo.name.startswith("logos/")
