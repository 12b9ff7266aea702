// synaptune serve: the page. bmtool's InteractiveTuner in a browser.
//
// The page keeps the values of its controls and sends them with every request
// (the server stores them: the exports write what the page shows). A moved
// slider re-runs the last protocol after a short pause (debounce); one request
// is in flight at a time and only the latest values are sent next.
"use strict";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 40;

const S = {
  model: null,
  network: null,
  conn: null,            // the connection's entry of /api/model
  values: {},            // parameter values shown
  record: [],
  protocol: "train",     // what sliders re-run: "train" or "single"
  inflight: false,
  queued: null,
  timer: null,
  runs: 0,
  roundTrips: [],
  last: null,
  fr: null,
  frBusy: false,
  gap: { inflight: false, queued: false, timer: null, runs: 0, last: null },
  saved: {},             // per network/connection: values, vclamp_amp, record
};
const savedKey = (name) => `${S.network || ""}/${name}`;
function save() {
  if (!S.conn) return;
  S.saved[savedKey(S.conn.name)] = {
    values: Object.assign({}, S.values),
    vclamp_amp: $("vclamp-amp").value,
    record: S.record.slice(),
  };
}
// For tests and the curious: window.synaptune.state.
window.synaptune = { state: S };

// Each lane of the page (its runs, its frequency response, its gap junction)
// has an id and numbers its requests: a newer request makes the server cancel
// the older one's simulation (that one answers 409, which the page ignores),
// so the latest values always win at once, even behind a long run.
const PAGE_ID = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
const laneSeq = {};
function stamp(lane, body) {
  laneSeq[lane] = (laneSeq[lane] || 0) + 1;
  body.client = `${PAGE_ID}/${lane}`;
  body.seq = laneSeq[lane];
  return laneSeq[lane];
}
const latest = (lane, seq) => laneSeq[lane] === seq;

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  // Relative to the page, so that the page also works under a proxy's prefix
  // (jupyter-server-proxy serves it at /user/NAME/proxy/PORT/).
  const r = await fetch(path.replace(/^\//, ""), init);
  let data;
  try { data = await r.json(); } catch (e) { data = { error: `HTTP ${r.status}` }; }
  if (!r.ok) {
    const err = new Error(data.error || `HTTP ${r.status}`);
    err.status = r.status;
    throw err;
  }
  return data;
}

function fmtNum(v, digits = 4) {
  if (v == null || !isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3);
  return Number(v.toPrecision(digits)).toString();
}
const fixed = (v, d = 3) => (v == null || !isFinite(v) ? "–" : v.toFixed(d));
const unitOf = (u) => (u && u !== "1" ? u.replace("uS", "µS") : "");

function setStatus(el, text, kind) {
  el.textContent = text;
  el.classList.toggle("error", kind === "error");
  el.classList.toggle("busy", kind === "busy");
}

// ---------------------------------------------------------------- model & controls

async function loadModel(network) {
  const q = network ? `?network=${encodeURIComponent(network)}` : "";
  const m = await api(`/api/model${q}`);
  S.model = m;
  S.network = m.network;
  $("source").textContent = `${m.source} · ${m.convention === "bmtool" ? "bmtool 0.8 conventions" : "synaptune conventions"}`;
  const nets = m.networks || [];
  $("network-row").classList.toggle("hidden", nets.length <= 1);
  fillSelect($("network"), nets, m.network);
  fillSelect($("connection"), m.connections.map((c) => c.name), m.default_connection);
  choiceSlider("freq", m.choices.freqs, m.choices.freq, "Hz");
  choiceSlider("delay", m.choices.delays, m.choices.delay, "ms");
  choiceSlider("duration", m.choices.durations, m.choices.duration, "ms");
  $("vclamp").checked = m.vclamp;
  selectConnection(m.default_connection);
  setupGap(m.gap);
}

function fillSelect(sel, names, value) {
  sel.innerHTML = "";
  for (const n of names) {
    const o = document.createElement("option");
    o.value = o.textContent = n;
    sel.appendChild(o);
  }
  if (value != null) sel.value = value;
}

function choiceSlider(id, choices, value, unit) {
  const el = $(id);
  el.max = choices.length - 1;
  el.value = Math.max(0, choices.indexOf(value));
  el.dataset.choices = JSON.stringify(choices);
  const show = () => { $(`${id}-out`).textContent = `${choiceValue(id)} ${unit}`; };
  el.oninput = () => {
    show();
    schedule();
    if (id === "delay") frStale();
    if (id === "freq") drawFr();
  };
  show();
}
const choiceValue = (id) => JSON.parse($(id).dataset.choices)[Number($(id).value)];

function selectConnection(name) {
  const c = S.model.connections.find((x) => x.name === name) || S.model.connections[0];
  S.conn = c;
  $("connection").value = c.name;
  $("conn-info").textContent =
    `${c.mechanism} on ${c.post_cell}, section ${c.sec_id} at ${c.sec_x}` +
    (c.ignored.length ? ` · ignored (not parameters): ${c.ignored.join(", ")}` : "") +
    (c.known_mechanism ? "" : " · unknown mechanism");
  // Values this page already set for the connection (the model lists those at load).
  const saved = S.saved[savedKey(c.name)];
  $("vclamp-amp").value = saved ? saved.vclamp_amp : c.vclamp_amp;
  S.values = {};
  const box = $("params");
  box.innerHTML = "";
  for (const p of c.params) {
    const v = saved && saved.values[p.name] != null ? saved.values[p.name] : p.value;
    S.values[p.name] = v;
    box.appendChild(paramRow(Object.assign({}, p, { value: v })));
  }
  if (!c.params.length) box.innerHTML = '<div class="hint">This connection has no numeric synaptic parameters.</div>';
  S.record = saved ? saved.record.slice() : c.record.slice();
  renderRecords();
  S.fr = null;
  drawFr();
  $("fr-status").textContent = "The 8 + 4 train at bmtool's 16 frequencies (1–200 Hz) with the selected recovery delay.";
}

function snap(p, v) {
  // bmtool's slider positions: min + k·step.
  const k = Math.round((v - p.min) / p.step);
  return Number((p.min + k * p.step).toPrecision(12));
}

function paramRow(p) {
  const row = document.createElement("div");
  row.className = "param";
  const u = unitOf(p.units);
  row.innerHTML = `<span class="name" title="${p.name}${u ? " (" + u + ")" : ""} · slider ${fmtNum(p.min)} … ${fmtNum(p.max)}, step ${fmtNum(p.step)}">${p.name}${u ? `<small>(${u})</small>` : ""}</span>`;
  const range = document.createElement("input");
  range.type = "range";
  range.id = `param-${p.name}`;
  range.min = p.min; range.max = p.max; range.step = p.step;
  range.value = p.value;
  const num = document.createElement("input");
  num.type = "number";
  num.id = `value-${p.name}`;
  num.step = "any";
  num.value = fmtNum(p.value, 6);
  const mark = () => num.classList.toggle("changed", S.values[p.name] !== p.initial);
  range.oninput = () => {
    const v = snap(p, Number(range.value));
    S.values[p.name] = v;
    num.value = fmtNum(v, 6);
    num.classList.remove("bad");
    mark();
    schedule();
    frStale();
  };
  num.onchange = () => {
    const v = Number(num.value);
    if (num.value.trim() === "" || !isFinite(v)) { num.classList.add("bad"); return; }
    num.classList.remove("bad");
    S.values[p.name] = v;
    range.value = v;
    mark();
    schedule(0);
    frStale();
  };
  row.append(range, num);
  mark();
  return row;
}

function renderRecords() {
  const box = $("records");
  box.innerHTML = "";
  for (const v of S.record) {
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.textContent = v;
    const x = document.createElement("button");
    x.textContent = "×";
    x.title = `stop recording ${v}`;
    x.onclick = () => { S.record = S.record.filter((r) => r !== v); renderRecords(); schedule(0); };
    chip.appendChild(x);
    box.appendChild(chip);
  }
  if (!S.record.length) box.innerHTML = '<span class="hint">none</span>';
  const add = $("record-add");
  add.innerHTML = '<option value="">add a variable…</option>';
  for (const v of S.conn.variables.filter((n) => !S.record.includes(n))) {
    const o = document.createElement("option");
    o.value = o.textContent = v;
    add.appendChild(o);
  }
}

function modelFields() {
  save();
  const f = {
    connection: S.conn.name,
    params: S.values,
    vclamp: $("vclamp").checked,
    record: S.record,
  };
  if (S.network) f.network = S.network;
  const amp = Number($("vclamp-amp").value);
  if ($("vclamp-amp").value.trim() !== "" && isFinite(amp)) f.vclamp_amp = amp;
  return f;
}

// ---------------------------------------------------------------- running

function schedule(ms = DEBOUNCE_MS) {
  clearTimeout(S.timer);
  S.timer = setTimeout(() => run(S.protocol), ms);
}

function request(protocol) {
  const body = modelFields();
  if (protocol === "single") return { path: "/api/single-event", body, label: "Single event" };
  const freq = choiceValue("freq");
  body.freq = freq;
  if ($("continuous").checked) {
    body.duration = choiceValue("duration");
    return { path: "/api/continuous", body, label: `Continuous input ${freq} Hz for ${body.duration} ms` };
  }
  body.delay = choiceValue("delay");
  return { path: "/api/train", body, label: `Train ${freq} Hz, ${body.delay} ms recovery` };
}

async function run(protocol) {
  S.protocol = protocol;
  S.inflight = true;
  const req = request(protocol);
  const seq = stamp("run", req.body);
  setStatus($("status"), `${req.label}: running…`, "busy");
  const t0 = performance.now();
  try {
    const r = await api(req.path, req.body);
    if (!latest("run", seq)) return;
    const rt = performance.now() - t0;
    S.runs += 1;
    S.roundTrips.push(rt);
    if (S.roundTrips.length > 50) S.roundTrips.shift();
    S.last = r;
    S.lastRoundTrip = rt;
    render(r);
    const sorted = S.roundTrips.slice().sort((a, b) => a - b);
    const med = sorted[Math.floor(sorted.length / 2)];
    setStatus($("status"),
      `${req.label} · ${r.connection} · ${r.vclamp ? `voltage clamp at ${r.vclamp_amp} mV` : "current clamp"} — ` +
      `round trip ${rt.toFixed(0)} ms (simulation ${r.elapsed_ms.toFixed(0)} ms; median of ${sorted.length}: ${med.toFixed(0)} ms)`);
    if ($("fr-live").checked && S.frStale && protocol !== "single") runFr();
  } catch (e) {
    if (!latest("run", seq)) return;
    setStatus($("status"), `${req.label}: ${e.message}`, "error");
  } finally {
    if (latest("run", seq)) S.inflight = false;
  }
}

function canvases(n) {
  const box = $("plots");
  while (box.children.length < n) {
    const c = document.createElement("canvas");
    box.appendChild(c);
    Plot.watch(c);
  }
  while (box.children.length > n) box.removeChild(box.lastChild);
  return Array.from(box.children);
}

function render(r) {
  const tr = r.traces;
  const cs = canvases(tr.panels.length);
  tr.panels.forEach((p, i) => {
    Plot.draw(cs[i], {
      title: p.title === "Synaptic current" ? `Synaptic current · ${r.connection}` : p.title,
      xlabel: tr.xlabel, ylabel: p.ylabel, xlim: [tr.x0, tr.x1],
      series: [{ x: tr.x, y: p.y, pairs: true, color: Plot.COLORS[i % Plot.COLORS.length] }],
      marks: p.marks,
    });
  });
  if (r.protocol === "single-event") renderKinetics(r);
  else renderStp(r);
}

function renderKinetics(r) {
  const k = r.kinetics;
  const ri = S.model.general.rise_interval;
  $("metrics-title").textContent = "Single-event kinetics";
  $("metrics").innerHTML = `<table>
    <tr><td>Amplitude</td><td class="v">${fixed(k.amp * 1000, 3)} pA</td><td class="f">peak of the ${k.sign < 0 ? "inward" : "outward"} response above the baseline (${fixed(k.baseline * 1000, 3)} pA)</td></tr>
    <tr><td>Latency</td><td class="v">${fixed(k.latency, 3)} ms</td><td class="f">event to the start of the response</td></tr>
    <tr><td>Rise time</td><td class="v">${fixed(k.rise_time, 3)} ms</td><td class="f">${Math.round(ri[0] * 100)}–${Math.round(ri[1] * 100)} % of the peak</td></tr>
    <tr><td>Decay τ</td><td class="v">${fixed(k.decay_time, 3)} ms</td><td class="f">a·exp(−t/τ) fitted from the peak</td></tr>
    <tr><td>Half width</td><td class="v">${fixed(k.half_width, 3)} ms</td><td class="f">width at 50 % of the peak</td></tr>
    <tr><td>Current integral</td><td class="v">${fixed(k.current_integral, 2)} pA·ms</td><td class="f">∫ (i − baseline) dt over the response</td></tr>
  </table>`;
}

function renderStp(r) {
  const m = r.metrics, t = r.terms, a = r.amplitudes_pA;
  $("metrics-title").textContent = r.protocol === "continuous"
    ? `STP metrics · continuous ${r.freq} Hz, ${r.duration} ms` : `STP metrics · ${r.freq} Hz train, ${r.delay} ms recovery`;
  // Long continuous inputs: the first 24 pulses, then a count.
  const shown = a.length > 36 ? a.slice(0, 24) : a;
  const amps = shown.map((v, i) => `<span><b>a${i + 1}</b>${fixed(v, 2)}</span>`).join("") +
    (shown.length < a.length ? `<span>… a${a.length} ${fixed(a[a.length - 1], 2)}</span>` : "");
  if (!m) {
    $("metrics").innerHTML = `<div class="hint">${r.metrics_note || "no metrics"}</div>
      <div class="sub">Amplitudes (pA)</div><div class="amps">${amps}</div>`;
    return;
  }
  const cls = (v, one) => (v > one ? "fac" : v < one ? "dep" : "");
  $("metrics").innerHTML = `<table>
    <tr><td>PPR</td><td class="v ${cls(m.ppr, 1)}">${fixed(m.ppr, 4)}</td>
      <td class="f">a2 / a1 = ${fixed(t.a2, 2)} / ${fixed(t.a1, 2)} · &gt; 1 facilitating, &lt; 1 depressing</td></tr>
    <tr><td>Induction</td><td class="v ${cls(m.induction, 0)}">${fixed(m.induction, 4)}</td>
      <td class="f">(mean(a6, a7, a8) − a1) / max = (${fixed(t.mean_a6_a8, 2)} − ${fixed(t.a1, 2)}) / ${fixed(t.max, 2)}</td></tr>
    <tr><td>Recovery</td><td class="v">${fixed(m.recovery, 4)}</td>
      <td class="f">(mean(a9…a12) − mean(a1…a4)) / max = (${fixed(t.mean_a9_a12, 2)} − ${fixed(t.mean_a1_a4, 2)}) / ${fixed(t.max, 2)}</td></tr>
    <tr><td>Max amplitude</td><td class="v">${fixed(m.max_amplitude_pA, 2)} pA</td><td class="f">the amplitude of largest magnitude</td></tr>
    <tr class="sep"><td colspan="3" class="sub">bmtool 0.8: normalised by the 90th percentile, p90 = ${fixed(t.p90, 2)} pA</td></tr>
    <tr><td>PPR (p90)</td><td class="v">${fixed(m.stp_initial_p90, 4)}</td><td class="f">(a2 − a1) / p90 · &gt; 0 facilitating</td></tr>
    <tr><td>Induction (p90)</td><td class="v">${fixed(m.induction_p90, 4)}</td><td class="f">(mean(a6, a7, a8) − a1) / p90</td></tr>
    <tr><td>Recovery (p90)</td><td class="v">${fixed(m.recovery_p90, 4)}</td><td class="f">(mean(a9…a12) − mean(a1…a4)) / p90</td></tr>
  </table>
  <div class="sub">Amplitudes (pA)${a.length > 12 ? ` · ${a.length} pulses` : ""}</div><div class="amps">${amps}</div>`;
}

// ---------------------------------------------------------------- frequency response

function frStale() {
  S.frStale = true;
  if (S.fr) $("fr-status").textContent = "Out of date: the values changed since it was computed.";
}

async function runFr() {
  S.frBusy = true;
  S.frStale = false;
  const body = modelFields();
  body.record = [];
  body.delay = choiceValue("delay");
  const seq = stamp("fr", body);
  $("fr-status").textContent = "Computing 16 trains…";
  const t0 = performance.now();
  try {
    const r = await api("/api/freq-response", body);
    if (!latest("fr", seq)) return;
    S.fr = r;
    $("fr-status").textContent = `${r.connection}, ${r.delay} ms recovery · ${r.frequencies.length} frequencies in ${(performance.now() - t0).toFixed(0)} ms`;
    drawFr();
  } catch (e) {
    if (!latest("fr", seq)) return;
    $("fr-status").textContent = `Frequency response: ${e.message}`;
  } finally {
    if (latest("fr", seq)) S.frBusy = false;
  }
}

function drawFr() {
  const r = S.fr;
  const f = r ? r.frequencies : [];
  const now = $("freq").dataset.choices ? choiceValue("freq") : null;
  const one = (id, title, y, ylabel) => Plot.draw($(id), {
    title, xlabel: "frequency (Hz)", ylabel, logx: true, vline: now,
    series: r ? [{ x: f, y, points: true }] : [], empty: "press Compute",
  });
  one("fr-ppr", "PPR (a2/a1)", r ? r.ppr : [], "PPR");
  one("fr-induction", "Induction", r ? r.induction : [], "induction");
  one("fr-recovery", "Recovery", r ? r.recovery : [], "recovery");
}

// ---------------------------------------------------------------- gap junctions

function setupGap(gap) {
  $("tab-gap").classList.toggle("hidden", !gap);
  if (!gap) return;
  S.gapModel = gap;
  fillSelect($("gap-connection"), gap.connections.map((c) => c.name), gap.connections[0].name);
  const g = $("gap-g");
  g.min = gap.slider.log10_min;
  g.max = gap.slider.log10_max;
  g.step = gap.slider.log10_step;
  g.value = Math.log10(gap.slider.g);
  showG();
  gapInfo();
  $("gap-origin").textContent = `Model: ${gap.origin}`;
}

function gapG() {
  return Number(Math.pow(10, Number($("gap-g").value)).toPrecision(6));
}

function showG() {
  const g = gapG();
  $("gap-g-out").textContent = g.toExponential(1);
}

function gapInfo() {
  const c = S.gapModel.connections.find((x) => x.name === $("gap-connection").value);
  const gen = S.gapModel.general;
  $("gap-info").textContent = `Two ${c.cell} cells joined at section ${c.sec_id} (x = ${c.sec_x}); ${c.iclamp_amp} nA into cell 1 from ${gen.tstart} ms for ${gen.tdur} ms.`;
}

function scheduleGap(ms = DEBOUNCE_MS) {
  clearTimeout(S.gap.timer);
  S.gap.timer = setTimeout(runGap, ms);
}

async function runGap() {
  S.gap.inflight = true;
  const body = { connection: $("gap-connection").value, g: gapG(), implicit: $("gap-implicit").checked };
  const seq = stamp("gap", body);
  setStatus($("gap-status"), `g = ${body.g.toExponential(2)} µS: running…`, "busy");
  const t0 = performance.now();
  try {
    const r = await api("/api/gap", body);
    if (!latest("gap", seq)) return;
    const rt = performance.now() - t0;
    S.gap.runs += 1;
    S.gap.last = r;
    $("gap-cc").textContent = fixed(r.coupling_coefficient, 4);
    $("gap-terms").textContent = `ΔV₁ = ${fixed(r.dv1, 3)} mV, ΔV₂ = ${fixed(r.dv2, 3)} mV at g = ${r.g.toExponential(2)} µS (1/g = ${fmtNum(1 / r.g)} MΩ)`;
    const tr = r.traces, p = tr.panels[0];
    Plot.draw($("gap-plot"), {
      title: `${r.connection}: soma voltages`, xlabel: tr.xlabel, ylabel: p.ylabel, xlim: [tr.x0, tr.x1],
      series: p.series.map((s) => ({ x: tr.x, y: s.y, pairs: true, label: s.label })),
    });
    setStatus($("gap-status"), `g = ${r.g.toExponential(2)} µS${r.implicit ? " (implicit)" : ""} — round trip ${rt.toFixed(0)} ms (simulation ${r.elapsed_ms.toFixed(0)} ms)`);
  } catch (e) {
    if (!latest("gap", seq)) return;
    setStatus($("gap-status"), e.message, "error");
  } finally {
    if (latest("gap", seq)) S.gap.inflight = false;
  }
}

// ---------------------------------------------------------------- export

async function exportFile(kind) {
  try {
    // Make sure the server has the values shown before it writes them.
    await api("/api/params", modelFields());
    const q = new URLSearchParams();
    if (S.network) q.set("network", S.network);
    if (kind === "dynamics") q.set("connection", S.conn.name);
    const a = document.createElement("a");
    a.href = `api/export/${kind}?${q}`;
    a.download = "";
    document.body.appendChild(a);
    a.click();
    a.remove();
  } catch (e) {
    setStatus($("status"), `Export: ${e.message}`, "error");
  }
}

// ---------------------------------------------------------------- wiring

function showTab(which) {
  for (const t of ["synapse", "gap"]) {
    $(`tab-${t}`).classList.toggle("active", t === which);
    $(`tab-${t}`).setAttribute("aria-selected", String(t === which));
    $(`pane-${t}`).classList.toggle("hidden", t !== which);
  }
  if (which === "gap" && !S.gap.runs) runGap();
}

function wire() {
  $("tab-synapse").onclick = () => showTab("synapse");
  $("tab-gap").onclick = () => showTab("gap");
  $("network").onchange = async () => {
    try { await loadModel($("network").value); run("train"); } catch (e) { setStatus($("status"), e.message, "error"); }
  };
  $("connection").onchange = () => { save(); selectConnection($("connection").value); run(S.protocol); };
  $("run-train").onclick = () => run("train");
  $("single-event").onclick = () => run("single");
  const vamp = () => $("vclamp-amp-row").classList.toggle("hidden", !$("vclamp").checked);
  $("vclamp").onchange = () => { vamp(); schedule(0); frStale(); };
  $("vclamp-amp").onchange = () => { schedule(0); frStale(); };
  $("continuous").onchange = () => {
    const on = $("continuous").checked;
    $("delay-row").classList.toggle("hidden", on);
    $("duration-row").classList.toggle("hidden", !on);
    if (S.protocol === "train") schedule(0);
  };
  $("reset").onclick = () => {
    S.saved[savedKey(S.conn.name)] = {
      values: Object.fromEntries(S.conn.params.map((p) => [p.name, p.initial])),
      vclamp_amp: S.conn.vclamp_amp_initial,
      record: S.conn.record.slice(),
    };
    selectConnection(S.conn.name);
    schedule(0);
    frStale();
  };
  $("record-add").onchange = () => {
    const v = $("record-add").value;
    if (v && !S.record.includes(v)) { S.record.push(v); renderRecords(); schedule(0); }
  };
  $("fr-run").onclick = runFr;
  $("fr-live").onchange = () => { if ($("fr-live").checked) runFr(); };
  $("export-dynamics").onclick = () => exportFile("dynamics");
  $("export-settings").onclick = () => exportFile("settings");
  $("gap-g").oninput = () => { showG(); scheduleGap(); };
  $("gap-connection").onchange = () => { gapInfo(); scheduleGap(0); };
  $("gap-implicit").onchange = () => scheduleGap(0);
  $("gap-run").onclick = runGap;
  vamp();
  for (const id of ["fr-ppr", "fr-induction", "fr-recovery", "gap-plot"]) Plot.watch($(id));
}

(async () => {
  wire();
  try {
    await loadModel(null);
    $("vclamp-amp-row").classList.toggle("hidden", !$("vclamp").checked);
    await run("train"); // bmtool's InteractiveTuner runs the train when it opens
  } catch (e) {
    setStatus($("status"), `Cannot load the model: ${e.message}`, "error");
  }
})();
