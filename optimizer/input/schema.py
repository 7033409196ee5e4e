"""The tables of a bundle and of a plan folder (CONTRACT.md): columns, types, Chinese aliases,
references, file names.

This is the one place that knows what a bundle and a plan folder hold; the loaders, the
validator, the generator, the writers and the reports all read it. A plan table's first Chinese
alias is its header in plan.xlsx, so a workbook a planner edited reads back by the same names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of column value. ``ids`` is a ``;``-separated list of ids; ``month`` is YYYY-MM,
# ``date`` YYYY-MM-DD, ``time`` HH:MM (a time of day).
ID, TEXT, INT, FLOAT, BOOL, MONTH, IDS, ENUM, DATE, TIME = (
    "id",
    "text",
    "int",
    "float",
    "bool",
    "month",
    "ids",
    "enum",
    "date",
    "time",
)

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "是", "对", "√", "x"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "否", "不是", ""})


def truth(text: str) -> bool | None:
    """True or False by the words above (case and spaces aside); None for anything else."""
    s = text.strip().lower()
    return True if s in TRUE_WORDS else False if s in FALSE_WORDS else None


VILLAGE_KINDS = {
    "key": "key",
    "重点村": "key",
    "重点": "key",
    "ordinary": "ordinary",
    "普通村": "ordinary",
    "普通行政村": "ordinary",
    "普通": "ordinary",
    "community": "community",
    "社区": "community",
}
OFFICER_CATEGORIES = {
    "traffic": "traffic",
    "交警": "traffic",
    "criminal": "criminal",
    "刑警": "criminal",
    "domestic_security": "domestic_security",
    "国保": "domestic_security",
    "public_security": "public_security",
    "治安": "public_security",
    "station": "station",
    "派出所": "station",
    "organ": "organ",
    "机关": "organ",
}
CATEGORY_NAMES_ZH = {
    "traffic": "交警",
    "criminal": "刑警",
    "domestic_security": "国保",
    "public_security": "治安",
    "station": "派出所",
    "organ": "机关",
}
DAY_KINDS = {
    "holiday": "holiday",
    "假日": "holiday",
    "节假日": "holiday",
    "法定节假日": "holiday",
    "放假": "holiday",
    "休息": "holiday",
    "休": "holiday",
    "workday": "workday",
    "工作日": "workday",
    "补班": "workday",
    "上班": "workday",
    "调休上班": "workday",
    "班": "workday",
}
FOLLOWUP_RESULTS = {
    "satisfied": "satisfied",
    "满意": "satisfied",
    "basic": "basic",
    "基本满意": "basic",
    "unsatisfied": "unsatisfied",
    "不满意": "unsatisfied",
}
STATUSES = {
    "active": "active",
    "在岗": "active",
    "在职": "active",
    "leaving": "leaving",
    "调离": "leaving",
    "离岗": "leaving",
    "退休": "leaving",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    ref: str | None = None  # table whose key this column names
    choices: dict[str, str] | None = None  # accepted spelling -> canonical value (ENUM)
    minimum: float | None = None  # smallest allowed number (INT / FLOAT)
    maximum: float | None = None  # largest allowed number (INT / FLOAT)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # unique over the table
    required: bool = False  # the bundle must have it
    doc: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # Chinese names of its sheet or file (乡镇, 乡镇.csv)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def files(self) -> tuple[str, ...]:
        """The file names it may have: ``townships.csv``, ``乡镇.csv``."""
        return (self.file, *(f"{a}.csv" for a in self.aliases))

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _c(name: str, kind: str, *aliases: str, **kw) -> Column:
    return Column(name, kind, aliases=aliases, **kw)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "townships",
            (
                _c("township_id", ID, "乡镇编码", "乡镇代码", required=True),
                _c("name", TEXT, "乡镇", "乡镇名称", required=True),
                _c("county_id", ID, "县区编码", "县区代码", required=True),
                _c("county_name", TEXT, "县区", "县区名称"),
                _c("lon", FLOAT, "经度"),
                _c("lat", FLOAT, "纬度"),
            ),
            key=("township_id",),
            required=True,
            doc="townships (乡镇); a county's officers and auxiliaries serve its townships",
            aliases=("乡镇",),
        ),
        Table(
            "villages",
            (
                _c("village_id", ID, "村编码", "村代码", required=True),
                _c("name", TEXT, "村名", "村名称", required=True),
                _c("township_id", ID, "乡镇编码", "乡镇代码", required=True, ref="townships"),
                _c("station_id", ID, "派出所", "派出所编码"),
                _c("kind", ENUM, "类型", "村类型", choices=VILLAGE_KINDS),
                _c("cases", INT, "案件数", minimum=0),
                _c("complex", BOOL, "社情复杂"),
                _c("on_traffic_route", BOOL, "交通线", "沿交通线"),
                _c("population", INT, "人口", minimum=0),
                _c("lon", FLOAT, "经度"),
                _c("lat", FLOAT, "纬度"),
            ),
            key=("village_id",),
            required=True,
            doc="administrative villages and communities (行政村/社区), the unit of the plan",
            aliases=("行政村", "村"),
        ),
        Table(
            "officers",
            (
                _c("officer_id", ID, "警号", required=True),
                _c("name", TEXT, "姓名", required=True),
                _c("category", ENUM, "警种", required=True, choices=OFFICER_CATEGORIES),
                _c("county_id", ID, "县区编码", "县区代码", required=True, ref="counties"),
                _c("unit", TEXT, "单位"),
                _c("phone", TEXT, "电话", "联系电话"),
                _c("native_township_id", ID, "籍贯乡镇", ref="townships"),
                _c("native_village_id", ID, "籍贯村", ref="villages"),
                _c("former_township_ids", IDS, "曾工作乡镇", ref="townships"),
                _c("selected_village_id", ID, "原选派村", ref="villages"),
                _c("preferences", IDS, "意愿", ref="places"),
                _c("available_days", FLOAT, "每月可用天数", minimum=0, maximum=31),
                _c("max_villages", INT, "最多包村数", minimum=0),
                _c("base_lon", FLOAT, "驻地经度"),
                _c("base_lat", FLOAT, "驻地纬度"),
                _c("base_township_id", ID, "驻地", "驻地乡镇", ref="townships"),
                _c("status", ENUM, "状态", choices=STATUSES),
            ),
            key=("officer_id",),
            required=True,
            doc="police officers who may be liaison officers (包村民警)",
            aliases=("民警",),
        ),
        Table(
            "auxiliaries",
            (
                _c("auxiliary_id", ID, "辅警编号", required=True),
                _c("name", TEXT, "姓名", required=True),
                _c("county_id", ID, "县区编码", "县区代码", required=True, ref="counties"),
                _c("home_village_id", ID, "户籍村", required=True, ref="villages"),
                _c("unit", TEXT, "单位"),
                _c("phone", TEXT, "电话", "联系电话"),
                _c("status", ENUM, "状态", choices=STATUSES),
                _c("recommended_village_ids", IDS, "派出所推荐村", ref="villages"),
                _c("hired", MONTH, "入职"),
                _c("leaves", MONTH, "离岗年月", "离职"),  # first month out of service
            ),
            key=("auxiliary_id",),
            required=True,
            doc="auxiliary police who may be resident auxiliaries (驻村辅警)",
            aliases=("辅警",),
        ),
        Table(
            "township_neighbours",
            (
                _c("township_id", ID, "乡镇编码", required=True, ref="townships"),
                _c("neighbour_id", ID, "相邻乡镇编码", "相邻乡镇", required=True, ref="townships"),
            ),
            key=("township_id", "neighbour_id"),
            doc="township adjacency, added to what the polygons give",
            aliases=("相邻乡镇",),
        ),
        Table(
            "aux_history",
            (
                _c("auxiliary_id", ID, "辅警编号", required=True, ref="auxiliaries"),
                _c("village_id", ID, "村编码", required=True, ref="villages"),
                _c("start", MONTH, "开始", "开始年月", required=True),
                _c("end", MONTH, "结束", "结束年月"),
            ),
            key=("auxiliary_id", "village_id", "start"),
            doc="where auxiliaries have served (for tenure and no-return rules)",
            aliases=("辅警驻村经历",),
        ),
        Table(
            "plan_officers",
            (
                _c("village_id", ID, "村编码", required=True, ref="villages"),
                _c("officer_id", ID, "警号", required=True, ref="officers"),
                _c("pinned", BOOL, "锁定"),
            ),
            key=("village_id",),
            doc="the incumbent liaison-officer plan",
            aliases=("现行包村民警", "包村民警安排"),
        ),
        Table(
            "plan_auxiliaries",
            (
                _c("village_id", ID, "村编码", required=True, ref="villages"),
                _c("auxiliary_id", ID, "辅警编号", required=True, ref="auxiliaries"),
                _c("pinned", BOOL, "锁定"),
            ),
            key=("village_id",),
            doc="the incumbent resident-auxiliary plan",
            aliases=("现行驻村辅警", "驻村辅警安排"),
        ),
        Table(
            "pairs",
            (
                _c("officer_id", ID, "警号", required=True, ref="officers"),
                _c("village_id", ID, "村编码", required=True, ref="villages"),
                _c("workload_days", FLOAT, "工作量天数", minimum=0),
                _c("score", FLOAT, "加分"),
                _c("forbidden", BOOL, "禁止"),
            ),
            key=("officer_id", "village_id"),
            doc="per-pair overrides: workload, extra score, forbidden pairs",
            aliases=("配对调整",),
        ),
        Table(
            "unavailable",
            (
                _c("officer_id", ID, "警号", required=True, ref="officers"),
                _c("date", DATE, "日期"),
                _c("start", DATE, "开始日期", "开始"),
                _c("end", DATE, "结束日期", "结束"),
                _c("reason", TEXT, "原因", "事由"),
            ),
            doc="days an officer cannot visit villages (duty rosters, leave): a date or a "
            "start/end range; the visit calendar avoids them",
            aliases=("不可用日期",),
        ),
        Table(
            "holidays",
            (
                _c("date", DATE, "日期", required=True),
                _c("kind", ENUM, "类型", required=True, choices=DAY_KINDS),
                _c("name", TEXT, "名称", "节日"),
            ),
            key=("date",),
            doc="official holidays and make-up workdays (调休上班) of the years it lists; replaces "
            "the holidays package's calendar for those years",
            aliases=("节假日",),
        ),
        Table(
            "auxiliary_exceptions",
            (
                _c("auxiliary_id", ID, "辅警编号", required=True, ref="auxiliaries"),
                _c("village_id", ID, "村编码", required=True, ref="villages"),
                _c("reason", TEXT, "原因", "理由", "例外原因", required=True),
            ),
            key=("auxiliary_id", "village_id"),
            doc="named exceptions to AUX-TOWNSHIP (§二(二) 原则上从本乡镇或相邻乡镇产生): this "
            "auxiliary may serve this village though his township is neither its own nor a "
            "neighbour; the reason reaches the plan and the workbook",
        ),
        Table(
            "responsibility_areas",
            (
                _c("officer_id", ID, "警号", required=True, ref="officers"),
                _c("village_id", ID, "村编码", required=True, ref="villages"),
            ),
            key=("officer_id", "village_id"),
            doc="责任区民警: which station officer answers for which villages (§二, §三(三)); "
            "when absent, a station officer's area is the villages of his base township",
        ),
        Table(
            "auxiliary_duty",
            (
                _c("auxiliary_id", ID, "辅警编号", required=True, ref="auxiliaries"),
                _c("date", DATE, "日期", required=True),
                _c("duty", TEXT, "班次", "值班类型"),
            ),
            doc="the stations' duty rosters (值班备勤) as far as they name auxiliaries: a "
            "resident auxiliary on station duty is reported (§三(三) 一般不得参与派出所值班备勤)",
        ),
        Table(
            "followups",
            (
                _c("person_id", ID, "警号或辅警编号", "人员编号", required=True, ref="people"),
                _c("date", DATE, "日期", "回访日期", required=True),
                _c("result", ENUM, "结果", "回访结果", required=True, choices=FOLLOWUP_RESULTS),
                _c("village_id", ID, "村编码", ref="villages"),
            ),
            doc="§五(三) 电话回访: one row a phone follow-up of a resident about a liaison "
            "officer or resident auxiliary (满意 / 基本满意 / 不满意)",
        ),
        Table(
            "ratings",
            (
                _c("person_id", ID, "警号或辅警编号", "人员编号", required=True, ref="people"),
                _c("month", MONTH, "月份", required=True),
                _c("score", FLOAT, "评分", "满意度", required=True, minimum=0, maximum=100),
            ),
            key=("person_id", "month"),
            doc="§五(三) 群众评议: the residents' rating (满意度, 0-100) of a liaison officer or "
            "resident auxiliary in a month",
        ),
    )
}

REQUIRED_TABLES = [t.name for t in TABLES.values() if t.required]


# sheets of an input workbook that explain it (cunjing template writes one); not read as tables
NOTE_SHEETS = ("说明", "填表说明", "readme")


def table_named(name: str) -> Table | None:
    """The bundle table a sheet or file stem names, in English or Chinese (乡镇 → townships)."""
    for t in TABLES.values():
        if name.strip().lower() == t.name or name.strip() in t.aliases:
            return t
    return None


GEO_FILE = "geo.gpkg"
POLICY_FILE = "policy.toml"
GEO_LAYERS = {"townships": "polygon", "villages": "polygon_or_point", "roads": "line"}


# ---------------------------------------------------------------- plan folders

OFFICER_FILE = "officer_plan.csv"
AUXILIARY_FILE = "auxiliary_plan.csv"
SUMMARY_FILE = "summary.json"
CANDIDATES_FILE = "officer_candidates.csv.gz"  # each village's pair and best others (explain)
ROTATION_FILE = "rotation.csv"
ROTATION_SUMMARY_FILE = "rotation_summary.json"
DIFF_FILE = "diff.csv"
# the reports made from a folder (reports.write.write_reports)
WORKBOOK_FILE = "plan.xlsx"
GEOPACKAGE_FILE = "plan.gpkg"
HTML_FILE = "report.html"
NOTICE_FILE = "public_notice.xlsx"
BOARDS_FILE = "contact_boards.html"  # PUB-BOARD: one printable A4 board a village
REPORT_FILES = (WORKBOOK_FILE, GEOPACKAGE_FILE, HTML_FILE, NOTICE_FILE, BOARDS_FILE)

OFFICER_PLAN = Table(
    "officer_plan",
    (
        _c("village_id", ID, "村编码", "村代码", required=True),
        _c("village_name", TEXT, "村名"),
        _c("township_id", ID, "乡镇编码"),
        _c("township_name", TEXT, "乡镇"),
        _c("kind", TEXT, "村类型"),  # plan.xlsx only
        _c("officer_id", ID, "警号", "包村民警警号"),
        _c("officer_name", TEXT, "民警姓名", "姓名"),
        _c("category", TEXT, "警种"),
        _c("officer_unit", TEXT, "单位"),  # plan.xlsx only
        _c("workload_days", FLOAT, "每月工作量（天）", "工作量天数"),
        _c("km", FLOAT, "路程（公里）"),
        _c("score", FLOAT, "得分"),
        _c("reasons_text", TEXT, "理由"),  # plan.xlsx only: the reasons in words
        _c("reasons", TEXT, "规则编号"),
        _c("pinned", BOOL, "锁定"),
    ),
    key=("village_id",),
    doc="the officer plan of a plan folder (包村民警安排)",
)
AUXILIARY_PLAN = Table(
    "auxiliary_plan",
    (
        _c("village_id", ID, "村编码", "村代码", required=True),
        _c("village_name", TEXT, "村名"),
        _c("township_id", ID, "乡镇编码"),
        _c("township_name", TEXT, "乡镇"),
        _c("auxiliary_id", ID, "辅警编号", "驻村辅警编号"),
        _c("auxiliary_name", TEXT, "辅警姓名", "姓名"),
        _c("auxiliary_unit", TEXT, "单位"),  # plan.xlsx only
        _c("home_village_id", ID, "户籍村编码"),
        _c("home_village_name", TEXT, "户籍村"),  # plan.xlsx only
        _c("relation", TEXT, "来源"),
        _c("km", FLOAT, "离家（公里）"),
        _c("score", FLOAT, "得分"),
        _c("reasons_text", TEXT, "理由"),  # plan.xlsx only: the reasons in words
        _c("reasons", TEXT, "规则编号"),
        _c("kept", BOOL, "留任"),
        _c("pinned", BOOL, "锁定"),
        _c("exception", TEXT, "例外原因"),  # AUX-TOWNSHIP's named exception
        _c("supervisor_id", ID, "指导监督民警警号"),  # 责任区民警 (OFF-AREA, §三(三))
    ),
    key=("village_id",),
    doc="the auxiliary plan of a plan folder (驻村辅警安排)",
)
ROTATION_PLAN = Table(
    "rotation",
    (
        _c("period", INT, "期", required=True, minimum=1),
        _c("village_id", ID, "村编码", required=True),
        _c("auxiliary_id", ID, "辅警编号", required=True),
        _c("moved", BOOL, "调入"),
    ),
    key=("period", "village_id"),
    doc="the auxiliaries' rotation: one row a village and period (轮换计划)",
)
DIFF = Table(
    "diff",
    (
        _c("village_id", ID, "村编码", required=True),
        _c("role", TEXT, "角色"),
        _c("before", ID, "调整前"),
        _c("after", ID, "调整后"),
        _c("reason", TEXT, "原因"),
    ),
    doc="what a what-if changed (变更)",
)
PLAN_TABLES = {t.name: t for t in (OFFICER_PLAN, AUXILIARY_PLAN, ROTATION_PLAN, DIFF)}
# the contract's columns of each CSV (plan.xlsx shows more)
PLAN_FILE_COLUMNS = {
    "officer_plan": (
        "village_id",
        "village_name",
        "township_id",
        "township_name",
        "officer_id",
        "officer_name",
        "category",
        "workload_days",
        "km",
        "score",
        "reasons",
    ),
    "auxiliary_plan": (
        "village_id",
        "village_name",
        "township_id",
        "auxiliary_id",
        "auxiliary_name",
        "home_village_id",
        "relation",
        "score",
        "reasons",
    ),
    "rotation": ("period", "village_id", "auxiliary_id", "moved"),
    "diff": ("village_id", "role", "before", "after", "reason"),
}


def zh_headers(table: Table, shown: dict[str, str]) -> dict[str, str]:
    """Chinese headers of a sheet: ``shown`` maps each column of the sheet's frame to the
    table column it shows; the header is that column's first Chinese alias."""
    return {frame_col: table.column(col).aliases[0] for frame_col, col in shown.items()}


def header_map(table: Table) -> dict[str, str]:
    """Every accepted header spelling (English, Chinese alias) -> the canonical column name."""
    out: dict[str, str] = {}
    for c in table.columns:
        out[c.name.lower()] = c.name
        for a in c.aliases:
            out[a] = c.name
    return out
