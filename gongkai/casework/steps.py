"""The steps of a disclosure request (依申请公开), each an event with its date: what the clerk
records, as the law names it. :class:`gongkai.casework.requests.RequestCase` replays them.

The store keeps the events as recorded (JSON through :data:`EVENT_ADAPTER`) and never rewrites them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from gongkai.casework.deadlines import receipt_date
from gongkai.casework.fees import FeeMethod
from gongkai.casework.law import APPLICANT_KINDS, EXTENSION, Channel, TimeLimit
from gongkai.model.text import clean_text

DELAY = TimeLimit(
    "delay", 0, "条例第三十五条", "申请数量、频次明显超过合理范围，行政机关确定延迟答复的合理期限并告知申请人"
)
MAX_EXTENSION_DAYS = EXTENSION.working_days
# The answers that provide information: only these can carry a per-page fee (办法第五条: 按量计收
# applies where paper copies, e-mail or copies of electronic data are provided).
PROVIDING_OUTCOMES = ("granted", "partial")


class IllegalStep(ValueError):
    """A step that cannot be taken in the request's present state; the message says why."""


class _Event(BaseModel):
    # Text is stripped before its length is checked: a name of spaces is no name.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    on: date

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: object) -> object:
        # whatever form or command the text came from: no control characters (issue 14 §9)
        if isinstance(data, dict):
            return {k: clean_text(v) if isinstance(v, str) else v for k, v in data.items()}
        return data


class Registered(_Event):
    """The request arrived; ``on`` is its date of receipt under 第三十一条."""

    type: Literal["registered"] = "registered"
    channel: Channel
    arrived: datetime
    confirmed_on: date | None = None
    applicant_kind: str
    applicant_name: str = Field(min_length=1, max_length=200)
    applicant_id: str = Field("", max_length=100)  # identity document (personal data: staff only)
    applicant_contact: str = Field("", max_length=200)
    subject: str = Field(min_length=1, max_length=5000)  # what is asked
    form_wanted: str = Field("", max_length=100)  # paper, e-mail, …


class CorrectionRequested(_Event):
    """补正告知 (第三十条): what to add, and by when (a reasonable period the organ sets)."""

    type: Literal["correction_requested"] = "correction_requested"
    respond_by: date
    what: str = ""


class Corrected(_Event):
    """The corrected request arrived: the answer period starts again from ``on`` (第三十条)."""

    type: Literal["corrected"] = "corrected"


class CorrectionLapsed(_Event):
    """No correction within the period: the request is deemed abandoned (第三十条)."""

    type: Literal["correction_lapsed"] = "correction_lapsed"


class ConsultationStarted(_Event):
    """A letter seeking the views of a third party (第三十二条) or another organ (第三十四条)."""

    type: Literal["consultation_started"] = "consultation_started"
    party_kind: Literal["third_party", "organ"]
    party: str = Field("", max_length=300)  # a letter's 主送 holds at most 300 characters
    letter_received_on: date | None = None  # when the party got the letter; its 15 days run from it


class ConsultationEnded(_Event):
    """The party answered (or its period ran out); the clock runs again."""

    type: Literal["consultation_ended"] = "consultation_ended"
    opinion: str = ""


class Extended(_Event):
    """One extension of at most 20 working days, approved by the head of the disclosure unit."""

    type: Literal["extended"] = "extended"
    days: int = Field(gt=0, le=MAX_EXTENSION_DAYS)
    approver: str = Field(min_length=1, max_length=100)
    reason: str = ""


class Delayed(_Event):
    """第三十五条: a later answer date set for excessive requests, told to the applicant."""

    type: Literal["delayed"] = "delayed"
    until: date
    reason: str = ""


class FeeNoticed(_Event):
    """A 收费通知 issued on ``on`` and received by the applicant on ``received_on``."""

    type: Literal["fee_noticed"] = "fee_noticed"
    received_on: date
    method: FeeMethod
    quantity: int = Field(ge=1, le=1_000_000)
    yuan: int = Field(ge=0, le=2_000_000_000)


class FeeCancelled(_Event):
    """A fee notice withdrawn before payment (a wrong amount, or no fee due after all), with why."""

    type: Literal["fee_cancelled"] = "fee_cancelled"
    reason: str = Field(min_length=1, max_length=1000)


class FeePaid(_Event):
    """The fee was paid."""

    type: Literal["fee_paid"] = "fee_paid"


class FeeLapsed(_Event):
    """The fee was not paid within its period: the request is deemed abandoned."""

    type: Literal["fee_lapsed"] = "fee_lapsed"


class Answered(_Event):
    """The organ answered; the outcome is the row of table 三 the request is counted in."""

    type: Literal["answered"] = "answered"
    outcome: str
    summary: str = ""


class Withdrawn(_Event):
    """The applicant withdrew the request (counted under （六）3 其他)."""

    type: Literal["withdrawn"] = "withdrawn"
    reason: str = ""


Event = Annotated[
    Registered
    | CorrectionRequested
    | Corrected
    | CorrectionLapsed
    | ConsultationStarted
    | ConsultationEnded
    | Extended
    | Delayed
    | FeeNoticed
    | FeeCancelled
    | FeePaid
    | FeeLapsed
    | Answered
    | Withdrawn,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_LABELS = {
    "registered": "登记申请",
    "correction_requested": "告知补正",
    "corrected": "收到补正",
    "correction_lapsed": "逾期未补正",
    "consultation_started": "征求意见",
    "consultation_ended": "征求意见结束",
    "extended": "延长答复期限",
    "delayed": "延迟答复",
    "fee_noticed": "发出收费通知",
    "fee_cancelled": "撤销收费通知",
    "fee_paid": "缴费",
    "fee_lapsed": "逾期未缴费",
    "answered": "答复",
    "withdrawn": "撤回申请",
}


def make_registration(
    *,
    channel: Channel,
    arrived: datetime,
    confirmed_on: date | None,
    applicant_kind: str,
    applicant_name: str,
    subject: str,
    **details: str,
) -> Registered:
    """A registration whose date of receipt follows 第三十一条 from the channel and dates."""
    if applicant_kind not in APPLICANT_KINDS:
        raise IllegalStep(f"申请人类别应为 {'、'.join(APPLICANT_KINDS)} 之一，而不是「{applicant_kind}」")
    received, _ = receipt_date(channel, arrived, confirmed_on)
    return Registered(
        on=received,
        channel=channel,
        arrived=arrived,
        confirmed_on=confirmed_on,
        applicant_kind=applicant_kind,
        applicant_name=applicant_name,
        subject=subject,
        **details,
    )
