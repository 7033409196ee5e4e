"""Why villages stay without an officer: a counting proof, or the plain words that there is none.

A *Hall-type* certificate is a set S of (free) villages and the set N(S) of officers who alone may
cover any of them. Whatever else those officers do, at most

    min( Σ_{o∈N(S)} K_o^S ,  t_S )

villages of S get an officer, where K_o^S is officer o's places for S (his count limit, and the
number of his lightest S-villages that fit his days) and t_S the most villages of S whose lightest
pairs fit in N(S)'s days together. If that is below |S|, at least the difference stay uncovered:
every number is a count or a sum a reader (and ``recount``) can check from the pair table.

The sets tried: the uncovered villages with every village only their officers can serve; each
connected part of the village–officer graph; the whole county; and the set the LP of the largest
cover points at (the officers whose days or places its duals price, and the villages only they can
serve). The certificate proving the largest shortage is kept. Pinned villages are covered already
and use their officers' days (``Core``).

When nothing is proven, the diagnosis says so (in Chinese: "未能证明无法全覆盖：求解时间用尽").
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..i18n import _
from .core import Core


def not_proven() -> str:
    """The plain words that a shortage is not proven (the search ran out of time)."""
    return _("Not proven that full cover is impossible: the search ran out of time")


def count(core: Core, villages: np.ndarray) -> dict:
    """The counting bound for a set of free villages (core indices): N(S), places, days."""
    villages = np.unique(np.asarray(villages, dtype=np.int64))
    in_s = np.zeros(core.n_v, dtype=bool)
    in_s[villages] = True
    sel = in_s[core.village]
    # N(S) from the problem's own pairs (the pair table a reader recounts from), officers who
    # cannot take any of them (no days or places left) included with no places
    problem = core.problem
    free = np.full(len(problem.villages), -1, dtype=np.int64)
    free[core.village_ids] = np.arange(core.n_v)
    pv = free[problem.pair_village]
    psel = pv >= 0
    psel[psel] = in_s[pv[psel]]
    officers = np.unique(problem.pair_officer[psel])
    if not len(officers):
        return {
            "villages": villages,
            "officers": officers,
            "days": 0,
            "places": 0,
            "need": 0,
            "at_most": 0,
            "short": len(villages),
            "places_of": {},
            "lightest": np.zeros(len(villages), dtype=np.int64),
        }
    # K_o^S: his limit, and his lightest S-villages that fit his days
    places_of = {}
    for o in officers.tolist():
        w = np.sort(core.workload[sel & (core.officer == o)])
        fits = int(np.searchsorted(np.cumsum(w), core.days[o], side="right"))
        places_of[o] = int(min(core.limit[o], fits))
    places = int(sum(places_of.values()))
    lightest = np.full(core.n_v, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(lightest, pv[psel], problem.workload[psel])
    lightest = lightest[villages]
    days = int(core.days[officers].sum())
    reachable = lightest < np.iinfo(np.int64).max
    light = np.sort(lightest[reachable])
    t = int(np.searchsorted(np.cumsum(light), days, side="right"))
    at_most = int(min(places, t, len(villages)))
    return {
        "villages": villages,
        "officers": officers,
        "days": days,
        "places": places,
        "need": int(light.sum()),
        "at_most": at_most,
        "short": int(len(villages) - at_most),
        "places_of": places_of,
        "lightest": lightest,
    }


def _closure(core: Core, seed_villages: np.ndarray) -> np.ndarray:
    """The villages only the officers of ``seed_villages`` can serve (the seeds included)."""
    in_seed = np.zeros(core.n_v, dtype=bool)
    in_seed[seed_villages] = True
    n_set = np.zeros(core.n_o, dtype=bool)
    n_set[core.officer[in_seed[core.village]]] = True
    outside = np.zeros(core.n_v, dtype=bool)
    outside[core.village[~n_set[core.officer]]] = True
    return np.flatnonzero(~outside | in_seed)


def _lp_sets(core: Core, time_limit: float | None = None) -> list[np.ndarray]:
    """Villages that only the officers priced by the largest-cover LP can serve (none when the
    LP is not solved within ``time_limit``: 9.5 s on an 800-village county of 59,000 pairs)."""
    import highspy

    from ..solve.highs import quiet_highs

    n_v, n_o, n_p = core.n_v, core.n_o, core.n_pairs
    if not n_p:
        return []
    h = quiet_highs()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_p, n_v + 2 * n_o
    lp.col_cost_ = np.ones(n_p)
    lp.col_lower_ = np.zeros(n_p)
    lp.col_upper_ = np.ones(n_p)
    lp.row_lower_ = np.full(n_v + 2 * n_o, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.ones(n_v), core.days, core.limit]).astype(float)
    lp.sense_ = highspy.ObjSense.kMaximize
    rows = np.concatenate([core.village, n_v + core.officer, n_v + n_o + core.officer])
    cols = np.tile(np.arange(n_p), 3)
    vals = np.concatenate([np.ones(n_p), core.workload, np.ones(n_p)]).astype(float)
    a = coo_matrix((vals, (rows, cols)), shape=(lp.num_row_, n_p)).tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    h.passModel(lp)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 0.1))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    dual = np.abs(np.asarray(h.getSolution().row_dual))
    priced = (dual[n_v : n_v + n_o] > 1e-9) | (dual[n_v + n_o :] > 1e-9)
    if not priced.any():
        return []
    outside = np.zeros(n_v, dtype=bool)
    outside[core.village[~priced[core.officer]]] = True
    return [np.flatnonzero(~outside & core.reachable)]


def certificate(core: Core, uncovered: np.ndarray, time_limit: float | None = None) -> dict | None:
    """The counting certificate proving the largest shortage (free-village indices in, problem
    ids out), or None when no set proves any."""
    uncovered = np.asarray(uncovered, dtype=np.int64)
    sets: list[np.ndarray] = []
    unreachable = np.flatnonzero(~core.reachable)
    if len(uncovered):
        sets.append(_closure(core, uncovered))
    if core.n_pairs:
        g = coo_matrix(
            (np.ones(core.n_pairs), (core.village, core.n_v + core.officer)),
            shape=(core.n_v + core.n_o,) * 2,
        )
        n_parts, label = connected_components(g, directed=False)
        if n_parts > 1:
            sets.extend(np.flatnonzero(label[: core.n_v] == k) for k in range(n_parts))
        sets.extend(_lp_sets(core, time_limit))
    sets.append(np.arange(core.n_v))
    best = None
    for s in sets:
        if not len(s):
            continue
        c = count(core, s)
        if c["short"] > 0 and (best is None or c["short"] > best["short"]):
            best = c
    if best is None:
        return None
    problem = core.problem
    ids_v = problem.villages[core.village_ids[best["villages"]]]
    ids_o = problem.officers.index[best["officers"]]
    words = {
        "villages": len(ids_v),
        "officers": len(ids_o),
        "days": best["days"] / 100,
        "places": best["places"],
        "need": best["need"] / 100,
        "at_most": best["at_most"],
        "short": best["short"],
    }
    if len(ids_o):
        message = _(
            "{villages} villages can only be covered by the same {officers} officers, who have "
            "{days:g} days a month and {places} places; the villages need at least {need:g} "
            "days, so at most {at_most} of them can have an officer ({short} short at least)"
        ).format(**words)
    else:
        message = _("{villages} villages have no officer who may cover them").format(**words)
    return {
        "rule": "OFF-LOAD" if len(ids_o) else "OFF-COVER",
        "message": message,
        "ids": [*ids_v.tolist(), *ids_o.tolist()],
        "villages": ids_v.tolist(),
        "officers": ids_o.tolist(),
        "days": best["days"] / 100,
        "places": best["places"],
        "places_of": {problem.officers.index[o]: k for o, k in best["places_of"].items()},
        "need": best["need"] / 100,
        "at_most": best["at_most"],
        "short": best["short"],
        "unreachable": len(unreachable),
    }


def diagnosis(
    core: Core,
    uncovered: np.ndarray,
    *,
    coverage_optimal: bool = False,
    cover_impossible: bool = False,
    time_limit: float | None = None,
) -> list[dict]:
    """What a PARTIAL plan can say about its uncovered villages: the certificate (a count), and
    for what it does not prove, the solver's proof (``coverage_optimal``: no plan covers more;
    ``cover_impossible``: no plan covers all) or plainly that nothing is proven."""
    uncovered = np.asarray(uncovered, dtype=np.int64)
    if not len(uncovered):
        return []
    out: list[dict] = []
    cert = certificate(core, uncovered, time_limit)
    proven = 0
    if cert is not None:
        out.append(cert)
        proven = cert["short"]
    rest = len(uncovered) - proven
    if rest <= 0:
        return out
    if coverage_optimal:
        out.append(
            _said(
                _(
                    "No plan covers more villages: the solver's exhaustive search proves it "
                    "(not a count)"
                )
            )
        )
    elif cover_impossible and not proven:
        out.append(
            _said(
                _(
                    "Full cover is impossible: the solver's exhaustive search proves it "
                    "(not a count)"
                )
            )
        )
        if rest > 1:
            out.append(_said(rest_not_proven(rest - 1)))
    elif proven:
        out.append(_said(rest_not_proven(rest)))
    else:
        out.append(_said(not_proven()))
    return out


def rest_not_proven(rest: int) -> str:
    return _(
        "The other {rest} uncovered villages are not proven impossible to cover: the search "
        "ran out of time"
    ).format(rest=rest)


def pins_break(officers: int) -> str:
    return _("The pinned pairs alone exceed the days or the maximum of {officers} officers").format(
        officers=officers
    )


def _said(message: str) -> dict:
    return {"rule": "OFF-COVER", "message": message, "ids": []}
