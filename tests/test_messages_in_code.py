"""Every message a person reads goes through the catalogue: an AST walk over the packages that
talk to the planner finds each ``print(...)``, argparse's ``help=``/``description=``/``epilog=``,
``UsageError(...)``, ``BundleError.single(...)``, ``log.error/warning(...)`` and diagnostic
``{"message": ...}`` and
fails when its text is an English literal or f-string instead of a ``_()`` / ``ngettext()``
message (or built from them). Text that comes from elsewhere (a variable, a call) is judged
where it is made."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "constraints",
    "optimizer/input",
    "optimizer/output",
    "optimizer/solve",
    "optimizer/cli",
    "optimizer/reports",
    "optimizer/run",
    "optimizer/officers",
    "optimizer/auxiliaries",
    "optimizer/visits",
    "optimizer/rotation",
    "optimizer/whatif",
    "optimizer/web",
    "data",
]
# not text for people: a developer's script (``cunjing sample`` is the planner's), the keys of a
# TOML file (its comments are translated), the reader's names of columns without a header
NOT_FOR_PLANNERS = {
    ("data/generator.py", "main"),
    ("optimizer/input/policy.py", "defaults_toml"),
    ("optimizer/input/policy.py", "policy_toml"),
    ("optimizer/input/tables.py", "_frame_from_rows"),
}
WORDS = re.compile(r"[A-Za-z]{2,}")
TAGS = re.compile(r"</?[a-zA-Z][^<>]*>")  # HTML markup is not text
TRANSLATORS = {"_", "ngettext", "pgettext"}


def translated(node: ast.AST) -> bool:
    """Whether an expression's text is the catalogue's (or holds no English words)."""
    if isinstance(node, ast.Constant):
        return not (isinstance(node.value, str) and WORDS.search(TAGS.sub("", node.value)))
    if isinstance(node, ast.JoinedStr):
        # the literal parts with the values as placeholders: markup split by a value is markup
        text = "".join(v.value if isinstance(v, ast.Constant) else "\x00" for v in node.values)
        return not WORDS.search(TAGS.sub("", text))
    if isinstance(node, ast.FormattedValue):
        return True  # a value shown inside the text: judged where it is made
    if isinstance(node, ast.BinOp):
        return translated(node.left) and translated(node.right)
    if isinstance(node, ast.IfExp):
        return translated(node.body) and translated(node.orelse)
    if isinstance(node, ast.BoolOp):
        return all(translated(v) for v in node.values)
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Name) and f.id in TRANSLATORS:
            return True
        if isinstance(f, ast.Attribute) and f.attr in ("format", "join"):
            return translated(f.value)
        return True  # another function's result
    return True  # names, subscripts, attributes: made elsewhere


def message_arguments(call: ast.Call) -> list[ast.AST]:
    """The arguments of a call that a person reads."""
    f = call.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
    helps = [k.value for k in call.keywords if k.arg in ("help", "description", "epilog")]
    if helps:  # argparse's words: a command's help is read as much as its output
        return helps
    if name == "print":
        return list(call.args)
    if name == "append" and len(call.args) == 1 and isinstance(call.args[0], ast.JoinedStr):
        return list(call.args)  # a line of text being put together
    if name in ("UsageError", "OutputError"):
        return list(call.args[:1])
    if name == "single" and isinstance(f, ast.Attribute):  # BundleError.single(file, message)
        return list(call.args[1:2])
    if name in ("error", "warning") and isinstance(f, ast.Attribute) and len(call.args) >= 4:
        return [call.args[3]]  # log.error(file, row, column, message)
    return []


def offences(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    skip: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and (rel, fn.name) in NOT_FOR_PLANNERS:
            skip |= {id(n) for n in ast.walk(fn)}
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        shown: list[ast.AST] = []
        if isinstance(node, ast.Call):
            shown = message_arguments(node)
        elif isinstance(node, ast.Dict):
            shown = [
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "message"
            ]
        elif isinstance(node, ast.Assign) and any(  # d["message"] = ...
            isinstance(t, ast.Subscript)
            and isinstance(t.slice, ast.Constant)
            and t.slice.value == "message"
            for t in node.targets
        ):
            shown = [node.value]
        for arg in shown:
            if not translated(arg):
                found.append(f"{rel}:{arg.lineno}: {ast.unparse(arg)[:100]}")
    return found


def test_the_checker_catches_english():
    """The walk itself: an English print fails, a catalogue message passes."""
    bad = ast.parse('print(f"wrote {out}")').body[0].value
    good = ast.parse('print(_("wrote {folder}").format(folder=out))').body[0].value
    assert not translated(message_arguments(bad)[0])
    assert translated(message_arguments(good)[0])
    assert not translated(ast.parse('"warning: " + text').body[0].value)
    assert translated(ast.parse('"  " + _("none")').body[0].value)
    helped = ast.parse('p.add_argument("--port", help="port (default 8000)")').body[0].value
    assert not translated(message_arguments(helped)[0])


def test_every_message_of_the_planners_packages_goes_through_the_catalogue():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found += offences(path)
    assert not found, "messages not through _():\n" + "\n".join(found)
