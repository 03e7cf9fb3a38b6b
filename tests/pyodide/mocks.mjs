// JS mock bindings for the Pyodide tier. What matters is what the SDK and Pyodide see, so each mock is a JS class
// with the constructor name the SDK dispatches on (workers-runtime-sdk 1.9.5 `workers/rpc.py` `_EnvWrapper`,
// `entrypoints.py` `DurableObjectContext`) and the shape workerd gives it:
//   D1Database / D1PreparedStatement   workerd src/cloudflare/internal/d1-api.ts (bind() copied verbatim)
//   KvNamespace, WorkerQueue, DurableObjectNamespace, DurableObjectStorage, DurableObjectState   src/workerd/api/*.h
//   QueueController / QueueMessage, ScheduledController   src/workerd/api/queue.h, scheduled.h
//   ForwardableEmailMessage   types/defines/email.d.ts (from, to, raw, rawSize, headers, setReject, forward, reply)
//   SendEmail / EmailMessage   the send_email binding and cloudflare:email (needs JS objects: a PyProxy of a dict
//                              has no `from` property, exactly as on workerd)
//   Ai                         the Workers AI binding (`[ai]`): `run(model, inputs, options?)` (types/defines/ai.d.ts)
//   fetch                      the global fetch: real `Response` objects (Node's own class), honouring the signal
//   cloudflare:sockets connect  Socket (src/workerd/api/sockets.c++): opened, closed, readable/writable streams of
//                              Uint8Array, close(), startTls() with workerd's checks; the peer is a small SMTP server
// Every call is recorded with a description of each argument's JS type, so a case can assert what really crossed.

import { createHash } from "node:crypto";

let pyodide = null;
export let calls = [];

export function setPyodide(instance) {
  pyodide = instance;
}

export function reset() {
  calls = [];
  aborted = [];
  socketSessions = [];
}

export function callsJson() {
  return JSON.stringify(calls);
}

function isPyProxy(value) {
  return pyodide !== null && value instanceof pyodide.ffi.PyProxy;
}

// A JSON description of a JS value: its JS type (constructor name), and its contents where they are plain data.
export function describe(value) {
  if (value === null) return { t: "null" };
  if (value === undefined) return { t: "undefined" };
  const type = typeof value;
  if (type === "bigint") return { t: "bigint", v: String(value) };
  if (type === "number") return Number.isFinite(value) ? { t: "number", v: value } : { t: "number", v: String(value) };
  if (type === "string" || type === "boolean") return { t: type, v: value };
  if (isPyProxy(value)) return { t: "PyProxy", v: String(value.type) };
  if (type === "function") return { t: "function" };
  if (Array.isArray(value)) return { t: "Array", v: value.map(describe) };
  if (ArrayBuffer.isView(value)) return { t: value.constructor.name, v: Array.from(value) };
  if (value instanceof ArrayBuffer) return { t: "ArrayBuffer", v: Array.from(new Uint8Array(value)) };
  if (value instanceof Date) return { t: "Date", v: value.getTime() };
  if (value instanceof Map) return { t: "Map", v: [...value].map(([k, v]) => [describe(k), describe(v)]) };
  const ctor = Object.getPrototypeOf(value) === null ? "Object" : value.constructor?.name;
  if (ctor === "Object") {
    return { t: "Object", v: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, describe(v)])) };
  }
  return { t: ctor || "unknown" };
}

function record(binding, method, args) {
  calls.push({ binding, method, args: args.map(describe) });
}

function isPlainObject(value) {
  if (value === null || typeof value !== "object" || isPyProxy(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// -- entrypoint helper and compatibility flags (what workerd registers for the SDK) -----------------------------

export const waitUntilPromises = [];
export const entrypointHelper = {
  cloudflareWorkersModule: { env: {}, waitUntil: (p) => waitUntilPromises.push(p) },
  cloudflareSocketsModule: { connect: (address, options) => connect(address, options) }, // cloudflare:sockets
  doAnImport: async (name) => {
    if (name === "cloudflare:email") return { EmailMessage }; // the class is defined below (hoisted at call time)
    throw new Error(`the Pyodide tier has no JS module ${name}`);
  },
  patchWaitUntil: () => {},
};
// The flags of our compatibility date the SDK reads (workerd compatibility-date.capnp; both are on by 2026-05-26).
export const compatFlags = { python_workflows_implicit_dependencies: true, python_request_headers_preserve_commas: true };

// -- D1 -----------------------------------------------------------------------------------------------------------

const D1_META = { duration: 0, changes: 0, last_row_id: 0, changed_db: false, size_after: 0, rows_read: 0, rows_written: 0 };

export class D1Database {
  constructor() {
    this.replies = [];
    this.matchers = [];
  }
  // A case answers every statement whose SQL contains `fragment` with the JSON text of {results, meta}.
  answerMatching(fragment, json) {
    const reply = JSON.parse(json);
    this.matchers.push({ fragment, reply: { success: true, results: reply.results ?? [], meta: { ...D1_META, ...(reply.meta ?? {}) } } });
  }
  // A case queues the upstream answer of the next statement: JSON text of {results, meta} or an error message.
  queueResult(json) {
    const reply = JSON.parse(json);
    this.replies.push({ success: true, results: reply.results ?? [], meta: { ...D1_META, ...(reply.meta ?? {}) } });
  }
  queueError(message) {
    this.replies.push({ error: message });
  }
  // Chunk rows of inbound mail (`seq`, base64 `data`) are recorded by the type and length of `data`, not its
  // contents, and hashed as they arrive (`chunkReport`), so a case can stream many MB. `sampleHeap()` makes every
  // statement collect garbage and sample the live JS heap (`jsHeapBytes`).
  sampleHeap() {
    this.heapPeak = 0;
  }
  chunkReport() {
    const hash = this.chunkHash ?? createHash("sha256");
    return JSON.stringify({ chunks: this.chunks ?? 0, sha256: hash.digest("hex"), heapPeak: this.heapPeak ?? null });
  }
  _answer(statement) {
    if (statement.statement.includes("INSERT INTO inbound_message_chunks")) {
      const [id, seq, data, parent] = statement.params;
      this.chunks = (this.chunks ?? 0) + 1;
      this.chunkHash ??= createHash("sha256");
      const text = typeof data === "string" ? data : Buffer.from(data).toString("latin1");
      this.chunkHash.update(Buffer.from(text, "base64"));
      const summary = { t: Array.isArray(data) ? "Array" : typeof data, n: data.length };
      calls.push({ binding: "DB", method: "query", sql: statement.statement, args: [describe(id), describe(seq), summary, describe(parent)] });
    } else {
      calls.push({ binding: "DB", method: "query", sql: statement.statement, args: statement.params.map(describe) });
    }
    if (this.heapPeak !== undefined) {
      collectGarbage(); // live memory only: what the isolate must hold at this moment, not garbage awaiting a GC
      this.heapPeak = Math.max(this.heapPeak, jsHeapBytes());
    }
    const matched = this.matchers.find((m) => statement.statement.includes(m.fragment));
    const reply = matched?.reply ?? this.replies.shift() ?? { success: true, results: [], meta: { ...D1_META } };
    if (reply.error) throw new Error(reply.error, { cause: new Error(reply.error) });
    return structuredClone(reply);
  }
  prepare(sql) {
    return new D1PreparedStatement(this, sql);
  }
  async batch(statements) {
    record("DB", "batch", [statements]);
    if (!Array.isArray(statements)) throw new TypeError("D1_ERROR: batch() expects an array of statements");
    for (const s of statements) {
      if (!(s instanceof D1PreparedStatement)) throw new TypeError("D1_ERROR: batch() expects D1PreparedStatements");
    }
    return statements.map((s) => this._answer(s));
  }
}

export class D1PreparedStatement {
  constructor(db, statement, values) {
    this.db = db;
    this.statement = statement;
    this.params = values || [];
  }
  // Verbatim from workerd d1-api.ts D1PreparedStatement.bind().
  bind(...values) {
    const transformedValues = values.map((r) => {
      const rType = typeof r;
      if (rType === "number" || rType === "string") {
        return r;
      } else if (rType === "boolean") {
        return r ? 1 : 0;
      } else if (rType === "object") {
        if (r == null) return r;
        if (Array.isArray(r) && r.every((b) => typeof b == "number" && b >= 0 && b < 256)) return r;
        if (r instanceof ArrayBuffer) return Array.from(new Uint8Array(r));
        if (ArrayBuffer.isView(r)) return Array.from(r);
      }
      throw new Error(`D1_TYPE_ERROR: Type '${rType}' not supported for value '${r}'`, {
        cause: new Error(`Type '${rType}' not supported for value '${r}'`),
      });
    });
    return new D1PreparedStatement(this.db, this.statement, transformedValues);
  }
  async all() {
    return this.db._answer(this);
  }
  async run() {
    return this.db._answer(this);
  }
  async first(column) {
    const rows = this.db._answer(this).results;
    if (!rows.length) return null;
    if (column === undefined) return rows[0];
    if (rows[0][column] === undefined) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${column})`);
    return rows[0][column];
  }
}

// -- KV -------------------------------------------------------------------------------------------------------

export class KvNamespace {
  constructor() {
    this.store = new Map();
  }
  async get(key, options) {
    record("KV", "get", [key, options]);
    const entry = this.store.get(key);
    return entry === undefined ? null : entry.value;
  }
  async put(key, value, options) {
    record("KV", "put", [key, value, options]);
    if (typeof value !== "string" && !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)) {
      throw new TypeError("KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.");
    }
    if (options !== undefined && !isPlainObject(options)) throw new TypeError("KV put() options must be an object");
    const ttl = options?.expirationTtl;
    if (ttl !== undefined && ttl < 60) {
      throw new Error(`KV PUT failed: 400 Invalid expiration_ttl of ${ttl}. Expiration TTL must be at least 60.`);
    }
    this.store.set(key, { value, expirationTtl: ttl });
  }
  async delete(key) {
    record("KV", "delete", [key]);
    this.store.delete(key);
  }
}

// -- Queues ------------------------------------------------------------------------------------------------------

export class WorkerQueue {
  constructor(name) {
    this.name = name;
  }
  async send(body, options) {
    record(this.name, "send", [body, options]);
    if (options !== undefined && !isPlainObject(options)) throw new TypeError("send() options must be an object");
    structuredClone(body);
  }
  // workerd queue.h Metrics: {backlogCount, backlogBytes, oldestMessageTimestamp?: Date}.
  async metrics() {
    record(this.name, "metrics", []);
    return { backlogCount: 3, backlogBytes: 300, oldestMessageTimestamp: new Date(Date.now() - 90_000) };
  }
  async sendBatch(messages, options) {
    record(this.name, "sendBatch", [messages, options]);
    if (!Array.isArray(messages)) throw new TypeError("sendBatch() expects an array of messages");
    for (const m of messages) {
      if (!isPlainObject(m) || !("body" in m)) throw new TypeError("sendBatch() messages must be {body, ...} objects");
      structuredClone(m.body);
    }
  }
}

export class QueueMessage {
  #acked = null;
  constructor(id, body, attempts, timestampMs) {
    this._id = id;
    this._body = body;
    this._attempts = attempts;
    this._timestamp = new Date(timestampMs);
  }
  get id() {
    return this._id;
  }
  get body() {
    return this._body;
  }
  get attempts() {
    return this._attempts;
  }
  get timestamp() {
    return this._timestamp;
  }
  ack() {
    record(this._id, "ack", []);
  }
  retry(options) {
    record(this._id, "retry", [options]);
    if (options !== undefined && !isPlainObject(options)) throw new TypeError("retry() options must be an object");
  }
}

export class QueueController {
  constructor(queue, messages) {
    this._queue = queue;
    this._messages = messages;
  }
  get queue() {
    return this._queue;
  }
  get messages() {
    return this._messages;
  }
  get metadata() {
    return { metrics: { backlogCount: this._messages.length, backlogBytes: 0 } };
  }
  retryAll(options) {
    record("batch", "retryAll", [options]);
    if (options !== undefined && !isPlainObject(options)) throw new TypeError("retryAll() options must be an object");
  }
  ackAll() {
    record("batch", "ackAll", []);
  }
}

// A batch as workerd hands it to `queue(batch, env, ctx)`: bodies given as JSON text, parsed as contentType json.
export function makeBatch(queue, messagesJson) {
  const messages = JSON.parse(messagesJson).map(
    (m) => new QueueMessage(m.id, m.body, m.attempts, m.timestamp ?? 1_767_225_600_000),
  );
  return new QueueController(queue, messages);
}

// -- cron ------------------------------------------------------------------------------------------------------

export class ScheduledController {
  constructor(cron, scheduledTime) {
    this._cron = cron;
    this._scheduledTime = scheduledTime;
  }
  get cron() {
    return this._cron;
  }
  get scheduledTime() {
    return this._scheduledTime;
  }
  noRetry() {
    record("controller", "noRetry", []);
  }
}

// -- email -------------------------------------------------------------------------------------------------------

function streamOf(bytes) {
  return new ReadableStream({
    start(controller) {
      // Several chunks, as the runtime streams a message.
      for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
      controller.close();
    },
  });
}

export class ForwardableEmailMessage {
  constructor(from, to, rawBytes, headerPairs) {
    this.from = from;
    this.to = to;
    this.raw = streamOf(rawBytes);
    this.rawSize = rawBytes.length;
    this.headers = new Headers(headerPairs);
  }
  setReject(reason) {
    record("email", "setReject", [reason]);
  }
  async forward(rcptTo, headers) {
    record("email", "forward", [rcptTo, headers]);
    return { messageId: "forwarded@example.com" };
  }
  async reply(message) {
    record("email", "reply", [message]);
    return { messageId: "reply@example.com" };
  }
}

// What the JS side holds: V8's heap plus memory outside it (ArrayBuffers, external strings), minus Pyodide's own
// WebAssembly memory (the Python heap, measured with tracemalloc inside it).
export function jsHeapBytes() {
  const usage = process.memoryUsage();
  const wasm = pyodide === null ? 0 : pyodide._module.HEAPU8.byteLength;
  return usage.heapUsed + usage.external - wasm;
}

export function collectGarbage() {
  if (typeof globalThis.gc === "function") globalThis.gc();
}

// `size` bytes of a message: a header block, then byte i = i % 251 (as tests/pyodide/cases/inbound.py rebuilds it).
export function patternMessage(size) {
  const header = new TextEncoder().encode("Subject: big\r\nMessage-ID: <big@hotel.example>\r\n\r\n");
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = i % 251;
  data.set(header, 0);
  return data;
}

// A message streamed as the runtime streams it: Uint8Array pieces of `pieceSize` bytes pulled on demand; with
// `failAfter` the stream errors after that many pieces (a broken delivery). Pulls and cancels are recorded.
export function makeStreamedEmail(from, to, bytes, pieceSize, failAfter) {
  const data = new Uint8Array(bytes);
  let offset = 0;
  let pieces = 0;
  const message = new ForwardableEmailMessage(from, to, new Uint8Array(0), [["subject", "streamed"]]);
  message.rawSize = data.length;
  message.raw = new ReadableStream({
    pull(controller) {
      if (failAfter !== undefined && failAfter !== null && pieces >= failAfter) {
        controller.error(new Error("the raw stream failed"));
        return;
      }
      if (offset >= data.length) {
        controller.close();
        return;
      }
      controller.enqueue(data.slice(offset, offset + pieceSize));
      offset += pieceSize;
      pieces += 1;
    },
    cancel(reason) {
      record("email", "raw.cancel", [String(reason)]);
    },
  });
  message.piecesRead = () => pieces;
  return message;
}

// Production hands the handler a runtime object; miniflare (wrangler dev) a plain object literal of the same shape.
export function makeEmail(from, to, rawText, plain) {
  const raw = new TextEncoder().encode(rawText);
  const headers = [["subject", "Hello"], ["message-id", "<m1@example.com>"]];
  const message = new ForwardableEmailMessage(from, to, raw, headers);
  if (!plain) return message;
  return {
    from: message.from,
    to: message.to,
    raw: message.raw,
    rawSize: message.rawSize,
    headers: message.headers,
    setReject: (reason) => message.setReject(reason),
    forward: (rcpt, h) => message.forward(rcpt, h),
    reply: (m) => message.reply(m),
  };
}

const RAW_EMAIL = Symbol("EmailMessage::raw");

// cloudflare:email's EmailMessage(from, to, raw).
export class EmailMessage {
  constructor(from, to, raw) {
    this.from = from;
    this.to = to;
    this[RAW_EMAIL] = raw;
  }
}

export class SendEmail {
  async send(message) {
    record("EMAIL", "send", [message]);
    if (message === null || typeof message !== "object" || isPyProxy(message)) {
      throw new TypeError("Failed to execute 'send' on 'SendEmail': parameter 1 is not of type 'EmailMessage'.");
    }
    if (message instanceof EmailMessage) return { messageId: "raw@example.com" };
    // An Email Service builder: a plain JS object. Property reads, as the runtime does them.
    if (typeof message.from !== "string" && typeof message.from?.email !== "string") {
      throw new Error("E_FIELD_MISSING: from is required");
    }
    if (message.to === undefined) throw new Error("E_FIELD_MISSING: to is required");
    if (message.subject === undefined) throw new Error("E_FIELD_MISSING: subject is required");
    return { messageId: "built@example.com" };
  }
}

// -- Workers AI ------------------------------------------------------------------------------------------------

// `env.AI.run(model, inputs)`: text generation answers `{response, usage}` (Workers AI's documented reply); the model
// name picks what happens, so a case can reach every branch of the adapter.
export const AI_MODELS = {
  ok: "@cf/meta/llama-3.1-8b-instruct",
  capacity: "@cf/test/capacity", // error 3040, as Workers AI reports an overloaded model
  broken: "@cf/test/broken", // any other error from run()
  malformed: "@cf/test/malformed", // a reply without `response`
  slow: "@cf/test/slow", // never answers
};

export class Ai {
  async run(model, inputs, options) {
    record("AI", "run", options === undefined ? [model, inputs] : [model, inputs, options]);
    if (typeof model !== "string") throw new TypeError("run() expects a model name");
    if (!isPlainObject(inputs)) throw new TypeError("run() inputs must be an object");
    if (inputs.messages !== undefined && !Array.isArray(inputs.messages)) throw new TypeError("messages must be an array");
    if (model === AI_MODELS.capacity) throw new Error("3040: Capacity temporarily exceeded, please try again.");
    if (model === AI_MODELS.broken) throw new Error("5007: No such model or task");
    if (model === AI_MODELS.malformed) return { result: { text: "not where it belongs" } };
    if (model === AI_MODELS.slow) return new Promise(() => {});
    const user = inputs.messages?.find((m) => m.role === "user")?.content ?? "";
    return {
      response: `Dear guest, about "${user}": Hôtel ✓`,
      usage: { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 },
    };
  }
}

// -- outbound fetch ------------------------------------------------------------------------------------------------

// Installed as the global `fetch` before Pyodide boots (pyodide.http binds `js.fetch` when it is first imported).
// URLs on `*.mock` hosts are answered by route; anything else reaches the real fetch until `sealFetch()` (called
// once the harness has booted), then fails as an unreachable host does.
export const realFetch = globalThis.fetch;
let fetchSealed = false;
export let aborted = [];

export function sealFetch() {
  fetchSealed = true;
}

export function abortedJson() {
  return JSON.stringify(aborted);
}

export const BINARY_BODY = Uint8Array.from({ length: 256 }, (_, i) => i); // every byte value, invalid UTF-8 included

function describeHeaders(headers) {
  if (headers === undefined) return { t: "undefined" };
  if (headers instanceof Headers) return { t: "Headers", v: Object.fromEntries(headers) };
  return describe(headers);
}

export async function mockFetch(input, init) {
  const url = new URL(typeof input === "string" ? input : input.url);
  if (!url.hostname.endsWith(".mock")) {
    if (!fetchSealed) return realFetch(input, init);
    throw new TypeError(`fetch failed: ${url.hostname} is not reachable from the Pyodide tier`);
  }
  const signal = init?.signal;
  calls.push({
    binding: "fetch",
    method: init?.method ?? "GET",
    url: url.href,
    args: [describeHeaders(init?.headers), describe(init?.body)],
    signal: signal === undefined ? "none" : signal.constructor.name,
    redirect: init?.redirect ?? "unset",
  });
  if (signal?.aborted) throw signal.reason;
  if (url.hostname.endsWith("hotel.mock")) return hotelSite(url, init);
  switch (url.pathname) {
    case "/ok": {
      const headers = new Headers({ "Content-Type": "application/octet-stream", "X-Request-Id": "r-1" });
      headers.append("Set-Cookie", "a=1");
      headers.append("Vary", "Accept");
      headers.append("Vary", "Origin");
      return new Response(BINARY_BODY, { status: 200, headers });
    }
    case "/echo": {
      const raw = init?.body;
      const body = raw === undefined ? "" : typeof raw === "string" ? raw : new TextDecoder().decode(raw);
      return Response.json({ method: init?.method, body }, { status: 201 });
    }
    case "/unavailable":
      return new Response("upstream down", { status: 503, headers: { "Retry-After": "7" } });
    case "/empty":
      return new Response(null, { status: 204 });
    case "/reject":
      throw new TypeError("fetch failed", { cause: new Error("getaddrinfo ENOTFOUND reject.mock") });
    case "/slow":
      return new Promise((_, reject) => {
        signal?.addEventListener("abort", () => {
          aborted.push(url.href);
          reject(signal.reason);
        });
      });
    default:
      return new Response("no such route", { status: 404 });
  }
}

// A hotel site that moves twice (to www. and its German home, the second Location relative) and serves a legacy
// iso-8859-1 page. fetch follows the 3xx itself unless `redirect: "manual"`, as workerd does (where a manual 3xx
// keeps its Location readable, unlike a browser's opaque redirect).
// "\x96" is windows-1252's en dash: a page labelled iso-8859-1 is read as windows-1252 (WHATWG).
const HOTEL_HTML = "<html><head><title>Alpenhof Kitzbühel \x96 Grüß Gott</title></head><body>42 Zimmer</body></html>";
export const HOTEL_PAGE = Uint8Array.from(Buffer.from(HOTEL_HTML, "latin1"));

function hotelSite(url, init) {
  const hops = {
    "https://alpenhof-hotel.mock/": [301, "https://www.alpenhof-hotel.mock/de/"],
    "https://www.alpenhof-hotel.mock/de/": [302, "/de/willkommen"],
  };
  const hop = hops[url.href];
  if (hop !== undefined) {
    const moved = new Response(null, { status: hop[0], headers: { Location: hop[1] } });
    if (init?.redirect === "manual") return moved;
    return mockFetch(new URL(hop[1], url).href, init);
  }
  if (url.href === "https://www.alpenhof-hotel.mock/de/willkommen") {
    return new Response(HOTEL_PAGE, { status: 200, headers: { "Content-Type": "text/html; charset=ISO-8859-1" } });
  }
  return new Response("no such page", { status: 404 });
}

// -- Durable Objects -------------------------------------------------------------------------------------------

export class DurableObjectId {
  constructor(name) {
    this.name = name;
  }
  toString() {
    return Buffer.from(this.name).toString("hex").padEnd(64, "0").slice(0, 64);
  }
  equals(other) {
    return other instanceof DurableObjectId && other.name === this.name;
  }
}

// Stubs call `invoker(name, method, args)` (the case's bridge into a Python object through workerd's wrapper_func)
// with structured-cloned arguments and results, as Workers RPC serialises them.
export class DurableObjectNamespace {
  constructor(invoker) {
    this.invoker = invoker;
  }
  idFromName(name) {
    record("namespace", "idFromName", [name]);
    return new DurableObjectId(name);
  }
  get(id) {
    record("namespace", "get", [id]);
    if (!(id instanceof DurableObjectId)) throw new TypeError("get() expects a DurableObjectId");
    const invoker = this.invoker;
    return new Proxy(
      {},
      {
        get(_, prop) {
          if (prop === "then" || typeof prop !== "string") return undefined;
          return async (...args) => {
            calls.push({ binding: "stub", method: prop, args: args.map(describe) });
            const result = await invoker(id.name, prop, structuredClone(args));
            return structuredClone(result);
          };
        },
      },
    );
  }
}

export class DurableObjectStorage {
  constructor() {
    this.data = new Map();
    this.alarm = null;
  }
  async get(keys) {
    record("storage", "get", [keys]);
    if (Array.isArray(keys)) {
      const found = new Map();
      for (const k of keys) if (this.data.has(k)) found.set(k, structuredClone(this.data.get(k)));
      return found;
    }
    if (typeof keys !== "string") throw new TypeError("get() expects a string or an array of strings");
    return this.data.has(keys) ? structuredClone(this.data.get(keys)) : undefined;
  }
  async put(keyOrEntries, value) {
    record("storage", "put", [keyOrEntries, value]);
    if (typeof keyOrEntries === "string") {
      if (value === undefined) throw new TypeError("put() needs a value");
      this.data.set(keyOrEntries, structuredClone(value));
      return;
    }
    if (!isPlainObject(keyOrEntries)) throw new TypeError("put() expects a key or an object of entries");
    for (const [k, v] of Object.entries(keyOrEntries)) this.data.set(k, structuredClone(v));
  }
  async delete(keys) {
    record("storage", "delete", [keys]);
    if (Array.isArray(keys)) {
      let n = 0;
      for (const k of keys) n += this.data.delete(k) ? 1 : 0;
      return n;
    }
    if (typeof keys !== "string") throw new TypeError("delete() expects a string or an array of strings");
    return this.data.delete(keys);
  }
  async list(options = {}) {
    record("storage", "list", [options]);
    if (!isPlainObject(options)) throw new TypeError("list() options must be an object");
    let keys = [...this.data.keys()].sort();
    if (options.prefix !== undefined) keys = keys.filter((k) => k.startsWith(options.prefix));
    if (options.start !== undefined) keys = keys.filter((k) => k >= options.start);
    if (options.startAfter !== undefined) keys = keys.filter((k) => k > options.startAfter);
    if (options.end !== undefined) keys = keys.filter((k) => k < options.end);
    if (options.reverse) keys.reverse();
    if (options.limit !== undefined) keys = keys.slice(0, options.limit);
    return new Map(keys.map((k) => [k, structuredClone(this.data.get(k))]));
  }
  async getAlarm() {
    record("storage", "getAlarm", []);
    return this.alarm;
  }
  async setAlarm(time) {
    record("storage", "setAlarm", [time]);
    const ms = time instanceof Date ? time.getTime() : time;
    if (typeof ms !== "number" || !Number.isFinite(ms)) throw new TypeError("setAlarm() expects a number or a Date");
    this.alarm = ms;
  }
  async deleteAlarm() {
    record("storage", "deleteAlarm", []);
    this.alarm = null;
  }
}

export class DurableObjectState {
  constructor(name) {
    this.id = new DurableObjectId(name);
    this.storage = new DurableObjectStorage();
  }
  waitUntil(promise) {
    waitUntilPromises.push(promise);
  }
  async blockConcurrencyWhile(fn) {
    return await fn();
  }
}

export class ExecutionContext {
  waitUntil(promise) {
    waitUntilPromises.push(promise);
  }
  passThroughOnException() {}
}

// -- env and requests ----------------------------------------------------------------------------------------------

export function makeEnv(invoker) {
  const env = {
    DB: new D1Database(),
    KV: new KvNamespace(),
    EMAIL: new SendEmail(),
    AI: new Ai(),
    APP_ENV: "test",
  };
  for (const name of ["ENRICH_QUEUE", "COMPOSE_QUEUE", "SEND_QUEUE", "INBOUND_QUEUE", "EVENTS_QUEUE", "DLQ_QUEUE"]) env[name] = new WorkerQueue(name);
  if (invoker) env.DO = new DurableObjectNamespace(invoker);
  return env;
}

export function makeRequest(url, method, headersJson, bodyText) {
  const init = { method, headers: JSON.parse(headersJson) };
  if (bodyText !== null && bodyText !== undefined) init.body = bodyText;
  return new Request(url, init);
}

export function bytesOf(text) {
  return new TextEncoder().encode(text);
}

// -- cloudflare:sockets -------------------------------------------------------------------------------------------

// `connect(address, options)` as workerd's sockets.c++ shapes it: `address` a {hostname, port} object or "host:port",
// `options.secureTransport` "off" | "on" | "starttls". The Socket has `opened` (a Promise of SocketInfo), `closed`,
// `readable` (a ReadableStream of Uint8Array pieces, 7 bytes each so replies cross reads), `writable` (accepts
// ArrayBuffer views only: a string or a PyProxy is a TypeError), `close()` and `startTls()` (only with "starttls",
// only once, not on a TLS socket; it needs both streams unlocked because workerd detaches them; the old streams are
// unusable afterwards). Behind it runs a scripted SMTP server: AUTH (user "api_token", password "pw") is offered only
// once the session is secure, STARTTLS only on a plain "starttls" socket. Recipients choose the reply:
// ghost@... 550 5.1.1, drop@... the message is swallowed and the connection closed without a reply.
// Hosts: refused.mock (opened rejects), silent.mock (opened never settles), any other *.mock host answers.
// `socketsJson()` reports each session: address, options, the transcript (with a tls flag per line), messages.

export let socketSessions = [];
const SOCKET_HOST = /^[A-Za-z0-9._\-[\]:]{1,255}$/;

export function socketsJson() {
  return JSON.stringify(socketSessions);
}

function connect(address, options) {
  const described = [describe(address), describe(options)];
  calls.push({ binding: "sockets", method: "connect", args: described });
  let hostname;
  let port;
  if (typeof address === "string") {
    [hostname, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
  } else if (isPlainObject(address)) {
    [hostname, port] = [address.hostname, address.port];
  } else {
    throw new TypeError("Specified address could not be parsed.");
  }
  if (typeof hostname !== "string" || !SOCKET_HOST.test(`${hostname}:${port}`)) {
    throw new TypeError("Specified address is empty string, contains unsupported characters or is too long.");
  }
  if (options !== undefined && !isPlainObject(options)) throw new TypeError("connect() options must be an object");
  const secureTransport = options?.secureTransport ?? "off";
  if (!["off", "on", "starttls"].includes(secureTransport)) {
    throw new TypeError(`Unsupported value in secureTransport socket option: ${secureTransport}`);
  }
  const session = { hostname, port, secureTransport, transcript: [], messages: [], starttls: 0, closedByClient: false };
  socketSessions.push(session);
  const peer = new SmtpPeer(session, secureTransport === "on");
  return new Socket(peer, secureTransport, secureTransport === "on", hostname, true);
}

class Socket {
  #peer;
  #options;
  #secure;
  #tlsStarted = false;
  constructor(peer, secureTransport, secure, hostname, greet) {
    this.#peer = peer;
    this.#options = secureTransport;
    this.#secure = secure;
    let closedResolve;
    this.closed = new Promise((resolve) => (closedResolve = resolve));
    this.readable = new ReadableStream({
      start: (controller) => peer.attach(controller, closedResolve),
      cancel: () => peer.clientClosed(),
    });
    this.writable = new WritableStream({
      write: (chunk) => {
        if (!ArrayBuffer.isView(chunk) && !(chunk instanceof ArrayBuffer)) {
          throw new TypeError("This WritableStream only supports writing ArrayBuffer or ArrayBufferView chunks.");
        }
        const view = chunk instanceof ArrayBuffer ? new Uint8Array(chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        calls.push({ binding: "sockets", method: "write", args: [{ t: chunk.constructor.name, n: view.byteLength }] });
        peer.receive(view.slice()); // copied now: the view may point into memory the caller reuses
      },
      abort: () => peer.clientClosed(),
      close: () => peer.clientClosed(),
    });
    if (hostname === "refused.mock") {
      this.opened = Promise.reject(new Error("connection refused: refused.mock"));
      this.opened.catch(() => {});
    } else if (hostname === "silent.mock") {
      this.opened = new Promise(() => {});
    } else {
      this.opened = Promise.resolve({ remoteAddress: `${hostname}:0`, localAddress: "127.0.0.1:0" });
      if (greet) peer.greet(); // a socket from startTls() carries on the same session
    }
  }
  async close() {
    this.#peer.clientClosed();
    this.#peer.session.closedByClient = true;
  }
  startTls() {
    if (this.#secure) throw new TypeError("Cannot startTls on a TLS socket.");
    if (this.#tlsStarted) throw new TypeError("startTls can only be called once.");
    if (this.#options !== "starttls") {
      throw new TypeError("The `secureTransport` socket option must be set to 'starttls' for startTls to be used.");
    }
    if (this.readable.locked || this.writable.locked) {
      throw new TypeError("This ReadableStream is currently locked to a reader.");
    }
    this.#tlsStarted = true;
    this.#peer.session.starttls += 1;
    this.#peer.secure = true;
    return new Socket(this.#peer, this.#options, true, this.#peer.session.hostname, false);
  }
}

class SmtpPeer {
  constructor(session, secure) {
    this.session = session;
    this.secure = secure;
    this.controller = null;
    this.buffer = "";
    this.inData = false;
    this.data = "";
    this.rcpt = null;
    this.authed = false;
    this.login = null; // the AUTH LOGIN exchange in progress
  }
  attach(controller, closedResolve) {
    if (this.controller) {
      try {
        this.controller.close(); // the plain stream ends where the TLS one begins
      } catch {}
    }
    this.controller = controller;
    this.closedResolve = closedResolve;
  }
  greet() {
    this.send("220-mx.mock ESMTP\r\n220 ready\r\n");
  }
  send(text) {
    const bytes = new TextEncoder().encode(text);
    for (let i = 0; i < bytes.length; i += 7) this.controller.enqueue(bytes.slice(i, i + 7));
  }
  hangUp() {
    try {
      this.controller.close();
    } catch {}
    this.closedResolve?.();
  }
  clientClosed() {
    this.closedResolve?.();
  }
  receive(bytes) {
    this.buffer += new TextDecoder().decode(bytes);
    for (;;) {
      if (this.inData) {
        const end = this.buffer.indexOf("\r\n.\r\n");
        if (end < 0) return;
        this.data += this.buffer.slice(0, end + 2);
        this.buffer = this.buffer.slice(end + 5);
        this.inData = false;
        this.endOfData();
        continue;
      }
      const end = this.buffer.indexOf("\r\n");
      if (end < 0) return;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const shown = line.startsWith("AUTH PLAIN ") ? "AUTH PLAIN <redacted>" : this.login ? "<redacted>" : line;
      this.session.transcript.push({ tls: this.secure, line: shown });
      this.command(line);
    }
  }
  command(line) {
    if (this.login) return this.loginStep(line);
    const verb = line.split(" ")[0].toUpperCase();
    if (verb === "EHLO") {
      const lines = ["mx.mock", "SIZE 1000000", "8BITMIME"];
      if (!this.secure && this.session.secureTransport === "starttls") lines.push("STARTTLS");
      if (this.secure) lines.push("AUTH PLAIN LOGIN");
      return this.send(lines.map((l, i) => `250${i === lines.length - 1 ? " " : "-"}${l}\r\n`).join(""));
    }
    if (verb === "STARTTLS") return this.send("220 2.0.0 Ready to start TLS\r\n");
    if (verb === "AUTH") {
      const [, mechanism, initial] = line.split(" ");
      if (!this.secure) return this.send("538 5.7.11 Encryption required for requested authentication mechanism\r\n");
      if (mechanism === "PLAIN") return this.checkAuth(...atob(initial ?? "").split("\0").slice(1));
      this.login = { step: "user" };
      return this.send("334 VXNlcm5hbWU6\r\n");
    }
    if (verb === "MAIL") return this.send(this.authed ? "250 2.1.0 Ok\r\n" : "530 5.7.0 Authentication required\r\n");
    if (verb === "RCPT") {
      this.rcpt = /<([^>]*)>/.exec(line)?.[1] ?? "";
      if (this.rcpt.startsWith("ghost@")) return this.send("550 5.1.1 <" + this.rcpt + ">: User unknown\r\n");
      return this.send("250 2.1.5 Ok\r\n");
    }
    if (verb === "DATA") {
      this.inData = true;
      this.data = "";
      return this.send("354 End data with <CR><LF>.<CR><LF>\r\n");
    }
    if (verb === "QUIT") {
      this.send("221 2.0.0 Bye\r\n");
      return this.hangUp();
    }
    return this.send("502 5.5.2 Error: command not recognized\r\n");
  }
  loginStep(line) {
    if (this.login.step === "user") {
      this.login = { step: "password", user: atob(line) };
      return this.send("334 UGFzc3dvcmQ6\r\n");
    }
    const user = this.login.user;
    this.login = null;
    return this.checkAuth(user, atob(line));
  }
  checkAuth(user, password) {
    this.authed = user === "api_token" && password === "pw";
    this.session.auth = { user, ok: this.authed, tls: this.secure };
    this.send(this.authed ? "235 2.7.0 Authentication successful\r\n" : "535 5.7.8 Authentication credentials invalid\r\n");
  }
  endOfData() {
    this.session.messages.push({ rcpt: this.rcpt, data: this.data });
    if (this.rcpt?.startsWith("drop@")) return this.hangUp(); // swallowed: no reply to the final "."
    this.send(`250 2.0.0 Ok: queued as MOCK${this.session.messages.length}\r\n`);
  }
}
