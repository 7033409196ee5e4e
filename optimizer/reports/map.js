// The map of report.html (reports/map.py writes the SVG and its data): views, search, a
// township filter, an officer's villages and days, zoom and pan, and printing one township on
// A4 or A3. Plain script, nothing loaded from anywhere.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var root = document.getElementById("map");
  var svg = document.getElementById("map-svg");
  var frame = document.getElementById("map-frame");
  var tip = document.getElementById("map-tip");
  var side = document.getElementById("map-side");
  var tools = document.getElementById("map-tools");
  var full = [0, 0, data.size[0], data.size[1]];
  var box = full.slice();
  var state = { view: data.views.length ? data.views[0].key : "", officer: "", town: "", hits: {} };
  var shapes = {}, vlabels = {}, tlabels = {};
  Array.prototype.forEach.call(svg.querySelectorAll(".v"), function (el) { shapes[el.getAttribute("data-i")] = el; });
  Array.prototype.forEach.call(svg.querySelectorAll(".vl"), function (el) { vlabels[el.getAttribute("data-i")] = el; });
  Array.prototype.forEach.call(svg.querySelectorAll(".tl"), function (el) { tlabels[el.getAttribute("data-t")] = el; });

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function fmt(x) { return (Math.round(x * 100) / 100).toString(); }

  // ---------------------------------------------------------------- view box: zoom and pan
  var VILLAGE_PX = 11, TOWN_PX = 16; // names keep their size on screen whatever the zoom
  function sizeNames(target, b, width, height, villagePx, townPx) {
    var ppu = Math.min(width / b[2], height / b[3]); // screen pixels per km
    var vg = target.querySelector("#vlabels, .vlabels"), tg = target.querySelector("#tlabels, .tlabels");
    if (vg) { vg.setAttribute("font-size", (villagePx / ppu).toFixed(4)); vg.setAttribute("stroke-width", (2.5 / ppu).toFixed(4)); }
    if (tg) { tg.setAttribute("font-size", (townPx / ppu).toFixed(4)); tg.setAttribute("stroke-width", (3.5 / ppu).toFixed(4)); }
    // a village's name only where the village is wide enough to hold it
    target.classList.toggle("small-names", data.villageWidth * ppu < 2.6 * villagePx);
  }
  function setBox(b) {
    box = b;
    svg.setAttribute("viewBox", b.map(function (v) { return v.toFixed(3); }).join(" "));
    var r = svg.getBoundingClientRect();
    sizeNames(svg, b, r.width || 900, r.height || 700, VILLAGE_PX, TOWN_PX);
  }
  function fit(b, pad) {
    pad = pad === undefined ? 0.06 : pad;
    var w = Math.max(b[2], full[2] / 60), h = Math.max(b[3], full[3] / 60);
    setBox([b[0] - w * pad, b[1] - h * pad, w * (1 + 2 * pad), h * (1 + 2 * pad)]);
  }
  function toMap(evt) {
    var r = svg.getBoundingClientRect();
    var s = Math.max(box[2] / r.width, box[3] / r.height);
    var ox = box[0] + box[2] / 2 - (r.width * s) / 2, oy = box[1] + box[3] / 2 - (r.height * s) / 2;
    return [ox + (evt.clientX - r.left) * s, oy + (evt.clientY - r.top) * s, s];
  }
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var p = toMap(evt), f = evt.deltaY < 0 ? 0.8 : 1.25;
    setBox([p[0] - (p[0] - box[0]) * f, p[1] - (p[1] - box[1]) * f, box[2] * f, box[3] * f]);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (evt) {
    drag = { x: evt.clientX, y: evt.clientY, box: box.slice(), s: toMap(evt)[2], moved: false };
    svg.setPointerCapture(evt.pointerId);
  });
  svg.addEventListener("pointermove", function (evt) {
    if (drag) {
      var dx = evt.clientX - drag.x, dy = evt.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; svg.classList.add("dragging"); }
      if (drag.moved) { setBox([drag.box[0] - dx * drag.s, drag.box[1] - dy * drag.s, drag.box[2], drag.box[3]]); }
      return;
    }
    showTip(evt);
  });
  svg.addEventListener("pointerup", function (evt) {
    var clicked = drag && !drag.moved;
    drag = null;
    svg.classList.remove("dragging");
    if (clicked) {
      var t = document.elementFromPoint(evt.clientX, evt.clientY);
      var i = t && t.getAttribute && t.getAttribute("data-i");
      if (i !== null && i !== undefined && t.classList.contains("v")) {
        var o = data.villages[+i].o;
        selectOfficer(o && o !== state.officer ? o : "");
      }
    }
  });
  svg.addEventListener("pointerleave", function () { tip.style.display = "none"; });

  function showTip(evt) {
    var t = evt.target, i = t.getAttribute && t.getAttribute("data-i");
    if (i === null || i === undefined || !t.classList.contains("v")) { tip.style.display = "none"; return; }
    var v = data.villages[+i];
    tip.textContent = "";
    v.tip.forEach(function (line, k) { var d = el("div", {}, line); if (!k) { d.style.fontWeight = "bold"; } tip.appendChild(d); });
    var r = frame.getBoundingClientRect();
    var x = evt.clientX - r.left + 14, y = evt.clientY - r.top + 14;
    tip.style.display = "block";
    if (x + tip.offsetWidth > r.width) { x = evt.clientX - r.left - tip.offsetWidth - 10; }
    if (y + tip.offsetHeight > r.height) { y = evt.clientY - r.top - tip.offsetHeight - 10; }
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }

  // ---------------------------------------------------------------- colours of a view
  function colourOf(v) {
    if (state.view === "officer") { return v.o && data.officers[v.o] ? data.officers[v.o].colour : data.noOfficer; }
    if (state.view === "relation") { return data.relation[v.rel] || data.noOfficer; }
    if (state.view === "rotation") { return data.moves[Math.min(v.mv || 0, data.moves.length - 1)]; }
    return data.noOfficer;
  }
  function shown(i) {
    var v = data.villages[i];
    if (state.town && v.t !== state.town) { return false; }
    if (state.officer && v.o !== state.officer) { return false; }
    return true;
  }
  function paint() {
    for (var i in shapes) {
      var v = data.villages[+i], on = shown(+i);
      shapes[i].setAttribute("fill", colourOf(v));
      shapes[i].classList.toggle("faded", !on);
      shapes[i].classList.toggle("hit", !!state.hits[i]);
      if (vlabels[i]) { vlabels[i].classList.toggle("faded", state.town !== "" && v.t !== state.town); }
    }
    for (var t in tlabels) { tlabels[t].classList.toggle("faded", state.town !== "" && t !== state.town); }
    renderSide();
  }

  // ---------------------------------------------------------------- the side panel: legend
  function officersShown() {
    return Object.keys(data.officers).filter(function (o) {
      return !state.town || data.officers[o].villages.some(function (i) { return data.villages[i].t === state.town; });
    }).sort(function (a, b) { return data.officers[a].name.localeCompare(data.officers[b].name, "zh-CN") || (a < b ? -1 : 1); });
  }
  function officerLine(o) {
    var x = data.officers[o];
    var days = x.days.reduce(function (s, d) { return s + (d || 0); }, 0);
    return [x.villages.length + " 个村", fmt(days) + (x.available ? "/" + fmt(x.available) : "") + " 天"];
  }
  function renderSide() {
    side.textContent = "";
    if (state.view === "officer") {
      var list = officersShown();
      side.appendChild(el("h3", {}, "包村民警（" + list.length + " 名，点击查看所包的村）"));
      list.forEach(function (o) {
        var x = data.officers[o], line = officerLine(o);
        var item = el("div", { "class": "item" + (state.officer === o ? " on" : ""), "data-o": o });
        var sw = el("span", { "class": "sw" }); sw.style.background = x.colour;
        item.appendChild(sw);
        item.appendChild(el("span", {}, x.name));
        item.appendChild(el("span", { "class": "meta" }, line[0] + " · " + line[1]));
        item.addEventListener("click", function () { selectOfficer(state.officer === o ? "" : o); });
        side.appendChild(item);
        if (state.officer === o) { side.appendChild(detail(o)); }
      });
      var none = data.villages.filter(function (v) { return !v.o; }).length;
      if (none) {
        var it = el("div", { "class": "item" }); var s2 = el("span", { "class": "sw" });
        s2.style.background = data.noOfficer; it.appendChild(s2); it.appendChild(el("span", {}, "无包村民警（" + none + " 个村）"));
        side.appendChild(it);
      }
    } else if (state.view === "relation") {
      side.appendChild(el("h3", {}, "驻村辅警来源"));
      Object.keys(data.relation).forEach(function (k) { side.appendChild(swatchItem(data.relation[k], k)); });
    } else if (state.view === "rotation") {
      side.appendChild(el("h3", {}, "轮换交流次数"));
      data.moves.forEach(function (c, k) { side.appendChild(swatchItem(c, "交流 " + k + (k === data.moves.length - 1 ? " 次及以上" : " 次"))); });
    }
    data.roads.forEach(function (r) { var it = swatchItem(r.colour, r.name); side.appendChild(it); });
  }
  function swatchItem(colour, text) {
    var it = el("div", { "class": "item" }); var sw = el("span", { "class": "sw" });
    sw.style.background = colour; it.appendChild(sw); it.appendChild(el("span", {}, text));
    return it;
  }
  function detail(o) {
    var x = data.officers[o], d = el("div", { "class": "detail" }), line = officerLine(o);
    d.appendChild(el("div", {}, x.name + "（" + o + (x.category ? "，" + x.category : "") + "）" + (x.unit ? " " + x.unit : "")));
    d.appendChild(el("div", {}, "包 " + line[0] + "，每月 " + line[1]));
    var t = el("table");
    x.villages.forEach(function (i, k) {
      var v = data.villages[i], tr = el("tr");
      tr.appendChild(el("td", {}, v.name));
      tr.appendChild(el("td", {}, (data.townships[v.t] || {}).name || ""));
      tr.appendChild(el("td", {}, x.days[k] === null || x.days[k] === undefined ? "" : fmt(x.days[k]) + " 天"));
      t.appendChild(tr);
    });
    d.appendChild(t);
    return d;
  }
  function boxOf(indices) {
    var pts = indices.map(function (i) { return data.villages[i].box; }).filter(function (b) { return b; });
    if (!pts.length) { return full; }
    var x0 = Math.min.apply(null, pts.map(function (p) { return p[0]; })), x1 = Math.max.apply(null, pts.map(function (p) { return p[0]; }));
    var y0 = Math.min.apply(null, pts.map(function (p) { return p[1]; })), y1 = Math.max.apply(null, pts.map(function (p) { return p[1]; }));
    var m = full[2] / 40;
    return [x0 - m, y0 - m, x1 - x0 + 2 * m, y1 - y0 + 2 * m];
  }
  function selectOfficer(o) {
    state.officer = o;
    state.hits = {};
    if (o && state.view !== "officer") { setView("officer"); }
    paint();
    if (o) { fit(boxOf(data.officers[o].villages), 0.15); }
  }

  // ---------------------------------------------------------------- the toolbar
  function setView(key) {
    state.view = key;
    Array.prototype.forEach.call(tools.querySelectorAll("button[data-view]"), function (b) { b.classList.toggle("on", b.getAttribute("data-view") === key); });
    paint();
  }
  data.views.forEach(function (view) {
    var b = el("button", { type: "button", "data-view": view.key }, view.name);
    b.addEventListener("click", function () { setView(view.key); });
    tools.appendChild(b);
  });
  var select = el("select", { "aria-label": "乡镇" });
  select.appendChild(el("option", { value: "" }, "全部乡镇"));
  Object.keys(data.townships).sort(function (a, b) { return data.townships[a].name.localeCompare(data.townships[b].name, "zh-CN"); }).forEach(function (t) {
    select.appendChild(el("option", { value: t }, data.townships[t].name));
  });
  select.addEventListener("change", function () {
    state.town = select.value;
    state.officer = "";
    paint();
    fit(state.town ? data.townships[state.town].box : full, state.town ? 0.04 : 0);
  });
  tools.appendChild(select);
  var search = el("input", { type: "search", placeholder: "搜索村名、民警或辅警", "aria-label": "搜索" });
  var results = el("div", { id: "map-results" });
  results.style.display = "none";
  search.addEventListener("input", function () {
    var q = search.value.trim();
    results.textContent = "";
    state.hits = {};
    if (!q) { results.style.display = "none"; paint(); return; }
    var found = [];
    data.villages.forEach(function (v, i) {
      if (v.name.indexOf(q) >= 0 || v.id === q) { found.push({ text: v.name + "（" + ((data.townships[v.t] || {}).name || v.t) + "）", go: function () { flash([i]); } }); state.hits[i] = true; }
      else if (v.an && v.an.indexOf(q) >= 0) { found.push({ text: "辅警 " + v.an + " · " + v.name, go: function () { flash([i]); } }); state.hits[i] = true; }
    });
    Object.keys(data.officers).forEach(function (o) {
      var x = data.officers[o];
      if (x.name.indexOf(q) >= 0 || o === q) { found.unshift({ text: "民警 " + x.name + "（" + o + "）", go: function () { selectOfficer(o); } }); }
    });
    found.slice(0, 30).forEach(function (f) {
      var d = el("div", {}, f.text);
      d.addEventListener("click", function () { results.style.display = "none"; f.go(); });
      results.appendChild(d);
    });
    if (!found.length) { results.appendChild(el("div", {}, "没有找到")); }
    var r = search.getBoundingClientRect(), rr = root.getBoundingClientRect();
    results.style.left = (r.left - rr.left) + "px"; results.style.top = (r.bottom - rr.top) + "px";
    results.style.display = "block";
    paint();
  });
  tools.appendChild(search);
  root.appendChild(results);
  function flash(indices) {
    state.hits = {};
    indices.forEach(function (i) { state.hits[i] = true; });
    paint();
    fit(boxOf(indices), 0.3);
  }
  function button(text, act) { var b = el("button", { type: "button" }, text); b.addEventListener("click", act); tools.appendChild(b); return b; }
  button("＋", function () { var c = [box[0] + box[2] / 2, box[1] + box[3] / 2]; setBox([c[0] - box[2] * 0.35, c[1] - box[3] * 0.35, box[2] * 0.7, box[3] * 0.7]); });
  button("－", function () { var c = [box[0] + box[2] / 2, box[1] + box[3] / 2]; setBox([c[0] - box[2] * 0.7, c[1] - box[3] * 0.7, box[2] * 1.4, box[3] * 1.4]); });
  button("全图", function () { state.officer = ""; state.town = ""; state.hits = {}; select.value = ""; search.value = ""; paint(); setBox(full); });
  var bases = button("民警驻地", function () { svg.classList.toggle("bases"); bases.classList.toggle("on"); });
  var paper = el("select", { "aria-label": "纸张" });
  ["A4", "A3"].forEach(function (p) { paper.appendChild(el("option", { value: p }, p + " 横向")); });
  tools.appendChild(paper);
  button("打印本乡镇", function () { printTown(false); });

  // ---------------------------------------------------------------- printing one township
  // the page as it prints: the chosen township (or the whole map) fitted to the paper, with its
  // officers, their villages and days beside it; ``prepareOnly`` leaves out the print dialog
  function printTown(prepareOnly) {
    var t = state.town;
    var b = t ? data.townships[t].box : full;
    var old = document.getElementById("map-print-root");
    if (old) { old.parentNode.removeChild(old); }
    var pr = el("div", { id: "map-print-root" });
    var place = t ? data.townships[t].name : data.counties.join("、");
    pr.appendChild(el("h1", {}, place + " 包村民警安排图"));
    var sheet = el("div", { "class": "sheet" });
    var copy = svg.cloneNode(true);
    copy.removeAttribute("id");
    copy.setAttribute("class", "map-copy");
    Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (e) { e.setAttribute("class", (e.getAttribute("class") || "") + " " + e.id); e.removeAttribute("id"); });
    var m = Math.max(b[2], b[3]) * 0.04;
    copy.setAttribute("viewBox", [b[0] - m, b[1] - m, b[2] + 2 * m, b[3] + 2 * m].map(function (v) { return v.toFixed(3); }).join(" "));
    var big = paper.value === "A3";
    var mmW = big ? 330 : 215, mmH = big ? 250 : 165, pxPerMm = 96 / 25.4;
    copy.setAttribute("style", "width:" + mmW + "mm;height:" + mmH + "mm");
    var vb = copy.getAttribute("viewBox").split(" ").map(Number);
    sizeNames(copy, vb, mmW * pxPerMm, mmH * pxPerMm, 8, 13);
    copy.classList.remove("small-names");
    sheet.appendChild(copy);
    var legend = el("div", { "class": "legend" });
    officersShown().forEach(function (o) {
      var x = data.officers[o], line = officerLine(o), row = el("div");
      var sw = el("span", { "class": "sw" }); sw.style.background = x.colour;
      row.appendChild(sw);
      var names = x.villages.filter(function (i) { return !t || data.villages[i].t === t; }).map(function (i) { return data.villages[i].name; });
      row.appendChild(el("span", {}, x.name + "：" + names.join("、") + "（" + line[1] + "）"));
      legend.appendChild(row);
    });
    sheet.appendChild(legend);
    pr.appendChild(sheet);
    pr.appendChild(el("div", { "class": "foot" }, (root.getAttribute("data-title") || "") + " · " + new Date().toLocaleDateString("zh-CN")));
    document.body.appendChild(pr);
    var page = document.getElementById("map-page-size") || el("style", { id: "map-page-size" });
    page.textContent = "@page { size: " + paper.value + " landscape; margin: 10mm; }";
    document.head.appendChild(page);
    document.body.classList.add("map-printing");
    if (!prepareOnly) { window.print(); }
  }
  window.addEventListener("afterprint", function () { document.body.classList.remove("map-printing"); });

  if (data.views.length) { setView(state.view); } else { renderSide(); }
  setBox(full);
  // for the page's test and for a planner's bookmarklet: what the map shows
  window.cunjingMap = {
    data: data,
    selectOfficer: selectOfficer,
    setTown: function (t) { select.value = t; select.dispatchEvent(new Event("change")); },
    setPaper: function (p) { paper.value = p; },
    printTown: printTown
  };
})();
