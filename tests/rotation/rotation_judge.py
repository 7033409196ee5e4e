"""Brute force on RING's county C1 and variants of it: every rotation of 5 villages over a few
periods, judged by an implementation of the rules written here from POLICY.md, independent of
the engine's model (``test_aux_rotation``, ``test_rotation_schedule``, ``test_stint_master``).
"""

from __future__ import annotations

import copy
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
from aux_bundles import RING, ring

from cunjing.constraints import aux_exchange
from cunjing.optimizer.auxiliaries.pairs import describe_pairs
from cunjing.optimizer.input.instance import Instance
from cunjing.optimizer.input.service import month_index
from cunjing.optimizer.rotation.problem import RotationProblem


class BruteForce:
    """Judges rotations of a small county by an implementation of the rules written here from
    POLICY.md and the rule modules' documented counting, independent of the engine's model."""

    def __init__(self, inst, periods: int, county: str = "C1"):
        self.inst, self.periods, self.county = inst, periods, county
        self.vil = vil = inst.villages[inst.villages["county_id"] == county]
        self.aux = aux = inst.auxiliaries[inst.auxiliaries["county_id"] == county]
        self.vs = list(vil.index)
        self.start = start = month_index(inst.start_month)
        self.first = {p: start + 12 * (p - 1) for p in range(1, periods + 1)}
        pol = inst.policy
        self.tenure = pol.rule("AUX-TENURE")["periods"]
        self.back = pol.rule("AUX-TENURE")["no_return_periods"]
        self.share, t_share = aux_exchange.shares(pol)  # "auto": 1.2 / tenure
        per_t = pol.rule("AUX-EXCHANGE")["per_township"]
        adj = inst.adjacency
        keys = []
        for a in aux.index:
            for v in self.vs:
                ht, vt = aux.at[a, "home_township_id"], vil.at[v, "township_id"]
                if aux.at[a, "home_village_id"] != v and (ht == vt or adj.has_edge(ht, vt)):
                    keys.append((a, v))
        pairs = pd.DataFrame(keys, columns=["auxiliary_id", "village_id"])
        pts = describe_pairs(inst, pairs, with_incumbent=False)["score"].to_numpy()
        self.score = {k: round(float(x) * 100) for k, x in zip(keys, pts, strict=True)}
        self.inc = {v: inst.plan_auxiliaries["auxiliary_id"].get(v, "") for v in self.vs}
        hist = inst.aux_history
        self.open_m = {
            (r.auxiliary_id, r.village_id): start - month_index(r.start)
            for r in hist.itertuples()
            if not r.end
        }
        self.ended: dict = {}
        for r in hist.itertuples():
            if r.end:
                k = (r.auxiliary_id, r.village_id)
                self.ended[k] = max(self.ended.get(k, -(10**9)), month_index(r.end))
        self.n_t = vil.groupby("township_id").size()
        self.t_limit = {t: max(per_t, math.ceil(t_share * n - 1e-9)) for t, n in self.n_t.items()}
        # looked up once: the enumeration judges rotations by the hundred thousand
        self.serving = {(a, p): self._serves(a, p) for a in aux.index for p in self.first}
        self.township = vil["township_id"].to_dict()
        self.cap = {
            p: math.floor(self.share * sum(self.serving[a, p] for a in aux.index) + 1e-9)
            for p in self.first
        }

    def serves(self, a, p) -> bool:
        return self.serving[a, p]

    def _serves(self, a, p) -> bool:
        r = self.aux.loc[a]
        hired = month_index(r["hired"]) if r["hired"] else -(10**9)
        leaves = month_index(r["leaves"]) if r["leaves"] else 10**9
        return r["status"] != "leaving" and hired <= self.first[p] and leaves > self.first[p] + 11

    def value(self, rot) -> tuple[int, float] | None:
        """(moves, points − spread) of a rotation (rot[p - 1][j]: auxiliary of village j in
        period p), None when it breaks a rule."""
        vs, first, periods = self.vs, self.first, self.periods
        for j, v in enumerate(vs):
            seq = [r[j] for r in rot]
            for a in set(seq):
                run_start = None
                last_end = self.ended.get((a, v))
                if (a, v) in self.open_m and seq[0] != a:
                    last_end = self.start - 1
                for p in range(1, periods + 1):
                    here = seq[p - 1] == a
                    if here and (p == 1 or seq[p - 2] != a):
                        run_start = p
                        goes_on = p == 1 and (a, v) in self.open_m
                        if (
                            not goes_on
                            and last_end is not None
                            and first[p] - last_end - 1 < 12 * self.back
                        ):
                            return None
                    if here:
                        goes_on = run_start == 1 and (a, v) in self.open_m
                        done = self.open_m[a, v] // 12 if goes_on else 0
                        if done + p - run_start + 1 > self.tenure:
                            return None
                    if not here and p > 1 and seq[p - 2] == a:
                        last_end = first[p] - 1
        moves, exch = 0, []
        for p in range(1, periods + 1):
            cap = self.cap[p]  # the share of the auxiliaries in service
            per_town: dict = {}
            count = 0
            for j, v in enumerate(vs):
                prev = self.inc[v] if p == 1 else rot[p - 2][j]
                if rot[p - 1][j] != prev:
                    moves += 1
                    if prev and self.serves(prev, p):
                        count += 1
                        t = self.township[v]
                        per_town[t] = per_town.get(t, 0) + 1
            if count > cap or any(n > self.t_limit[t] for t, n in per_town.items()):
                return None
            exch.append((count, per_town))
        points = sum(self.score[rot[p][j], v] for p in range(periods) for j, v in enumerate(vs))
        spread = max(c for c, _ in exch) + sum(
            max(pt.get(t, 0) for _, pt in exch) for t in self.n_t.index
        )
        return moves, (points - 100 * spread) / 100

    def rotations(self):
        """Every rotation the rules allow: (rot, moves, points − spread), rot[p - 1][j] the
        auxiliary of village j in period p. Grown period by period: a rotation whose first
        periods break a rule breaks it whatever follows (each rule counts from the start)."""
        options = []
        for p in range(1, self.periods + 1):
            cand = [
                [a for a in self.aux.index if (a, v) in self.score and self.serves(a, p)]
                for v in self.vs
            ]
            options.append([c for c in itertools.product(*cand) if len(set(c)) == len(c)])
        shorter = [copy.copy(self) for _ in range(1, self.periods)]
        for k, judge in enumerate(shorter, start=1):
            judge.periods = k  # the same county and rules, judged over its first k periods

        def grow(rot: tuple):
            k = len(rot)
            if k == self.periods:
                got = self.value(rot)
                if got is not None:
                    yield rot, got[0], got[1]
                return
            for step in options[k]:
                if k + 1 == self.periods or shorter[k].value((*rot, step)) is not None:
                    yield from grow((*rot, step))

        yield from grow(())

    def best(self) -> tuple[int, float] | None:
        """The fewest moves, then the most points − spread, over every rotation."""
        best = None
        for _, moves, value in self.rotations():
            if best is None or (moves, -value) < (best[0], -best[1]):
                best = (moves, value)
        return best

    def value_of(self, rotation: pd.DataFrame) -> tuple[int, float] | None:
        wide = rotation.pivot(index="village_id", columns="period", values="auxiliary_id")
        return self.value([tuple(wide.loc[self.vs, p]) for p in range(1, self.periods + 1)])


def ring_variant(folder: Path, seed: int) -> tuple[Instance, int]:
    """RING with its limits, hires, leavers, postings and a spare auxiliary drawn from ``seed``,
    and a number of periods (2 or 3: four can hold 250,000 rotations)."""
    rng = np.random.default_rng(seed)
    aux = copy.deepcopy(RING["auxiliaries"])
    hist = copy.deepcopy(RING["aux_history"])
    by_id = {a["auxiliary_id"]: a for a in aux}
    by_id["A6"]["hired"] = str(rng.choice(["", "2027-06", "2028-01"]))
    by_id["A8"]["leaves"] = str(rng.choice(["", "2028-07", "2027-09", "2029-05"]))
    by_id["A3"]["status"] = str(rng.choice(["active", "active", "leaving"]))
    if rng.random() < 0.5:  # one more auxiliary in C1 (home in T3), hired later or not
        hired = str(rng.choice(["", "2028-01"]))
        aux.append(
            {"auxiliary_id": "A10", "name": "辅警A10", "county_id": "C1", "home_village_id": "V5"}
            | ({"hired": hired} if hired else {})
        )
    hist[0]["start"] = str(rng.choice(["2026-06", "2025-06", "2024-01", "2021-01"]))  # A1 in V2
    hist[1]["start"] = str(rng.choice(["2026-06", "2025-06", "2023-06", "2021-01"]))  # A2 in V4
    hist[2]["end"] = str(rng.choice(["2026-03", "2025-01", "2024-02"]))  # A3 left V3
    policy = (
        f"[rules.AUX-TENURE]\nperiods = {rng.choice([2, 3, 3])}\n"
        f"no_return_periods = {rng.integers(0, 3)}\n"
        f"[rules.AUX-EXCHANGE]\nshare = {rng.choice([0.4, 0.6, 1.0])}\n"
        f"per_township = {rng.choice([0, 1, 2, 8])}\n"
        f"township_share = {rng.choice([0.4, 1.0])}\n"
    )
    inst = ring(folder, policy, name=f"ring-{seed}", auxiliaries=aux, aux_history=hist)
    return inst, int(rng.choice([2, 3, 3]))


def stint_index(problem: RotationProblem) -> dict[tuple[int, int, int, int], int]:
    """The pool's stints by (auxiliary, village, first, last)."""
    keys = zip(problem.s_aux, problem.s_village, problem.s_first, problem.s_last, strict=True)
    return {(int(a), int(v), int(f), int(last)): k for k, (a, v, f, last) in enumerate(keys)}


def stints_of(problem: RotationProblem, judge: BruteForce, rot, index=None) -> np.ndarray:
    """The stints of the problem's pool that make up a rotation (rot as in ``BruteForce``);
    fails if one is missing. ``index``: ``stint_index(problem)``, when known."""
    key = stint_index(problem) if index is None else index
    out = []
    for j, v in enumerate(judge.vs):
        seq = [r[j] for r in rot]
        vi = problem.villages.get_loc(v)
        first = 1
        for p in range(2, judge.periods + 2):
            if p > judge.periods or seq[p - 1] != seq[first - 1]:
                a = problem.auxiliaries.get_loc(seq[first - 1])
                stint = key.get((a, vi, first, p - 1))
                assert stint is not None, f"{seq[first - 1]} in {v}, periods {first}..{p - 1}"
                out.append(stint)
                first = p
    return np.array(sorted(out), dtype=np.int64)


def frame_of(judge: BruteForce, rot) -> pd.DataFrame:
    """A rotation (as in ``BruteForce``) as the engine's rows: period, village, auxiliary."""
    rows = [
        (p, v, rot[p - 1][j]) for j, v in enumerate(judge.vs) for p in range(1, judge.periods + 1)
    ]
    return pd.DataFrame(rows, columns=["period", "village_id", "auxiliary_id"])
