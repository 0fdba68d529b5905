/**
 * The JSON summary (schemaVersion 1): the stable contract other tools parse, and the single
 * source every other rendering (HTML, Markdown) reads its numbers from. Keys are camelCase;
 * output is deterministic apart from `generatedAt`.
 *
 * Counts are JSON numbers (checked to be exact). Money is USD as a JSON number rounded to 1e-9
 * from the exact DECIMAL the database computed; `…Exact` strings carry the full decimal.
 */
import type { Analysis, ChartedAnalysis } from '../pipeline.js';
import type { Row } from '../panels/index.js';

export const SCHEMA_VERSION = 1;

/** A count from the database (BIGINT arrives as a string) → number, refusing to lose precision. */
export function count(v: unknown): number {
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${String(v)}`);
  if (!Number.isSafeInteger(Math.round(n)) ) throw new Error(`count too large for JSON: ${String(v)}`);
  return n;
}

export function maybe(v: unknown): number | null {
  return v === null || v === undefined ? null : count(v);
}

/** DECIMAL text → USD number rounded to 1e-9 (display precision); null stays null (unpriced). */
export function usd(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  return Math.round(Number(v) * 1e9) / 1e9;
}

function exact(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function rate(num: number, den: number): number | null {
  return den > 0 ? Math.round((num / den) * 1e6) / 1e6 : null;
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function tokenFields(r: Row) {
  return {
    input: count(r.input),
    cacheRead: count(r.cache_read),
    cacheWrite: count(r.cache_write),
    output: count(r.output),
    reasoning: count(r.reasoning),
    calls: count(r.calls),
  };
}

function rollup(rows: Row[]) {
  return rows.map((r) => {
    const attempts = count(r.attempts);
    const toolCalls = count(r.tool_calls);
    return {
      group: str(r.group_value),
      sessions: count(r.sessions),
      p95DurationMs: maybe(r.p95_ms),
      tokens: tokenFields(r),
      costUsd: usd(r.cost_usd),
      unpricedCalls: count(r.unpriced_calls),
      apiAttempts: attempts,
      apiErrors: count(r.errors),
      apiErrorRate: rate(count(r.errors), attempts),
      toolCalls,
      toolSuccessRate: rate(count(r.tool_successes), toolCalls),
    };
  });
}

/**
 * The summary's filters, tokens, sessions, tools, api and cost sections: all that the charts read,
 * so that they can be drawn before the rollups and the other tables are done.
 */
export function chartedSections(a: ChartedAnalysis) {
  const p = a.panels;
  const f = a.filters;

  const tokTotal = p.tokens.total[0];
  const sess = p.sessions.overall[0];
  const durations = p.sessions.durations;

  const toolsAll = p.tools.overall[0];
  const toolCalls = count(toolsAll.calls);
  const apiAll = p.api_errors.overall[0];
  const attempts = count(apiAll.attempts);
  const costTotal = p.cost.total[0];

  return {
    filters: {
      since: f.since,
      until: f.until,
      env: f.env,
      originator: f.originator,
      agent: f.agent,
      model: f.model,
      tz: f.tz,
      slowSessionMs: f.slowMs,
      toolFlagBelow: f.flagBelow,
      groupBy: f.groupBy,
      priceDate: f.priceDate,
    },
    tokens: {
      total: tokenFields(tokTotal),
      byModel: p.tokens.by_model.map((r) => ({ agent: str(r.agent), model: str(r.model), ...tokenFields(r) })),
      bucket: a.bucket,
      series: p.tokens.series.map((r) => ({
        bucketStart: str(r.bucket_start),
        agent: str(r.agent),
        model: str(r.model),
        environment: str(r.environment),
        ...tokenFields(r),
      })),
      perSessionMinute: p.tokens.per_session_minute.map((r) => ({
        agent: str(r.agent),
        model: str(r.model),
        environment: str(r.environment),
        tokens: count(r.tokens),
        sessionMinutes: r.session_minutes === null ? null : Math.round(Number(r.session_minutes) * 1000) / 1000,
        tokensPerMinute: r.tokens_per_minute === null ? null : Math.round(Number(r.tokens_per_minute) * 10) / 10,
      })),
      sources: p.tokens.sources.map((r) => ({ agent: str(r.agent), source: str(r.source), calls: count(r.calls), tokens: count(r.tokens) })),
    },
    sessions: {
      count: count(sess.sessions),
      durationMs: { p50: maybe(sess.p50_ms), p95: maybe(sess.p95_ms), p99: maybe(sess.p99_ms), max: maybe(sess.max_ms) },
      slowCount: count(sess.slow_sessions),
      byAgent: p.sessions.by_agent.map((r) => ({
        agent: str(r.agent),
        sessions: count(r.sessions),
        durationMs: { p50: maybe(r.p50_ms), p95: maybe(r.p95_ms), p99: maybe(r.p99_ms), max: maybe(r.max_ms) },
      })),
      byModel: p.sessions.by_model.map((r) => ({
        agent: str(r.agent),
        model: str(r.model),
        sessions: count(r.sessions),
        durationMs: { p50: maybe(r.p50_ms), p95: maybe(r.p95_ms), p99: maybe(r.p99_ms), max: maybe(r.max_ms) },
      })),
      durations: durations.map((r) => ({ agent: str(r.agent), sessionId: str(r.session_id), durationMs: maybe(r.duration_ms), slow: count(r.slow) === 1 })),
      list: p.sessions.slowest.map((r) => {
        const calls = count(r.has_calls) === 1;
        return {
          agent: str(r.agent),
          sessionId: str(r.session_id),
          originator: str(r.originator),
          durationMs: maybe(r.duration_ms),
          slow: count(r.slow) === 1,
          tokens: calls ? count(r.tokens) : 0,
          costUsd: calls ? usd(r.cost_usd) : null,
          unpricedCalls: calls ? count(r.unpriced_calls) : 0,
        };
      }),
    },
    tools: {
      calls: toolCalls,
      successes: count(toolsAll.successes),
      failures: count(toolsAll.failures),
      rejected: count(toolsAll.rejected),
      agentFlagWrong: count(toolsAll.agent_flag_wrong),
      successRate: rate(count(toolsAll.successes), toolCalls),
      byTool: p.tools.by_tool.map((r) => {
        const calls = count(r.calls);
        const successRate = rate(count(r.successes), calls);
        return {
          agent: str(r.agent),
          tool: str(r.tool_name),
          calls,
          successes: count(r.successes),
          failures: count(r.failures),
          rejected: count(r.rejected),
          agentFlagWrong: count(r.agent_flag_wrong),
          successRate,
          flagged: successRate !== null && successRate < f.flagBelow,
          avgDurationMs: r.avg_duration_ms === null ? null : Math.round(Number(r.avg_duration_ms) * 10) / 10,
        };
      }),
      byAgent: p.tools.by_agent.map((r) => ({
        agent: str(r.agent),
        calls: count(r.calls),
        failures: count(r.failures),
        rejected: count(r.rejected),
        successRate: rate(count(r.successes), count(r.calls)),
      })),
      rules: p.tools.rules.map((r) => ({ agent: str(r.agent), tool: str(r.tool_name), outcome: str(r.outcome), rule: str(r.outcome_rule), calls: count(r.calls) })),
    },
    api: {
      attempts,
      errors: count(apiAll.errors),
      retries: count(apiAll.retries),
      errorRate: rate(count(apiAll.errors), attempts),
      statusNotReported: count(apiAll.status_not_reported),
      byModel: p.api_errors.by_model.map((r) => ({
        agent: str(r.agent),
        model: str(r.model),
        attempts: count(r.attempts),
        errors: count(r.errors),
        errorRate: rate(count(r.errors), count(r.attempts)),
        status429: count(r.s429),
        status400: count(r.s400),
        status4xxOther: count(r.s4xx_other),
        status5xx: count(r.s5xx),
        errorStatusNotReported: count(r.error_status_unknown),
        retries: count(r.retries),
        retryShare: rate(count(r.retries), count(r.attempts)),
      })),
      byModelStatus: p.api_errors.by_status.map((r) => ({
        agent: str(r.agent),
        model: str(r.model),
        status: str(r.status),
        error: Boolean(r.is_error),
        count: count(r.attempts),
        retries: count(r.retries),
      })),
    },
    cost: {
      currency: 'USD',
      totalUsd: usd(costTotal.cost_usd),
      totalUsdExact: exact(costTotal.cost_usd),
      unpricedCalls: count(costTotal.unpriced_calls),
      unpricedTokens: count(costTotal.unpriced_tokens),
      byModel: p.cost.by_model.map((r) => ({
        agent: str(r.agent),
        model: str(r.model),
        priced: count(r.unpriced_calls) === 0,
        priceModelId: str(r.price_model_id),
        priceRule: str(r.price_rule),
        calls: count(r.calls),
        unpricedCalls: count(r.unpriced_calls),
        costUsd: usd(r.cost_usd),
        costUsdExact: exact(r.cost_usd),
        parts: {
          inputUsd: usd(r.cost_input_usd),
          cacheReadUsd: usd(r.cost_cache_read_usd),
          cacheWriteUsd: usd(r.cost_cache_write_usd),
          outputUsd: usd(r.cost_output_usd),
        },
        unpricedReason: str(r.unpriced_reason),
      })),
      unpriced: p.cost.unpriced.map((r) => ({ agent: str(r.agent), model: str(r.model), reason: str(r.reason), ...tokenFields(r) })),
      bySession: p.cost.by_session.map((r) => ({
        agent: str(r.agent),
        sessionId: str(r.session_id),
        originator: str(r.originator),
        calls: count(r.calls),
        tokens: count(r.tokens),
        costUsd: usd(r.cost_usd),
        unpricedCalls: count(r.unpriced_calls),
      })),
      byOriginator: p.cost.by_originator.map((r) => ({
        originator: str(r.originator),
        calls: count(r.calls),
        tokens: count(r.tokens),
        costUsd: usd(r.cost_usd),
        unpricedCalls: count(r.unpriced_calls),
      })),
      byDay: p.cost.by_day.map((r) => ({ day: str(r.day), agent: str(r.agent), model: str(r.model), costUsd: usd(r.cost_usd), unpricedCalls: count(r.unpriced_calls) })),
      reconciliation: p.cost.reconciliation.map((r) => {
        const ours = r.our_cost_usd === null ? null : Number(r.our_cost_usd);
        const theirs = Number(r.agent_cost_usd);
        return {
          agent: str(r.agent),
          model: str(r.model),
          scope: str(r.scope),
          reportedItems: count(r.reported_items),
          calls: count(r.calls),
          agentCostUsd: usd(r.agent_cost_usd),
          ourCostUsd: usd(r.our_cost_usd),
          differenceUsd: ours === null ? null : usd(ours - theirs),
          unpricedCalls: count(r.unpriced_calls),
        };
      }),
      priceTable: {
        version: a.priceTable.version,
        sources: a.priceTable.sources.map((s) => ({ kind: s.kind, file: s.file, version: s.version, models: s.models })),
        matches: a.priceMatches.map((m) => ({ model: m.model, matchedId: m.matchedId, rule: m.rule })),
        warnings: a.priceTable.warnings,
      },
    },
  };
}

/** The summary's sections that the charts read. */
export type ChartedSummary = ReturnType<typeof chartedSections>;

/** The summary; `charted`: its charted sections when already built (by `chartedSections`). */
export function buildSummary(a: Analysis, generatedAt: Date, charted: ChartedSummary = chartedSections(a)) {
  const p = a.panels;
  const files = p.inputs.files;
  const t = p.inputs.file_totals[0];
  const loadedRecords = count(t.spans) + count(t.logs) + count(t.metric_points);
  const storedRow = p.inputs.stored[0];

  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: generatedAt.toISOString(),
    filters: charted.filters,
    inputs: {
      files: count(t.files),
      filesLoaded: count(t.loaded),
      filesNotTelemetry: count(t.not_telemetry),
      records: { spans: count(t.spans), logs: count(t.logs), metricPoints: count(t.metric_points) },
      stored: { spans: count(storedRow.spans), logs: count(storedRow.logs), metricPoints: count(storedRow.metric_points) },
      skipped: count(t.skipped),
      duplicatesDropped: loadedRecords - (count(storedRow.spans) + count(storedRow.logs) + count(storedRow.metric_points)),
      errors: p.inputs.errors.map((e) => ({
        file: str(e.path),
        line: maybe(e.line),
        byteOffset: maybe(e.byte_offset),
        skipped: count(e.records_skipped),
        message: str(e.message),
      })),
      fileList: files.map((r) => ({
        path: str(r.path),
        format: str(r.format),
        compression: str(r.compression),
        status: str(r.status),
        spans: count(r.spans),
        logs: count(r.logs),
        metricPoints: count(r.metric_points),
        skipped: count(r.skipped),
      })),
    },
    tokens: charted.tokens,
    sessions: charted.sessions,
    tools: charted.tools,
    api: charted.api,
    cost: charted.cost,
    rollups: {
      byOriginator: rollup(a.rollups.byOriginator),
      bySessionSource: rollup(a.rollups.bySessionSource),
      byEnvironment: rollup(a.rollups.byEnvironment),
      byAgent: rollup(a.rollups.byAgent),
      byAttribute: Object.fromEntries(
        Object.entries(a.rollups)
          .filter(([k]) => k.startsWith('attr:'))
          .map(([k, rows]) => [k.slice(5), rollup(rows)]),
      ),
    },
    dataQuality: {
      signalsByAgent: p.data_quality.signals.map((r) => ({
        agent: str(r.agent),
        sessions: count(r.sessions),
        withLogs: count(r.with_logs),
        withSpans: count(r.with_spans),
        withMetrics: count(r.with_metrics),
        logsWithoutSpans: count(r.logs_without_spans),
      })),
      sessionsWithoutSpans: p.data_quality.sessions_without_spans.map((r) => ({
        agent: str(r.agent),
        sessionId: str(r.session_id),
        originator: str(r.originator),
        durationSource: str(r.duration_source),
      })),
      statusNotReported: p.data_quality.status_not_reported.map((r) => ({
        agent: str(r.agent),
        model: str(r.model),
        attempts: count(r.attempts),
        failedAttempts: count(r.failed_attempts),
      })),
      agentFlagWrong: p.data_quality.agent_flag_wrong.map((r) => ({ agent: str(r.agent), tool: str(r.tool_name), rule: str(r.outcome_rule), calls: count(r.calls) })),
      callsWithoutSession: p.data_quality.calls_without_session.map((r) => ({ agent: str(r.agent), source: str(r.source), calls: count(r.calls) })),
      usageSources: p.tokens.sources.map((r) => ({ agent: str(r.agent), source: str(r.source), calls: count(r.calls) })),
      unpricedModels: p.cost.unpriced.map((r) => str(r.model)),
      skippedRecords: count(t.skipped),
    },
  };
}

/** The summary's shape, for renderers. */
export type Summary = ReturnType<typeof buildSummary>;
