"""Hard counties the way the literature makes its hardest assignment instances (OR-Library GAP).

Officers are agents, villages are jobs; r is a pair's days (in hundredths of a day), c its cost
(the engine maximises the score −c), b an officer's monthly days (hundredths):

- type C (Chu & Beasley 1997): r ~ U[5, 25], c ~ U[10, 50], b = 0.8 Σ_v r / m;
- type D (Chu & Beasley 1997): r ~ U[1, 100], c = 111 − r + U[−10, 10], b = 0.8 Σ_v r / m — cost
  falls as days rise, so the best pairs are the heaviest (a greedy plan fills officers early);
- type E (Laguna, Kelly, González-Velarde & Glover 1995): r = 1 − 10 ln U(0, 1],
  c = 1000 / r − 10 U[0, 1], b = 0.8 Σ_v r / m.

Variants (``variant``):
- ``"literature"``: the capacities above. A full cover is shown by a plain first-fit plan
  (heaviest village first, onto the officer where it needs the fewest days), kept as ``known``.
- ``"tight"``: each village given to one of its three lightest officers at random; every officer's
  days are exactly what that plan needs. A full cover exists (that plan) with no day to spare.
- ``"cut"``: the literature capacities scaled below the counted bound Σ_v min_o r — no plan covers
  every village, and counting proves it.
- ``"cut-local"``: a remote area: a tenth of the villages may be served only by a few officers
  (the other pairs forbidden), whose days are cut below those villages' lightest need — the
  county as a whole has days to spare, one corner does not.

Seeds are fixed (``numpy.random.default_rng(seed)``); the same arguments give the same county.
Bundles carry every pair in ``pairs.csv`` (``workload_days`` r/100, ``score`` −c, ``forbidden``),
every soft rule off, as ``benchmarks/gap_bundles.py`` writes OR-Library instances; without a
bundle, ``cunjing.optimizer.officers.core.hard_county_problem`` makes the officer problem.

    python -m cunjing.data.hard_counties OUT --kind D --villages 1600 --officers 40 --seed 1
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

KINDS = ("C", "D", "E")
VARIANTS = ("literature", "tight", "cut", "cut-local")
MAX_DAYS = 3100  # hundredths: the 31 days a month the bundle schema allows


@dataclass(frozen=True)
class HardCounty:
    name: str
    kind: str
    variant: str
    seed: int
    cost: np.ndarray  # officers x villages, integers (the engine's score is −cost)
    resource: np.ndarray  # officers x villages, hundredths of a day
    capacity: np.ndarray  # officers, hundredths of a day
    allowed: np.ndarray  # officers x villages: False for forbidden pairs
    known: np.ndarray | None  # a full cover (officer per village) when one is known
    area: np.ndarray | None = None  # "cut-local": the remote villages

    @property
    def shape(self) -> tuple[int, int]:
        return self.cost.shape

    @property
    def feasible(self) -> bool:
        return self.known is not None


def _draw(kind: str, m: int, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if kind == "C":
        r = rng.integers(5, 26, size=(m, n))
        c = rng.integers(10, 51, size=(m, n))
    elif kind == "D":
        r = rng.integers(1, 101, size=(m, n))
        c = 111 - r + rng.integers(-10, 11, size=(m, n))
    elif kind == "E":
        u = 1.0 - rng.random(size=(m, n))  # (0, 1]
        r = np.floor(1 - 10 * np.log(u)).astype(np.int64)
        c = np.rint(1000 / r - 10 * rng.random(size=(m, n))).astype(np.int64)
    else:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return r.astype(np.int64), c.astype(np.int64)


def first_fit(resource: np.ndarray, capacity: np.ndarray, allowed: np.ndarray) -> np.ndarray | None:
    """Heaviest village first (by its lightest pair), onto the allowed officer with room where it
    needs the fewest days: a full cover, or None."""
    n = resource.shape[1]
    r = np.where(allowed, resource, np.iinfo(np.int64).max // 4)
    left = capacity.astype(np.int64).copy()
    plan = np.full(n, -1, dtype=np.int64)
    for v in np.argsort(-r.min(axis=0), kind="stable").tolist():
        fits = allowed[:, v] & (r[:, v] <= left)
        if not fits.any():
            return None
        o = int(np.argmin(np.where(fits, r[:, v], np.iinfo(np.int64).max)))
        plan[v] = o
        left[o] -= r[o, v]
    return plan


def generate(
    kind: str, villages: int, officers: int, seed: int, variant: str = "literature"
) -> HardCounty:
    """One hard county (see the module docstring)."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {variant!r}")
    m, n = officers, villages
    rng = np.random.default_rng([seed, KINDS.index(kind), n, m])
    r, c = _draw(kind, m, n, rng)
    allowed = np.ones((m, n), dtype=bool)
    cap = np.floor(0.8 * r.sum(axis=1) / m).astype(np.int64)
    area = None
    known: np.ndarray | None
    if variant == "tight":
        light = np.argsort(r, axis=0, kind="stable")[:3]  # each village's three lightest
        known = light[rng.integers(0, 3, size=n), np.arange(n)]
        cap = np.bincount(known, weights=r[known, np.arange(n)], minlength=m).astype(np.int64)
    elif variant == "cut":
        need = int(r.min(axis=0).sum())  # every village needs at least its lightest pair
        cap = np.floor(cap * (0.97 * need / cap.sum())).astype(np.int64)
        known = None
    elif variant == "cut-local":
        area = np.sort(rng.choice(n, size=max(2, n // 10), replace=False))
        few = np.sort(rng.choice(m, size=max(1, m // 10), replace=False))
        allowed[:, area] = False
        allowed[np.ix_(few, area)] = True
        need = int(r[np.ix_(few, area)].min(axis=0).sum())
        cap[few] = np.floor(0.9 * need / len(few)).astype(np.int64)
        known = None
    else:
        known = first_fit(r, cap, allowed)
    if cap.max(initial=0) > MAX_DAYS:
        raise ValueError(
            f"officers would need {cap.max() / 100:.2f} days a month (at most 31): "
            "fewer villages an officer"
        )
    if known is not None:
        load = np.bincount(known, weights=r[known, np.arange(n)], minlength=m)
        assert np.all(load <= cap) and allowed[known, np.arange(n)].all()
    name = f"{kind}{n}x{m}" + ("" if variant == "literature" else f"-{variant}") + f"-s{seed}"
    return HardCounty(name, kind, variant, seed, c, r, cap, allowed, known, area)


def write_bundle(county: HardCounty, folder: Path) -> Path:
    """The county as a bundle folder: one township, every pair in ``pairs.csv``."""
    return write_gap_bundle(folder, county.cost, county.resource, county.capacity, county.allowed)


def write_gap_bundle(
    folder: Path,
    cost: np.ndarray,
    resource: np.ndarray,
    capacity: np.ndarray,
    allowed: np.ndarray | None = None,
) -> Path:
    """A GAP instance (officers x villages: cost, days in hundredths; officers' days in
    hundredths) as a one-county bundle whose ``pairs.csv`` carries every pair: workload r/100,
    score −c, forbidden where not ``allowed``; every soft rule off, so the engine solves exactly
    the GAP. Days in hundredths keep a capacity of up to 3,100 within the 31 days a month."""
    from ..constraints.registry import RULES

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    m, n = cost.shape
    allowed = np.ones((m, n), dtype=bool) if allowed is None else allowed
    (folder / "townships.csv").write_text(
        "township_id,name,county_id\nT1,GAP,C1\n", encoding="utf-8"
    )
    rows = "".join(f"V{j:04d},village {j},T1\n" for j in range(n))
    (folder / "villages.csv").write_text("village_id,name,township_id\n" + rows, encoding="utf-8")
    # an officer with no days (a "tight" county's officer whom the hidden plan gives nothing) is
    # written as leaving: the bundle refuses an active officer without days
    rows = "".join(
        f"O{i:03d},officer {i},organ,C1,T1,{capacity[i] / 100:.2f},"
        f"{'active' if capacity[i] > 0 else 'leaving'}\n"
        for i in range(m)
    )
    (folder / "officers.csv").write_text(
        "officer_id,name,category,county_id,base_township_id,available_days,status\n" + rows,
        encoding="utf-8",
    )
    (folder / "auxiliaries.csv").write_text(
        "auxiliary_id,name,county_id,home_village_id\n", encoding="utf-8"
    )
    i, j = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    cells = zip(
        i.ravel().tolist(),
        j.ravel().tolist(),
        np.asarray(resource).ravel().tolist(),
        np.asarray(cost).ravel().tolist(),
        allowed.ravel().tolist(),
        strict=True,
    )
    lines = [
        f"O{a:03d},V{b:04d},{r / 100:.2f},{-c},{'false' if ok else 'true'}\n"
        for a, b, r, c, ok in cells
    ]
    (folder / "pairs.csv").write_text(
        "officer_id,village_id,workload_days,score,forbidden\n" + "".join(lines),
        encoding="utf-8",
    )
    soft = [rid for rid, rule in RULES.items() if rule.kind == "soft"]
    (folder / "policy.toml").write_text(
        "".join(f"[rules.{rid}]\nenabled = false\n" for rid in soft), encoding="utf-8"
    )
    return folder


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--kind", choices=KINDS, default="D")
    ap.add_argument("--villages", type=int, default=1600)
    ap.add_argument("--officers", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--variant", choices=VARIANTS, default="literature")
    args = ap.parse_args(argv)
    county = generate(args.kind, args.villages, args.officers, args.seed, args.variant)
    write_bundle(county, args.out)
    print(f"{county.name}: {args.out}")


if __name__ == "__main__":
    main()
