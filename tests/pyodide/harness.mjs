// The real-Pyodide conformance harness: Pyodide 0.28.3 core from node_modules under Node 20, the pinned wheels
// (workers-runtime-sdk, micropip) installed by micropip from local files, our source mounted read-only, and JS mock
// bindings that carry the constructor names the SDK dispatches on (see mocks.mjs).
//
// Protocol (one process per pytest session): one JSON request per stdin line, {"id", "module", "func"}; the case
// `cases.<module>.<func>()` runs inside Pyodide and one JSON reply per stdout line answers it:
// {"id", "ok": true, "result"} or {"id", "ok": false, "error"} (the Python traceback). Pyodide's own stdout goes
// to stderr so it never mixes with replies.
import { readFileSync, readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import * as mocks from "./mocks.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const wheelDir = process.env.JENGU_PYODIDE_WHEELS || join(repo, ".local", "pyodide", "wheels");

function pinnedWheels() {
  const pins = readFileSync(join(here, "wheels.txt"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split(/\s+/)[0].split("=="));
  const files = readdirSync(wheelDir);
  return pins.map(([name, version]) => {
    const prefix = `${name.replaceAll("-", "_")}-${version}-`;
    const file = files.find((f) => f.startsWith(prefix) && f.endsWith(".whl"));
    if (!file) throw new Error(`wheel ${name}==${version} missing in ${wheelDir}: run scripts/pyodide_wheels.sh`);
    return { name, file };
  });
}

function send(reply) {
  process.stdout.write(JSON.stringify(reply) + "\n");
}

async function boot() {
  globalThis.fetch = mocks.mockFetch; // before pyodide.http is imported: it binds `js.fetch` once (mocks.mjs)
  const { loadPyodide } = await import(join(repo, "node_modules", "pyodide", "pyodide.mjs"));
  const pyodide = await loadPyodide({
    indexURL: join(repo, "node_modules", "pyodide") + "/",
    stdout: (line) => process.stderr.write(line + "\n"),
    stderr: (line) => process.stderr.write(line + "\n"),
  });
  const wheels = pinnedWheels();
  const micropip = wheels.find((w) => w.name === "micropip");
  await pyodide.loadPackage(join(wheelDir, micropip.file), { messageCallback: () => {} });
  pyodide.FS.mkdirTree("/wheels");
  for (const wheel of wheels) {
    if (wheel === micropip) continue;
    pyodide.FS.writeFile(`/wheels/${wheel.file}`, readFileSync(join(wheelDir, wheel.file)));
  }
  pyodide.FS.mkdirTree("/repo");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: repo }, "/repo");

  // What workerd registers before the SDK is imported (python-entrypoint-helper.ts): the helper module and the
  // compatibility flags of our compatibility date.
  pyodide.registerJsModule("_pyodide_entrypoint_helper", mocks.entrypointHelper);
  pyodide.registerJsModule("_cloudflare_compat_flags", mocks.compatFlags);
  mocks.setPyodide(pyodide);
  pyodide.registerJsModule("jengu_mocks", mocks);

  const installs = wheels.filter((w) => w !== micropip).map((w) => `emfs:/wheels/${w.file}`);
  await pyodide.runPythonAsync(`
import micropip, sys
await micropip.install(${JSON.stringify(installs)}, deps=False)
# The bundle layout (decision 0001): repo root for shared/ and durable_objects/, workers/ as its own source root.
sys.path[0:0] = ["/repo", "/repo/workers", "/repo/tests/pyodide"]
import workers, asgi  # the real SDK, so a broken install fails here and not in a case
assert workers.__file__.startswith(sys.prefix) or "site-packages" in workers.__file__, workers.__file__
from runtime.runner import run_case
`);
  return pyodide;
}

const pyodide = await boot();
mocks.sealFetch(); // from here on, only the mocked hosts answer
const runCase = pyodide.globals.get("run_case");
send({ id: 0, ok: true, result: { pyodide: pyodide.version } });

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  if (!line.trim()) return;
  const request = JSON.parse(line);
  queue = queue.then(async () => {
    mocks.reset();
    try {
      const text = await runCase(request.module, request.func);
      // Python's JSON text as is: JSON.parse would round ints beyond 2**53 to doubles.
      process.stdout.write(`{"id": ${JSON.stringify(request.id)}, "ok": true, "result": ${text}}\n`);
    } catch (err) {
      send({ id: request.id, ok: false, error: String(err && err.message ? err.message : err) });
    }
  });
});
lines.on("close", () => queue.then(() => process.exit(0)));
