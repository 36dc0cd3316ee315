"""Reading a feedback CSV file (app reviews, call-centre notes, comments from elsewhere): header aliases,
row validation and the messages for what goes wrong. Pure Python without the database; decoding (UTF-8,
UTF-8 with BOM, CP949) and the file-level failures are the customer import's, reused.

Messages are stored as codes and parameters because the job runs in a worker without a request: each
person reads them later in their own language.
"""

import csv
import io
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.customers.csv_import import FAILURES as CUSTOMER_FAILURES
from apps.customers.csv_import import (
    MAX_COLUMNS,
    MAX_FIELD_CHARS,
    ImportFailure,
    decode,
    guess_delimiter,
    header_key,
    quote,
)

MAX_ROWS = 200_000
MAX_TEXT_CHARS = 10_000
MAX_EXTERNAL_ID_CHARS = 120

FIELD_ALIASES: dict[str, list[str]] = {
    "text": ["text", "comment", "feedback", "review", "content", "body", "message", "내용", "의견", "피드백", "리뷰",
             "코멘트", "본문", "후기", "상담내용", "메모"],
    "source": ["source", "channel", "origin", "출처", "채널", "경로", "유입경로"],
    "date": ["date", "created_at", "created", "datetime", "timestamp", "submitted_at", "날짜", "일자", "작성일",
             "일시", "등록일", "작성일시"],
    "touchpoint": ["touchpoint", "touchpoint_name", "touchpoint_id", "터치포인트", "접점", "고객접점"],
    "customer": ["customer", "customer_id", "customer_external_id", "external_id", "member_id", "고객번호",
                 "고객ID", "회원번호", "회원ID", "고객코드"],
    "score": ["score", "nps", "nps_score", "rating", "점수", "평점", "추천점수", "추천지수"],
    "language": ["language", "lang", "locale", "언어"],
    "external_id": ["feedback_id", "review_id", "ticket_id", "call_id", "리뷰ID", "리뷰번호", "상담번호", "접수번호"],
}
HEADER_FIELDS = {header_key(alias): name for name, aliases in FIELD_ALIASES.items() for alias in aliases}

SOURCE_VALUES = {
    **dict.fromkeys(["survey", "설문", "설문조사"], "survey"),
    **dict.fromkeys(["app_review", "appreview", "app review", "app-review", "review", "app store", "play store",
                     "앱리뷰", "앱 리뷰", "리뷰", "앱스토어", "플레이스토어"], "app_review"),
    **dict.fromkeys(["call_centre", "call centre", "call center", "call_center", "callcenter", "phone", "call",
                     "콜센터", "고객센터", "상담", "전화"], "call_centre"),
    **dict.fromkeys(["api"], "api"),
    **dict.fromkeys(["csv", "", "other", "기타"], "csv"),
}
LANGUAGE_VALUES = {
    **dict.fromkeys(["ko", "kr", "kor", "korean", "ko-kr", "ko_kr", "한국어", "한국", "국문"], "ko"),
    **dict.fromkeys(["en", "eng", "english", "en-us", "en_us", "en-gb", "en_gb", "영어", "영문"], "en"),
    "": "",
}
DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d",
                "%Y%m%d"]

ROW_ERRORS = {
    "missing_text": _("The feedback text is empty."),
    "too_long": _("“%(column)s” is longer than %(limit)s characters."),
    "bad_source": _("Source “%(value)s” is not understood: use survey, app_review, call_centre, csv or api "
                    "(also 앱리뷰, 콜센터, 설문)."),
    "bad_date": _("Date “%(value)s” is not understood: write it as 2026-03-31 or 2026-03-31 14:05."),
    "future_date": _("Date “%(value)s” lies in the future."),
    "bad_score": _("Score “%(value)s” is not a whole number from 0 to 10."),
    "bad_language": _("Language “%(value)s” is not supported: use ko (Korean) or en (English)."),
    "unknown_touchpoint": _("No touchpoint is called “%(value)s” (or has that id) in this workspace."),
    "unknown_customer": _("No customer has the external id “%(value)s”. Import the customer first."),
    "duplicate_external_id": _("Feedback id “%(value)s” was already imported (line %(first_line)s or earlier)."),
    "too_many_values": _("This line has %(count)s values, but the header names only %(columns)s columns."),
}
FAILURES = {
    **CUSTOMER_FAILURES,
    "no_text_column": _("No column holds the feedback text. Name a column %(headers)s."),
    "too_many_rows": _("The file has more than %(limit)s rows. Split it into smaller files and import each."),
}


def row_error_message(entry: dict) -> str:
    template = ROW_ERRORS.get(entry.get("code", ""))
    if template is None:
        return entry.get("reason", "")
    return str(template) % entry.get("params", {})


def failure_message(code: str, params: dict | None = None) -> str:
    template = FAILURES.get(code, FAILURES["unexpected"])
    return str(template) % (params or {})


@dataclass
class Row:
    line: int
    text: str
    source: str
    created_at: datetime | None
    touchpoint: str
    customer: str
    score: int | None
    language: str
    external_id: str


@dataclass
class RowError:
    line: int
    code: str
    params: dict

    def as_entry(self) -> dict:
        return {"line": self.line, "code": self.code, "params": self.params}


def parse_date(value: str, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """A date or date-time in the workspace's time zone (2026-03-31, 2026/03/31 14:05, 2026.03.31, ISO 8601)."""
    text = re.sub(r"[./]", "-", value.strip()).rstrip("Z")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        parsed = None
        for pattern in DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if isinstance(parsed, date) and not isinstance(parsed, datetime):
        parsed = datetime.combine(parsed, time(12))
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=zone)
    return parsed


class FeedbackCsv:
    """A decoded feedback file whose header has been understood and whose rows have been counted."""

    def __init__(self, content: bytes, *, time_zone: str = "Asia/Seoul"):
        self.text, self.encoding = decode(content)
        self.delimiter = guess_delimiter(self.text)
        try:
            self.zone = zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.zone = zoneinfo.ZoneInfo("UTC")
        records = self.records()
        first = next(records, None)
        if first is None:
            raise ImportFailure("empty")
        _line, header = first
        self.headers, self.fields = self.read_header(header)
        self.total_rows = 0
        for _record in records:
            self.total_rows += 1
            if self.total_rows > MAX_ROWS:
                raise ImportFailure("too_many_rows", limit=MAX_ROWS)

    def records(self) -> Iterator[tuple[int, list[str]]]:
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
    def read_header(cells: list[str]) -> tuple[list[str], dict[str, int]]:
        if len(cells) > MAX_COLUMNS:
            raise ImportFailure("too_many_columns", count=len(cells), limit=MAX_COLUMNS)
        headers = [cell.strip() for cell in cells]
        fields: dict[str, int] = {}
        for index, header in enumerate(headers):
            name = HEADER_FIELDS.get(header_key(header)) if header else None
            if name is None:
                continue  # other columns are not feedback: ignored
            if name in fields:
                raise ImportFailure("duplicate_column", first=headers[fields[name]], second=header)
            fields[name] = index
        if "text" not in fields:
            raise ImportFailure("no_text_column", headers="text, comment, review, 내용, 의견, 리뷰")
        return headers, fields

    def rows(self) -> Iterator[Row | list[RowError]]:
        records = self.records()
        next(records)
        now = timezone.now()
        for line, cells in records:
            yield self.validate(line, cells, now)

    def validate(self, line: int, cells: list[str], now: datetime) -> Row | list[RowError]:
        fields, headers = self.fields, self.headers
        errors: list[RowError] = []
        if len(cells) > len(headers) and any(cell.strip() for cell in cells[len(headers):]):
            errors.append(RowError(line, "too_many_values", {"count": len(cells), "columns": len(headers)}))

        def cell(name: str) -> str:
            index = fields.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        text = cell("text")
        if not text:
            errors.append(RowError(line, "missing_text", {}))
        elif len(text) > MAX_TEXT_CHARS:
            errors.append(RowError(line, "too_long", {"column": headers[fields["text"]], "limit": MAX_TEXT_CHARS}))
        raw_source = cell("source")
        key = raw_source.lower()
        source = SOURCE_VALUES.get(key, SOURCE_VALUES.get(key.replace("-", "_").replace(" ", "_")))
        if source is None:
            errors.append(RowError(line, "bad_source", {"value": quote(raw_source)}))
        created_at = None
        raw_date = cell("date")
        if raw_date:
            created_at = parse_date(raw_date, self.zone)
            if created_at is None:
                errors.append(RowError(line, "bad_date", {"value": quote(raw_date)}))
            elif created_at > now + timedelta(days=1):
                errors.append(RowError(line, "future_date", {"value": quote(raw_date)}))
        score = None
        raw_score = cell("score")
        if raw_score:
            try:
                score = int(float(raw_score)) if float(raw_score).is_integer() else -1
            except ValueError:
                score = -1
            if not 0 <= score <= 10:
                errors.append(RowError(line, "bad_score", {"value": quote(raw_score)}))
                score = None
        raw_language = cell("language")
        language = LANGUAGE_VALUES.get(raw_language.lower())
        if language is None:
            errors.append(RowError(line, "bad_language", {"value": quote(raw_language)}))
        external_id = cell("external_id")
        if len(external_id) > MAX_EXTERNAL_ID_CHARS:
            errors.append(RowError(line, "too_long", {"column": headers[fields["external_id"]],
                                                      "limit": MAX_EXTERNAL_ID_CHARS}))
        if errors:
            return errors
        return Row(line=line, text=text, source=source, created_at=created_at, touchpoint=cell("touchpoint"),
                   customer=cell("customer"), score=score, language=language, external_id=external_id)
