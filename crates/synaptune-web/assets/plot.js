// synaptune serve: a small canvas plotter (no dependencies, works offline).
//
// Plot.draw(canvas, spec) with spec = {
//   title, xlabel, ylabel, xlim: [a, b] (optional), logx: bool,
//   series: [{x, y, label, color, pairs: bool, points: bool}],
//     pairs: y holds two values per x (min/max buckets, in order of occurrence)
//   marks: [{x, y, text}], vline: x (optional), empty: "text" (optional)
// }
// The canvas is redrawn at its CSS size × devicePixelRatio; Plot.watch(canvas)
// redraws it on resize. Hovering shows the nearest sample.
"use strict";

const Plot = (() => {
  const COLORS = ["#1f6feb", "#d1495b", "#2a9d8f", "#e09f3e", "#6a4c93", "#3d405b"];
  const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const specs = new WeakMap();

  function niceStep(range, n) {
    const raw = range / Math.max(1, n);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / p;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
  }

  function linTicks(lo, hi, n) {
    if (!(hi > lo)) return [lo];
    const s = niceStep(hi - lo, n);
    const out = [];
    for (let v = Math.ceil(lo / s) * s; v <= hi + s * 1e-9; v += s) out.push(Math.abs(v) < s * 1e-9 ? 0 : v);
    return out;
  }

  function logTicks(lo, hi) {
    const out = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * Math.pow(10, e);
        if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
      }
    }
    return out;
  }

  function fmt(v, step) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace("e+", "e");
    const d = step ? Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9))) : 3;
    return v.toFixed(d);
  }

  function extent(spec) {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const s of spec.series) {
      const k = s.pairs ? 2 : 1;
      for (let i = 0; i < s.x.length; i++) {
        const x = s.x[i];
        if (spec.xlim && (x < spec.xlim[0] || x > spec.xlim[1])) continue;
        if (x == null || !isFinite(x)) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        for (let j = 0; j < k; j++) {
          const y = s.y[i * k + j];
          if (y == null || !isFinite(y)) continue;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    for (const m of spec.marks || []) {
      if (isFinite(m.y)) { y0 = Math.min(y0, m.y); y1 = Math.max(y1, m.y); }
    }
    if (spec.xlim) { x0 = spec.xlim[0]; x1 = spec.xlim[1]; }
    if (!isFinite(y0)) { y0 = 0; y1 = 1; }
    if (y1 - y0 < 1e-12 * Math.max(1, Math.abs(y0))) {
      const d = Math.abs(y0) > 0 ? Math.abs(y0) * 0.05 : 1;
      y0 -= d; y1 += d;
    } else {
      const pad = (y1 - y0) * 0.08;
      y0 -= pad; y1 += pad;
    }
    if (!isFinite(x0)) { x0 = 0; x1 = 1; }
    return { x0, x1, y0, y1 };
  }

  function draw(canvas, spec) {
    specs.set(canvas, spec);
    const dpr = window.devicePixelRatio || 1;
    const W = canvas.clientWidth, H = canvas.clientHeight;
    if (W === 0 || H === 0) return;
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, W, H);
    g.font = FONT;
    const L = 62, R = 20, T = spec.title ? 26 : 10, B = 38;
    const pw = W - L - R, ph = H - T - B;
    g.fillStyle = "#1b1f24";
    if (spec.title) {
      g.font = "600 13px system-ui, sans-serif";
      g.textAlign = "left";
      g.textBaseline = "alphabetic";
      g.fillText(spec.title, L, 17);
      g.font = FONT;
    }
    if (!spec.series.length || spec.series.every((s) => !s.x.length)) {
      g.fillStyle = "#8b949e";
      g.textAlign = "center";
      g.textBaseline = "middle";
      g.fillText(spec.empty || "no data", W / 2, T + ph / 2);
      return;
    }
    const e = extent(spec);
    const logx = !!spec.logx && e.x0 > 0;
    const lx0 = logx ? Math.log10(e.x0) : e.x0, lx1 = logx ? Math.log10(e.x1) : e.x1;
    const sx = (x) => L + ((logx ? Math.log10(x) : x) - lx0) / (lx1 - lx0 || 1) * pw;
    const sy = (y) => T + ph - (y - e.y0) / (e.y1 - e.y0) * ph;
    // grid and ticks
    g.strokeStyle = "#eaeef2";
    g.lineWidth = 1;
    g.fillStyle = "#57606a";
    const xt = logx ? logTicks(e.x0, e.x1) : linTicks(e.x0, e.x1, Math.max(2, Math.floor(pw / 80)));
    const xs = logx ? 0 : (xt.length > 1 ? xt[1] - xt[0] : 0);
    g.textAlign = "center";
    g.textBaseline = "top";
    for (const v of xt) {
      const X = Math.round(sx(v)) + 0.5;
      g.beginPath(); g.moveTo(X, T); g.lineTo(X, T + ph); g.stroke();
      const label = logx ? String(v) : fmt(v, xs);
      const half = g.measureText(label).width / 2;
      g.fillText(label, Math.min(W - half - 2, X), T + ph + 5);
    }
    const yt = linTicks(e.y0, e.y1, Math.max(3, Math.floor(ph / 40)));
    const ys = yt.length > 1 ? yt[1] - yt[0] : 0;
    g.textAlign = "right";
    g.textBaseline = "middle";
    for (const v of yt) {
      const Y = Math.round(sy(v)) + 0.5;
      g.beginPath(); g.moveTo(L, Y); g.lineTo(L + pw, Y); g.stroke();
      g.fillText(fmt(v, ys), L - 6, Y);
    }
    g.strokeStyle = "#afb8c1";
    g.strokeRect(L + 0.5, T + 0.5, pw, ph);
    // labels
    g.fillStyle = "#24292f";
    g.textAlign = "center";
    g.textBaseline = "bottom";
    if (spec.xlabel) g.fillText(spec.xlabel, L + pw / 2, H - 3);
    if (spec.ylabel) {
      g.save();
      g.translate(13, T + ph / 2);
      g.rotate(-Math.PI / 2);
      g.textBaseline = "middle";
      g.fillText(spec.ylabel, 0, 0);
      g.restore();
    }
    // data
    g.save();
    g.beginPath();
    g.rect(L, T, pw, ph);
    g.clip();
    if (spec.vline != null && isFinite(spec.vline)) {
      g.strokeStyle = "#8b949e";
      g.setLineDash([4, 4]);
      const X = sx(spec.vline);
      g.beginPath(); g.moveTo(X, T); g.lineTo(X, T + ph); g.stroke();
      g.setLineDash([]);
    }
    spec.series.forEach((s, si) => {
      const c = s.color || COLORS[si % COLORS.length];
      g.strokeStyle = c;
      g.fillStyle = c;
      g.lineWidth = 1.5;
      g.lineJoin = "round";
      g.beginPath();
      let pen = false;
      const k = s.pairs ? 2 : 1;
      for (let i = 0; i < s.x.length; i++) {
        const X = sx(s.x[i]);
        for (let j = 0; j < k; j++) {
          const y = s.y[i * k + j];
          if (y == null || !isFinite(y)) { pen = false; continue; }
          const Y = sy(y);
          if (pen) g.lineTo(X, Y); else { g.moveTo(X, Y); pen = true; }
        }
      }
      g.stroke();
      if (s.points) {
        for (let i = 0; i < s.x.length; i++) {
          const y = s.y[i];
          if (y == null || !isFinite(y)) continue;
          g.beginPath();
          g.arc(sx(s.x[i]), sy(y), 3, 0, 2 * Math.PI);
          g.fill();
        }
      }
    });
    g.restore();
    // marks (pulse numbers)
    if (spec.marks && spec.marks.length) {
      g.font = "600 11px system-ui, sans-serif";
      g.textAlign = "center";
      const mid = (e.y0 + e.y1) / 2;
      for (const m of spec.marks) {
        const X = sx(m.x), Y = sy(m.y);
        if (X < L || X > L + pw) continue;
        const up = m.y >= mid;
        g.fillStyle = "#d1495b";
        g.beginPath(); g.arc(X, Y, 2.5, 0, 2 * Math.PI); g.fill();
        g.fillStyle = "#24292f";
        g.textBaseline = up ? "bottom" : "top";
        g.fillText(m.text, X, Math.max(T + 12, Math.min(T + ph - 12, Y + (up ? -4 : 4))));
      }
      g.font = FONT;
    }
    // legend
    const labelled = spec.series.filter((s) => s.label);
    if (labelled.length > 1) {
      g.textAlign = "left";
      g.textBaseline = "middle";
      let y = T + 12;
      const x = L + pw - 170;
      g.fillStyle = "rgba(255,255,255,0.85)";
      g.fillRect(x - 6, T + 3, 170, labelled.length * 16 + 4);
      labelled.forEach((s) => {
        const si = spec.series.indexOf(s);
        g.fillStyle = s.color || COLORS[si % COLORS.length];
        g.fillRect(x, y - 1.5, 16, 3);
        g.fillStyle = "#24292f";
        g.fillText(s.label, x + 22, y);
        y += 16;
      });
    }
    spec._frame = { L, T, pw, ph, sx, sy, e, logx, lx0, lx1 };
    if (spec.hover) drawHover(g, spec);
  }

  function drawHover(g, spec) {
    const f = spec._frame, h = spec.hover;
    g.save();
    g.strokeStyle = "rgba(36,41,47,0.35)";
    g.beginPath(); g.moveTo(h.X + 0.5, f.T); g.lineTo(h.X + 0.5, f.T + f.ph); g.stroke();
    const text = h.text;
    g.font = FONT;
    const w = g.measureText(text).width + 12;
    const x = Math.min(f.L + f.pw - w - 2, h.X + 8);
    g.fillStyle = "rgba(255,255,255,0.92)";
    g.strokeStyle = "#d0d7de";
    g.fillRect(x, f.T + 4, w, 20);
    g.strokeRect(x + 0.5, f.T + 4.5, w, 20);
    g.fillStyle = "#24292f";
    g.textAlign = "left";
    g.textBaseline = "middle";
    g.fillText(text, x + 6, f.T + 14);
    g.restore();
  }

  function nearest(spec, X) {
    const f = spec._frame;
    if (!f || X < f.L || X > f.L + f.pw) return null;
    const u = f.lx0 + (X - f.L) / f.pw * (f.lx1 - f.lx0);
    const x = f.logx ? Math.pow(10, u) : u;
    const parts = [];
    let best = null;
    for (const s of spec.series) {
      if (!s.x.length) continue;
      let lo = 0, hi = s.x.length - 1;
      while (hi - lo > 1) { const m = (lo + hi) >> 1; if (s.x[m] < x) lo = m; else hi = m; }
      const i = Math.abs(s.x[lo] - x) <= Math.abs(s.x[hi] - x) ? lo : hi;
      const k = s.pairs ? 2 : 1;
      const ys = [];
      for (let j = 0; j < k; j++) { const y = s.y[i * k + j]; if (y != null && isFinite(y)) ys.push(y); }
      if (!ys.length) continue;
      const y = ys.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
      best = s.x[i];
      parts.push((s.label && spec.series.length > 1 ? s.label.split(" ")[0] + " " : "") + fmt(y, Math.abs(y) / 1000 || 1e-3));
    }
    if (best == null) return null;
    return { X: Math.round(f.sx(best)), text: `${spec.xlabel ? spec.xlabel.split(" ")[0] : "x"} = ${fmt(best, Math.abs(best) / 1e4 || 1e-3)} · ${parts.join(" · ")}` };
  }

  function watch(canvas) {
    if (canvas._watched) return;
    canvas._watched = true;
    if (window.ResizeObserver) {
      new ResizeObserver(() => { const s = specs.get(canvas); if (s) draw(canvas, s); }).observe(canvas);
    }
    canvas.addEventListener("mousemove", (ev) => {
      const s = specs.get(canvas);
      if (!s || !s._frame) return;
      const r = canvas.getBoundingClientRect();
      s.hover = nearest(s, ev.clientX - r.left);
      draw(canvas, s);
    });
    canvas.addEventListener("mouseleave", () => {
      const s = specs.get(canvas);
      if (s && s.hover) { s.hover = null; draw(canvas, s); }
    });
  }

  return { draw, watch, COLORS };
})();
