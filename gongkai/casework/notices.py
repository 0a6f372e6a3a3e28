"""The written notices a request's steps call for (issue 13 §4), filled from the case.

Each step the law requires to be told produces its document: 补正告知书 (条例第三十条), 延期答复告知书
(第三十三条第二款), 延迟答复告知书 (第三十五条), 征求意见函 to a third party (第三十二条) or another
organ (第三十四条), 收费通知书 (《政府信息公开信息处理费管理办法》), and the 答复书 of every outcome of
table 三 (第三十六条 and the articles of the outcome). :func:`notice_variables` gathers what a
template may print; :func:`compose` renders the organ's template into a
:class:`~gongkai.model.letter.Letter`.

A deadline that cannot be counted yet (next year's holidays not entered) prints 「待定」.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gongkai.casework.deadlines import Deadline
from gongkai.casework.fees import LATEST, FeeMethod, request_rate
from gongkai.casework.law import (
    FEE_MEASURES,
    ORGAN_REPLY,
    OUTCOME_BASIS,
    OUTCOME_LABELS,
    REGULATION,
    THIRD_PARTY_REPLY,
    Channel,
    FeeSchedule,
    fee_schedule_for,
)
from gongkai.casework.letters import TemplateSet, format_number, number_problem, number_series
from gongkai.casework.requests import (
    Answered,
    ConsultationStarted,
    Corrected,
    CorrectionLapsed,
    CorrectionRequested,
    Delayed,
    Extended,
    FeeLapsed,
    FeeNoticed,
    RequestCase,
    Withdrawn,
    make_registration,
)
from gongkai.casework.workdays import CalendarGap, WorkCalendar
from gongkai.model.letter import Letter, chinese_date


@dataclass(frozen=True)
class NoticeKind:
    """A kind of written notice: its title, its template, and to whom it goes."""

    key: str
    title: str
    article: str
    to_applicant: bool  # the applicant's own notice (shown on the portal once delivered)
    number_word: str  # the word of its default 文号 (依申告, 依申复, 依申征)


KINDS: dict[str, NoticeKind] = {
    k.key: k
    for k in (
        NoticeKind("correction", "政府信息公开申请补正告知书", "条例第三十条", True, "依申告"),
        NoticeKind("extension", "政府信息公开申请延期答复告知书", "条例第三十三条第二款", True, "依申告"),
        NoticeKind("delay", "政府信息公开申请延迟答复告知书", "条例第三十五条", True, "依申告"),
        NoticeKind("consult_third_party", "政府信息公开征求第三方意见函", "条例第三十二条", False, "依申征"),
        NoticeKind("consult_organ", "政府信息公开征求意见函", "条例第三十四条", False, "依申征"),
        NoticeKind("fee", "政府信息公开信息处理费收费通知书", FEE_MEASURES, True, "依申告"),
        NoticeKind("answer", "政府信息公开申请答复书", "条例第三十六条", True, "依申复"),
    )
}
KIND_LABELS = {key: kind.title for key, kind in KINDS.items()}
# Where a notice goes and when it arrived (送达): the four ways offices deliver.
DELIVERY_CHANNELS = {"in_person": "当面", "post": "邮寄", "email": "电子邮件", "online": "网上"}
# A step → the kind of notice it calls for. Concluding steps the organ reaches without an officer's
# answer (no correction, no fee, withdrawn) are told by a 答复书 too: they are outcomes of table 三.
_STEP_KINDS = {
    "correction_requested": "correction",
    "extended": "extension",
    "delayed": "delay",
    "fee_noticed": "fee",
    "answered": "answer",
    "correction_lapsed": "answer",
    "fee_lapsed": "answer",
    "withdrawn": "answer",
}


def kind_for(event: object) -> NoticeKind | None:
    """The kind of notice a step calls for, or None when nothing is to be told in writing."""
    if isinstance(event, ConsultationStarted):
        return KINDS["consult_organ" if event.party_kind == "organ" else "consult_third_party"]
    key = _STEP_KINDS.get(getattr(event, "type", ""))
    return KINDS[key] if key else None


def steps_calling_for_notices(case: RequestCase) -> list[tuple[int, object, NoticeKind]]:
    """(step number from 1, step, kind) of every step of the case that calls for a notice."""
    out = []
    for index, event in enumerate(case.events):
        kind = kind_for(event)
        if kind is not None:
            out.append((index + 1, event, kind))
    return out


class NoticeSettings(BaseModel):
    """What an organ sets once for all its notices."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    short_name: str = Field("", max_length=30)  # 机关简称 in the 文号; the full name when blank
    review_organ: str = Field("", max_length=200)  # 行政复议机关
    court: str = Field("", max_length=200)  # the 人民法院 for 行政诉讼
    payment: str = Field("", max_length=500)  # how to pay the 信息处理费
    contact: str = Field("", max_length=200)  # 附注: contact person and telephone
    number_patterns: dict[str, str] = Field(default_factory=dict)  # kind → 文号 pattern

    def number_pattern(self, kind: str) -> str:
        """The 文号 pattern of ``kind`` (the organ's, else 「{机关简称}依申告〔{年}〕{号}号」…)."""
        return self.number_patterns.get(kind) or "{机关简称}" + KINDS[kind].number_word + "〔{年}〕{号}号"

    def problems(self) -> dict[str, str]:
        """Each setting's problem, in Chinese, by field (empty when all can be used)."""
        out = {}
        for kind, pattern in self.number_patterns.items():
            if kind not in KINDS:
                out[f"number_{kind}"] = f"没有「{kind}」这种告知书"
            elif problem := number_problem(pattern):
                out[f"number_{kind}"] = problem
        return out


# Lines a clerk may add to a notice when issuing it (each a template variable), with the step's own
# text as the default where it has one.
@dataclass(frozen=True)
class Extra:
    """A field of the issue form: a template variable the case does not hold."""

    key: str  # the template variable
    label: str
    default: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    longest: int = 2000


def extras_for(kind: NoticeKind, event: object, case: RequestCase) -> list[Extra]:
    """The fields the clerk fills (or checks) when issuing the notice of ``event``."""
    subject = case.registration.subject if case.registration else ""
    if kind.key == "correction":
        return [Extra("补正事项", "需要补正的事项", getattr(event, "what", ""), required=True)]
    if kind.key == "extension":
        return [Extra("延期理由", "延期的理由", getattr(event, "reason", ""), required=True)]
    if kind.key == "delay":
        return [Extra("延迟理由", "延迟答复的理由", getattr(event, "reason", ""), required=True)]
    if kind.key.startswith("consult"):
        return [Extra("征求意见事项", "征求意见的政府信息", subject, required=True)]
    if kind.key == "answer":
        outcome = _outcome_of(event)
        # 第三十六条第（三）项、第三十七条: what is withheld is withheld with its reasons.
        reasons = outcome == "partial" or (outcome.startswith("withheld.") and outcome != "withheld.inquiry")
        summary = getattr(event, "summary", "")
        extras = [Extra("说明", "答复的内容（提供的信息或获取方式、理由等）", summary, required=reasons)]
        if outcome == "granted":
            extras.append(Extra("公开方式", "公开方式", "予以提供", choices=("予以提供", "已主动公开")))
        if outcome == "unavailable.not_held":
            extras.append(Extra("负责机关", "负责公开的机关及其联系方式（能确定时填写）"))
        return extras
    return []


def _outcome_of(event: object) -> str:
    if isinstance(event, Answered):
        return event.outcome
    if isinstance(event, CorrectionLapsed):
        return "other.no_correction"
    if isinstance(event, FeeLapsed):
        return "other.no_fee"
    if isinstance(event, Withdrawn):
        return "other.other"
    raise ValueError("这一步没有办理结果")


def _due_text(due: Any) -> str:
    """A deadline's day as the letter prints it; 「待定」 when it cannot be counted yet."""
    try:
        deadline: Deadline | None = due() if callable(due) else due
    except CalendarGap:
        return chinese_date(None)
    return chinese_date(getattr(deadline, "due", None))


def page_working(pages: int, schedule: FeeSchedule = LATEST) -> str:
    """How a 按量计收 fee is reached, band by band (办法第五条).

    >>> page_working(150)
    '第31–100页 70页×10元＝700元；第101–150页 50页×20元＝1000元；合计1700元'
    >>> page_working(20)
    '共20页，30页以内不收费；合计0元'
    """
    bands = schedule.per_page_bands
    parts, total = [], 0
    for band, following in zip(bands, (*bands[1:], None), strict=True):
        last = pages if following is None else min(pages, following.first - 1)
        if band.yuan == 0 or last < band.first:
            continue
        count = last - band.first + 1
        total += count * band.yuan
        parts.append(f"第{band.first}–{last}页 {count}页×{band.yuan}元＝{count * band.yuan}元")
    if not parts:
        return f"共{pages}页，{bands[1].first - 1}页以内不收费；合计0元"
    return "；".join(parts) + f"；合计{total}元"


def request_working(nth: int, schedule: FeeSchedule = LATEST) -> str:
    """How a 按件计收 fee is reached for the applicant's ``nth`` request of the month (办法第四条).

    >>> request_working(35)
    '本件为申请人本自然月内第35件申请，适用第31–40件每件200元；合计200元'
    """
    rate = request_rate(nth, schedule)
    bands, step = schedule.per_request_bands, schedule.per_request_step_count
    top = bands[-1]
    if nth >= top.first:
        first = top.first + (nth - top.first) // step * step
        band = f"第{first}–{first + step - 1}件"
    else:
        starts = [b.first for b in bands]
        first = max(s for s in starts if s <= nth)
        band = f"第{first}–{min(s for s in [*starts, 10**9] if s > nth) - 1}件"
    return f"本件为申请人本自然月内第{nth}件申请，适用{band}每件{rate}元；合计{rate}元"


def _scale(method: FeeMethod, schedule: FeeSchedule) -> str:
    """The 收费标准 in words, from the scales in force (law.py)."""
    if method is FeeMethod.PER_PAGE:
        b = schedule.per_page_bands
        return (
            f"同一申请{b[1].first - 1}页以下（含{b[1].first - 1}页）的，不收费；"
            f"{b[1].first}–{b[2].first - 1}页（含{b[2].first - 1}页）的部分，每页{b[1].yuan}元；"
            f"{b[2].first}–{b[3].first - 1}页（含{b[3].first - 1}页）的部分，每页{b[2].yuan}元；"
            f"{b[3].first}页以上的部分，每页{b[3].yuan}元"
        )
    b = schedule.per_request_bands
    return (
        f"同一申请人一个自然月内申请{b[1].first - 1}件以下（含{b[1].first - 1}件）的，不收费；"
        f"{b[1].first}–{b[2].first - 1}件（含{b[2].first - 1}件）的部分，每件{b[1].yuan}元；"
        f"{b[2].first}件以上的部分，以{schedule.per_request_step_count}件为一档，"
        f"每增加一档，收费标准提高{schedule.per_request_step_yuan}元/件"
    )


def notice_variables(
    case: RequestCase,
    step: int,
    *,
    organ_name: str,
    settings: NoticeSettings,
    number: str,
    issued_on: date,
    extras: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the template of step ``step`` (from 1) may print: the request, the step and its
    deadlines as counted right after it, the organ's settings and the clerk's ``extras``."""
    event = case.events[step - 1]
    kind = kind_for(event)
    if kind is None:
        raise ValueError(f"第{step}步不需要书面告知")
    reg = case.registration
    assert reg is not None
    then = RequestCase.replay(case.calendar, case.events[:step])  # the case as the step left it
    natural = reg.applicant_kind == "natural"
    values: dict[str, Any] = {
        "机关名称": organ_name,
        "机关简称": settings.short_name or organ_name,
        "条例": REGULATION,
        "收费办法": FEE_MEASURES,
        "文号": number,
        "申请人": reg.applicant_name,
        "称谓": "你" if natural else "你单位",
        "申请编号": "",
        "收到申请日期": chinese_date(reg.on),
        "申请内容": reg.subject,
        "告知日期": chinese_date(event.on),  # type: ignore[attr-defined]
        "成文日期": chinese_date(issued_on),
        "联系方式": settings.contact,
    }
    if isinstance(event, CorrectionRequested):
        values |= {"补正事项": event.what, "补正期限": chinese_date(event.respond_by)}
    elif isinstance(event, Extended):
        values |= {"延长天数": event.days, "延期理由": event.reason, "答复期限": _due_text(then.answer_due)}
    elif isinstance(event, Delayed):
        values |= {"延迟答复日期": chinese_date(event.until), "延迟理由": event.reason}
    elif isinstance(event, ConsultationStarted):
        values |= {
            "征求对象": event.party,
            "征求意见事项": reg.subject,
            "意见期限天数": (ORGAN_REPLY if event.party_kind == "organ" else THIRD_PARTY_REPLY).working_days,
        }
    elif isinstance(event, FeeNoticed):
        values |= _fee_variables(event, then, settings)
    else:
        values |= _answer_variables(case, step, event, settings)
    values |= {key: _clause(value) for key, value in (extras or {}).items() if key in _EXTRA_KEYS}
    for key in _EXTRA_KEYS & values.keys():
        values[key] = _clause(values[key])
    return values


_EXTRA_KEYS = {"补正事项", "延期理由", "延迟理由", "征求意见事项", "说明", "公开方式", "负责机关", "申请编号"}
_TRAILING = "。．.；;，,、：: \t\n"


def _clause(text: object) -> str:
    """Free text as a clause the template goes on from: its closing punctuation is the template's.

    >>> _clause("请写明项目名称。 ")
    '请写明项目名称'
    """
    return str(text).strip().rstrip(_TRAILING)


def _fee_variables(event: FeeNoticed, then: RequestCase, settings: NoticeSettings) -> dict[str, Any]:
    per_page = event.method is FeeMethod.PER_PAGE
    schedule = fee_schedule_for(event.on)  # the scales of the day the notice went out
    return {
        "计收方式": event.method.label,
        "收费依据": f"{schedule.measures}第三条、{'第五条' if per_page else '第四条'}",
        "收费条款": schedule.per_page_article if per_page else schedule.per_request_article,
        "收费标准": _scale(event.method, schedule),
        "数量": event.quantity,
        "金额": event.yuan,
        "计算过程": (
            page_working(event.quantity, schedule) if per_page else request_working(event.quantity, schedule)
        ),
        "缴费方式": settings.payment or "请按本机关告知的方式缴纳",
        "收到通知日期": chinese_date(event.received_on),
        "缴费截止日期": _due_text(then.fee_due),
    }


def _answer_variables(case: RequestCase, step: int, event: object, settings: NoticeSettings) -> dict:
    outcome = _outcome_of(event)
    before = case.events[: step - 1]
    correction = next((e for e in before if isinstance(e, CorrectionRequested)), None)
    fee = next((e for e in before if isinstance(e, FeeNoticed)), None)
    consulted = any(isinstance(e, ConsultationStarted) and e.party_kind == "third_party" for e in before)
    return {
        "办理结果": outcome,
        "办理结果名称": OUTCOME_LABELS[outcome],
        "结果依据": OUTCOME_BASIS[outcome],
        "答复日期": chinese_date(event.on),  # type: ignore[attr-defined]
        "说明": getattr(event, "summary", "") or getattr(event, "reason", ""),
        "公开方式": "予以提供",
        "负责机关": "",
        "补正告知日期": chinese_date(correction.on if correction else None),
        "补正期限": chinese_date(correction.respond_by if correction else None),
        "收费通知日期": chinese_date(fee.on if fee else None),
        "已征求第三方意见": consulted,
        "已撤回": isinstance(event, Withdrawn),
        # The reconsideration organ and the court are the organ's settings; unset, the letter
        # says what the law lets the applicant choose rather than a name that may be wrong.
        "复议机关": settings.review_organ or "有权受理的行政复议机关",
        "人民法院": settings.court or "有管辖权的人民法院",
    }


def compose(
    case: RequestCase,
    step: int,
    templates: TemplateSet,
    *,
    organ_name: str,
    settings: NoticeSettings,
    issued_on: date,
    number: str = "",
    request_number: str = "",
    extras: dict[str, str] | None = None,
) -> Letter:
    """The letter of step ``step``, written from the organ's templates. ``number`` is its 文号
    (blank in a preview: the pattern with 「×」 is shown instead)."""
    event = case.events[step - 1]
    kind = kind_for(event)
    if kind is None:
        raise ValueError(f"第{step}步不需要书面告知")
    shown_number = number or format_number(
        number_series(settings.number_pattern(kind.key), settings.short_name or organ_name, issued_on.year),
        None,
    )
    variables = notice_variables(
        case,
        step,
        organ_name=organ_name,
        settings=settings,
        number=shown_number,
        issued_on=issued_on,
        extras={"申请编号": request_number, **(extras or {})},
    )
    assert case.registration is not None
    if kind.to_applicant:
        recipient = case.registration.applicant_name
    else:
        recipient = getattr(event, "party", "") or "（被征求意见方）"
    return Letter(
        kind=kind.key,
        title=kind.title,
        number=shown_number,
        recipient=recipient,
        paragraphs=templates.paragraphs(kind.key, variables),
        organ=organ_name,
        dated=issued_on,
        note=f"联系人及电话：{settings.contact}" if settings.contact else "",
    )


# --- a sample case, for the template editor's preview and its check ----------------------------

SAMPLE_RECEIVED = date(2026, 3, 2)  # a Monday of a year the calendar package knows


def sample_case(template: str, calendar: WorkCalendar) -> tuple[RequestCase, int]:
    """A made-up request whose last step calls for template ``template``, and that step's number:
    every template is checked and previewed with the variables it gets in real use."""
    day = SAMPLE_RECEIVED
    events: list[Any] = [
        make_registration(
            channel=Channel.IN_PERSON,
            arrived=datetime(day.year, day.month, day.day, 9, 30),
            confirmed_on=None,
            applicant_kind="natural",
            applicant_name="张三",
            subject="2025年本区科技项目经费分配结果",
        )
    ]
    at = date(2026, 3, 4)
    outcome = template.removeprefix("answer.") if template.startswith("answer.") else "granted"
    if template == "correction" or outcome in ("other.no_correction", "unavailable.unclear"):
        events.append(
            CorrectionRequested(on=at, respond_by=date(2026, 3, 18), what="请写明所需信息的项目名称")
        )
        if outcome == "other.no_correction":
            events.append(CorrectionLapsed(on=date(2026, 3, 19)))
        elif outcome == "unavailable.unclear":
            events.append(Corrected(on=date(2026, 3, 10)))
    elif template == "extension":
        events.append(Extended(on=date(2026, 3, 25), days=20, approver="办公室主任", reason="需调取档案核查"))
    elif template == "delay":
        events.append(
            Delayed(on=date(2026, 3, 25), until=date(2026, 5, 29), reason="申请数量明显超过合理范围")
        )
    elif template in ("consult_third_party", "consult_organ"):
        party_kind = "organ" if template == "consult_organ" else "third_party"
        events.append(ConsultationStarted(on=at, party_kind=party_kind, party="某某科技有限公司"))
    elif template == "fee" or outcome == "other.no_fee":
        events.append(FeeNoticed(on=at, received_on=at, method=FeeMethod.PER_PAGE, quantity=150, yuan=1700))
        if outcome == "other.no_fee":
            events.append(FeeLapsed(on=date(2026, 4, 3)))
    if template.startswith("answer") or template == "remedy":
        if outcome == "other.other":
            events.append(Withdrawn(on=date(2026, 3, 20), reason="申请人撤回"))
        elif outcome not in ("other.no_correction", "other.no_fee"):
            events.append(Answered(on=date(2026, 3, 20), outcome=outcome, summary="（答复的具体内容）"))
    case = RequestCase.replay(calendar, events)
    return case, len(case.events)
