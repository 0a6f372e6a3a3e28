"""A request as registered (for the store's, the web's and the worklist's tests)."""

from __future__ import annotations

from datetime import date, datetime

from gongkai.casework.law import Channel
from gongkai.casework.requests import make_registration


def registration(on: date, kind: str = "natural", channel: Channel = Channel.IN_PERSON):
    return make_registration(
        channel=channel,
        arrived=datetime.combine(on, datetime.min.time()),
        confirmed_on=on if channel.needs_confirmation else None,
        applicant_kind=kind,
        applicant_name="张三",
        subject="2025年道路养护资金的使用情况",
    )
