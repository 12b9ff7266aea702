// Browser end-to-end test of `synaptune serve`.
//
// Starts `synaptune serve --settings examples/fsi/settings.json --port 0`, drives
// Debian's /usr/bin/chromium (headless, fresh profile) through playwright-core,
// and checks what a person would: the page loads and runs the train, a moved
// slider and Run Train change the STP metrics, Single Event shows the kinetics,
// the connection switch, the voltage-clamp toggle, the frequency response, the
// exports, the gap-junction tab's log slider, and a bad request answered with a
// JSON error while the server keeps serving. Screenshots go to target/e2e/.
//
// Environment: SYNAPTUNE_BIN (default <repo>/target/release/synaptune, or
// $CARGO_TARGET_DIR/release/synaptune when that is set),
// CHROMIUM (default /usr/bin/chromium), E2E_OUT (default <repo>/target/e2e).
// Exit status 0 only when every check passed; the last line is
// "N passed, M failed".

import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const BIN = process.env.SYNAPTUNE_BIN ||
  path.join(process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, "target"), "release/synaptune");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const OUT = process.env.E2E_OUT || path.join(root, "target/e2e");
const SETTINGS = path.join(root, "examples/fsi/settings.json");
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let passed = 0;
let failed = 0;
const results = [];

async function check(name, fn) {
  const t0 = Date.now();
  try {
    const note = await fn();
    passed += 1;
    results.push(`ok   ${name}${note ? ` — ${note}` : ""} (${Date.now() - t0} ms)`);
    console.log(results.at(-1));
  } catch (e) {
    failed += 1;
    results.push(`FAIL ${name}: ${e && e.message ? e.message : e}`);
    console.log(results.at(-1));
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

function startServer() {
  return new Promise((resolve, reject) => {
    if (!fs.existsSync(BIN)) {
      reject(new Error(`no binary at ${BIN} (cargo build --release -p synaptune-cli, or set SYNAPTUNE_BIN)`));
      return;
    }
    const child = spawn(BIN, ["serve", "--settings", SETTINGS, "--port", "0"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    const timer = setTimeout(() => reject(new Error(`the server printed no URL within 30 s: ${err}`)), 30000);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d) => {
      err += d;
      const m = err.match(/synaptune: serving on (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], stderr: () => err });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}: ${err}`));
    });
  });
}

const metricsText = (page) => page.locator("#metrics").innerText();
const state = (page, expr) => page.evaluate(`(() => { const S = window.synaptune.state; return ${expr}; })()`);

async function waitRuns(page, before, timeout = 15000) {
  await page.waitForFunction(
    (n) => window.synaptune.state.runs > n && !window.synaptune.state.inflight && !window.synaptune.state.queued,
    before, { timeout });
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const server = await startServer();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "synaptune-e2e-profile-"));
  let ctx;
  const guard = setTimeout(() => {
    console.log("FAIL the whole test took more than 180 s");
    console.log(`${passed} passed, ${failed + 1} failed`);
    process.exit(1);
  }, 180000);
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1400, height: 1000 },
    });
    const page = ctx.pages()[0] || (await ctx.newPage());
    const consoleErrors = [];
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    // The deliberate bad request below logs "Failed to load resource … 422"; any
    // other console error or an uncaught exception fails the last check.
    page.on("console", (m) => {
      if (m.type() === "error" && !/Failed to load resource: .* 422/.test(m.text())) consoleErrors.push(m.text());
    });

    await check("the page loads and runs the 50 Hz train", async () => {
      await page.goto(server.url);
      await page.waitForFunction(() => window.synaptune && window.synaptune.state.runs >= 1, null, { timeout: 20000 });
      const conns = await page.locator("#connection option").allInnerTexts();
      assert(conns.join(",") === "Dep2FSI,Fac2FSI", `connections ${conns}`);
      assert((await page.locator("#connection").inputValue()) === "Fac2FSI", "default connection");
      const m = await metricsText(page);
      assert(/PPR/.test(m) && /Induction/.test(m) && /Recovery/.test(m), `metrics: ${m}`);
      assert(/a2 \/ a1/.test(m), "the formulas are shown");
      const status = await page.locator("#status").innerText();
      assert(/round trip/.test(status), `status: ${status}`);
      const f = await page.locator("#freq-out").innerText();
      assert(f === "50 Hz", `frequency ${f}`);
      return status;
    });

    await check("moving the Use slider and Run Train change the metrics", async () => {
      const before = await metricsText(page);
      const runs = await state(page, "S.runs");
      const slider = page.locator("#param-Use");
      await slider.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
      const v = await page.locator("#value-Use").inputValue();
      assert(Math.abs(Number(v) - 0.208) < 1e-9, `Use is ${v}, expected 0.13 + 3 × 0.026`);
      await waitRuns(page, runs); // the debounced re-run
      const runs2 = await state(page, "S.runs");
      await page.click("#run-train");
      await waitRuns(page, runs2);
      const after = await metricsText(page);
      assert(after !== before, "the metrics text did not change");
      const sent = await state(page, "S.last.params.Use");
      assert(Math.abs(sent - 0.208) < 1e-9, `the server ran Use = ${sent}`);
      const ppr = (s) => Number(s.match(/PPR\s+([-\d.]+)/)[1]);
      return `PPR ${ppr(before)} → ${ppr(after)}`;
    });

    await check("a 50 Hz train round-trips in well under 100 ms", async () => {
      const times = [];
      for (let i = 0; i < 10; i++) {
        const runs = await state(page, "S.runs");
        await page.click("#run-train");
        await waitRuns(page, runs);
        times.push(await state(page, "S.lastRoundTrip"));
      }
      times.sort((a, b) => a - b);
      const med = times[Math.floor(times.length / 2)];
      // Printed, not asserted strictly: machines differ. A generous bound only.
      assert(med < 1000, `median round trip ${med} ms`);
      return `median ${med.toFixed(1)} ms, min ${times[0].toFixed(1)} ms over ${times.length} clicks`;
    });

    await page.screenshot({ path: path.join(OUT, "synapse.png"), fullPage: true });

    await check("Single Event shows the kinetics", async () => {
      const runs = await state(page, "S.runs");
      await page.click("#single-event");
      await waitRuns(page, runs);
      const title = await page.locator("#metrics-title").innerText();
      assert(/Single-event kinetics/.test(title), title);
      const m = await metricsText(page);
      assert(/Rise time/.test(m) && /Decay/.test(m) && /pA/.test(m), m);
      return m.split("\n")[0];
    });

    await check("the voltage-clamp toggle switches the second plot", async () => {
      const was = await page.locator("#vclamp").isChecked();
      assert(was, "examples/fsi starts in voltage clamp");
      let runs = await state(page, "S.runs");
      await page.click("#vclamp");
      await waitRuns(page, runs);
      const p1 = await state(page, "S.last.traces.panels[1].title");
      assert(p1 === "Soma voltage", p1);
      assert(!(await page.locator("#vclamp-amp").isVisible()), "the holding potential hides in current clamp");
      runs = await state(page, "S.runs");
      await page.click("#vclamp");
      await waitRuns(page, runs);
      const p2 = await state(page, "S.last.traces.panels[1].title");
      assert(p2 === "Clamp current at the soma", p2);
      return `${p1} ↔ ${p2}`;
    });

    await check("switching to Dep2FSI loads its sliders and depresses", async () => {
      const runs = await state(page, "S.runs");
      await page.click("#run-train");
      await waitRuns(page, runs);
      const runs2 = await state(page, "S.runs");
      await page.selectOption("#connection", "Dep2FSI");
      await waitRuns(page, runs2);
      assert(await page.locator("#param-tau_d_GABAA").count() === 1, "no tau_d_GABAA slider");
      const max = await page.locator("#param-Dep").getAttribute("max");
      assert(Number(max) === 3800, `Dep slider max ${max} (bmtool: 20 × 190)`);
      const ppr = await state(page, "S.last.metrics.ppr");
      assert(ppr < 1, `Dep2FSI PPR ${ppr}`);
      return `PPR ${ppr.toFixed(4)}`;
    });

    await check("the frequency response computes 16 frequencies", async () => {
      await page.click("#fr-run");
      await page.waitForFunction(() => window.synaptune.state.fr && !window.synaptune.state.frBusy, null, { timeout: 30000 });
      const n = await state(page, "S.fr.frequencies.length");
      assert(n === 16, `${n} frequencies`);
      await page.screenshot({ path: path.join(OUT, "synapse-fr.png"), fullPage: true });
      return await page.locator("#fr-status").innerText();
    });

    await check("the exports carry the values on the page", async () => {
      await page.selectOption("#connection", "Fac2FSI");
      await page.waitForFunction(() => !window.synaptune.state.inflight);
      const use = Number(await page.locator("#value-Use").inputValue());
      const r = await page.evaluate(async () => {
        const post = await fetch("/api/params", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ connection: "Fac2FSI", params: { Use: 0.3 } }),
        });
        const d = await fetch("/api/export/dynamics?connection=Fac2FSI");
        const s = await fetch("/api/export/settings");
        return { post: post.status, dyn: await d.json(), set: await s.json(), disp: d.headers.get("content-disposition") };
      });
      assert(Math.abs(use - 0.208) < 1e-9, `the page kept Use = ${use} for Fac2FSI`);
      assert(r.post === 200, `POST /api/params: ${r.post}`);
      assert(r.dyn.Use === 0.3 && r.dyn.level_of_detail === "AMPA_NMDA_STP", JSON.stringify(r.dyn));
      assert(r.set.conn_type_settings.Fac2FSI.spec_syn_param.Use === 0.3, "settings export");
      assert(/attachment/.test(r.disp), r.disp);
      return r.disp;
    });

    await check("a bad request gets a JSON 4xx and the server keeps serving", async () => {
      const r = await page.evaluate(async () => {
        const bad = await fetch("/api/train", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ connection: "Fac2FSI", freq: -5 }),
        });
        const body = await bad.json();
        const ok = await fetch("/api/health");
        return { status: bad.status, body, alive: ok.status };
      });
      assert(r.status === 422 && /freq/.test(r.body.error), JSON.stringify(r));
      assert(r.alive === 200, "health after the bad request");
      return `${r.status}: ${r.body.error}`;
    });

    await check("the gap-junction tab: moving the log g slider raises the coupling", async () => {
      await page.click("#tab-gap");
      await page.waitForFunction(() => window.synaptune.state.gap.runs >= 1 && !window.synaptune.state.gap.inflight, null, { timeout: 20000 });
      const cc0 = Number(await page.locator("#gap-cc").innerText());
      const g0 = await page.locator("#gap-g-out").innerText();
      assert(g0 === "1.0e-3", `initial g ${g0}`);
      const runs = await state(page, "S.gap.runs");
      await page.locator("#gap-g").focus();
      for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
      await page.waitForFunction((n) => window.synaptune.state.gap.runs > n && !window.synaptune.state.gap.inflight && !window.synaptune.state.gap.queued, runs, { timeout: 20000 });
      const cc1 = Number(await page.locator("#gap-cc").innerText());
      const g1 = await page.locator("#gap-g-out").innerText();
      assert(g1 === "3.2e-3", `g after 5 steps of 0.1 decade: ${g1}`);
      assert(cc1 > cc0 && cc0 > 0 && cc1 < 1, `cc ${cc0} → ${cc1}`);
      await page.screenshot({ path: path.join(OUT, "gap.png"), fullPage: true });
      return `g ${g0} → ${g1} µS, cc ${cc0} → ${cc1}`;
    });

    await check("no script errors on the page", async () => {
      assert(consoleErrors.length === 0, consoleErrors.join(" | "));
    });
  } catch (e) {
    failed += 1;
    console.log(`FAIL setup: ${e && e.stack ? e.stack : e}`);
  } finally {
    clearTimeout(guard);
    if (ctx) await ctx.close().catch(() => {});
    server.child.kill();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`screenshots: ${path.join(OUT, "synapse.png")}, ${path.join(OUT, "gap.png")}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL ${e && e.message ? e.message : e}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
