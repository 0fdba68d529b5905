/**
 * Precompiled templates (src/render/templates.ts): the build's dist/templates.precompiled.json is
 * current and used, renders exactly what compiling the templates renders, and a template edited
 * after the build is compiled again rather than rendered from its stale spec.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail } from '../src/render/email.js';
import { renderPrComment } from '../src/render/markdown.js';
import type { Summary } from '../src/render/summary.js';
import { TEMPLATES, templateOrigin, usePrecompiled, writePrecompiled, type TemplateName } from '../src/render/templates.js';
import { ROOT, runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'oar-templates-'));
let summary: Summary;

/** Every template rendered from the sample's summary (the email and the PR comment use all four). */
function renderAll(): string[] {
  return [renderPrComment(summary), renderEmail(summary, [])];
}

beforeAll(async () => {
  const r = await runCli(['summary', '--json', join(ROOT, 'fixtures/sample')]);
  expect(r.code, r.stderr).toBe(0);
  summary = JSON.parse(r.stdout) as Summary;
});

afterAll(() => usePrecompiled(join(ROOT, 'dist', 'templates.precompiled.json')));

describe('precompiled templates', () => {
  it('the build wrote them for the current templates, and rendering uses them', () => {
    usePrecompiled(join(ROOT, 'dist', 'templates.precompiled.json'));
    renderAll();
    expect(templateOrigin('prComment')).toBe('precompiled');
    expect(templateOrigin('email')).toBe('precompiled');
  });

  it('render exactly what compiling the templates renders', () => {
    const file = join(tmp, 'fresh.json');
    writePrecompiled(file);
    usePrecompiled(file);
    const fromSpecs = renderAll();
    expect(templateOrigin('prComment')).toBe('precompiled');
    usePrecompiled(null);
    const compiled = renderAll();
    expect(templateOrigin('prComment')).toBe('compiled');
    expect(fromSpecs).toEqual(compiled);
    expect(compiled[0]).toContain(' ---: |'); // tables with rows: a real render, not an empty one
  });

  it('a template changed since the build is compiled again, its stale spec unused', () => {
    const file = join(tmp, 'stale.json');
    writePrecompiled(file);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { templates: Record<string, { sha1: string; spec: string }> };
    // As if templates/pr-comment.md.hbs had been edited after the build: its text no longer
    // matches, and its spec renders something else.
    const key = Object.keys(data.templates).find((k) => k.startsWith(`${TEMPLATES.prComment.file} `))!;
    data.templates[key].sha1 = '0'.repeat(40);
    data.templates[key].spec = data.templates[key].spec.replace('### ', '### STALE ');
    expect(data.templates[key].spec).toContain('STALE');
    writeFileSync(file, JSON.stringify(data));
    usePrecompiled(file);
    const [pr, email] = renderAll();
    const origin = (n: TemplateName) => templateOrigin(n);
    expect(origin('prComment')).toBe('compiled');
    expect(origin('email')).toBe('precompiled');
    expect(pr).not.toContain('STALE');
    usePrecompiled(null);
    expect([pr, email]).toEqual(renderAll());
  });
});
