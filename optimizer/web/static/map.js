// The plan's map: each officer's villages in his colour, a legend, search by village or person,
// a township filter, click an officer to light up his villages (and to transfer him).
// Shapes come from the bundle's geo.gpkg; no tiles unless the bureau set its own tile server.
"use strict";

(function () {
  // the tables wait for the map (parsed first, they kept a city's map waiting a second)
  const tablesNext = () => {
    const tables = document.getElementById("plan-tables");
    if (tables && window.htmx) window.htmx.trigger(tables, "map-drawn");
  };
  // drawn after DOMContentLoaded, when htmx has set up the tables' placeholder
  const ready = new Promise((resolve) => {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", resolve);
    else resolve();
  });
  const el = document.getElementById("map");
  if (!el || !window.L) { ready.then(tablesNext); return; }
  const t = el.dataset;
  const NO_OFFICER = "#d9d9d9";
  let data, map, villageLayer, townshipLayer, selected = null, township = "";
  const layersByVillage = new Map();
  const officerById = new Map();
  const villageById = new Map();

  // the plan's data and the bundle's shapes side by side; the shapes come from the browser's
  // cache after the first page of a data version
  const get = (url) => fetch(url, { credentials: "same-origin" }).then((r) => {
    if (!r.ok) throw new Error(r.status);
    return r.json();
  });
  Promise.all([get(el.dataset.src), get(el.dataset.geo), ready])
    .then(([d, geo]) => { data = d; data.geo = geo; draw(); })
    .catch(() => { el.textContent = "—"; })
    .finally(tablesNext);
  // the tables' links, whenever the tables arrive
  document.addEventListener("click", (event) => {
    if (!data) return;
    const officer = event.target.closest(".officer-link");
    if (officer) { choose(officer.dataset.officer); return; }
    const village = event.target.closest(".village-link");
    if (village) showVillage(village.dataset.village);
  });

  function styleFor(v, dimmed, highlighted, changed) {
    const officer = officerById.get(v && v.officer_id);
    return {
      color: changed ? "#c000ff" : highlighted ? "#000" : "#555",
      weight: changed ? 3 : highlighted ? 2.5 : 0.6,
      fillColor: officer ? officer.colour : NO_OFFICER,
      fillOpacity: dimmed ? 0.12 : highlighted ? 0.95 : 0.75,
    };
  }

  function text(s) { return document.createTextNode(s == null ? "" : String(s)); }

  function popupFor(v) {
    const box = document.createElement("div");
    const b = document.createElement("strong");
    b.appendChild(text(v.name + "（" + v.township + "）"));
    box.appendChild(b);
    const rows = [
      [t.tOfficer, v.officer ? v.officer + " " + v.officer_id : t.tNone],
      [t.tAuxiliary, v.auxiliary || ""],
    ];
    if (v.days != null) rows.push([t.tDays, v.days]);
    for (const [k, val] of rows) {
      const p = document.createElement("div");
      p.appendChild(text(k + "：" + val));
      box.appendChild(p);
    }
    return box;
  }

  function draw() {
    for (const o of data.officers) officerById.set(o.id, o);
    for (const v of data.villages) villageById.set(v.id, v);
    const changed = new Set(data.changed || []);
    // no attribution links out of the intranet; the bureau's tiles carry their own terms
    // one canvas for every shape: a city's 2,000 villages as SVG elements took seconds to draw
    map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, attributionControl: false });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
    }
    const geo = data.geo || {};
    if (geo.townships) {
      townshipLayer = L.geoJSON(geo.townships, {
        style: { color: "#333", weight: 1.6, fill: false },
        interactive: false,
      }).addTo(map);
    }
    if (geo.villages) {
      villageLayer = L.geoJSON(geo.villages, {
        style: (f) => styleFor(villageById.get(f.properties.id), false, false, changed.has(f.properties.id)),
        onEachFeature: (f, layer) => bind(f.properties.id, layer),
      }).addTo(map);
    } else if (geo.points) {
      villageLayer = L.featureGroup(geo.points.map((p) => {
        const layer = L.circleMarker([p.lat, p.lon], Object.assign({ radius: 6 }, styleFor(villageById.get(p.id), false, false, changed.has(p.id))));
        bind(p.id, layer);
        return layer;
      })).addTo(map);
    }
    const bounds = villageLayer ? villageLayer.getBounds() : null;
    if (bounds && bounds.isValid()) map.fitBounds(bounds);
    else map.setView([33.6, 117.0], 9);
    legend();
    search();
    // what the page's tests and the benchmark wait for: every village drawn
    el.dataset.drawn = String(layersByVillage.size);
    const select = document.getElementById("map-township");
    if (select) select.addEventListener("change", () => { township = select.value; restyle(); zoomTownship(); });
  }

  function bind(id, layer) {
    const v = villageById.get(id);
    layersByVillage.set(id, layer);
    if (!v) return;
    layer.bindPopup(() => popupFor(v));
    layer.on("click", () => { villagePanel(v); if (v.officer_id) choose(v.officer_id, true); });
  }

  function restyle() {
    const changed = new Set(data.changed || []);
    for (const [id, layer] of layersByVillage) {
      const v = villageById.get(id);
      const inTownship = !township || (v && v.township_id === township);
      const mine = selected && v && v.officer_id === selected;
      layer.setStyle(styleFor(v, !inTownship || (selected && !mine), mine, changed.has(id)));
      if (mine && layer.bringToFront) layer.bringToFront();
    }
  }

  function zoomTownship() {
    const group = [];
    for (const [id, layer] of layersByVillage) {
      const v = villageById.get(id);
      if (!township || (v && v.township_id === township)) group.push(layer);
    }
    if (group.length) map.fitBounds(L.featureGroup(group).getBounds(), { maxZoom: 13 });
  }

  function choose(officerId, keepView) {
    selected = selected === officerId && keepView ? null : officerId;
    restyle();
    for (const b of document.querySelectorAll(".legend button")) {
      b.classList.toggle("active", b.dataset.officer === selected);
    }
    for (const row of document.querySelectorAll("tr[data-officer]")) {
      row.classList.toggle("highlight", row.dataset.officer === selected);
    }
    panel(selected);
    if (selected && !keepView) {
      const layers = (officerById.get(selected).villages || []).map((id) => layersByVillage.get(id)).filter(Boolean);
      if (layers.length) map.fitBounds(L.featureGroup(layers).getBounds(), { maxZoom: 13 });
    }
  }

  function panel(officerId) {
    const box = document.getElementById("officer-panel");
    if (!box) return;
    const o = officerId && officerById.get(officerId);
    box.hidden = !o;
    if (!o) return;
    document.getElementById("officer-title").textContent = o.name + " " + o.id + "（" + o.category + "，" + o.unit + "）";
    const names = (o.villages || []).map((id) => (villageById.get(id) || {}).name).filter(Boolean);
    document.getElementById("officer-villages").textContent =
      names.length + " " + t.tVillages + "：" + names.join("、") + "；" + o.days_used + " / " + o.available_days + " " + t.tDays;
    const field = document.getElementById("transfer-officer");
    if (field) field.value = o.id;
  }

  function villagePanel(v) {
    const box = document.getElementById("village-panel");
    if (!box) return;
    box.hidden = false;
    document.getElementById("village-title").textContent =
      v.name + "（" + v.township + "）：" + (v.officer || t.tNone);
    for (const f of box.querySelectorAll(".village-field")) f.value = v.id;
    const button = document.getElementById("lock-button");
    if (button) {
      document.getElementById("lock-pinned").value = v.pinned ? "false" : "true";
      button.textContent = v.pinned ? button.dataset.unlock : button.dataset.lock;
      button.disabled = !v.officer_id;
    }
    const auxLock = document.getElementById("aux-lock-button");
    if (auxLock) {
      document.getElementById("aux-lock-pinned").value = v.aux_pinned ? "false" : "true";
      auxLock.textContent = v.aux_pinned ? auxLock.dataset.unlock : auxLock.dataset.lock;
      auxLock.disabled = !v.auxiliary_id;
    }
    const leaves = document.getElementById("aux-leaves-button");
    if (leaves) leaves.disabled = !v.auxiliary_id;
    const options = document.getElementById("officer-options");
    if (options) options.disabled = false;
  }

  function showVillage(id) {
    const v = villageById.get(id);
    if (!v) return;
    villagePanel(v);
    if (v.officer_id) choose(v.officer_id, true);
    const layer = layersByVillage.get(id);
    if (layer && layer.getBounds) map.fitBounds(layer.getBounds(), { maxZoom: 13 });
    if (layer) layer.openPopup();
  }

  function legend() {
    const box = document.getElementById("legend");
    if (!box) return;
    const held = data.officers.filter((o) => (o.villages || []).length);
    for (const o of held) {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.officer = o.id;
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = o.colour;
      b.appendChild(sw);
      b.appendChild(text(o.name + "（" + o.villages.length + "）"));
      b.addEventListener("click", () => choose(o.id));
      box.appendChild(b);
    }
  }

  function search() {
    const input = document.getElementById("map-search");
    const list = document.getElementById("map-names");
    const found = document.getElementById("map-found");
    if (!input) return;
    for (const v of data.villages) { const o = document.createElement("option"); o.value = v.name; list.appendChild(o); }
    for (const o of data.officers) { const x = document.createElement("option"); x.value = o.name; list.appendChild(x); }
    input.addEventListener("change", () => {
      const q = input.value.trim();
      if (!q) return;
      const officer = data.officers.find((o) => o.name === q || o.id === q);
      if (officer) { choose(officer.id); found.textContent = officer.name; return; }
      const hits = data.villages.filter((v) => v.name.includes(q) || v.id === q);
      found.textContent = hits.length + " " + t.tFound;
      if (hits.length) {
        const layers = hits.map((v) => layersByVillage.get(v.id)).filter(Boolean);
        if (layers.length) {
          map.fitBounds(L.featureGroup(layers).getBounds(), { maxZoom: 14 });
          layers[0].openPopup();
        }
      }
    });
  }
})();
