"""Request and response bodies of /api/v1/. Unknown fields are refused, so a typo is an error, not a
silently ignored value."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StrictBool, StrictInt, StrictStr, StringConstraints
from pydantic_core import PydanticCustomError

from apps.feedback.models import Source
from apps.surveys.forms import LONG_TEXT_MAX


def _without_nul(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold U+0000: refuse it here, per field, instead of failing at the write.
    if "\x00" in value:
        raise PydanticCustomError("null_character", "NUL characters are not allowed")
    return value


def Text(**constraints):
    """A strict text with these StringConstraints and no NUL. The NUL check comes last, so a too-long text
    still reports pydantic's string_too_long."""
    return Annotated[StrictStr, StringConstraints(**constraints), AfterValidator(_without_nul)]


AnswerText = Text(max_length=LONG_TEXT_MAX)
AnswerValue = StrictInt | AnswerText | Annotated[list[StrictInt], Field(max_length=50)]
ShortText = Text(max_length=200)
# Primary keys are 64-bit: a larger number cannot name a row and would overflow the database driver.
MAX_ID = 2**63 - 1


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    detail: str


class FieldError(Schema):
    field: str = Field(..., description='The refused field, e.g. "survey_id" or "answers.12".')
    message: str


class ValidationErrors(Schema):
    detail: str
    errors: list[FieldError]


class ResponseIn(Strict):
    survey_id: StrictInt | None = Field(None, gt=0, le=MAX_ID,
                                        description="The survey's id. Give this or survey_token.")
    survey_token: Text(max_length=64) | None = Field(
        None, description="The token of the survey's public link (/s/<token>/). Give this or survey_id.")
    answers: dict[str, AnswerValue] = Field(
        ..., max_length=200,
        description="Answers by question id: a whole number for NPS (0-10), CSAT (1-5), CES (1-7) and ratings "
                    "(1-5), a choice id (or a list of choice ids for several choices), or a text.",
        examples=[{"12": 9, "13": "Quick and friendly installation."}])
    customer_external_id: Text(max_length=120) | None = Field(
        None, description="Links the response to the customer profile with this external id.")
    submitted_at: datetime | None = Field(
        None, description="When the customer answered (ISO 8601). Without an offset it is the workspace's "
                          "local time. Defaults to now.")
    hidden_fields: dict[Annotated[str, StringConstraints(max_length=40)], ShortText] = Field(
        default_factory=dict, max_length=20,
        description="Values for the survey's allowed hidden fields, such as channel or order; others are ignored.")


class ResponseOut(Schema):
    id: int
    survey_id: int
    touchpoint_id: int | None
    customer_id: int | None
    channel: str
    submitted_at: datetime
    nps_score: int | None
    csat_score: int | None
    ces_score: int | None


class FeedbackIn(Strict):
    text: Text(min_length=1, max_length=10_000)
    source: Text(max_length=16) = Field(
        Source.API.value, description="One of: " + ", ".join(Source.values) + ".")
    language: Text(max_length=2) = Field(
        "", description='"ko", "en", or empty to detect it from the text.')
    score: StrictInt | None = Field(None, ge=0, le=10, description="The customer's NPS answer, if known.")
    touchpoint_id: StrictInt | None = Field(None, gt=0, le=MAX_ID)
    survey_id: StrictInt | None = Field(None, gt=0, le=MAX_ID)
    response_id: StrictInt | None = Field(None, gt=0, le=MAX_ID)
    customer_external_id: Text(max_length=120) | None = None
    created_at: datetime | None = Field(None, description="When the customer said it (ISO 8601). Defaults to now.")
    external_id: Text(max_length=120) = Field(
        "", description="Your id for this feedback: sending the same source and external_id again returns the "
                        "item already saved.")


class FeedbackOut(Schema):
    id: int
    text: str
    source: str
    language: str
    score: int | None
    touchpoint_id: int | None
    customer_id: int | None
    survey_id: int | None
    response_id: int | None
    created_at: datetime
    external_id: str


class KpiQuery(Strict):
    start: date | None = Field(None, description="First day (YYYY-MM-DD, the workspace's time zone). With end.")
    end: date | None = Field(None, description="Last day, included. With start.")
    days: int = Field(30, ge=1, le=1830, description="Without start and end: the last this many days.")
    touchpoint_id: int | None = Field(None, gt=0, le=MAX_ID)
    channel: Annotated[str, StringConstraints(max_length=24)] = ""
    survey_id: int | None = Field(None, gt=0, le=MAX_ID)
    by_touchpoint: bool = Field(False, description="Add the scores of each touchpoint.")


class Nps(Schema):
    score: float | None = Field(..., description="From -100 to 100; null without answers.")
    margin: float | None = Field(..., description="Half-width of the 95% confidence interval, in NPS points.")
    n: int
    promoters: int
    passives: int
    detractors: int


class Csat(Schema):
    score: float | None = Field(..., description="Share of 4-5 answers, in percent.")
    margin: float | None
    n: int


class Ces(Schema):
    score: float | None = Field(..., description="Mean answer on the 1-7 scale.")
    margin: float | None
    n: int


class Scores(Schema):
    responses: int
    nps: Nps
    csat: Csat
    ces: Ces


class TouchpointScores(Scores):
    touchpoint_id: int | None
    name: str


class Period(Schema):
    start: datetime
    end: datetime


class KpisOut(Scores):
    period: Period
    touchpoints: list[TouchpointScores] | None = None


class Named(Schema):
    id: int
    name: str


class TouchpointOut(Schema):
    id: int
    name: str
    channel: str
    journey: Named
    stage: Named
    archived: StrictBool
