"""PUB-BOARD (record, §四(一) 统一建设标准): every village's contact board (警民联系牌) and its auxiliary office's name, "XX村辅警工作室".

The seed asks each key village's police office to hang a 警民联系牌 and each resident
auxiliary's office (驻村工作室, in the village's activity centre) to hang a 驻村辅警联系牌, the
office named "XX村辅警工作室". The plan prints one board a village (A4, Chinese): the office's
name and, for the liaison officer and the resident auxiliary, only the name, unit and phone that
the public notice carries (personal data never reaches a board).
"""

from __future__ import annotations

from ..optimizer.i18n import N_
from .base import Rule

RULE = Rule(
    id="PUB-BOARD",
    clause="§四(一) 统一建设标准",
    kind="record",
    subject="public",
    summary=N_(
        "every village has its contact board (警民联系牌) and an auxiliary office named "
        '"XX村辅警工作室"'
    ),
)

# The fields a board may show: nothing else about a person is printed on it.
BOARD_FIELDS = (
    "office",
    "village_name",
    "township_name",
    "officer_name",
    "officer_unit",
    "officer_phone",
    "auxiliary_name",
    "auxiliary_unit",
    "auxiliary_phone",
)


def office_name(village_name: str) -> str:
    """The auxiliary office's name as the seed fixes it: "XX村辅警工作室" (a name that already
    ends in 村 or 社区 is not doubled)."""
    name = str(village_name).strip()
    if name.endswith(("村", "社区")):
        return f"{name}辅警工作室"
    return f"{name}村辅警工作室"
