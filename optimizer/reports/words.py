"""Reasons in words: the rule ids of a plan's ``reasons`` column as a planner reads them.

``OFF-PREF:1;OFF-KEY`` becomes ``民警第1志愿；治安民警和派出所民警包重点村``. A plain rule id reads
as its rule's ``summary_zh`` (one source for the wording: the rule module); an id with a detail
after the colon reads by the phrase below.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...constraints.registry import RULES
from ..i18n import N_, _, language
from ..input.schema import CATEGORY_NAMES_ZH

# Details after "RULE:" that the rule modules' labels produce.
DETAIL_WORDS = {
    ("AUX-FAMILIAR", "same_township"): "本乡镇辅警",
    ("AUX-FAMILIAR", "neighbour_township"): "相邻乡镇辅警",
    ("AUX-FAMILIAR", "recommended"): "派出所推荐",
    ("AUX-FAMILIAR", "incumbent"): "原驻村辅警留任",
}
# A plain id whose rule summary reads as a policy, not as the reason a pair was chosen.
PLAIN_WORDS = {
    "OFF-CONTINUITY": "保持原包村安排（工作延续性）",
}

RELATION_WORDS = {
    "same_township": "本乡镇",
    "neighbour_township": "相邻乡镇",
    "exception": "例外",
    "other_township": "其他乡镇（AUX-TOWNSHIP 已关闭）",
    "": "未安排",
}
ROLE_WORDS = {"officer": "包村民警", "auxiliary": "驻村辅警"}
KIND_WORDS = {"hard": "硬性", "soft": "软性", "record": "记录"}
SUBJECT_WORDS = {
    "officer": "包村民警",
    "auxiliary": "驻村辅警",
    "rotation": "辅警轮换",
    "visit": "驻村走访",
    "public": "公示",
}


def reason_words(rule_id: str) -> str:
    """One reason (``OFF-PREF:2``, ``AUX-FAMILIAR:recommended``, ``OFF-KEY``) in Chinese."""
    rule_id = rule_id.strip()
    rid, _sep, detail = rule_id.partition(":")
    if not detail:
        if rid in PLAIN_WORDS:
            return PLAIN_WORDS[rid]
        return RULES[rid].summary_zh if rid in RULES else rule_id
    if (rid, detail) in DETAIL_WORDS:
        return DETAIL_WORDS[(rid, detail)]
    if rid == "OFF-PREF" and detail.isdigit():
        return f"民警第{int(detail)}志愿"
    if rid == "OFF-LIFE" and detail.endswith("km"):
        return f"距驻地{detail[:-2]}公里"
    base = RULES[rid].summary_zh if rid in RULES else rid
    return f"{base}（{detail}）"


def reasons_in_words(reasons: str) -> str:
    """A ``;``-separated reasons cell in words, ``；``-separated; "" stays ""."""
    return "；".join(reason_words(r) for r in str(reasons).split(";") if r.strip())


def column_in_words(values: Iterable[str]) -> list[str]:
    """A whole reasons column (distinct cells are translated once)."""
    cache: dict[str, str] = {}
    out = []
    for v in values:
        if v not in cache:
            cache[v] = reasons_in_words(v)
        out.append(cache[v])
    return out


# Short names of the rules for one line of the terminal (the workbook gives the whole clause).
RULE_SHORT = {
    "OFF-PREF": N_("wishes"),
    "OFF-ORIGIN": N_("native place"),
    "OFF-FORMER": N_("former posting"),
    "OFF-TRAFFIC": N_("traffic police on traffic routes"),
    "OFF-HOTSPOT": N_("criminal police on case hotspots"),
    "OFF-COMPLEX": N_("domestic security on complex villages"),
    "OFF-KEY": N_("key villages"),
    "OFF-CADRE": N_("seconded cadres' villages"),
    "OFF-CONTINUITY": N_("same officer as before"),
    "OFF-LIFE": N_("distance and even load"),
    "AUX-FAMILIAR": N_("own township, near home, recommended"),
}
KIND_NAMES = {
    "key": N_("key village"),
    "ordinary": N_("ordinary village"),
    "community": N_("community"),
}
PERSON_STATUS = {"active": N_("active"), "leaving": N_("leaving")}


def rule_name(rule_id: str) -> str:
    """A rule's short name in the planner's language (its summary when it has none)."""
    if rule_id in RULE_SHORT:
        return _(RULE_SHORT[rule_id])
    rule = RULES.get(rule_id)
    if rule is None:
        return rule_id
    return rule.summary_zh if language() == "zh" else rule.summary


def rule_summary(rule_id: str) -> str:
    """A rule's one-line summary in the planner's language."""
    rule = RULES.get(rule_id)
    if rule is None:
        return rule_id
    return rule.summary_zh if language() == "zh" else rule.summary


def category_word(code: str) -> str:
    """An officer category (``traffic``) as the planner says it (交警)."""
    if language() == "zh":
        return CATEGORY_NAMES_ZH.get(code, code)
    return code


def kind_word(code: str) -> str:
    """A village kind (``key``) as the planner says it (重点村)."""
    return _(KIND_NAMES[code]) if code in KIND_NAMES else code


def person(name: str, id_: str) -> str:
    """A person or place by name with its id: ``张伟（100001）``; the id alone without a name."""
    return _("{name} ({id})").format(name=name, id=id_) if name else str(id_)


def listing(items: Iterable[str]) -> str:
    """Items joined as the language lists them (``a、b、c`` / ``a, b, c``)."""
    return _(", ").join(items)
