"""Loading a bundle (a folder, or one .xlsx workbook) into one validated :class:`Instance`.

Every problem is collected before anything is raised, so a planner fixes a bundle in one pass.
Only the bundle's own files are read: names are fixed by the contract, and a file that resolves
outside the bundle folder (a symlink) is refused.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..i18n import _
from .geo import (
    GeoLayers,
    TravelNetwork,
    adjacency_graph,
    along_routes,
    project_lonlat,
    projected_crs,
    read_geo,
)
from .instance import Instance
from .limits import MAX_GEO_BYTES, MAX_SMALL_BYTES, check_regular, not_regular, open_regular
from .parse import parse_table
from .policy import Policy, load_policy, policy_from_mapping
from .problems import BundleError, ProblemLog
from .schema import GEO_FILE, POLICY_FILE, REQUIRED_TABLES, TABLES
from .tables import (
    EXCEL_ERRORS,
    RawTable,
    normalise_id,
    normalise_text,
    read_csv_table,
    read_xlsx_tables,
    table_key,
    without_formulas,
)
from .workdays import unavailable_problems


def sample_path() -> Path:
    """The embedded sample county, the default input of every command."""
    from importlib.resources import files

    return Path(str(files("cunjing.data") / "sample"))


def load_bundle(path: str | Path | None = None) -> Instance:
    """Read, check and enrich a bundle; raise :class:`BundleError` listing every problem."""
    path = sample_path() if path is None else Path(path)
    log = ProblemLog()
    label_root = path.name or str(path)
    try:
        mode = path.stat().st_mode
    except OSError as e:
        if isinstance(e, FileNotFoundError):
            raise BundleError.single(str(path), _("no such file or folder")) from None
        raise BundleError.single(
            str(path), _("cannot read it: {reason}").format(reason=e.strerror or e)
        ) from None
    raws: dict[str, RawTable] = {}
    geo_layers: dict[str, gpd.GeoDataFrame] = {}
    policy: Policy | None = None
    files: list[Path] = []
    if stat.S_ISDIR(mode):
        root = path.resolve()
        entries = _entries(path)
        for name, table in TABLES.items():
            found = [h for h in (_find(entries, n, log) for n in table.files) if h is not None]
            if len(found) > 1:
                log.error(
                    table.file,
                    0,
                    "",
                    _(
                        "{files} are all read as {name} (names differing only in case or "
                        "width): keep one of them; which one is meant is ambiguous"
                    ).format(files=", ".join(h.name for h in found), name=table.file),
                )
                continue
            f = found[0] if found else None
            if f is None or not _usable(f, root, table.file, log):
                continue
            files.append(f)
            raw = read_csv_table(f, table, log)
            if raw is not None:
                raws[name] = raw
        gpkg = _find(entries, GEO_FILE, log)
        if gpkg is not None and _usable(gpkg, root, GEO_FILE, log):
            files.append(gpkg)
            geo_layers = read_geo(gpkg, log)
        pol = _find(entries, POLICY_FILE, log)
        if pol is not None and _usable(pol, root, POLICY_FILE, log, MAX_SMALL_BYTES):
            files.append(pol)
            try:
                policy = load_policy(pol)
            except BundleError as e:
                log.extend(e.problems)
        _warn_other_files(entries, log)
        if not files and not log.errors:
            log.error(
                label_root,
                0,
                "",
                _(
                    "no bundle files here (expected townships.csv, villages.csv, officers.csv, "
                    "auxiliaries.csv …)"
                ),
            )
            raise BundleError(log.all())
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        files.append(path)
        raws, policy_cells, policy_rows = read_xlsx_tables(path, log)
        if policy_cells:
            try:
                policy = policy_from_mapping(policy_cells, f"{path.name}[policy]", policy_rows)
            except BundleError as e:
                log.extend(e.problems)
    elif path.suffix.lower() == ".xls":
        raise BundleError.single(
            str(path), _("an Excel 97-2003 workbook (.xls): save it as .xlsx (Excel Workbook)")
        )
    else:
        raise BundleError.single(
            str(path), _("a bundle is a folder of CSV files or one .xlsx workbook")
        )
    where = (lambda t: f"{path.name}[{t}]") if path.is_file() else (lambda t: f"{t}.csv")
    for name in REQUIRED_TABLES:
        if name not in raws and not any(p.file == where(name) for p in log.errors):
            log.error(where(name), 0, "", _("this required table is missing from the bundle"))
    labels = {name: raws[name].label if name in raws else where(name) for name in TABLES}
    headers = {name: raws[name].headers if name in raws else {} for name in TABLES}
    # A table that could not be read, or lacks a required column: references into it are not
    # checked, so one broken file gives its own message, not one more per row of other files.
    broken = {
        name
        for name, table in TABLES.items()
        if (name not in raws and any(p.file == labels[name] for p in log.errors))
        or (name in raws and set(table.required_columns) - set(raws[name].headers))
    }
    frames = {name: parse_table(raw, log) for name, raw in raws.items()}
    for name, table in TABLES.items():
        if name not in frames:
            frames[name] = parse_table(
                RawTable(table, where(name), pd.DataFrame(), [], {}), ProblemLog()
            )
    if policy is None:
        policy = load_policy(None)
    instance = _assemble(frames, labels, headers, geo_layers, policy, log, path, broken)
    located = {p.file for p in log.problems if p.row}
    for name, raw in raws.items():
        if raw.label in located:
            log.name_rows(raw.label, row_names(raws, name))
    log.raise_if_errors()
    assert instance is not None
    return _with_fingerprint(instance, files, log)


def row_names(raws: dict[str, RawTable], name: str) -> dict[int, str]:
    """Each row of table ``name`` -> the person or village it is about, as problems name it:
    the row's own name and id (``三村（V3）``), or those of the officer, auxiliary, village or
    township its first reference names."""
    raw = raws[name]
    frame = raw.frame
    key = raw.table.key[0] if raw.table.key else raw.table.columns[0].name
    ref = raw.table.column(key).ref if key in frame else None
    if "name" in frame and key in frame and ref is None:
        ids = frame[key].map(normalise_id)
        names = frame["name"].map(normalise_text)
        names = names.where(~names.str.upper().isin(EXCEL_ERRORS), "")  # a failed formula
    elif ref in raws and key in frame:
        target = raws[ref].frame
        target_key = raws[ref].table.key[0]
        if "name" not in target or target_key not in target:
            return {}
        known = dict(zip(target[target_key].map(normalise_id), target["name"], strict=True))
        ids = frame[key].map(normalise_id)
        names = ids.map(lambda i: normalise_text(known.get(i, "")))
        ids = ids.where(names != "", "")  # an unknown id is named by its own problem
    else:
        return {}
    return {
        row: (f"{n}（{i}）" if n and i else n or i)
        for row, i, n in zip(raw.rows, ids, names, strict=True)
        if n or i
    }


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError as e:
        raise BundleError.single(
            str(folder),
            _("cannot read the folder: {reason}").format(reason=e.strerror or e),
        ) from None


def _find(entries: list[Path], name: str, log: ProblemLog) -> Path | None:
    """The entry that is the bundle's file ``name``: its name as typed in any case, full-width
    or half-width. Two such entries (``villages.csv`` and ``Villages.csv``) are ambiguous."""
    hits = [f for f in entries if table_key(f.name) == table_key(name)]
    if len(hits) > 1:
        log.error(
            name,
            0,
            "",
            _(
                "{files} are all read as {name} (names differing only in case or width): keep "
                "one of them; which one is meant is ambiguous"
            ).format(files=", ".join(f.name for f in hits), name=name),
        )
        return None
    return hits[0] if hits else None


def _usable(f: Path, root: Path, label: str, log: ProblemLog, limit: int | None = None) -> bool:
    """A bundle file must be a regular file inside the bundle folder: links out of it are
    refused, and so are folders, pipes and devices (opening a pipe would block)."""
    try:
        target = f.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a link loop, before Python 3.13
        if f.is_symlink():
            msg = _(
                "the file is a link to '{target}', which leads nowhere (missing or a loop)"
            ).format(target=os.readlink(f))
        else:
            msg = _("cannot open the file")
        log.error(label, 0, "", msg)
        return False
    if not target.is_relative_to(root):
        log.error(label, 0, "", _("the file points outside the bundle folder; refused"))
        return False
    try:
        if limit is None:
            mode = target.stat().st_mode
            if not stat.S_ISREG(mode):
                raise not_regular(label, mode)
        else:
            check_regular(target, label, limit)
    except BundleError as e:
        log.extend(e.problems)
        return False
    except OSError as e:
        log.error(label, 0, "", _("cannot read the file: {reason}").format(reason=e.strerror))
        return False
    return True


def _warn_other_files(entries: list[Path], log: ProblemLog) -> None:
    """Files the engine does not read are named, so a misnamed table is not silently lost."""
    known = [f for t in TABLES.values() for f in t.files] + [GEO_FILE, POLICY_FILE]
    keys = {table_key(k) for k in known}
    for f in entries:
        if f.name.startswith(".") or table_key(f.name) in keys or f.is_dir():
            continue  # a folder may be a plan written beside the tables
        if f.suffix.lower() in (".xlsx", ".xlsm"):
            message = _(
                "not a bundle file; ignored: a workbook is a bundle by itself; give its path "
                "instead of the folder's"
            )
        else:
            near = difflib.get_close_matches(f.name.lower(), known, n=1, cutoff=0.6)
            message = (
                _("not a bundle file; ignored (rename it to {name}?)").format(name=near[0])
                if near
                else _("not a bundle file; ignored")
            )
        log.warn(f.name, 0, "", message)


def _with_fingerprint(inst: Instance, files: list[Path], log: ProblemLog) -> Instance:
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: p.name):
        h.update(f.name.encode())
        with open_regular(f, f.name, MAX_GEO_BYTES) as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(block)
    from dataclasses import replace

    return replace(inst, fingerprint=h.hexdigest(), warnings=tuple(log.warnings))


class _Checker:
    """Cross-table checks over the typed frames; each problem at its file, row and column."""

    # unknown references in one column beyond this are said in one line with their count
    MAX_LISTED = 20

    def __init__(self, frames, labels, headers, log: ProblemLog):
        self.frames, self.labels, self.headers, self.log = frames, labels, headers, log

    def err(self, table: str, rows, column: str, message: str, warn: bool = False) -> None:
        header = self.headers[table].get(column, column)
        for r in np.atleast_1d(rows):
            (self.log.warn if warn else self.log.error)(self.labels[table], int(r), header, message)

    def unique(self, table: str) -> None:
        df, key = self.frames[table], TABLES[table].key
        if not len(df) or not key:
            return
        filled = df[list(key)].ne("").all(axis=1)
        dup = df[filled & df.duplicated(list(key), keep=False)]
        for _k, grp in dup.groupby(list(key), sort=False):
            rows = grp["_row"].tolist()
            ident = "/".join(str(grp.iloc[0][k]) for k in key)
            for r in rows[1:]:
                self.err(
                    table,
                    r,
                    key[-1],
                    _("duplicate {column} '{id}' (first at row {row})").format(
                        column="/".join(key), id=ident, row=rows[0]
                    ),
                )

    def refs(self, table: str, column: str, known: set[str] | None, what: str, target: str) -> None:
        """Every id of ``column`` must be one of ``known`` (the ids of table ``target``)."""
        df = self.frames[table]
        if not len(df) or known is None:
            return
        col = df[column]
        bad: list[tuple[int, str]] = []
        if col.map(lambda v: isinstance(v, tuple)).any():
            for r, items in zip(df["_row"], col, strict=True):
                bad += [(int(r), item) for item in items if item not in known]
        else:
            miss = col.ne("") & ~col.isin(known)
            bad = [(int(r), v) for r, v in zip(df.loc[miss, "_row"], col[miss], strict=True)]
        rounded = any(f == self.labels[target] for f, _c in self.log.rounded)
        if rounded or len(bad) > self.MAX_LISTED:
            self._collapsed(table, column, what, target, bad, rounded)
            return
        for r, v in bad:
            self.err(table, r, column, _("unknown {what} '{id}'").format(what=what, id=v))

    def _collapsed(self, table, column, what, target, bad, rounded: bool) -> None:
        if not bad:
            return
        examples = ", ".join(f"'{v}'" for v in list(dict.fromkeys(v for _r, v in bad))[:5])
        rows = ", ".join(str(r) for r, _v in bad[:5])
        message = (
            _(
                "{n} unknown {what} id(s) ({examples}) in rows {rows}…: most likely the ids "
                "Excel rounded in {file} (see the first message); fix those and these go too"
            )
            if rounded
            else _("{n} unknown {what} id(s) ({examples}) in rows {rows}…")
        )
        self.log.error(
            self.labels[table],
            0,
            self.headers[table].get(column, column),
            message.format(
                n=len(bad),
                what=what,
                examples=examples,
                rows=rows,
                file=self.labels[target],
            ),
        )


def _assemble(
    frames,
    labels,
    headers,
    geo_layers,
    policy: Policy,
    log: ProblemLog,
    path: Path,
    broken: set[str],
) -> Instance | None:
    chk = _Checker(frames, labels, headers, log)
    for name in TABLES:
        chk.unique(name)
    tw, vil, off = (frames[n] for n in ("townships", "villages", "officers"))
    nb, hist = frames["township_neighbours"], frames["aux_history"]
    if len(vil) == 0 and "villages" not in broken:
        log.error(labels["villages"], 0, "", _("the bundle has no villages"))
        broken.add("villages")

    def ids(table: str, column: str) -> set[str] | None:
        """The ids a table defines; None when it is broken and references cannot be judged."""
        return None if table in broken else set(frames[table][column]) - {""}

    township_ids = ids("townships", "township_id")
    village_ids = ids("villages", "village_id")
    officer_ids = ids("officers", "officer_id")
    aux_ids = ids("auxiliaries", "auxiliary_id")
    county_ids = ids("townships", "county_id")
    places = None if village_ids is None or township_ids is None else village_ids | township_ids

    township, village = _("township"), _("village")
    county = _("county (not in townships.csv)")
    chk.refs("villages", "township_id", township_ids, township, "townships")
    if policy.rule("OFF-ORIGIN")["city_organ_officers"] and None not in (county_ids, places):
        frames["officers"] = city_organ_officers(frames, county_ids, chk)
        off = frames["officers"]
    for col, known, what, target in (
        ("county_id", county_ids, county, "townships"),
        ("native_township_id", township_ids, township, "townships"),
        ("native_village_id", village_ids, village, "villages"),
        ("former_township_ids", township_ids, township, "townships"),
        ("selected_village_id", village_ids, village, "villages"),
        ("base_township_id", township_ids, township, "townships"),
    ):
        chk.refs("officers", col, known, what, target)
    chk.refs(
        "officers", "preferences", places, _("village or township in a preference"), "villages"
    )
    chk.refs("auxiliaries", "county_id", county_ids, county, "townships")
    chk.refs("auxiliaries", "home_village_id", village_ids, _("home village"), "villages")
    chk.refs("auxiliaries", "recommended_village_ids", village_ids, village, "villages")
    people = None if officer_ids is None or aux_ids is None else officer_ids | aux_ids
    person = _("officer or auxiliary")
    for table, col, known, what, target in (
        ("township_neighbours", "township_id", township_ids, township, "townships"),
        ("township_neighbours", "neighbour_id", township_ids, township, "townships"),
        ("aux_history", "auxiliary_id", aux_ids, _("auxiliary"), "auxiliaries"),
        ("aux_history", "village_id", village_ids, village, "villages"),
        ("plan_officers", "village_id", village_ids, village, "villages"),
        ("plan_officers", "officer_id", officer_ids, _("officer"), "officers"),
        ("plan_auxiliaries", "village_id", village_ids, village, "villages"),
        ("plan_auxiliaries", "auxiliary_id", aux_ids, _("auxiliary"), "auxiliaries"),
        ("pairs", "officer_id", officer_ids, _("officer"), "officers"),
        ("pairs", "village_id", village_ids, village, "villages"),
        ("auxiliary_exceptions", "auxiliary_id", aux_ids, _("auxiliary"), "auxiliaries"),
        ("auxiliary_exceptions", "village_id", village_ids, village, "villages"),
        ("responsibility_areas", "officer_id", officer_ids, _("officer"), "officers"),
        ("responsibility_areas", "village_id", village_ids, village, "villages"),
        ("auxiliary_duty", "auxiliary_id", aux_ids, _("auxiliary"), "auxiliaries"),
        ("followups", "village_id", village_ids, village, "villages"),
        ("followups", "person_id", people, person, "officers"),
        ("ratings", "person_id", people, person, "officers"),
    ):
        chk.refs(table, col, known, what, target)
    unavailable_problems(
        frames["unavailable"], labels["unavailable"], headers["unavailable"], officer_ids, log
    )

    self_nb = nb["township_id"].ne("") & (nb["township_id"] == nb["neighbour_id"])
    chk.err(
        "township_neighbours",
        nb.loc[self_nb, "_row"],
        "neighbour_id",
        _("a township cannot be its own neighbour (a typo for another township?)"),
    )
    if places is not None:
        used = set(vil["township_id"])
        empty_tw = tw[tw["township_id"].ne("") & ~tw["township_id"].isin(used)]
        chk.err(
            "townships",
            empty_tw["_row"],
            "township_id",
            _("township has no villages in villages.csv (remove it or add its villages)"),
        )
    zero = off["available_days"].eq(0) & off["status"].ne("leaving")
    chk.err(
        "officers",
        off.loc[zero.fillna(False), "_row"],
        "available_days",
        _(
            "an active officer with 0 available days cannot hold a village (set status leaving "
            "or give his days)"
        ),
    )
    half = off["base_lon"].isna() ^ off["base_lat"].isna()
    chk.err("officers", off.loc[half, "_row"], "base_lon", _("base_lon and base_lat go together"))
    for table, lon, lat in (
        ("townships", "lon", "lat"),
        ("villages", "lon", "lat"),
        ("officers", "base_lon", "base_lat"),
    ):
        df = frames[table]
        if not len(df):
            continue
        chk.err(
            table,
            df.loc[(df[lon].abs() > 180).fillna(False), "_row"],
            lon,
            _("longitude must lie between -180 and 180"),
        )
        chk.err(
            table,
            df.loc[(df[lat].abs() > 90).fillna(False), "_row"],
            lat,
            _("latitude must lie between -90 and 90"),
        )
    late = hist["end"].ne("") & hist["start"].ne("") & (hist["end"] < hist["start"])
    chk.err("aux_history", hist.loc[late, "_row"], "end", _("ends before it starts"))
    open_posts = hist[hist["end"].eq("") & hist["auxiliary_id"].ne("")]
    twice = open_posts[open_posts.duplicated("auxiliary_id", keep="first")]
    chk.err(
        "aux_history",
        twice["_row"],
        "auxiliary_id",
        _("the auxiliary already has an open posting (empty end) in an earlier row"),
    )
    # a preference far outside the officer's county cannot be honoured; say so, do not fail
    if len(off) and places is not None:
        v_county = dict(
            zip(
                vil["village_id"],
                vil["township_id"].map(dict(zip(tw["township_id"], tw["county_id"], strict=False))),
                strict=True,
            )
        )
        t_county = dict(zip(tw["township_id"], tw["county_id"], strict=True))
        for r, c, prefs in zip(off["_row"], off["county_id"], off["preferences"], strict=True):
            for p in prefs:
                pc = v_county.get(p, t_county.get(p))
                if isinstance(pc, str) and pc and pc != c:
                    chk.err(
                        "officers",
                        r,
                        "preferences",
                        _(
                            "preference '{place}' lies in county {county}, outside the "
                            "officer's county {own}; it cannot be honoured"
                        ).format(place=p, county=pc, own=c),
                        warn=True,
                    )

    geo = _geo_tables(geo_layers, township_ids, village_ids, log)
    if log.errors:
        return None
    return _derive(frames, geo, policy, log, path)


def _geo_tables(layers, township_ids, village_ids, log: ProblemLog) -> dict:
    out = {}
    for name, key, known, what in (
        ("townships", "township_id", township_ids, _("unknown township '{id}'")),
        ("villages", "village_id", village_ids, _("unknown village '{id}'")),
    ):
        gdf = layers.get(name)
        if gdf is None:
            continue
        where = f"{GEO_FILE}[{name}]"
        if key not in gdf.columns:
            log.error(where, 0, key, _("the layer needs a '{column}' column").format(column=key))
            continue
        # ids as in the tables: a numeric column gives 341302100.0, a null is no id
        ids = gdf[key].map(lambda v: normalise_id(_cell(v)))
        gdf = gdf.assign(**{key: ids})
        given = ids.ne("").to_numpy()
        for i in np.flatnonzero(~given):
            log.error(where, i + 1, key, _("'{column}' must be given").format(column=key))
        if known is not None:
            for i in np.flatnonzero(given & ~ids.isin(known).to_numpy()):
                log.error(where, i + 1, key, what.format(id=ids.iat[i]))
        for i in np.flatnonzero(given & ids.duplicated().to_numpy()):
            log.error(
                where,
                i + 1,
                key,
                _("duplicate {column} '{id}' (first at row {row})").format(
                    column=key, id=ids.iat[i], row=int(np.flatnonzero(ids == ids.iat[i])[0]) + 1
                ),
            )
        out[name] = gdf
    if "roads" in layers:
        out["roads"] = layers["roads"]
    return out


def _derive(frames, geo: dict, policy: Policy, log: ProblemLog, path: Path) -> Instance:
    tw = frames["townships"].set_index("township_id", drop=False)
    vil = frames["villages"].set_index("village_id", drop=False)
    off = frames["officers"].set_index("officer_id", drop=False)
    aux = frames["auxiliaries"].set_index("auxiliary_id", drop=False)
    for df in (tw, vil, off, aux):
        df.index.name = None

    lonlat = np.vstack(
        [
            tw[["lon", "lat"]].to_numpy(float),
            vil[["lon", "lat"]].to_numpy(float),
            off[["base_lon", "base_lat"]].to_numpy(float),
        ]
    )
    crs = projected_crs(lonlat, policy.get("geo", "crs"), geo)
    layers = {k: g.to_crs(crs) for k, g in geo.items()}
    gt, gv, roads = layers.get("townships"), layers.get("villages"), layers.get("roads")

    # positions: villages from their polygon (or point), else lon/lat, else their township's seat
    vx, vy = project_lonlat(vil["lon"].to_numpy(float), vil["lat"].to_numpy(float), crs)
    if gv is not None and len(gv):
        pts = gv.geometry.representative_point()
        at = pd.DataFrame(
            {"x": pts.x.to_numpy(), "y": pts.y.to_numpy()}, index=gv["village_id"].to_numpy()
        )
        have = vil.index.isin(at.index)
        vx[have] = at.loc[vil.index[have], "x"].to_numpy()
        vy[have] = at.loc[vil.index[have], "y"].to_numpy()
    tx, ty = project_lonlat(tw["lon"].to_numpy(float), tw["lat"].to_numpy(float), crs)
    tw = tw.assign(x=tx, y=ty)
    if gt is not None and len(gt):
        pts = gt.geometry.representative_point()
        seat = pd.DataFrame(
            {"x": pts.x.to_numpy(), "y": pts.y.to_numpy()}, index=gt["township_id"].to_numpy()
        )
        miss = tw["x"].isna() & tw.index.isin(seat.index)
        tw.loc[miss, "x"] = seat.loc[tw.index[miss], "x"].to_numpy()
        tw.loc[miss, "y"] = seat.loc[tw.index[miss], "y"].to_numpy()
    vil = vil.assign(x=vx, y=vy)
    # a township without a seat sits at the mean of its villages, a village without a place at
    # its township's seat
    mean_xy = vil.groupby("township_id")[["x", "y"]].mean()
    for c in ("x", "y"):
        tw[c] = tw[c].fillna(tw.index.to_series().map(mean_xy[c]))
        vil[c] = vil[c].fillna(vil["township_id"].map(tw[c]))
    vil["county_id"] = vil["township_id"].map(tw["county_id"])

    kinds = vil["kind"].where(vil["kind"] != "", "ordinary")
    vil["kind"] = kinds
    vil["cases"] = vil["cases"].fillna(0).astype(int)
    vil["complex"] = vil["complex"].fillna(False).astype(bool)
    traffic = policy.rule("OFF-TRAFFIC")
    if roads is not None and "class" in roads.columns and len(roads):
        present = set(roads["class"].astype(str).str.lower())
        absent = [c for c in traffic["road_classes"] if c.lower() not in present]
        if absent:
            log.warn(
                POLICY_FILE,
                0,
                "rules.OFF-TRAFFIC.road_classes",
                f"no road of geo.gpkg has the class {', '.join(absent)} (classes there: "
                f"{', '.join(sorted(present))}): OFF-TRAFFIC finds no route of that class",
            )
    if gv is not None and roads is not None:
        geom = gv.set_index("village_id").geometry.reindex(vil.index)
        have = geom.notna().to_numpy()
        derived = np.zeros(len(vil), dtype=bool)
        derived[have] = along_routes(
            geom[have], roads, traffic["road_classes"], traffic["buffer_m"]
        )
        pts_only = ~have & vil["x"].notna().to_numpy()
        if pts_only.any():
            derived[pts_only] = along_routes(
                gpd.GeoSeries(gpd.points_from_xy(vil["x"][pts_only], vil["y"][pts_only])),
                roads,
                traffic["road_classes"],
                traffic["buffer_m"],
            )
    else:
        derived = np.zeros(len(vil), dtype=bool)
    given = vil["on_traffic_route"]
    vil["route_given"] = given.notna().to_numpy()
    vil["on_traffic_route"] = given.fillna(pd.Series(derived, index=vil.index)).astype(bool)

    off = derive_officers(off, tw, policy, crs, log, "officers.csv")
    aux = derive_auxiliaries(aux, vil)

    g = adjacency_graph(
        tw.index.tolist(),
        gt,
        frames["township_neighbours"],
        policy.get("geo", "adjacency_tolerance_m"),
        policy.get("geo", "min_shared_border_m"),
    )
    hist = frames["aux_history"].reset_index(drop=True)
    start = policy.get("plan", "start_month") or _next_january(hist, frames["auxiliaries"])
    po = frames["plan_officers"].set_index("village_id", drop=False)
    pa = frames["plan_auxiliaries"].set_index("village_id", drop=False)
    for df in (po, pa):
        df.index.name = None
        df["pinned"] = df["pinned"].fillna(False).astype(bool)
    pairs = frames["pairs"].reset_index(drop=True)
    pairs["forbidden"] = pairs["forbidden"].fillna(False).astype(bool)
    pairs["score"] = pairs["score"].fillna(0.0)
    return Instance(
        townships=tw,
        villages=vil,
        officers=off,
        auxiliaries=aux,
        adjacency=g,
        township_neighbours=frames["township_neighbours"].reset_index(drop=True),
        aux_history=hist,
        plan_officers=po,
        plan_auxiliaries=pa,
        pairs=pairs,
        geo=GeoLayers(gt, gv, roads),
        network=TravelNetwork(roads, policy.get("geo", "detour_factor")),
        policy=policy,
        crs=crs.to_string(),
        start_month=start,
        source=str(path),
        fingerprint="",
        unavailable=frames["unavailable"].reset_index(drop=True),
        holidays=frames["holidays"].reset_index(drop=True),
        auxiliary_exceptions=frames["auxiliary_exceptions"].reset_index(drop=True),
        responsibility_areas=responsibility_areas(frames["responsibility_areas"], off, vil),
        auxiliary_duty=frames["auxiliary_duty"].reset_index(drop=True),
        followups=frames["followups"].reset_index(drop=True),
        ratings=frames["ratings"].reset_index(drop=True),
    )


def city_organ_officers(frames, county_ids: set[str], chk) -> pd.DataFrame:
    """§二(一) 选派机关民警回原籍包村: an organ officer of the city bureau (a ``county_id`` that
    is no county of the bundle) joins the county of his native place (native village, else
    native township, else the place of his first wish) and is planned there; ``bureau_id``
    keeps the bureau he comes from. Everyone else stays in his own county."""
    off = frames["officers"].copy()
    tw = frames["townships"].set_index("township_id")["county_id"]
    vil = frames["villages"].set_index("village_id")["township_id"].map(tw)
    place = pd.concat([tw, vil])
    place = place[~place.index.duplicated()]
    off["bureau_id"] = off["county_id"]
    city = off["county_id"].ne("") & ~off["county_id"].isin(county_ids)
    city &= off["category"] == "organ"
    for i in off.index[city]:
        row = off.loc[i]
        wishes = row["preferences"] if isinstance(row["preferences"], tuple) else ()
        for p in (row["native_village_id"], row["native_township_id"], *wishes):
            if p and p in place.index:
                off.at[i, "county_id"] = place[p]
                break
        else:
            chk.err(
                "officers",
                [row["_row"]],
                "county_id",
                "an organ officer of the city bureau (OFF-ORIGIN city_organ_officers) needs a "
                "native village or township, or a wish, in the bundle: his county is chosen by it",
            )
    return off


def responsibility_areas(given: pd.DataFrame, off: pd.DataFrame, vil: pd.DataFrame) -> pd.DataFrame:
    """责任区民警: the given table, else each station officer (警种 派出所) of a base township
    answers for that township's villages (``derived`` says which)."""
    cols = ["officer_id", "village_id"]
    if len(given):
        return given[cols].reset_index(drop=True).assign(derived=False)
    station = off[(off["category"] == "station") & (off["base_township_id"] != "")]
    station = station[station["status"] != "leaving"]
    areas = pd.DataFrame(
        {"officer_id": station.index.to_numpy(object), "township_id": station["base_township_id"]}
    ).merge(
        pd.DataFrame({"village_id": vil.index.to_numpy(object), "township_id": vil["township_id"]}),
        on="township_id",
    )
    return areas[cols].sort_values(cols, ignore_index=True).assign(derived=True)


def derive_officers(
    off: pd.DataFrame, tw: pd.DataFrame, policy: Policy, crs, log: ProblemLog, label: str
) -> pd.DataFrame:
    """Officers ready for planning: defaults filled, base projected (or his township's seat)."""
    off = off.copy()
    load = policy.rule("OFF-LOAD")
    off["status"] = off["status"].where(off["status"] != "", "active")
    off["available_days"] = off["available_days"].fillna(load["default_available_days"])
    default_max = load["default_max_villages"]
    off["max_villages"] = off["max_villages"].fillna(default_max if default_max > 0 else pd.NA)
    bx, by = project_lonlat(off["base_lon"].to_numpy(float), off["base_lat"].to_numpy(float), crs)
    seat_x = off["base_township_id"].map(tw["x"]).to_numpy(float)
    seat_y = off["base_township_id"].map(tw["y"]).to_numpy(float)
    off["base_x"] = np.where(np.isnan(bx), seat_x, bx)
    off["base_y"] = np.where(np.isnan(by), seat_y, by)
    for r in off.loc[off["base_x"].isna(), "_row"]:
        log.warn(
            label,
            int(r),
            "base_township_id",
            _("no base given (base_lon/base_lat or base_township_id): travel counted as 0"),
        )
    return off


def derive_auxiliaries(aux: pd.DataFrame, vil: pd.DataFrame) -> pd.DataFrame:
    """Auxiliaries ready for planning: status filled, home township and place from the village."""
    aux = aux.copy()
    aux["status"] = aux["status"].where(aux["status"] != "", "active")
    aux["home_township_id"] = aux["home_village_id"].map(vil["township_id"])
    aux["home_x"] = aux["home_village_id"].map(vil["x"])
    aux["home_y"] = aux["home_village_id"].map(vil["y"])
    return aux


def _next_january(hist: pd.DataFrame, aux: pd.DataFrame) -> str:
    months = [m for m in (*hist["start"], *hist["end"], *aux["hired"]) if m]
    if not months:
        return "2027-01"  # the plan year this release was written for; set plan.start_month
    return f"{int(max(months)[:4]) + 1:04d}-01"


def _cell(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return ";".join(v)
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def table_frame(inst: Instance, name: str) -> pd.DataFrame:
    """One table of the instance in its contract columns, as text cells, ready for a CSV."""
    table = TABLES[name]
    df = getattr(inst, name)
    if name == "responsibility_areas" and "derived" in df.columns:
        df = df[~df["derived"].astype(bool)]  # derived from the stations: not given
    df = df.reset_index(drop=True)
    cols = [c.name for c in table.columns]
    out = df[cols].copy()
    if name == "villages":
        out["on_traffic_route"] = df["on_traffic_route"].where(df["route_given"], None)
    for c in cols:
        out[c] = out[c].astype(object).map(_cell)
    return out


def save_bundle(inst: Instance, folder: str | Path) -> Path:
    """Write the instance back as a bundle folder (CSV tables, geo.gpkg, the policy)."""
    from .policy import policy_toml

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in TABLES.items():
        frame = table_frame(inst, name)
        if not table.required and frame.empty:
            continue
        without_formulas(frame).to_csv(folder / table.file, index=False, lineterminator="\n")
    layers = {
        "townships": inst.geo.townships,
        "villages": inst.geo.villages,
        "roads": inst.geo.roads,
    }
    for layer, gdf in layers.items():
        if gdf is not None:
            gdf.to_file(folder / GEO_FILE, layer=layer, driver="GPKG", engine="pyogrio")
    if inst.policy.source != "defaults":
        (folder / POLICY_FILE).write_text(policy_toml(inst.policy), encoding="utf-8")
    return folder
