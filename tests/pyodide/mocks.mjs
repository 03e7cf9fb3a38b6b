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
  if (Object.hasOwn(ENRICHMENT_HOSTS, url.hostname)) return ENRICHMENT_HOSTS[url.hostname](url, init);
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

// -- enrichment vendors ------------------------------------------------------------------------------------------

// The search and verification vendors as their APIs answer (shapes from their documentation; the same as
// local/fakes/search.py and verifiers.py), one host each. The credential picks the account's state, as it does at the
// vendor: a good key answers, a spent or unknown one gets the vendor's own refusal, a "stalled" one never answers
// (honouring the abort signal, recorded in `aborted`).
//   api.search.brave.mock     GET /res/v1/web/search, X-Subscription-Token
//   www.googleapis.mock       GET /customsearch/v1?key=&cx=
//   searx.jengu.mock          a public SearXNG: GET /search?format=json
//   searx-sso.jengu.mock      the same behind an auth proxy: no Authorization -> 302 to its HTML sign-in page
//                             (fetch follows it), a wrong one -> 401
//   searx-stalled.jengu.mock  accepts the connection, never answers
//   api.millionverifier.mock  GET /api/v3/?api=&email=&timeout= (HTTP 200 even for a refusal, `error` set)
//   api.zerobounce.mock       GET /v2/validate?api_key=&email=&ip_address=&timeout=, GET /v2/getcredits?api_key=
//   www.hostellerie-du-chateau.mock  a French hotel page in windows-1252 bytes labelled `charset=latin1` in the
//                             header, with a stale `<meta ... charset=utf-8>` in the document (the header wins)
export const ENRICHMENT_KEYS = {
  brave: { ok: "BSAk3vQ9yTr2pLm8xWz4nH7cJ1fD6sEa", quota: "BSAq0taSpentMonth7xWz4nH7cJ1fD6sE", rate: "BSArateBurst02pLm8xWz4nH7cJ1fD6s" },
  google: { key: "AIzaSyB7pyodideTierCse0123456789abcdE", cx: "017576662512468239146:omuauf_lfve", quota: "AIzaSyQuotaSpentToday0123456789abcdEf", html: "AIzaSyBehindCaptivePortal0123456789ab" },
  searxng: "Bearer sx_9f8e7d6c5b4a39281706",
  millionverifier: { ok: "mvKx7Qp2Lr9Zt4Wn6Yb1Hc3", empty: "mvEmptyAcct9Zt4Wn6Yb1Hc3", stalled: "mvStalled2Lr9Zt4Wn6Yb1H" },
  zerobounce: { ok: "7b1e8c0f5d2a4e6b9c3d1f0a8e7b6c5d", empty: "0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b", html: "5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f" },
};
const JSON_TYPE = { "Content-Type": "application/json; charset=utf-8" };
const ENRICHMENT_HOSTS = {
  "api.search.brave.mock": braveSearch,
  "www.googleapis.mock": googleSearch,
  "searx.jengu.mock": (url) => searxng(url),
  "searx-sso.jengu.mock": searxngBehindProxy,
  "searx-stalled.jengu.mock": (url, init) => stalled(url, init?.signal),
  "api.millionverifier.mock": millionVerifier,
  "api.zerobounce.mock": zeroBounce,
  "www.hostellerie-du-chateau.mock": () =>
    new Response(CHATEAU_PAGE, { status: 200, headers: { "Content-Type": "text/html; charset=latin1" } }),
};

function stalled(url, signal) {
  return new Promise((_, reject) => {
    signal?.addEventListener("abort", () => {
      aborted.push(url.href);
      reject(signal.reason);
    });
  });
}

function headerOf(init, name) {
  const headers = new Headers(init?.headers ?? {});
  return headers.get(name);
}

// What the engines find for the Alpenhof in Kitzbühel: a portal first, the own site (twice: a deep link), an entry
// without an absolute URL, the review site. Any other query finds nothing.
const ALPENHOF = [
  ["https://www.booking.com/hotel/at/alpenhof-kitzbuhel.html", "Hotel Alpenhof, Kitzbühel – Updated 2026 Prices", "Hotel Alpenhof is 400 m from the Hahnenkamm cable car &amp; offers a spa."],
  ["https://www.alpenhof-kitzbuehel.at/", "Hotel Alpenhof Kitzbühel – Ihr Familienhotel in Tirol", "Willkommen im Hotel Alpenhof in Kitzbühel: 42 Zimmer, Wellness &amp; Tiroler Küche."],
  ["https://www.alpenhof-kitzbuehel.at/", "Hotel Alpenhof Kitzbühel", "Zimmer &amp; Preise"],
  ["/url?q=alpenhof", "Hotel Alpenhof", ""],
  ["https://www.tripadvisor.at/Hotel_Review-g190399-d233402-Reviews-Hotel_Alpenhof-Kitzbuhel_Tirol_Austrian_Alps.html", "HOTEL ALPENHOF (Kitzbühel) – Bewertungen", "1.204 Bewertungen"],
];

function findsAlpenhof(url) {
  return (url.searchParams.get("q") ?? "").includes("Alpenhof");
}

function bold(text, tag) {
  return text.replace(/(Alpenhof|Kitzbühel)/g, `<${tag}>$1</${tag}>`);
}

function braveSearch(url, init) {
  const token = headerOf(init, "x-subscription-token");
  const keys = ENRICHMENT_KEYS.brave;
  const limits = { "X-RateLimit-Limit": "1, 2000", "X-RateLimit-Policy": "1;w=1, 2000;w=2592000" };
  const error = (status, code, detail, meta, headers = {}) =>
    Response.json({ type: "ErrorResponse", error: { id: "6a0cbd1e-0f5a-4b41-9c6e-2d7f6b1b3e11", status, code, detail, ...(meta ? { meta } : {}) } }, { status, headers: { ...JSON_TYPE, ...headers } });
  if (token === keys.quota) {
    const meta = { plan: "Free", rate_limit: 1, rate_current: 1, quota_limit: 2000, quota_current: 2000, component: "quota" };
    return error(429, "RATE_LIMITED", "Request quota limit exceeded for plan", meta, { ...limits, "X-RateLimit-Remaining": "1, 0", "X-RateLimit-Reset": "1, 1419704" });
  }
  if (token === keys.rate) {
    const meta = { plan: "Free", rate_limit: 1, rate_current: 2, quota_limit: 2000, quota_current: 512, component: "rate_limit" };
    return error(429, "RATE_LIMITED", "Request rate limit exceeded for plan", meta, { ...limits, "X-RateLimit-Remaining": "0, 1488", "X-RateLimit-Reset": "1, 1419704" });
  }
  if (token !== keys.ok) {
    return error(422, "SUBSCRIPTION_TOKEN_INVALID", "The provided subscription token is invalid.", { component: "authentication" });
  }
  const q = url.searchParams.get("q");
  const headers = { ...JSON_TYPE, ...limits, "X-RateLimit-Remaining": "0, 1487", "X-RateLimit-Reset": "1, 1419704" };
  const answer = { type: "search", query: { original: q, country: url.searchParams.get("country"), more_results_available: false } };
  if (!findsAlpenhof(url)) return Response.json(answer, { headers });
  const results = ALPENHOF.map(([u, title, description]) => ({
    title,
    url: u,
    description: bold(description, "strong"),
    type: "search_result",
    is_source_local: false,
    family_friendly: true,
    meta_url: { scheme: "https", netloc: u.split("/")[2] ?? "", path: "› hotel" },
  }));
  answer.mixed = { type: "mixed", main: results.map((_, index) => ({ type: "web", index, all: false })) };
  answer.web = { type: "search", results, family_friendly: true };
  return Response.json(answer, { headers });
}

function googleError(status, message, reason, grpc, info) {
  const error = { code: status, message, errors: [{ message, domain: "global", reason }], status: grpc };
  if (info) error.details = [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: info, domain: "googleapis.com", metadata: { service: "customsearch.googleapis.com" } }];
  return Response.json({ error }, { status, headers: JSON_TYPE });
}

function googleSearch(url) {
  const { key: good, cx, quota, html } = ENRICHMENT_KEYS.google;
  const key = url.searchParams.get("key");
  if (key === html) {
    // A captive portal / corporate proxy that answers every request with its own page.
    return new Response("<!DOCTYPE html><html><head><title>Hotspot Login</title></head><body>Bitte anmelden</body></html>", { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
  if (key === quota) {
    const message = "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service 'customsearch.googleapis.com' for consumer 'project_number:451270028559'.";
    return googleError(429, message, "rateLimitExceeded", "RESOURCE_EXHAUSTED");
  }
  if (key !== good) return googleError(400, "API key not valid. Please pass a valid API key.", "badRequest", "INVALID_ARGUMENT", "API_KEY_INVALID");
  if (url.searchParams.get("cx") !== cx) return googleError(400, "Request contains an invalid argument.", "badRequest", "INVALID_ARGUMENT");
  const q = url.searchParams.get("q");
  const rows = findsAlpenhof(url) ? ALPENHOF : [];
  const answer = {
    kind: "customsearch#search",
    url: { type: "application/json", template: "https://www.googleapis.com/customsearch/v1?q={searchTerms}&num={count?}&key={key?}&cx={cx?}&gl={gl?}" },
    queries: { request: [{ title: `Google Custom Search - ${q}`, totalResults: String(rows.length * 211), searchTerms: q, count: rows.length, startIndex: 1, inputEncoding: "utf8", outputEncoding: "utf8", safe: "off", cx, gl: url.searchParams.get("gl") }] },
    context: { title: "Jengu hotels" },
    searchInformation: { searchTime: 0.287, formattedSearchTime: "0.29", totalResults: String(rows.length * 211), formattedTotalResults: String(rows.length * 211) },
  };
  if (rows.length) {
    answer.items = rows.map(([link, title, snippet]) => ({
      kind: "customsearch#result",
      title,
      htmlTitle: bold(title, "b"),
      link,
      displayLink: link.split("/")[2] ?? "",
      snippet: snippet.replaceAll("&amp;", "&"),
      htmlSnippet: bold(snippet, "b"),
      formattedUrl: link,
    }));
  }
  return Response.json(answer, { headers: JSON_TYPE });
}

function searxng(url) {
  if (url.pathname !== "/search") return new Response("Not Found", { status: 404, headers: { "Content-Type": "text/html" } });
  const q = url.searchParams.get("q");
  if (url.searchParams.get("format") !== "json") {
    return new Response(`<!DOCTYPE html><html><head><title>${q} - SearXNG</title></head><body></body></html>`, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
  const rows = findsAlpenhof(url) ? ALPENHOF : [];
  const results = rows.map(([u, title, content], i) => ({
    url: u, title, content: content.replaceAll("&amp;", "&"), engine: "duckduckgo", engines: ["duckduckgo", "brave", "startpage"],
    parsed_url: ["https", u.split("/")[2] ?? "", "/", "", "", ""], template: "default.html", positions: [i + 1], score: 3 / (i + 1), category: "general",
  }));
  const unresponsive = rows.length ? [] : [["google", "CAPTCHA"]];
  return Response.json(
    { query: q, number_of_results: 0, results, answers: [], corrections: [], infoboxes: [], suggestions: [], unresponsive_engines: unresponsive },
    { headers: JSON_TYPE },
  );
}

function searxngBehindProxy(url, init) {
  if (url.pathname === "/oauth2/sign_in") {
    const page = "<!DOCTYPE html><html lang=\"en\"><head><title>Sign In</title></head><body><form method=\"GET\" action=\"/oauth2/start\"><button>Sign in with Google</button></form></body></html>";
    return new Response(page, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
  const authorization = headerOf(init, "authorization");
  if (authorization === null) {
    const target = `/oauth2/sign_in?rd=${encodeURIComponent(url.pathname + url.search)}`;
    if (init?.redirect === "manual") return new Response(null, { status: 302, headers: { Location: target } });
    return mockFetch(new URL(target, url).href, { ...init, method: "GET" });
  }
  if (authorization !== ENRICHMENT_KEYS.searxng) {
    return new Response("Unauthorized", { status: 401, headers: { "Content-Type": "text/plain", "WWW-Authenticate": 'Bearer realm="searx"' } });
  }
  return searxng(url);
}

// MillionVerifier's verdicts for the addresses the cases ask about: [result, resultcode, subresult, quality, role, free].
const MV_VERDICTS = {
  "anna.huber@alpenhof-kitzbuehel.at": ["ok", 1, "ok", "good", false, false],
  "info@schlosshotel-velden.at": ["catch_all", 2, "catch_all", "risky", true, false],
  "j.novak@hotel-praha-centrum.cz": ["invalid", 6, "mailbox_not_found", "bad", false, false],
  "guest4711@mailinator.com": ["disposable", 5, "disposable", "bad", false, true],
  "m.rossi@albergo-roma.it": ["unknown", 3, "greylisted", "risky", false, false],
};

function millionVerifier(url, init) {
  if (url.pathname !== "/api/v3/") return new Response("Not Found", { status: 404 });
  const keys = ENRICHMENT_KEYS.millionverifier;
  const key = url.searchParams.get("api");
  const email = url.searchParams.get("email") ?? "";
  if (key === keys.stalled) return stalled(url, init?.signal);
  const answer = { email, quality: "", result: "error", resultcode: 4, subresult: "", free: false, role: false, didyoumean: "", credits: 0, executiontime: 0, error: "", livemode: true };
  if (key === keys.empty) return Response.json({ ...answer, error: "Insufficient credits" }, { headers: JSON_TYPE });
  if (key !== keys.ok) return Response.json({ ...answer, error: "Apikey not found" }, { headers: JSON_TYPE });
  const [result, resultcode, subresult, quality, role, free] = MV_VERDICTS[email] ?? ["unknown", 3, "unknown", "risky", false, false];
  // What is left: 10,000 minus this case's charged calls so far (unknowns are not charged).
  const charged = calls.filter((c) => {
    const asked = c.url?.startsWith("https://api.millionverifier.mock/") ? new URL(c.url).searchParams : null;
    return asked?.get("api") === keys.ok && (MV_VERDICTS[asked.get("email")]?.[0] ?? "unknown") !== "unknown";
  });
  const credits = 10_000 - charged.length;
  return Response.json({ ...answer, quality, result, resultcode, subresult, free, role, credits, executiontime: 2 }, { headers: JSON_TYPE });
}

// ZeroBounce's verdicts: [status, sub_status, free_email, mx_record].
const ZB_VERDICTS = {
  "anna.huber@alpenhof-kitzbuehel.at": ["valid", "", false, "mx01.alpenhof-kitzbuehel.at"],
  "reservierung@schlosshotel-velden.at": ["catch-all", "", false, "mail.schlosshotel-velden.at"],
  "info@hotel-adlon.de": ["do_not_mail", "role_based", false, "mx.hotel-adlon.de"],
  "j.novak@hotel-praha-centrum.cz": ["invalid", "mailbox_not_found", false, "mx.hotel-praha-centrum.cz"],
  "sales@grandhotel-zermatt.ch": ["unknown", "greylisted", false, "mx1.grandhotel-zermatt.ch"],
};
const ZB_REFUSED_TEXT = "Invalid API key or your account ran out of credits";

function zeroBounce(url) {
  const keys = ENRICHMENT_KEYS.zerobounce;
  const key = url.searchParams.get("api_key");
  if (url.pathname === "/v2/getcredits") {
    const credits = key === keys.ok ? "48213" : key === keys.empty ? "0" : "-1";
    return Response.json({ Credits: credits }, { headers: JSON_TYPE });
  }
  if (url.pathname !== "/v2/validate") return new Response("Not Found", { status: 404 });
  if (key === keys.html) {
    return new Response("<!DOCTYPE html><html><head><title>api.zerobounce.net | 502: Bad gateway</title></head><body>Cloudflare</body></html>", { status: 200, headers: { "Content-Type": "text/html; charset=UTF-8" } });
  }
  if (key !== keys.ok) return Response.json({ error: ZB_REFUSED_TEXT }, { headers: JSON_TYPE });
  const email = url.searchParams.get("email") ?? "";
  const [status, sub_status, free_email, mx_record] = ZB_VERDICTS[email] ?? ["unknown", "mail_server_did_not_respond", false, ""];
  const [account, domain] = email.split("@");
  return Response.json(
    {
      address: email, status, sub_status, free_email, did_you_mean: null, account, domain, domain_age_days: "9131",
      active_in_days: null, smtp_provider: "", mx_found: mx_record ? "true" : "false", mx_record, firstname: null,
      lastname: null, gender: null, country: null, region: null, city: null, zipcode: null, processed_at: "2026-05-26 09:14:03.127",
    },
    { headers: JSON_TYPE },
  );
}

// windows-1252 bytes: "\x96" en dash, "\x80" euro sign, "\x92" right single quote, é/ô/â as latin-1.
const CHATEAU_HTML =
  '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">' +
  "<title>Hostellerie du Ch\xe2teau \x96 Chambres d\xe8s 95 \x80</title></head>" +
  "<body><p>Bienvenue \xe0 l\x92h\xf4tel, 18 chambres au c\x9cur de Loches.</p></body></html>";
export const CHATEAU_PAGE = Uint8Array.from(Buffer.from(CHATEAU_HTML, "latin1"));

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
