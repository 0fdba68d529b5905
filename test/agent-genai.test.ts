/**
 * The generic OTel GenAI mapping (src/model/agents/genai.sql), on requests built with the real
 * OpenTelemetry JS SDK and serialized by @opentelemetry/otlp-transformer, for a fictional agent
 * `acme-agent`; and the proof that the three real agents' captures produce no genai rows (they
 * have their own mappings although they also emit gen_ai.* attributes).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type HrTime, type Span, type Tracer } from '@opentelemetry/api';
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Db } from '../src/model/db.js';
import { capturePaths, loadDb, rows } from './helpers/captures.js';

// ── The fixture: what acme-agent did ────────────────────────────────────────────────────────────

interface Usage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}
interface Chat {
  name: string;
  at: [number, number]; // start/end, ms after t0
  model: string;
  usage?: Usage;
  error?: string; // error.type
  responseId?: string;
  conversation?: boolean; // carries gen_ai.conversation.id itself
}

const AGENT = 'acme-agent';
const MODEL = 'acme-large';
const RESPONSE_MODEL = 'acme-large-2026-01';
const CONTENT = 'SECRET PROMPT TEXT';

// conversation conv-1: two agent runs (traces); run 1 has a rate-limited call and two tools
const RUN1 = { at: [0, 1000] as [number, number], usage: { input: 9999, output: 999 } }; // aggregate: never counted
const RUN1_CHATS: Chat[] = [
  { name: 'c1', at: [10, 200], model: MODEL, usage: { input: 1000, output: 50, cacheRead: 600, cacheWrite: 100 }, responseId: 'resp-1' },
  { name: 'c2', at: [310, 400], model: MODEL, error: '429' },
  { name: 'c3', at: [600, 990], model: MODEL, usage: { input: 1200, output: 80, cacheRead: 1000 }, responseId: 'resp-3' },
];
const RUN1_TOOLS = [
  { name: 'read_file', id: 'call-1', at: [210, 300] as [number, number] },
  { name: 'run_shell', id: 'call-2', at: [410, 500] as [number, number], error: 'ToolError' },
];
const RUN2 = { at: [2000, 2500] as [number, number] };
const RUN2_CHATS: Chat[] = [
  { name: 'c4', at: [2010, 2100], model: MODEL, usage: { input: 500, output: 20 }, responseId: 'resp-4', conversation: true },
  // Anthropic-style producer: input_tokens excludes the cache (input < cache read)
  { name: 'c5', at: [2110, 2400], model: MODEL, usage: { input: 100, output: 7, cacheRead: 2000 }, responseId: 'resp-5' },
];
// conversation conv-2: only inference-details events (logs), no spans
const CONV2_EVENTS = [
  { at: 3000, usage: { input: 300, output: 40 } as Usage, responseId: 'resp-6' },
  { at: 3100, usage: { input: 400, output: 50 } as Usage, responseId: 'resp-7' },
  { at: 3200, error: 'timeout' },
];
// acme-batch: only metrics (cumulative histogram, two exports)
const BATCH_EXPORTS = [
  { input: [70, 30], output: [15, 5] },
  { input: [50], output: [10] },
];

/** The semconv rule (genai.sql): input includes the cache unless it is evidently smaller. */
function normalize(u: Usage) {
  const cr = u.cacheRead ?? 0;
  const cw = u.cacheWrite ?? 0;
  return { input: u.input < cr + cw ? u.input + cr + cw : u.input, cacheRead: cr, cacheWrite: cw, output: u.output, reasoning: 0 };
}

function usageAttrs(u?: Usage): Attributes {
  if (!u) return {};
  const a: Attributes = { 'gen_ai.usage.input_tokens': u.input, 'gen_ai.usage.output_tokens': u.output };
  if (u.cacheRead !== undefined) a['gen_ai.usage.cache_read.input_tokens'] = u.cacheRead;
  if (u.cacheWrite !== undefined) a['gen_ai.usage.cache_creation.input_tokens'] = u.cacheWrite;
  return a;
}

let t0 = 0;
const hr = (ms: number): HrTime => {
  const t = t0 + ms;
  return [Math.floor(t / 1000), Math.round((t % 1000) * 1e6)];
};

function chatSpan(tracer: Tracer, parent: Span, c: Chat): Span {
  const s = tracer.startSpan(
    `chat ${c.model}`,
    {
      startTime: hr(c.at[0]),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'acme',
        'gen_ai.request.model': c.model,
        ...(c.usage ? { 'gen_ai.response.model': RESPONSE_MODEL } : {}),
        ...(c.responseId ? { 'gen_ai.response.id': c.responseId } : {}),
        ...(c.conversation ? { 'gen_ai.conversation.id': 'conv-1' } : {}),
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: CONTENT }] }]),
        ...usageAttrs(c.usage),
        ...(c.error ? { 'error.type': c.error } : {}),
      },
    },
    trace.setSpan(context.active(), parent),
  );
  if (c.error) s.setStatus({ code: SpanStatusCode.ERROR, message: c.error });
  s.end(hr(c.at[1]));
  return s;
}

/** Serialize every signal with the SDK's own OTLP/JSON serializers, one request per line. */
async function buildFixture(dir: string): Promise<{ acme: string; batch: string }> {
  t0 = Date.now();
  const resource = resourceFromAttributes({
    'service.name': AGENT,
    'service.version': '1.0.0',
    'service.instance.id': 'inst-1',
    'deployment.environment.name': 'test',
  });
  const lines: string[] = [];
  const dec = new TextDecoder();

  // metrics first, so the meter's start time precedes every span (the windows must cover them)
  class Reader extends MetricReader {
    protected async onForceFlush(): Promise<void> {}
    protected async onShutdown(): Promise<void> {}
  }
  const reader = new Reader();
  const meter = new MeterProvider({ resource, readers: [reader] }).getMeter('acme.metrics');
  const h = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}' });
  for (const c of [...RUN1_CHATS, ...RUN2_CHATS]) {
    if (!c.usage) continue;
    const a = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': c.model, 'gen_ai.response.model': RESPONSE_MODEL };
    h.record(c.usage.input, { ...a, 'gen_ai.token.type': 'input' });
    h.record(c.usage.output, { ...a, 'gen_ai.token.type': 'output' });
  }

  // traces
  const spanExporter = new InMemorySpanExporter();
  const tp = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const tracer = tp.getTracer('acme.tracing', '1.0.0');
  const run1 = tracer.startSpan(`invoke_agent acme`, {
    startTime: hr(RUN1.at[0]),
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'acme', 'gen_ai.conversation.id': 'conv-1', ...usageAttrs(RUN1.usage) },
  });
  for (const c of RUN1_CHATS) chatSpan(tracer, run1, c);
  for (const t of RUN1_TOOLS) {
    const s = tracer.startSpan(
      `execute_tool ${t.name}`,
      {
        startTime: hr(t.at[0]),
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': t.name,
          'gen_ai.tool.call.id': t.id,
          'gen_ai.tool.call.arguments': JSON.stringify({ cmd: CONTENT }),
          ...(t.error ? { 'error.type': t.error } : {}),
        },
      },
      trace.setSpan(context.active(), run1),
    );
    if (t.error) s.setStatus({ code: SpanStatusCode.ERROR });
    s.end(hr(t.at[1]));
  }
  run1.end(hr(RUN1.at[1]));
  // an instrumented gateway sees call c3 again, one hop further (child span, same usage)
  const gatewayTracer = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'acme-gateway' }),
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  }).getTracer('gateway');
  const c3 = RUN1_CHATS[2];
  const c3Span = spanExporter.getFinishedSpans().find((x) => x.attributes['gen_ai.response.id'] === c3.responseId)!;
  gatewayTracer
    .startSpan(`chat ${c3.model}`, { startTime: hr(c3.at[0] + 5), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': c3.model, ...usageAttrs(c3.usage) } },
      trace.setSpanContext(ROOT_CONTEXT, c3Span.spanContext()))
    .end(hr(c3.at[1] - 5));
  const run2 = tracer.startSpan(`invoke_agent acme`, {
    startTime: hr(RUN2.at[0]),
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'conv-1' },
  });
  const run2Spans = RUN2_CHATS.map((c) => chatSpan(tracer, run2, c));
  run2.end(hr(RUN2.at[1]));
  lines.push(dec.decode(JsonTraceSerializer.serializeRequest(spanExporter.getFinishedSpans())!));

  // logs: conv-2 events, plus an event inside span c4 that repeats its usage (must not count twice)
  const logExporter = new InMemoryLogRecordExporter();
  const lp = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
  const logger = lp.getLogger('acme.events');
  for (const e of CONV2_EVENTS) {
    logger.emit({
      eventName: 'gen_ai.client.inference.operation.details',
      timestamp: hr(e.at),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': MODEL,
        'gen_ai.conversation.id': 'conv-2',
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: CONTENT }] }]),
        ...(e.responseId ? { 'gen_ai.response.id': e.responseId, 'gen_ai.response.model': RESPONSE_MODEL } : {}),
        ...usageAttrs(e.usage),
        ...(e.error ? { 'error.type': e.error } : {}),
      },
    });
  }
  const c4 = RUN2_CHATS[0];
  logger.emit({
    eventName: 'gen_ai.client.inference.operation.details',
    timestamp: hr(c4.at[1]),
    context: trace.setSpanContext(ROOT_CONTEXT, run2Spans[0].spanContext()),
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': MODEL, 'gen_ai.response.model': RESPONSE_MODEL, ...usageAttrs(c4.usage) },
  });
  await lp.forceFlush();
  lines.push(dec.decode(JsonLogsSerializer.serializeRequest(logExporter.getFinishedLogRecords())!));

  // the collection ends after the last span (window = meter start → now)
  await new Promise((r) => setTimeout(r, Math.max(0, t0 + 3300 - Date.now())));
  const m = await reader.collect();
  expect(m.errors).toEqual([]);
  lines.push(dec.decode(JsonMetricsSerializer.serializeRequest(m.resourceMetrics)!));

  // acme-batch: metrics only, CUMULATIVE (the SDK default): the second export repeats the first
  const batchReader = new Reader();
  const batchMeter = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'acme-batch', 'deployment.environment.name': 'test' }),
    readers: [batchReader],
  }).getMeter('acme.metrics');
  const bh = batchMeter.createHistogram('gen_ai.client.token.usage');
  const batchLines: string[] = [];
  for (const exp of BATCH_EXPORTS) {
    for (const v of exp.input) bh.record(v, { 'gen_ai.request.model': 'acme-small', 'gen_ai.token.type': 'input' });
    for (const v of exp.output) bh.record(v, { 'gen_ai.request.model': 'acme-small', 'gen_ai.token.type': 'output' });
    await new Promise((r) => setTimeout(r, 5));
    const b = await batchReader.collect();
    batchLines.push(dec.decode(JsonMetricsSerializer.serializeRequest(b.resourceMetrics)!));
  }

  const acme = path.join(dir, 'acme.jsonl');
  const batch = path.join(dir, 'acme-batch.jsonl');
  writeFileSync(acme, lines.join('\n') + '\n');
  writeFileSync(batch, batchLines.join('\n') + '\n');
  return { acme, batch };
}

// ── Tests ─────────────────────────────────────────────────────────────────────────────────────────

const num = (v: unknown) => (v === null || v === undefined ? v : Number(v));

describe('genai mapping on SDK-built payloads (acme-agent)', () => {
  let dir: string;
  let db: Db;
  let files: { acme: string; batch: string };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'genai-'));
    files = await buildFixture(dir);
    db = await loadDb([files.acme, files.batch]);
  });
  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts each response once, from spans, else events, else metrics', async () => {
    const calls = await rows(db, `SELECT agent, session_id, model, input, cache_read, cache_write, output, reasoning, source FROM model_calls WHERE agent LIKE 'acme%' ORDER BY ts`);
    const expected = [...RUN1_CHATS, ...RUN2_CHATS].filter((c) => c.usage).map((c) => ({ ...normalize(c.usage!), session: 'conv-1', source: 'spans: chat' }));
    expected.push(...CONV2_EVENTS.filter((e) => e.usage).map((e) => ({ ...normalize(e.usage!), session: 'conv-2', source: 'logs: gen_ai.client.inference.operation.details' })));
    const got = calls.filter((c) => c.agent === AGENT);
    expect(got.map((c) => ({ input: num(c.input), cacheRead: num(c.cache_read), cacheWrite: num(c.cache_write), output: num(c.output), reasoning: num(c.reasoning), session: c.session_id, source: c.source }))).toEqual(expected);
    // the response model names the call; the invoke_agent aggregate and the repeated event are not counted
    expect(new Set(got.map((c) => c.model))).toEqual(new Set([RESPONSE_MODEL]));
    // the gateway's child span repeats c3: no usage, no attempt of its own
    const [gw] = await rows(db, `SELECT (SELECT count(*) FROM model_calls WHERE agent = 'acme-gateway') AS calls, (SELECT count(*) FROM api_attempts WHERE agent = 'acme-gateway') AS attempts, (SELECT count(*) FROM sessions WHERE agent = 'acme-gateway') AS sessions`);
    expect([Number(gw.calls), Number(gw.attempts), Number(gw.sessions)]).toEqual([0, 0, 0]);

    // acme-batch: cumulative histogram → per-window deltas; totals = what was recorded
    const batch = calls.filter((c) => c.agent === 'acme-batch');
    expect(batch.every((c) => c.source === 'metrics: gen_ai.client.token.usage' && c.session_id === null)).toBe(true);
    const sum = (k: string) => batch.reduce((a, c) => a + Number(c[k]), 0);
    expect(sum('input')).toBe(BATCH_EXPORTS.flatMap((e) => e.input).reduce((a, b) => a + b, 0));
    expect(sum('output')).toBe(BATCH_EXPORTS.flatMap((e) => e.output).reduce((a, b) => a + b, 0));
    expect(batch).toHaveLength(BATCH_EXPORTS.length); // one row per export window
  });

  it('reports API attempts with the status only where it is known', async () => {
    const a = await rows(db, `SELECT session_id, status_code, status_reported, is_error, error_type, attempt, source FROM api_attempts WHERE agent = '${AGENT}' ORDER BY ts`);
    const chats = [...RUN1_CHATS, ...RUN2_CHATS];
    // one per chat span, plus the conv-2 events (the event inside span c4 is that span's)
    expect(a).toHaveLength(chats.length + CONV2_EVENTS.length);
    const errors = a.filter((r) => r.is_error);
    expect(errors).toEqual([
      { session_id: 'conv-1', status_code: 429, status_reported: true, is_error: true, error_type: '429', attempt: null, source: 'spans: chat' },
      { session_id: 'conv-2', status_code: null, status_reported: false, is_error: true, error_type: 'timeout', attempt: null, source: 'logs: gen_ai.client.inference.operation.details' },
    ]);
    // successes: no HTTP status in the semconv attributes, so none is claimed
    expect(a.filter((r) => !r.is_error).every((r) => r.status_code === null && r.status_reported === false)).toBe(true);
  });

  it('derives tool outcomes from error.type and span status', async () => {
    const t = await rows(db, `SELECT session_id, call_id, tool_name, model, agent_success, success, outcome, outcome_rule, error_type, decision FROM tool_calls WHERE agent = '${AGENT}' ORDER BY ts`);
    expect(t).toEqual([
      // the model: the session's latest model call that started before the tool (c1, then the failed c2)
      { session_id: 'conv-1', call_id: 'call-1', tool_name: 'read_file', model: RESPONSE_MODEL, agent_success: true, success: true, outcome: 'success', outcome_rule: 'span status', error_type: null, decision: null },
      { session_id: 'conv-1', call_id: 'call-2', tool_name: 'run_shell', model: MODEL, agent_success: false, success: false, outcome: 'failure', outcome_rule: 'error.type', error_type: 'ToolError', decision: null },
    ]);
  });

  it('builds sessions from gen_ai.conversation.id with invoke_agent durations', async () => {
    const s = await rows(db, `SELECT session_id, originator, environment, models, duration_ms, duration_source, processes, prompts, turns, has_logs, has_spans, has_metrics FROM sessions WHERE agent = '${AGENT}' ORDER BY session_id`);
    expect(s).toHaveLength(2);
    const [c1, c2] = s;
    expect(c1).toMatchObject({ session_id: 'conv-1', originator: AGENT, environment: 'test', duration_source: 'spans: invoke_agent', processes: 1, prompts: 2, turns: RUN1_CHATS.length + RUN2_CHATS.length, has_spans: true, has_logs: true });
    expect(c1.models).toEqual([MODEL, RESPONSE_MODEL]);
    // the runs do not overlap: active time is the sum of both agent runs
    expect(Number(c1.duration_ms)).toBeCloseTo(RUN1.at[1] - RUN1.at[0] + (RUN2.at[1] - RUN2.at[0]), 3);
    expect(c2).toMatchObject({ session_id: 'conv-2', duration_source: 'events', has_logs: true, has_spans: false, prompts: null, turns: null });
    expect(Number(c2.duration_ms)).toBeCloseTo(CONV2_EVENTS.at(-1)!.at - CONV2_EVENTS[0].at, 3);
  });

  it('never exposes content', async () => {
    for (const fact of ['model_calls', 'api_attempts', 'tool_calls']) {
      const r = await rows(db, `SELECT CAST(attributes AS VARCHAR) AS a FROM ${fact} WHERE agent LIKE 'acme%'`);
      expect(r.length).toBeGreaterThan(0);
      for (const x of r) {
        expect(x.a).not.toContain(CONTENT);
        expect(x.a).not.toMatch(/gen_ai\.(input|output)\.messages|gen_ai\.tool\.call\.arguments/);
      }
    }
  });
});

describe('genai mapping leaves the known agents alone', () => {
  it('the real Codex, Claude Code and Gemini CLI captures yield no genai rows', async () => {
    const db = await loadDb([...capturePaths('codex'), ...capturePaths('claude'), ...capturePaths('gemini')]);
    try {
      // they do carry gen_ai.* telemetry, so the exclusion is what keeps them out
      const [g] = await rows(db, `SELECT count(*) AS n FROM span_facts WHERE CAST(attributes AS VARCHAR) LIKE '%"gen_ai.%'`);
      expect(Number(g.n)).toBeGreaterThan(0);
      for (const v of ['genai_sessions', 'genai_model_calls', 'genai_api_attempts', 'genai_tool_calls']) {
        const [r] = await rows(db, `SELECT count(*) AS n FROM ${v}`);
        expect(Number(r.n), v).toBe(0);
      }
    } finally {
      db.close();
    }
  });

  it('a renamed Codex or Claude Code service is still recognised, and a gateway below it not counted again', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'genai-renamed-'));
    try {
      const exporter = new InMemorySpanExporter();
      const mk = (service: string, scope: string, attrs: Attributes) => {
        const tp = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
        tp.getTracer(scope).startSpan('llm', { attributes: { 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1, ...attrs } }).end();
      };
      // Codex with CODEX_INTERNAL_ORIGINATOR_OVERRIDE: service and span scope are the originator
      mk('my_ide', 'my_ide', { target: 'codex_core::session::turn' });
      // Claude Code with OTEL_SERVICE_NAME
      mk('my-claude', 'com.anthropic.claude_code.tracing', { 'gen_ai.operation.name': 'chat' });
      // a GenAI gateway called by Claude Code (traceparent propagated): Claude already counts it
      const claudeSpan = exporter.getFinishedSpans().at(-1)!;
      new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'acme-gateway' }), spanProcessors: [new SimpleSpanProcessor(exporter)] })
        .getTracer('gateway')
        .startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1 } }, trace.setSpanContext(ROOT_CONTEXT, claudeSpan.spanContext()))
        .end();
      const f = path.join(dir, 'renamed.json');
      writeFileSync(f, new TextDecoder().decode(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!));
      const db = await loadDb([f]);
      try {
        const [r] = await rows(db, `SELECT (SELECT count(*) FROM span_facts) AS spans, (SELECT count(*) FROM genai_model_calls) AS calls, (SELECT count(*) FROM genai_api_attempts) AS attempts`);
        expect(Number(r.spans)).toBe(3);
        expect(Number(r.calls)).toBe(0);
        expect(Number(r.attempts)).toBe(0);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
