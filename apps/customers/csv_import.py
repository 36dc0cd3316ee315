"""Reading a customer CSV file: decoding, header aliases, row validation and the messages for what
goes wrong. Pure Python without the database: services.customer_import_run matches the valid rows to
existing customers and writes them in batches.

Messages are stored as a code and parameters (never as translated text) because the job runs in a
worker without a request: each person reads them later in their own language.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

MAX_COLUMNS = 200
MAX_ROWS = 1_000_000
# The csv module's own guard against a runaway field (usually a quote that is never closed). It is
# process-wide state, so it is read here, not changed.
MAX_FIELD_CHARS = csv.field_size_limit()
MAX_HEADER_CHARS = 100
MAX_ATTRIBUTE_CHARS = 200
# Model field lengths, repeated here so a too-long value is a row error instead of a database error.
MAX_CHARS = {"external_id": 120, "email": 254, "phone": 40, "name": 160}
# How much of a bad value an error message quotes.
QUOTE_CHARS = 60

# Field → accepted headers as a person writes them. Matching ignores case, spaces, "-", "_" and ".".
FIELD_ALIASES: dict[str, list[str]] = {
    "external_id": ["external_id", "id", "customer_id", "customer_no", "member_id", "고객번호", "고객ID",
                    "회원번호", "회원ID", "고객코드"],
    "email": ["email", "e-mail", "email_address", "mail", "이메일", "이메일주소", "메일", "전자우편"],
    "phone": ["phone", "phone_number", "mobile", "tel", "전화번호", "휴대폰", "휴대폰번호", "휴대전화", "핸드폰",
              "연락처"],
    "name": ["name", "full_name", "customer_name", "이름", "고객명", "성명", "고객이름"],
    "language": ["language", "lang", "preferred_language", "locale", "언어", "선호언어", "사용언어"],
    "consent": ["consent", "opt_in", "survey_consent", "marketing_consent", "수신동의", "동의", "동의여부",
                "수신동의여부", "설문동의"],
}
# Korean headers for the attributes the customer list filters on, so a Korean file fills the same keys.
ATTRIBUTE_ALIASES = {"세그먼트": "segment", "고객군": "segment", "등급": "tier", "고객등급": "tier",
                     "회원등급": "tier", "지역": "region"}

CONSENT_VALUES = {
    **dict.fromkeys(["yes", "y", "true", "t", "1", "on", "o", "예", "네", "동의", "수신", "수신동의"], True),
    **dict.fromkeys(["no", "n", "false", "f", "0", "off", "x", "아니오", "아니요", "미동의", "비동의", "거부",
                     "수신거부"], False),
    # An empty cell grants nothing: consent is never assumed.
    "": False,
}
LANGUAGE_VALUES = {
    **dict.fromkeys(["ko", "kr", "kor", "korean", "ko-kr", "ko_kr", "한국어", "한국", "국문"], "ko"),
    **dict.fromkeys(["en", "eng", "english", "en-us", "en_us", "en-gb", "en_gb", "영어", "영문"], "en"),
    "": "",
}

ROW_ERRORS = {
    "missing_id": _("No external id and no e-mail address: one of them is needed to recognise the customer."),
    "bad_email": _("“%(value)s” is not a valid e-mail address."),
    "duplicate_id": _("External id “%(value)s” already appears on line %(first_line)s."),
    "duplicate_email": _("E-mail address “%(value)s” already appears on line %(first_line)s."),
    "same_customer": _("E-mail address “%(value)s” belongs to customer “%(customer)s”, who already appears "
                       "on line %(first_line)s."),
    "bad_consent": _("Consent “%(value)s” is not understood: use yes or no (also Y/N, 1/0, 예/아니오, "
                     "동의/미동의)."),
    "bad_language": _("Language “%(value)s” is not supported: use ko (Korean) or en (English)."),
    "too_long": _("“%(column)s” is longer than %(limit)s characters."),
    "too_many_values": _("This line has %(count)s values, but the header names only %(columns)s columns."),
}

FAILURES = {
    "bad_encoding": _("The file is neither UTF-8 nor CP949 (Korean Excel) text. Save it as “CSV UTF-8” "
                      "and upload it again."),
    "mixed_encoding": _("Line %(line)s is not UTF-8 text, although the lines before it are: the file mixes "
                        "encodings. Save it again as “CSV UTF-8” and upload it again."),
    "not_text": _("Line %(line)s holds a NUL byte, which CSV text never contains: the file is damaged or "
                  "not a CSV file."),
    "empty": _("The file is empty: its first line must name the columns."),
    "no_key_column": _("No column holds the external id or the e-mail address. Name a column "
                       "%(id_headers)s for the external id, or %(email_headers)s for the e-mail address."),
    "too_many_columns": _("The file has %(count)s columns; at most %(limit)s are allowed."),
    "too_many_rows": _("The file has more than %(limit)s rows. Split it into smaller files and import each."),
    "duplicate_column": _("The columns “%(first)s” and “%(second)s” mean the same thing. Keep one of them."),
    "header_too_long": _("Column %(number)s has a name longer than %(limit)s characters."),
    "field_too_large": _("Line %(line)s holds a value longer than %(limit)s characters. Is a closing "
                         "quote (\") missing?"),
    "bad_csv": _("The file could not be read as CSV near line %(line)s."),
    "queue_unavailable": _("The import could not be started because the job queue is unavailable. Try again in a "
                           "few minutes."),
    "file_purged": _("The uploaded file was deleted after the retention period. Upload it again to import it."),
    "unexpected": _("The import stopped because of an unexpected error. Try again; if it fails again, contact "
                    "support."),
}


def row_error_message(entry: dict) -> str:
    template = ROW_ERRORS.get(entry.get("code", ""))
    if template is None:
        return entry.get("reason", "")
    return str(template) % entry.get("params", {})


def failure_message(code: str, params: dict | None = None) -> str:
    template = FAILURES.get(code, FAILURES["unexpected"])
    return str(template) % (params or {})


def header_key(text: str) -> str:
    return re.sub(r"[\s_\-.]+", "", text.strip().lower())


HEADER_FIELDS = {header_key(alias): name for name, aliases in FIELD_ALIASES.items() for alias in aliases}


def quote(value: str) -> str:
    return value if len(value) <= QUOTE_CHARS else value[:QUOTE_CHARS - 1] + "…"


class ImportFailure(Exception):
    """The whole file is refused; `code` and `params` say why (see FAILURES)."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(f"{code} {params}")


@dataclass
class RowError:
    line: int
    code: str
    params: dict = field(default_factory=dict)

    def as_entry(self) -> dict:
        return {"line": self.line, "code": self.code, "params": self.params}


@dataclass
class Row:
    """A valid row. `values` holds only the fields the file has a column for."""

    line: int
    external_id: str
    email: str
    values: dict
    attributes: dict

    @property
    def email_key(self) -> str:
        return self.email.lower()


@dataclass
class Columns:
    headers: list[str]
    fields: dict[str, int]
    attributes: list[tuple[int, str]]


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (with or without the BOM Excel writes) or CP949, the
    encoding Korean Excel uses for "CSV (comma delimited)". UTF-16 ("Unicode text") is read by its BOM."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFailure("bad_encoding") from None
    else:
        text, encoding = _decode_utf8_or_cp949(content)
    if "\x00" in text:
        # Text never holds NUL (and PostgreSQL cannot store it): this is a binary or damaged file.
        raise ImportFailure("not_text", line=text.count("\n", 0, text.index("\x00")) + 1)
    return text, encoding


def _decode_utf8_or_cp949(content: bytes) -> tuple[str, str]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        prefix = content[:error.start]
        if any(byte >= 0x80 for byte in prefix):
            # Valid UTF-8 beyond ASCII before the bad byte: the file is UTF-8 with a line in another
            # encoding pasted in. Reading it all as CP949 would turn the UTF-8 part into nonsense.
            raise ImportFailure("mixed_encoding", line=prefix.count(b"\n") + 1) from None
        try:
            text, encoding = content.decode("cp949"), "cp949"
        except UnicodeDecodeError:
            raise ImportFailure("bad_encoding") from None
    else:
        encoding = "utf-8-sig" if content.startswith(b"\xef\xbb\xbf") else "utf-8"
    return text, encoding


def guess_delimiter(text: str) -> str:
    """A comma, unless the first line has none and semicolons or tabs instead (European Excel, TSV)."""
    first_line = text.split("\n", 1)[0]
    if "," in first_line:
        return ","
    return max(";\t", key=first_line.count) if (";" in first_line or "\t" in first_line) else ","


class CustomerCsv:
    """A decoded customer file whose header has been understood and whose rows have been counted.

    Reading it twice (count, then validate) keeps memory flat: only the current batch of rows is held.
    """

    def __init__(self, content: bytes):
        self.text, self.encoding = decode(content)
        self.delimiter = guess_delimiter(self.text)
        records = self.records()
        first = next(records, None)
        if first is None:
            raise ImportFailure("empty")
        self.header_line, header = first
        self.columns = self.read_header(header)
        self.total_rows = 0
        for _record in records:
            self.total_rows += 1
            if self.total_rows > MAX_ROWS:
                raise ImportFailure("too_many_rows", limit=MAX_ROWS)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(physical line number where the record starts, cells), skipping blank lines. The header is line 1."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        start = 1
        try:
            for cells in reader:
                line, start = start, reader.line_num + 1
                if any(cell.strip() for cell in cells):
                    yield line, cells
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise ImportFailure("field_too_large", line=start, limit=MAX_FIELD_CHARS) from None
            raise ImportFailure("bad_csv", line=start) from None

    @staticmethod
    def read_header(cells: list[str]) -> Columns:
        if len(cells) > MAX_COLUMNS:
            raise ImportFailure("too_many_columns", count=len(cells), limit=MAX_COLUMNS)
        headers = [cell.strip() for cell in cells]
        fields: dict[str, int] = {}
        attributes: list[tuple[int, str]] = []
        attribute_columns: dict[str, int] = {}
        for index, header in enumerate(headers):
            if not header:
                continue  # an unnamed column, often a trailing comma: nothing to store it under
            if len(header) > MAX_HEADER_CHARS:
                raise ImportFailure("header_too_long", number=index + 1, limit=MAX_HEADER_CHARS)
            name = HEADER_FIELDS.get(header_key(header))
            if name is not None:
                if name in fields:
                    raise ImportFailure("duplicate_column", first=headers[fields[name]], second=header)
                fields[name] = index
                continue
            key = header.lower()
            key = ATTRIBUTE_ALIASES.get(header_key(key), key)
            if key in attribute_columns:
                raise ImportFailure("duplicate_column", first=headers[attribute_columns[key]], second=header)
            attribute_columns[key] = index
            attributes.append((index, key))
        if "external_id" not in fields and "email" not in fields:
            raise ImportFailure("no_key_column", id_headers="external_id, id, customer_id, 고객번호, 고객ID",
                                email_headers="email, e-mail, 이메일")
        return Columns(headers=headers, fields=fields, attributes=attributes)

    def rows(self) -> Iterator[Row | list[RowError]]:
        """Every data row, validated on its own: a Row, or the list of what is wrong with it."""
        records = self.records()
        next(records)  # the header
        for line, cells in records:
            yield self.validate(line, cells)

    def validate(self, line: int, cells: list[str]) -> Row | list[RowError]:
        columns = self.columns
        headers, fields = columns.headers, columns.fields
        width = len(headers)
        errors: list[RowError] = []
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            errors.append(RowError(line, "too_many_values", {"count": len(cells), "columns": width}))

        def cell(name: str) -> str:
            index = fields.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        def check_length(name: str, value: str) -> None:
            if len(value) > MAX_CHARS[name]:
                errors.append(RowError(line, "too_long", {"column": headers[fields[name]],
                                                          "limit": MAX_CHARS[name]}))

        external_id, email = cell("external_id"), cell("email")
        check_length("external_id", external_id)
        if email:
            if len(email) > MAX_CHARS["email"]:
                check_length("email", email)
            elif not is_email(email):
                errors.append(RowError(line, "bad_email", {"value": quote(email)}))
        if not external_id and not email:
            errors.append(RowError(line, "missing_id"))

        values = {}
        for name in ("name", "phone"):
            if name in fields:
                values[name] = cell(name)
                check_length(name, values[name])
        if "language" in fields:
            raw = cell("language")
            language = LANGUAGE_VALUES.get(raw.lower())
            if language is None:
                errors.append(RowError(line, "bad_language", {"value": quote(raw)}))
            values["language"] = language
        if "consent" in fields:
            raw = cell("consent")
            consent = CONSENT_VALUES.get(raw.lower())
            if consent is None:
                errors.append(RowError(line, "bad_consent", {"value": quote(raw)}))
            values["consent"] = consent
        if "email" in fields:
            values["email"] = email

        attributes = {}
        for index, key in columns.attributes:
            value = cells[index].strip() if index < len(cells) else ""
            if not value:
                continue  # an empty cell leaves the attribute as it was
            if len(value) > MAX_ATTRIBUTE_CHARS:
                errors.append(RowError(line, "too_long", {"column": headers[index], "limit": MAX_ATTRIBUTE_CHARS}))
            attributes[key] = value
        if errors:
            return errors
        return Row(line=line, external_id=external_id, email=email, values=values, attributes=attributes)


_email_validator = EmailValidator()


def is_email(value: str) -> bool:
    try:
        _email_validator(value)
    except ValidationError:
        return False
    return True

