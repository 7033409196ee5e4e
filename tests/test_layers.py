"""The packages' layers: each imports only from itself and from lower layers, and no modules
import each other in a circle, counting the imports inside functions (they run too).

Imports under ``if TYPE_CHECKING:`` are annotations only (they never run) and are not counted:
the rule modules name the ``Instance`` they are handed that way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
# lowest first; a package may import from a lower layer, never from its own layer's others
LAYERS = {
    "i18n": -1,  # the message catalogue: every text a person reads
    "constraints": 0,  # the rules: declarations, scoring and checks
    "input": 1,  # reading bundles, policy, plans (the policy is validated against the rules)
    "solve": 1,  # the solver-neutral model and its backends
    "output": 2,  # writing files
    "data": 2,  # the sample county and the generator
    "officers": 3,
    "auxiliaries": 3,
    "visits": 3,
    "rotation": 4,
    "whatif": 4,
    "reports": 5,
    "run": 6,
    "web": 7,  # the workbench, on the façade
    "cli": 8,  # the command line on top: `cunjing serve` starts the workbench
}
FACADE = "cunjing.optimizer"  # loads what it offers lazily, by name (see optimizer/__init__.py)


def facade_modules() -> dict[str, str]:
    """What each name of the façade is: ``from cunjing.optimizer import plan`` imports run.plan."""
    import cunjing.optimizer

    return {name: f"{FACADE}.{module}" for name, module in cunjing.optimizer.FACADE.items()}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = ["cunjing", *rel.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[1] in ("constraints", "data"):
        return parts[1]
    if parts[1] == "optimizer" and len(parts) > 2:
        return parts[2]
    return None


def _type_only(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module the file imports at run time (top level or inside functions)."""
    me = module_name(path)
    is_pkg = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _type_only(node):
            skipped |= {id(n) for b in node.body for n in ast.walk(b)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = me.split(".") if is_pkg else me.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == FACADE:
                # a name of the façade is its module; another is a sub-package of it
                names = facade_modules()
                found += [
                    (names.get(a.name, f"{target}.{a.name}"), node.lineno) for a in node.names
                ]
            elif node.module is None:
                # ``from . import x``: the modules x
                found += [(f"{target}.{a.name}", node.lineno) for a in node.names]
            else:
                found.append((target, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
    return [(t, line) for t, line in found if t.startswith("cunjing.")]


def sources() -> list[Path]:
    out = []
    for top in ("optimizer", "constraints", "data"):
        out += [p for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(out)


def test_every_import_goes_down_the_layers():
    wrong = []
    for path in sources():
        me = module_name(path)
        mine = package_of(me)
        if mine is None:
            continue  # the façade
        assert mine in LAYERS, f"{me}: package {mine} has no layer in this test"
        for target, line in imports(path):
            theirs = package_of(target)
            if theirs is None or theirs == mine:
                continue
            if LAYERS[theirs] >= LAYERS[mine]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {mine} imports {theirs} ({target})")
    assert not wrong, "imports that go up or sideways:\n" + "\n".join(wrong)


def test_no_module_imports_itself_in_a_circle():
    graph = nx.DiGraph()
    names = {module_name(p): p for p in sources()}
    for me, path in names.items():
        for target, _ in imports(path):
            # ``from pkg.mod import name`` names pkg.mod; a name that is a module counts too
            while target not in names and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in names and target != me and not me.startswith(target + "."):
                graph.add_edge(me, target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_every_package_is_installed():
    """pyproject.toml lists every package, so a wheel holds them all."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for init in (ROOT / "optimizer").rglob("__init__.py"):
        name = module_name(init)
        assert f'"{name}"' in text, f"{name} is not in pyproject.toml's packages"


def test_every_module_imports():
    """A name moved or renamed is found here, not by the first planner who runs that command."""
    import importlib

    for path in sources():
        name = module_name(path)
        if name.endswith("__main__") or ".migrations." in name:
            continue  # the workbench's migrations are scripts Alembic runs (tests/web runs them)
        importlib.import_module(name)


def test_every_imported_name_exists():
    """Imports inside functions run only when the function does: check their names now."""
    import importlib

    missing = []
    for path in [*sources(), *sorted((ROOT / "benchmarks").glob("*.py"))]:
        me = module_name(path) if "benchmarks" not in path.parts else "benchmarks.x"
        is_pkg = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or (not node.module and not node.level):
                continue
            if node.level:
                base = me.split(".") if is_pkg else me.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            if not target.startswith("cunjing."):
                continue
            module = importlib.import_module(target)
            for alias in node.names:
                if not hasattr(module, alias.name):
                    try:
                        importlib.import_module(f"{target}.{alias.name}")
                    except ImportError:
                        missing.append(
                            f"{path.relative_to(ROOT)}:{node.lineno}: {target}.{alias.name}"
                        )
    assert not missing, "imported names that do not exist:\n" + "\n".join(missing)
