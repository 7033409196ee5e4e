"""Long work of another kind: every officer's transfer ranked by harm, in a worker, on a small
generated county (what the sweep ranks is the engine's; here: it runs as a job and shows)."""

from __future__ import annotations

import re

from cunjing.data.generator import generate_bundle
from cunjing.optimizer.web.models import AuditEntry, Role

from web_support import (
    add_accounts,
    client_for,
    landed,
    make_settings,
    new_app,
    new_workspace,
    sign_in,
    upload,
    wait_job,
    zipped,
)


def test_transfer_sweep_runs_as_long_work(tmp_path):
    bundle = tmp_path / "county"
    generate_bundle(bundle, villages=60, seed=7)
    county = (bundle / "townships.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[2]
    settings = make_settings(tmp_path / "data", workers=1)
    add_accounts(settings, {"planner": (Role.PLANNER, [county])})
    app = new_app(settings)
    try:
        with client_for(app) as c:
            token = sign_in(c, "planner")
            ws = new_workspace(c, token, county, "县")
            assert "数据有效" in upload(c, token, ws, "c.zip", zipped(bundle))["html"]
            bundle_id = re.search(r'name="bundle_version_id" value="(\d+)"', c.get(f"/w/{ws}").text)
            r = c.post(f"/w/{ws}/plans", data={"bundle_version_id": bundle_id.group(1),
                                                "csrf_token": token}, follow_redirects=False)  # fmt: skip
            plan = landed(c, r)["redirect"]
            held = {o["id"] for o in c.get(plan + "/map.json").json()["officers"] if o["villages"]}
            r = c.post(plan + "/sweep", data={"csrf_token": token}, follow_redirects=False)
            done = wait_job(c, r.headers["location"], timeout=600)
            assert "对方案影响最大的调离" in done["html"] and done["redirect"] is None
            ranks = re.findall(r"<tr><td>(\d+)</td><td>[^<]* (\w+)</td>", done["html"])
            assert [int(n) for n, _ in ranks] == list(range(1, len(held) + 1))
            assert {o for _, o in ranks} == held
        with app.state.store.db() as db:
            assert db.query(AuditEntry).filter_by(action="sweep.start").count() == 1
    finally:
        app.state.jobs.close()
        app.state.store.close()
