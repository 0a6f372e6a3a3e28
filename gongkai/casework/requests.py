"""A disclosure request (依申请公开) as the sequence of what happened to it, and the state that follows.

Each step is an event with its date. :class:`RequestCase` replays the events, refuses a step the
law or the order of things does not allow (with the reason in Chinese), and tells the deadlines that
follow (format-and-law.md §10.3, §10.8). The store keeps the events and never rewrites them; the
year's table 三 counts the cases by their dates of receipt and conclusion and their outcome.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from gongkai import settings
from gongkai.casework.deadlines import Deadline, deadline, pending
from gongkai.casework.fees import FeeMethod
from gongkai.casework.law import (
    ABANDONED_NO_CORRECTION,
    ABANDONED_NO_FEE,
    APPLICANT_KINDS,
    FEE_MEASURES,
    FEE_PAYMENT,
    FEES_IN_FORCE,
    OUTCOME_LABELS,
    OUTCOMES,
    REGIME_2008,
    REGIME_2019,
    WITHDRAWN,
    fee_schedule_for,
    regime_for,
)
from gongkai.casework.steps import (
    DELAY,
    EVENT_ADAPTER,
    EVENT_LABELS,
    MAX_EXTENSION_DAYS,
    PROVIDING_OUTCOMES,
    Answered,
    ConsultationEnded,
    ConsultationStarted,
    Corrected,
    CorrectionLapsed,
    CorrectionRequested,
    Delayed,
    Event,
    Extended,
    FeeCancelled,
    FeeLapsed,
    FeeNoticed,
    FeePaid,
    IllegalStep,
    Registered,
    Withdrawn,
    _Event,
    make_registration,
)
from gongkai.casework.workdays import CalendarGap, WorkCalendar

# The steps are defined in gongkai.casework.steps; they are named here too, where the code that
# takes them has always found them.
__all__ = [
    "DELAY",
    "EVENT_ADAPTER",
    "EVENT_LABELS",
    "MAX_EXTENSION_DAYS",
    "PROVIDING_OUTCOMES",
    "Answered",
    "ConsultationEnded",
    "ConsultationStarted",
    "Corrected",
    "CorrectionLapsed",
    "CorrectionRequested",
    "Delayed",
    "Event",
    "Extended",
    "FeeCancelled",
    "FeeLapsed",
    "FeeNoticed",
    "FeePaid",
    "IllegalStep",
    "Registered",
    "RequestCase",
    "Withdrawn",
    "make_registration",
]


class RequestCase:
    """The state of one request after its events, and the deadlines that follow from it."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.events: list[_Event] = []
        self.registration: Registered | None = None
        self.clock_start: date | None = None  # receipt, or receipt of the corrected request
        self.correction: CorrectionRequested | None = None
        self.correction_done = False
        self.consultations: list[tuple[ConsultationStarted, date | None]] = []
        self.extension: Extended | None = None
        self.delay: Delayed | None = None
        self.fee: FeeNoticed | None = None  # the notice in force (a cancelled one is not)
        self.cancelled_fees: list[tuple[FeeNoticed, date]] = []
        self.fee_paid_on: date | None = None
        self.regime = REGIME_2019  # set from the date of receipt on registration
        self.strict = True  # False while replaying recorded history (see replay)
        self.outcome: str | None = None
        self.concluded_on: date | None = None

    @classmethod
    def replay(cls, calendar: WorkCalendar, events: list[_Event], *, recorded: bool = False) -> RequestCase:
        """The case after ``events``, each checked in turn.

        ``recorded``: the events are history already stored, each taken when the calendar then known
        allowed it. They are replayed without the checks that depend on the calendar, which a year
        entered since (a 待定 or 暂定 date now counted) could answer otherwise: history is never
        refused, and a new step is still checked in full (:meth:`apply`)."""
        case = cls(calendar)
        case.strict = not recorded
        for event in events:
            case.apply(event)
        case.strict = True
        return case

    # --- state -------------------------------------------------------------------------------
    @property
    def received_on(self) -> date:
        """The first date of receipt: the year the request is counted as new in."""
        assert self.registration is not None
        return self.registration.on

    @property
    def applicant_kind(self) -> str:
        """The column of table 三 the request is counted in."""
        assert self.registration is not None
        return self.registration.applicant_kind

    @property
    def is_open(self) -> bool:
        """Whether the request still awaits its conclusion."""
        return self.registration is not None and self.concluded_on is None

    @property
    def awaiting_correction(self) -> bool:
        """A 补正 notice went out and the corrected request has not come back."""
        return self.correction is not None and not self.correction_done and self.is_open

    @property
    def consulting(self) -> ConsultationStarted | None:
        """The consultation now running, if any."""
        if self.consultations and self.consultations[-1][1] is None:
            return self.consultations[-1][0]
        return None

    @property
    def fee_unpaid(self) -> bool:
        """A fee notice is out and not yet paid."""
        return self.fee is not None and self.fee_paid_on is None and self.is_open

    def status(self) -> str:
        """The state in Chinese, for lists."""
        if self.registration is None:
            return "未登记"
        if not self.is_open:
            return f"已办结：{OUTCOME_LABELS[self.outcome or '']}"
        if self.awaiting_correction:
            return "待补正"
        if self.consulting is not None:
            pauses = self._consultation_pauses(self.consulting) and self._pause_counts(self.consulting.on)
            return "征求意见中（暂停计时）" if pauses else "征求意见中（答复期限照常计算）"
        if self.fee_unpaid:
            assert self.fee is not None
            pauses = settings.current().fee_period_pauses_answer and self._pause_counts(self.fee.on)
            return "待缴费（暂停计时）" if pauses else "待缴费"
        if self.delay is not None:
            return "延迟答复"
        return "已延期办理中" if self.extension else "办理中"

    def open_on(self, day: date) -> bool:
        """Whether the request was received by ``day`` and not concluded on or before it."""
        return (
            self.registration is not None
            and self.received_on <= day
            and (self.concluded_on is None or self.concluded_on > day)
        )

    # --- deadlines ----------------------------------------------------------------------------
    def _ends_by(self, ended: date | None, limit: Deadline | None) -> tuple[date | None, int | None]:
        """When a pause ends: when it was ended, and at the latest when its own period ran out
        (the party's 15 working days, 第三十二条、第三十四条; the 20 for paying). The end is None
        while it cannot be known: still running with no period (the year is then None), or a period
        that reaches a year nobody has entered (that year)."""
        if limit is None:
            return ended, None
        if limit.due is None:
            if ended is not None and limit.missing_year is not None and ended.year < limit.missing_year:
                return ended, None
            return None, limit.missing_year
        return (limit.due if ended is None else min(ended, limit.due)), None

    def _pauses(self) -> list[tuple[date, tuple[date | None, int | None]]]:
        """Periods not counted in the answer period, after the clock (re)started, in order of
        start: consultations (第三十三条第三款) and, unless ``GONGKAI_FEE_PERIOD_PAUSES_ANSWER=0``, the
        time from a fee notice to its payment or cancellation."""
        assert self.clock_start is not None
        out: list[tuple[date, tuple[date | None, int | None]]] = []
        for started, ended in self.consultations:
            if started.on >= self.clock_start and self._consultation_pauses(started):
                out.append((started.on, self._ends_by(ended, self._reply_deadline(started))))
        if settings.current().fee_period_pauses_answer:
            for notice, ended in self._fee_periods():
                if notice.on >= self.clock_start:
                    limit = deadline(self.calendar, FEE_PAYMENT, notice.received_on)
                    out.append((notice.on, self._ends_by(ended, limit)))
        return sorted(out, key=lambda pause: pause[0])

    def _consultation_pauses(self, started: ConsultationStarted) -> bool:
        """Whether a consultation stops the answer clock: every one under the 2019 条例
        (第三十三条第三款); under the 2008 条例 only a third party's (第二十四条第三款)."""
        return started.party_kind == "third_party" or self.regime is not REGIME_2008

    def _pause_counts(self, start: date) -> bool:
        """Whether a pause beginning on ``start`` moves the answer date: only one that began by the
        date then due (a passed answer date is never moved). Unknown dates count as not passed."""
        due = self._statutory(before=start)  # as the pauses that began before it make it
        return due is None or due.due is None or start <= due.due

    def _fee_periods(self) -> list[tuple[FeeNoticed, date | None]]:
        periods: list[tuple[FeeNoticed, date | None]] = list(self.cancelled_fees)
        if self.fee is not None:
            periods.append((self.fee, self.fee_paid_on))
        return periods

    def statutory_due(self) -> Deadline | None:
        """The answer date under 第三十三条 (the 2008 条例's 第二十四条 for a request received before
        2019-05-15): pauses added, extension included, before any 第三十五条 delay.

        A pause counts only if it began by the date then due: once the answer date has passed, a
        consultation or a fee notice cannot move it, and the request stays overdue."""
        return self._statutory()

    def _statutory(self, before: date | None = None) -> Deadline | None:
        if not self.is_open or self.awaiting_correction:
            return None
        assert self.clock_start is not None
        if self.extension is not None:
            limit, days = self.regime.extension, self.regime.answer.working_days + self.extension.days
        else:
            limit, days = self.regime.answer, self.regime.answer.working_days
        due = deadline(self.calendar, limit, self.clock_start, days=days)
        paused: set[date] = set()
        for start, (end, missing) in self._pauses():
            if before is not None and start >= before:
                break
            if due.due is None:
                return due
            if start > due.due:
                continue
            if end is None:  # still running with no known end: 待定 until it ends or the year is in
                return Deadline(limit, self.clock_start, None, days, missing_year=missing)
            try:
                paused.update(self._workdays_after(start, end))
            except CalendarGap as gap:
                return replace(pending(limit, self.clock_start, gap.year), days=days)
            due = deadline(self.calendar, limit, self.clock_start, days=days, paused=len(paused))
        return due

    def _workdays_after(self, start: date, end: date) -> set[date]:
        days, day = set(), start
        while day < end:
            day += timedelta(days=1)
            if self.calendar.is_workday(day):
                days.add(day)
        return days

    def answer_due(self) -> Deadline | None:
        """When the answer is due; None while concluded or awaiting the corrected request."""
        if self.delay is not None and self.is_open and not self.awaiting_correction:
            return Deadline(DELAY, self.delay.on, self.delay.until, 0)
        return self.statutory_due()

    def correction_notice_due(self) -> Deadline | None:
        """By when a 补正 notice may go out: 7 working days from receipt, once (第三十条)."""
        limit = self.regime.correction_notice if self.registration is not None else None
        if limit is None or not self.is_open or self.correction is not None or len(self.events) > 1:
            return None  # no period (2008 条例), sent already, or the request has moved on
        return deadline(self.calendar, limit, self.received_on)

    def _reply_deadline(self, started: ConsultationStarted) -> Deadline | None:
        limit = (
            self.regime.third_party_reply if started.party_kind == "third_party" else self.regime.organ_reply
        )
        if limit is None:
            return None  # the 2008 条例 gave the party no period
        return deadline(self.calendar, limit, started.letter_received_on or started.on)

    def consultation_reply_due(self) -> Deadline | None:
        """When the party consulted must give its view (15 working days from getting the letter)."""
        running = self.consulting
        return None if running is None else self._reply_deadline(running)

    def fee_due(self) -> Deadline | None:
        """The last day to pay the fee: the 20th working day after the notice was received."""
        if not self.fee_unpaid:
            return None
        assert self.fee is not None
        return deadline(self.calendar, FEE_PAYMENT, self.fee.received_on)

    def deadlines(self) -> list[Deadline]:
        """Every deadline now running, earliest first (those 待定 last)."""
        found = [
            self.correction_notice_due(),
            self.consultation_reply_due(),
            self.fee_due(),
            self.answer_due(),
        ]
        return sorted((d for d in found if d is not None), key=lambda d: (d.due is None, d.due or date.max))

    @staticmethod
    def _past(found: Deadline | None, day: date) -> bool | None:
        """Whether ``day`` is after the deadline: True or False when that is certain, None when it
        cannot be told yet (a date 待定, or 暂定 across a year entered only in part)."""
        if found is None:
            return None
        if found.due is None:
            if found.missing_year is not None and day.year < found.missing_year:
                return False  # the due date lies in a later year than the day
            return None
        if found.provisional:
            return None
        return day > found.due

    # --- steps -------------------------------------------------------------------------------
    def allowed_steps(self) -> tuple[str, ...]:
        """The kinds of step the request's state allows now (event types), for a page to offer
        only those; the dates are still checked when one is taken."""
        if not self.is_open:
            return ()
        if self.awaiting_correction:
            return ("corrected", "correction_lapsed", "withdrawn")
        steps: list[str] = []
        if self.correction_notice_due() is not None or (
            self.regime.correction_notice is None and self.correction is None and len(self.events) == 1
        ):
            steps.append("correction_requested")
        steps.append("consultation_ended" if self.consulting is not None else "consultation_started")
        if self.extension is None and self.delay is None:
            steps.append("extended")
        if self.delay is None:
            steps.append("delayed")
        if self.fee_unpaid:
            steps += ["fee_paid", "fee_lapsed", "fee_cancelled"]
        elif self.fee is None:
            steps.append("fee_noticed")
        if self.consulting is None and not self.fee_unpaid:
            steps.append("answered")
        steps.append("withdrawn")
        return tuple(steps)

    def apply(self, event: _Event) -> None:
        """Take one step, or raise :class:`IllegalStep` saying why it cannot be taken."""
        label = EVENT_LABELS[event.type]  # type: ignore[attr-defined]
        if isinstance(event, Registered):
            if self.registration is not None:
                raise IllegalStep("申请已登记")
            if event.applicant_kind not in APPLICANT_KINDS:
                raise IllegalStep(f"申请人类别应为 {'、'.join(APPLICANT_KINDS)} 之一")
            self.registration, self.clock_start = event, event.on
            self.regime = regime_for(event.on)
            self.events.append(event)
            return
        if self.registration is None:
            raise IllegalStep(f"{label}：申请尚未登记")
        if not self.is_open:
            raise IllegalStep(f"{label}：申请已于 {self.concluded_on} 办结，不能再{label}")
        last = self.events[-1].on
        if event.on < last:
            raise IllegalStep(f"{label}：日期 {event.on} 早于上一步的日期 {last}")
        handler = getattr(self, f"_on_{event.type}")  # type: ignore[attr-defined]
        handler(event)
        self.events.append(event)

    def _conclude(self, event: _Event, outcome: str) -> None:
        self.outcome, self.concluded_on = outcome, event.on

    def _on_correction_requested(self, event: CorrectionRequested) -> None:
        if self.correction is not None:
            raise IllegalStep("告知补正：条例第三十条要求一次性告知，本申请已告知过补正")
        if len(self.events) > 1:
            raise IllegalStep("告知补正：补正应在收到申请后、办理其他事项之前一次性告知（条例第三十条）")
        limit = self.regime.correction_notice
        if limit is not None and self.strict:
            # A period reaching a year nobody has entered never stops a notice plainly in time (12-28
            # for a request of 12-24): only a notice certainly late is refused.
            due = deadline(self.calendar, limit, self.received_on)
            if self._past(due, event.on):
                raise IllegalStep(
                    f"告知补正：条例第三十条要求自收到申请之日起7个工作日内告知，期限已于 {due.due} 届满"
                )
        if event.respond_by <= event.on:
            raise IllegalStep("告知补正：补正期限应晚于告知之日")
        self.correction = event

    def _on_corrected(self, event: Corrected) -> None:
        if not self.awaiting_correction:
            raise IllegalStep("收到补正：本申请没有待补正的告知")
        self.correction_done, self.clock_start = True, event.on

    def _on_correction_lapsed(self, event: CorrectionLapsed) -> None:
        if not self.awaiting_correction:
            raise IllegalStep("逾期未补正：本申请没有待补正的告知")
        assert self.correction is not None
        if event.on <= self.correction.respond_by:
            raise IllegalStep(f"逾期未补正：补正期限到 {self.correction.respond_by} 为止，尚未逾期")
        self._conclude(event, ABANDONED_NO_CORRECTION)

    def _on_consultation_started(self, event: ConsultationStarted) -> None:
        if self.awaiting_correction:
            raise IllegalStep("征求意见：申请待补正，补正后再征求意见")
        if self.consulting is not None:
            raise IllegalStep("征求意见：上一次征求意见尚未结束")
        if event.letter_received_on is not None and event.letter_received_on < event.on:
            raise IllegalStep("征求意见：对方收到征求意见书的日期早于发出日期")
        self.consultations.append((event, None))

    def _on_consultation_ended(self, event: ConsultationEnded) -> None:
        running = self.consulting
        if running is None:
            raise IllegalStep("征求意见结束：没有正在进行的征求意见")
        self.consultations[-1] = (running, event.on)

    def _passed(self, label: str, day: date) -> None:
        """Refuse a step that would move an answer date certainly passed on ``day``."""
        due = self.statutory_due()
        if self.strict and self._past(due, day):
            assert due is not None
            raise IllegalStep(f"{label}：答复期限已于 {due.due} 届满，不能再{label}（{due.limit.article}）")

    def _on_extended(self, event: Extended) -> None:
        if self.extension is not None:
            raise IllegalStep(f"延长答复期限：{self.regime.extension.article}只允许延长一次，本申请已延长")
        if self.delay is not None:
            raise IllegalStep(f"延长答复期限：已依条例第三十五条确定延迟答复至 {self.delay.until}")
        if self.statutory_due() is None:
            raise IllegalStep(f"延长答复期限：申请当前{self.status()}，不能延长")
        longest = self.regime.extension.working_days
        if event.days > longest:
            raise IllegalStep(
                f"延长答复期限：{self.regime.extension.article}规定延长最长不超过{longest}个工作日"
            )
        self._passed("延长答复期限", event.on)
        self.extension = event

    def _on_delayed(self, event: Delayed) -> None:
        if self.delay is not None:
            raise IllegalStep(f"延迟答复：已确定延迟答复至 {self.delay.until}")
        due = self.statutory_due()
        if due is None:
            raise IllegalStep(f"延迟答复：申请当前{self.status()}，不能确定延迟答复期限")
        self._passed("确定延迟答复", event.on)
        if self.strict and due.due is not None and event.until <= due.due:
            raise IllegalStep(f"延迟答复：延迟答复的期限应晚于法定答复期限 {due.due}")
        if event.until <= event.on:
            raise IllegalStep("延迟答复：延迟答复的期限应晚于告知之日")
        self.delay = event

    def _on_fee_noticed(self, event: FeeNoticed) -> None:
        if event.on < FEES_IN_FORCE:
            raise IllegalStep(f"发出收费通知：{FEE_MEASURES}自 {FEES_IN_FORCE} 起施行，此前不收取信息处理费")
        if self.awaiting_correction:
            raise IllegalStep("发出收费通知：申请待补正，补正后再确定是否收费")
        if self.fee is not None:
            raise IllegalStep("发出收费通知：本申请已发出过收费通知（如有错误，先撤销原通知）")
        if event.received_on < event.on:
            raise IllegalStep("发出收费通知：申请人收到通知的日期早于发出日期")
        if event.yuan == 0:
            raise IllegalStep("发出收费通知：按标准不收费（0 元），无需发出收费通知")
        self.fee = event

    def _on_fee_cancelled(self, event: FeeCancelled) -> None:
        if self.fee is None:
            raise IllegalStep("撤销收费通知：本申请没有收费通知")
        if self.fee_paid_on is not None:
            raise IllegalStep("撤销收费通知：申请人已缴费，不能撤销收费通知")
        self.cancelled_fees.append((self.fee, event.on))
        self.fee = None

    def _on_fee_paid(self, event: FeePaid) -> None:
        due = self.fee_due()
        if due is None:
            raise IllegalStep("缴费：本申请没有待缴的收费通知")
        if self.strict and self._past(due, event.on):
            raise IllegalStep(f"缴费：缴费期限已于 {due.due} 届满，应登记逾期未缴费（视为放弃申请）")
        self.fee_paid_on = event.on

    def _on_fee_lapsed(self, event: FeeLapsed) -> None:
        due = self.fee_due()
        if due is None:
            raise IllegalStep("逾期未缴费：本申请没有待缴的收费通知")
        past = self._past(due, event.on) if self.strict else True
        if past is None and due.due is None:
            raise IllegalStep(
                f"逾期未缴费：缴费期限进入 {due.missing_year} 年，该年放假安排尚未录入，无法确认已经逾期"
            )
        if past is None:
            raise IllegalStep(
                f"逾期未缴费：缴费期限 {due.due} 是暂定的（所跨年份的放假安排只录入了一部分），录入全年后才能确认已经逾期"
            )
        if not past:
            raise IllegalStep(f"逾期未缴费：缴费期限到 {due.due} 为止，尚未逾期")
        self._conclude(event, ABANDONED_NO_FEE)

    def _on_answered(self, event: Answered) -> None:
        if event.outcome not in OUTCOMES:
            raise IllegalStep(
                f"答复：办理结果应为表三的一行（{'、'.join(OUTCOMES)}），而不是「{event.outcome}」"
            )
        if event.outcome in (ABANDONED_NO_CORRECTION, ABANDONED_NO_FEE):
            raise IllegalStep("答复：逾期未补正、逾期未缴费请分别登记，系统据此计入表三（六）")
        if self.awaiting_correction:
            raise IllegalStep("答复：申请待补正，应先登记收到补正或逾期未补正")
        if event.outcome == "unavailable.unclear" and not self.correction_done:
            raise IllegalStep("答复：“补正后申请内容仍不明确”须先告知补正并收到补正（条例第三十条）")
        if self.consulting is not None:
            raise IllegalStep("答复：征求意见尚未结束")
        if self.fee_unpaid:
            raise IllegalStep("答复：收费通知尚未缴费，应先登记缴费、逾期未缴费或撤销收费通知")
        if (
            self.fee is not None
            and self.fee.method is FeeMethod.PER_PAGE
            and event.outcome not in PROVIDING_OUTCOMES
        ):
            raise IllegalStep(
                f"答复：已按量收费（{fee_schedule_for(self.fee.on).per_page_article}，按提供的页数计收），答复应提供信息"
                "（予以公开或部分公开）；不提供信息的答复不能按量收费，请先撤销收费通知"
            )
        self._conclude(event, event.outcome)

    def _on_withdrawn(self, event: Withdrawn) -> None:
        self._conclude(event, WITHDRAWN)
