// Real D1 (Miniflare's) for Python: newline-delimited JSON requests on stdin, one JSON response line each on stdout.
//
// Request:  {"id", "op", "persist", "database", "sql", "params", "column", "columnNames", "statements", "reserve"}
//   op "open"/"close" take or release a handle on database `database` persisted under `persist`; "open" with
//   "reserve": [...ids] also declares those databases up front and keeps the instance alive while the bridge lives.
//   op "all" | "first" | "run" | "raw" | "batch" | "exec" call the D1 binding method of that name.
// Response: {"id", "ok": true, "result"} or {"id", "ok": false, "error": "<the JS Error's message>"}.
// Params arrive as JSON values, bytes as {"$bytes": "<base64>"}. One Miniflare instance serves each persist
// directory, with one D1 binding per database id; requests may interleave, each instance runs them in order.
// stdout carries only responses: console output and workerd's own stdout/stderr go to stderr.

import { createInterface } from "node:readline";
import { Miniflare } from "miniflare";

const SCRIPT = "export default { fetch() { return new Response(''); } }";
const COMPATIBILITY_DATE = "2026-04-20";

console.log = console.info = console.debug = (...args) => process.stderr.write(`${args.join(" ")}\n`);

class Instance {
  constructor(persist) {
    this.persist = persist;
    this.bindings = new Map(); // database id -> binding name
    this.databases = new Map(); // database id -> D1Database
    this.handles = 0;
    this.pinned = false;
    this.mf = null;
    this.queue = Promise.resolve();
  }

  // Run `task` after everything queued before it on this instance.
  serial(task) {
    const result = this.queue.then(task);
    this.queue = result.catch(() => {});
    return result;
  }

  options() {
    const d1Databases = {};
    for (const [id, name] of this.bindings) d1Databases[name] = id;
    return {
      modules: true,
      script: SCRIPT,
      compatibilityDate: COMPATIBILITY_DATE,
      d1Databases,
      d1Persist: this.persist,
      handleRuntimeStdio(stdout, stderr) {
        stdout.pipe(process.stderr);
        stderr.pipe(process.stderr);
      },
    };
  }

  async declare(ids) {
    const fresh = [...new Set(ids)].filter((id) => !this.bindings.has(id));
    if (this.mf !== null && fresh.length === 0) return;
    for (const id of fresh) this.bindings.set(id, `DB_${this.bindings.size}`);
    if (this.mf === null) {
      this.mf = new Miniflare(this.options());
      await this.mf.ready;
    } else {
      await this.mf.setOptions(this.options());
      this.databases.clear();
    }
  }

  async database(id) {
    const name = this.bindings.get(id);
    if (name === undefined || this.mf === null) {
      throw new Error(`database ${id} under ${this.persist} is not open`);
    }
    let db = this.databases.get(id);
    if (db === undefined) {
      db = await this.mf.getD1Database(name);
      this.databases.set(id, db);
    }
    return db;
  }

  async dispose() {
    const mf = this.mf;
    this.mf = null;
    this.databases.clear();
    if (mf !== null) await mf.dispose();
  }
}

const instances = new Map(); // persist dir -> Instance

function instanceFor(persist) {
  let instance = instances.get(persist);
  if (instance === undefined) {
    instance = new Instance(persist);
    instances.set(persist, instance);
  }
  return instance;
}

function decode(params) {
  return (params ?? []).map((value) =>
    value !== null && typeof value === "object" && "$bytes" in value
      ? new Uint8Array(Buffer.from(value.$bytes, "base64"))
      : value,
  );
}

function call(db, request) {
  const statement = (s) => db.prepare(s.sql).bind(...decode(s.params));
  switch (request.op) {
    case "all":
      return statement(request).all();
    case "run":
      return statement(request).run();
    case "first":
      return request.column == null ? statement(request).first() : statement(request).first(request.column);
    case "raw":
      return statement(request).raw({ columnNames: Boolean(request.columnNames) });
    case "batch":
      return db.batch(request.statements.map(statement));
    case "exec":
      return db.exec(request.sql);
    default:
      throw new Error(`unknown op ${JSON.stringify(request.op)}`);
  }
}

async function handle(request) {
  if (request.op === "open") {
    const instance = instanceFor(request.persist);
    return instance.serial(async () => {
      instances.set(request.persist, instance); // a close queued just before may have retired it
      await instance.declare([request.database, ...(request.reserve ?? [])]);
      if (request.reserve) instance.pinned = true;
      else instance.handles += 1;
      return null;
    });
  }
  if (request.op === "close") {
    const instance = instances.get(request.persist);
    if (instance === undefined) return null;
    return instance.serial(async () => {
      instance.handles = Math.max(0, instance.handles - 1);
      if (instance.handles === 0 && !instance.pinned) {
        instances.delete(request.persist);
        await instance.dispose();
      }
      return null;
    });
  }
  const instance = instances.get(request.persist);
  if (instance === undefined) throw new Error(`nothing is open under ${request.persist}`);
  return instance.serial(async () => call(await instance.database(request.database), request));
}

function reply(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on("line", (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    reply({ id: null, ok: false, error: `bad request: ${error.message}` });
    return;
  }
  handle(request).then(
    (result) => reply({ id: request.id, ok: true, result: result ?? null }),
    (error) => reply({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
// stdin closed: the Python side is done (or gone). Dispose every instance so no workerd outlives us.
input.on("close", async () => {
  await Promise.allSettled([...instances.values()].map((instance) => instance.dispose()));
  process.exit(0);
});
