"""The procedural law of disclosure requests, as data: time limits, channels, outcomes, fee scales.

Every figure here names the provision it comes from (format-and-law.md §10). Article numbers are
those of the 《中华人民共和国政府信息公开条例》 as revised in 2019 (「条例」); the fee scales are those
of the 《政府信息公开信息处理费管理办法》 (国办函〔2020〕109号, 「办法」).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Generic, TypeVar

from gongkai.model.layouts import REQUEST_COLUMNS, Format, layout_for

T = TypeVar("T")


@dataclass(frozen=True)
class Dated(Generic[T]):
    """A parameter of the law by the day each value took effect (OpenFisca's habit): the law
    changes, and a request keeps the rules of the day that governs it. A new revision is one more
    pair here, nothing else.

    >>> scale = Dated(((date(2008, 5, 1), 15), (date(2019, 5, 15), 20)))
    >>> scale.at(date(2019, 5, 14)), scale.at(date(2019, 5, 15)), scale.at(date(2000, 1, 1))
    (15, 20, 15)
    """

    values: tuple[tuple[date, T], ...]  # (in force from, value), oldest first

    def __post_init__(self) -> None:
        days = [day for day, _ in self.values]
        if not days or days != sorted(set(days)):
            raise ValueError("dated values need at least one, in order of the day they took effect")

    def at(self, day: date) -> T:
        """The value in force on ``day``; before the first, the first (what the earliest text says
        of what came before is not this program's business: the step's own check refuses it)."""
        current = self.values[0][1]
        for since, value in self.values:
            if since <= day:
                current = value
        return current

    @property
    def latest(self) -> T:
        """The value in force now and until the law next changes."""
        return self.values[-1][1]


REGULATION = "《中华人民共和国政府信息公开条例》"
REGULATION_IN_FORCE = date(2008, 5, 1)  # the 条例 as first made (国务院令第492号)
REVISION_IN_FORCE = date(2019, 5, 15)  # the revision of 2019-04-03 (国务院令第711号)
FEE_MEASURES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
# The 办法 (issued 2020-11-17) takes effect on 2021-01-01, as recalled; the article was not checked
# against its text offline (see the closing note of issue 13).
FEES_IN_FORCE = date(2021, 1, 1)


@dataclass(frozen=True)
class TimeLimit:
    """A period counted in working days, and the provision that sets it."""

    key: str
    working_days: int
    article: str
    rule: str  # what must be done by the end of the period, in plain Chinese


ANSWER = TimeLimit("answer", 20, "条例第三十三条第二款", "自收到申请之日起20个工作日内予以答复")
EXTENSION = TimeLimit(
    "extension",
    20,
    "条例第三十三条第二款",
    "经政府信息公开工作机构负责人同意并告知申请人，延长答复期限最长不超过20个工作日",
)
CORRECTION_NOTICE = TimeLimit(
    "correction_notice",
    7,
    "条例第三十条",
    "申请内容不明确的，自收到申请之日起7个工作日内一次性告知申请人补正",
)
THIRD_PARTY_REPLY = TimeLimit(
    "third_party_reply", 15, "条例第三十二条", "第三方自收到征求意见书之日起15个工作日内提出意见"
)
ORGAN_REPLY = TimeLimit(
    "organ_reply", 15, "条例第三十四条", "被征求意见的机关自收到征求意见书之日起15个工作日内提出意见"
)
FEE_PAYMENT = TimeLimit(
    "fee_payment",
    20,
    f"{FEE_MEASURES}及各地实施通知",
    "申请人自收到收费通知的次日起20个工作日内缴纳信息处理费，逾期视为放弃申请",
)
CONSULTATION_PAUSE = "条例第三十三条第三款"
# Whether the time from a fee notice to its payment is left out of the answer period is a setting
# (``GONGKAI_FEE_PERIOD_PAUSES_ANSWER``, gongkai/settings.py), on by default: the spec marks the rule
# UNVERIFIED (format-and-law.md §10.3); the 办法 is read as excluding it (its 第七条, as recalled, not
# checked against the text here), as local implementing rules seen do.
TIME_LIMITS = {
    t.key: t for t in (ANSWER, EXTENSION, CORRECTION_NOTICE, THIRD_PARTY_REPLY, ORGAN_REPLY, FEE_PAYMENT)
}

# The 条例 as made in 2008 (国务院令第492号), for requests received before the revision took effect:
# 15 working days to answer, one extension of at most 15 (第二十四条第二款); consulting a third party
# is not counted (第二十四条第三款) but gives the party no period of its own (第二十三条); an unclear
# request is sent back for 更改、补充 with no period to do so (第二十一条第（四）项).
ANSWER_2008 = TimeLimit("answer", 15, "2008年条例第二十四条第二款", "自收到申请之日起15个工作日内予以答复")
EXTENSION_2008 = TimeLimit(
    "extension",
    15,
    "2008年条例第二十四条第二款",
    "经政府信息公开工作机构负责人同意并告知申请人，延长答复的期限最长不得超过15个工作日",
)


@dataclass(frozen=True)
class Regime:
    """The periods that govern a request, by the version of the 条例 in force when it was received
    (law changes; a request keeps the rules it was received under)."""

    name: str
    in_force: date
    answer: TimeLimit
    extension: TimeLimit
    correction_notice: TimeLimit | None  # None: no period to send the 补正 notice in
    third_party_reply: TimeLimit | None  # None: the party has no period; the pause lasts until it answers
    organ_reply: TimeLimit | None


REGIME_2008 = Regime(
    "2008年施行的《政府信息公开条例》", REGULATION_IN_FORCE, ANSWER_2008, EXTENSION_2008, None, None, None
)
REGIME_2019 = Regime(
    "2019年修订的《政府信息公开条例》",
    REVISION_IN_FORCE,
    ANSWER,
    EXTENSION,
    CORRECTION_NOTICE,
    THIRD_PARTY_REPLY,
    ORGAN_REPLY,
)


REGIMES = Dated(((REGULATION_IN_FORCE, REGIME_2008), (REVISION_IN_FORCE, REGIME_2019)))


def regime_for(received_on: date) -> Regime:
    """The 条例 a request received on ``received_on`` is handled under.

    >>> regime_for(date(2019, 5, 14)).answer.working_days, regime_for(date(2019, 5, 15)).answer.working_days
    (15, 20)
    """
    return REGIMES.at(received_on)


class Channel(StrEnum):
    """How a request reached the organ; each fixes the date of receipt (条例第三十一条)."""

    IN_PERSON = "in_person"  # 当面提交
    POST_SIGNED = "post_signed"  # 邮寄，需签收
    POST_UNSIGNED = "post_unsigned"  # 平常信函等无需签收的邮寄
    ONLINE = "online"  # 互联网渠道
    FAX = "fax"  # 政府信息公开工作机构的传真

    @property
    def label(self) -> str:
        """The channel's name in Chinese."""
        return CHANNEL_LABELS[self]

    @property
    def needs_confirmation(self) -> bool:
        """Whether the receipt date is the date of a confirmation rather than of arrival."""
        return self in (Channel.POST_UNSIGNED, Channel.ONLINE, Channel.FAX)


CHANNEL_LABELS = {
    Channel.IN_PERSON: "当面提交",
    Channel.POST_SIGNED: "邮寄（需签收）",
    Channel.POST_UNSIGNED: "邮寄（无需签收）",
    Channel.ONLINE: "互联网渠道",
    Channel.FAX: "传真",
}
RECEIPT_RULES = {
    Channel.IN_PERSON: "条例第三十一条第（一）项：以提交之日为收到申请之日",
    Channel.POST_SIGNED: "条例第三十一条第（二）项：以行政机关签收之日为收到申请之日",
    Channel.POST_UNSIGNED: "条例第三十一条第（二）项：政府信息公开工作机构应当于收到申请的当日与申请人确认，确认之日为收到申请之日",
    Channel.ONLINE: "条例第三十一条第（三）项：以双方确认之日为收到申请之日",
    Channel.FAX: "条例第三十一条第（三）项：以双方确认之日为收到申请之日",
}

# Applicant kinds are the columns of table 三 (the total aside); fixed when the request is received.
APPLICANT_KINDS = tuple(c.key for c in REQUEST_COLUMNS if c.key != "total")
APPLICANT_LABELS = {c.key: c.label.official for c in REQUEST_COLUMNS if c.key != "total"}

# The rows of table 三 that are not outcomes: counts of requests received, carried and concluded.
_COUNT_ROWS = {"new", "carried_in", "total", "carried_over"}
# An outcome is exactly one row key of table 三 in the 2021 layout (the finer one).
OUTCOMES = tuple(row.key for row in layout_for(Format.F2021).request_rows if row.key not in _COUNT_ROWS)
OUTCOME_LABELS = {
    row.key: (
        f"{row.group.official} {row.label.official}" if row.group and "." in row.key else row.label.official
    )
    for row in layout_for(Format.F2021).request_rows
    if row.key not in _COUNT_ROWS
}

# The basis of each outcome (format-and-law.md §10.5; the pairing is an interpretation where the
# formats print none).
OUTCOME_BASIS = {
    "granted": "条例第三十六条第（一）（二）项",
    "partial": "条例第三十七条",
    "withheld.state_secret": "条例第十四条",
    "withheld.prohibited": "条例第十四条",
    "withheld.security": "条例第十四条",
    "withheld.third_party": "条例第十五条、第三十二条",
    "withheld.internal": "条例第十六条第一款",
    "withheld.process": "条例第十六条第二款",
    "withheld.enforcement": "条例第十六条第二款",
    "withheld.inquiry": "条例第三十六条第（七）项",
    "unavailable.not_held": "条例第三十六条第（四）（五）项",
    "unavailable.needs_creation": "条例第三十八条",
    "unavailable.unclear": "条例第三十条",
    "rejected.complaint": "条例第三十九条第一款",
    "rejected.duplicate": "条例第三十六条第（六）项",
    "rejected.publication": "条例第三十九条第二款",
    "rejected.excessive": "条例第三十五条",
    "rejected.reconfirm": "国办公开办函〔2021〕30号 表三（五）5",
    "other.no_correction": "条例第三十条",
    "other.no_fee": FEE_MEASURES,
    "other.other": "国办公开办函〔2021〕30号 表三（六）3",
}
assert set(OUTCOME_BASIS) == set(OUTCOMES), "every outcome of table 三 needs its basis"

# Outcomes the system itself reaches, not an officer's answer.
ABANDONED_NO_CORRECTION = "other.no_correction"
ABANDONED_NO_FEE = "other.no_fee"
WITHDRAWN = "other.other"


def outcome_row(outcome: str, fmt: Format) -> str:
    """The row of table 三 an outcome is counted in, in the layout of ``fmt``.

    The 2019 layout has a single （六）其他处理 row for the three kinds of 2021.

    >>> outcome_row("other.no_fee", Format.F2019), outcome_row("other.no_fee", Format.F2021)
    ('other', 'other.no_fee')
    """
    if outcome not in OUTCOME_BASIS:
        raise ValueError(f"未知的办理结果：{outcome}（应为表三的行：{'、'.join(OUTCOMES)}）")
    if fmt == Format.F2019 and outcome.startswith("other."):
        return "other"
    return outcome


# --- fees (办法第四条、第五条) -----------------------------------------------------------------


@dataclass(frozen=True)
class FeeBand:
    """From ``first`` on (to the next band's first − 1), each unit costs ``yuan``."""

    first: int
    yuan: int


@dataclass(frozen=True)
class FeeSchedule:
    """The 办法's two scales, as in force from a day: 按件计收 by the applicant's requests in one
    calendar month (第四条), 按量计收 by the pages of one request (第五条)."""

    measures: str  # the 办法's name and 文号
    per_request_bands: tuple[FeeBand, ...]
    # past the last band, each further block of ``per_request_step_count`` requests raises the
    # rate by ``per_request_step_yuan`` (31–40 at 200, 41–50 at 300…), the usual reading of 第四条
    per_request_step_count: int
    per_request_step_yuan: int
    per_page_bands: tuple[FeeBand, ...]

    @property
    def per_request_article(self) -> str:
        """The article of 按件计收."""
        return f"{self.measures}第四条"

    @property
    def per_page_article(self) -> str:
        """The article of 按量计收."""
        return f"{self.measures}第五条"


FEE_SCHEDULE_2021 = FeeSchedule(
    FEE_MEASURES,
    per_request_bands=(FeeBand(1, 0), FeeBand(11, 100), FeeBand(31, 200)),
    per_request_step_count=10,
    per_request_step_yuan=100,
    per_page_bands=(FeeBand(1, 0), FeeBand(31, 10), FeeBand(101, 20), FeeBand(201, 40)),
)
FEE_SCHEDULES = Dated(((FEES_IN_FORCE, FEE_SCHEDULE_2021),))


def fee_schedule_for(noticed_on: date) -> FeeSchedule:
    """The scales for a fee notice of ``noticed_on`` (before the 办法, no notice is taken at all)."""
    return FEE_SCHEDULES.at(noticed_on)
