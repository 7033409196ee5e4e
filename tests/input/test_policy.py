"""policy.toml against the schema the rules declare (issue 15, 16): every parameter typed with a
finite range, enum lists checked, hard rules a plan needs refused off, every problem located at
``policy.toml:line:key``."""

from __future__ import annotations

import math

import pytest

from cunjing.constraints.base import CATEGORIES, ROAD_CLASSES
from cunjing.constraints.registry import RULES
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.policy import (
    GLOBAL,
    defaults_toml,
    parse_policy,
    policy_from_mapping,
    policy_model,
)
from cunjing.optimizer.input.problems import BundleError
from cunjing.optimizer.input.schema import OFFICER_CATEGORIES


def problems(text: str) -> list[str]:
    with pytest.raises(BundleError) as e:
        parse_policy(text)
    return [str(p) for p in e.value.problems]


def located(text: str, where: str) -> str:
    """The one problem at ``policy.toml:LINE:KEY``."""
    found = [p for p in problems(text) if p.startswith(f"policy.toml:{where}: ")]
    assert len(found) == 1, problems(text)
    return found[0]


def test_every_parameter_has_a_type_and_a_finite_range():
    for params in [*GLOBAL.values(), *(r.params for r in RULES.values())]:
        for key, p in params.items():
            if isinstance(p.default, bool | tuple) or p.choices:
                continue
            if isinstance(p.default, str) and p.default != "auto":
                continue  # text: a CRS, a month (checked by form)
            assert p.minimum is not None and p.maximum is not None, key
            assert math.isfinite(p.minimum) and math.isfinite(p.maximum), key
            default = p.default if p.default != "auto" else p.minimum
            assert p.minimum <= default <= p.maximum, key


@pytest.mark.parametrize(
    "value",
    ["inf", "nan", "-inf", "1e300", "4294967296", "9" * 60, "true", '"2"'],
)
def test_numbers_out_of_range_or_not_numbers_are_refused_where_they_are(value):
    text = f"[solver]\nseed = 1\n\n[rules.VISIT-DAYS]\nvisit_days_per_month = {value}\n"
    msg = located(text, "5:rules.VISIT-DAYS.visit_days_per_month")
    assert "visit_days_per_month" in msg


def test_whole_numbers_beyond_two_to_the_31_and_thousands_of_digits():
    located("[solver]\nworkers = 2\nseed = 2147483648\n", "3:solver.seed")
    located("[rules.AUX-TENURE]\nperiods = 4.5\n", "2:rules.AUX-TENURE.periods")
    msgs = problems("[solver]\nseed = " + "7" * 5000 + "\n")
    assert len(msgs) == 1 and msgs[0].startswith("policy.toml: ")


def test_nesting_thousands_deep_is_refused_not_a_crash():
    deep = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    assert len(problems(deep)) == 1
    tables = "[" + ".".join(f"k{i}" for i in range(3000)) + "]\nv = 1\n"
    assert problems(tables)[0].startswith("policy.toml:1:k0: ")


def test_enum_lists_are_checked_against_what_exists():
    msg = located('[rules.OFF-ORIGIN]\ncategories = ["organs"]\n', "2:rules.OFF-ORIGIN.categories")
    assert "organs" in msg
    msg = located(
        '[rules.OFF-TRAFFIC]\nroad_classes = ["national", "nationl"]\n',
        "2:rules.OFF-TRAFFIC.road_classes",
    )
    assert "nationl" in msg and "national" in msg  # names what exists
    ok = parse_policy('[rules.OFF-ORIGIN]\ncategories = ["organ", "station"]\n')
    assert ok.rule("OFF-ORIGIN")["categories"] == ("organ", "station")
    # the categories a policy may name are those the bundle reads
    assert set(CATEGORIES) == set(OFFICER_CATEGORIES.values())
    assert "national" in ROAD_CLASSES


@pytest.mark.parametrize("rule", [rid for rid, r in RULES.items() if r.required])
def test_a_hard_rule_a_plan_needs_cannot_be_switched_off(rule):
    msg = located(f"[rules.{rule}]\nenabled = false\n", f"2:rules.{rule}.enabled")
    assert rule in msg
    assert RULES[rule].kind == "hard"


def test_the_switchable_hard_rules_switch_off():
    for rid in ("AUX-TOWNSHIP", "AUX-NOT-HOME", "AUX-TENURE", "AUX-EXCHANGE"):
        assert not RULES[rid].required
        assert not parse_policy(f"[rules.{rid}]\nenabled = false\n").rule(rid).enabled


def test_visit_days_has_its_own_key_and_off_load_reads_it():
    p = parse_policy("[rules.VISIT-DAYS]\nvisit_days_per_month = 4\n")
    assert p.rule("VISIT-DAYS")["visit_days_per_month"] == 4.0
    assert "visit_days_per_month" not in p.rule("OFF-LOAD").params
    located("[rules.OFF-LOAD]\nvisit_days_per_month = 4\n", "2:rules.OFF-LOAD.visit_days_per_month")


def test_spacing_none_is_allowed_and_others_are_not():
    assert (
        parse_policy('[rules.VISIT-DAYS]\nspacing = "none"\n').rule("VISIT-DAYS")["spacing"]
        == "none"
    )
    located('[rules.VISIT-DAYS]\nspacing = "weekly"\n', "2:rules.VISIT-DAYS.spacing")


def test_exchange_shares_take_auto_or_a_share():
    p = parse_policy("[rules.AUX-EXCHANGE]\nshare = 0.5\n")
    assert p.rule("AUX-EXCHANGE")["share"] == 0.5
    assert p.rule("AUX-EXCHANGE")["township_share"] == "auto"
    located("[rules.AUX-EXCHANGE]\nshare = 1.5\n", "2:rules.AUX-EXCHANGE.share")
    located('[rules.AUX-EXCHANGE]\nshare = "half"\n', "2:rules.AUX-EXCHANGE.share")


def test_a_workbook_policy_sheet_is_checked_by_the_same_schema():
    with pytest.raises(BundleError) as e:
        policy_from_mapping({"solver.seed": "inf", "rules.OFF-PREF.weight": "1e300"}, "b[policy]")
    where = sorted(f"{p.row}:{p.column}" for p in e.value.problems)
    assert where == ["0:rules.OFF-PREF.weight", "0:solver.seed"]


def test_the_schema_can_drive_a_settings_form():
    schema = policy_model().model_json_schema(by_alias=True)
    assert "OFF-PREF" in schema["$defs"]["Rules"]["properties"]
    seed = schema["$defs"]["Solver"]["properties"]["seed"]
    assert seed["maximum"] == 2**31 - 1


def test_cunjing_policy_prints_every_key_with_its_default_and_whose_it_is(capsys):
    assert main(["policy"]) == 0
    out = capsys.readouterr().out
    assert out == defaults_toml() + "\n" or out.strip() == defaults_toml().strip()
    assert "visit_days_per_month = 2.0" in out and "文件规定]" in out
    assert "[rules.AUX-EXCHANGE]  # 硬性规则, 本局设定" in out
    for rule in RULES.values():
        for key in rule.params:
            assert f"\n{key} = " in out
    assert parse_policy(out).as_dict() == parse_policy("").as_dict()


def test_a_road_class_no_road_has_is_warned_about(tmp_path):
    import shutil

    from cunjing.optimizer.input.bundle import load_bundle, sample_path

    folder = tmp_path / "sample"
    shutil.copytree(sample_path(), folder)
    (folder / "policy.toml").write_text(
        '[rules.OFF-TRAFFIC]\nroad_classes = ["national", "expressway"]\n', encoding="utf-8"
    )
    inst = load_bundle(folder)
    said = [str(w) for w in inst.warnings if w.column == "rules.OFF-TRAFFIC.road_classes"]
    assert len(said) == 1 and "expressway" in said[0] and "national" not in said[0].split("(")[0]
    assert inst.villages["on_traffic_route"].any()  # the national roads still count


def test_the_defaults_without_a_file_are_what_the_schema_gives():
    from cunjing.optimizer.input.policy import _resolve
    from cunjing.optimizer.input.policy import policy_model as schema
    from cunjing.optimizer.input.problems import ProblemLog

    plain = parse_policy("")
    checked = schema().model_validate({})
    assert plain.get("solver", "seed") == checked.solver.seed
    via_schema = _resolve({"solver": {"seed": 0}}, "x", ProblemLog(), {})
    assert via_schema.as_dict() == plain.as_dict()
