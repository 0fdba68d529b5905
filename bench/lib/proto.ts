/**
 * OTLP/JSON export request → protobuf bytes, with protobufjs and the vendored opentelemetry-proto
 * definitions (src/ingest/proto, v1.11: LogRecord.event_name and Span.flags included).
 * Hex trace/span ids become bytes; 64-bit strings go through protobufjs' Long; bytesValue stays
 * base64 (protobufjs decodes base64 strings for bytes fields).
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { fromRoot } from '../../src/paths.js';
import type { Signal } from './templates.js';

type Obj = Record<string, any>;

let types: Record<Signal, protobuf.Type> | undefined;

function load(): Record<Signal, protobuf.Type> {
  if (types) return types;
  const dir = fromRoot('src', 'ingest', 'proto');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync(
    ['trace', 'logs', 'metrics'].map((s) => `opentelemetry/proto/collector/${s}/v1/${s}_service.proto`),
    { keepCase: false },
  );
  types = {
    traces: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    logs: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    metrics: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
  };
  return types;
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

function idsToBytes(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = idsToBytes(v[i]);
    return v;
  }
  if (v && typeof v === 'object') {
    const o = v as Obj;
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (ID_KEYS.has(k) && typeof x === 'string') o[k] = Buffer.from(x, 'hex');
      else if (x && typeof x === 'object') idsToBytes(x);
    }
  }
  return v;
}

/** Encode one parsed OTLP/JSON request (mutated: ids are replaced by bytes). */
export function encodeRequest(signal: Signal, body: Obj): Uint8Array {
  const T = load()[signal];
  return T.encode(T.fromObject(idsToBytes(body) as Obj)).finish();
}
