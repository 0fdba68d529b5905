/**
 * report.html in a real browser: Debian's chromium through playwright-core (never a downloaded
 * browser). No console errors, no network requests at all, every panel's chart drawn with data
 * marks, telemetry markup shown as text (no dialog), and a screenshot for the README.
 *
 * Without /usr/bin/chromium the test skips locally but FAILS under CI=true (.ci/run installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturePaths } from './helpers/captures.js';
import { PINNED_NOW, ROOT, runCli } from './helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const SCREENSHOT = resolve(ROOT, 'docs/report-screenshot.png');
const PANELS = ['tokens', 'sessions', 'tools', 'api_errors', 'cost'];
const INPUTS = [...capturePaths('claude'), ...capturePaths('codex'), ...capturePaths('gemini')];
const XSS = resolve(ROOT, 'fixtures/xss/otlp.jsonl');

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && IN_CI) {
  // A skipped browser test in CI would hide a broken report: fail loudly instead.
  describe('browser', () => {
    it('needs Debian chromium at /usr/bin/chromium (.ci/run installs it with apt-get)', () => {
      throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium" (CI=true, so this test does not skip)`);
    });
  });
} else {
  describe.skipIf(!haveChromium)('report.html in chromium', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'oar-browser-'));
    const out = { real: join(tmp, 'real'), interactive: join(tmp, 'interactive'), xss: join(tmp, 'xss') };
    let browser: BrowserContext;

    beforeAll(async () => {
      const runs = await Promise.all([
        runCli(['report', ...INPUTS, '--out', out.real]),
        runCli(['report', ...INPUTS, '--out', out.interactive, '--interactive']),
        runCli(['report', XSS, '--out', out.xss]),
      ]);
      for (const r of runs) expect(r.stderr + `exit ${r.code}`).toBe('exit 0');
      // A fresh profile (user-data-dir) per run: nothing cached, nothing remembered.
      browser = await chromium.launchPersistentContext(join(tmp, 'profile'), {
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        colorScheme: 'light',
        serviceWorkers: 'block',
      });
    }, 600_000);

    afterAll(async () => {
      await browser?.close();
      rmSync(tmp, { recursive: true, force: true });
    });

    /** Opens a report, recording every request, console message, page error and dialog. */
    async function open(file: string, viewport = { width: 1200, height: 900 }) {
      const page = await browser.newPage();
      await page.setViewportSize(viewport);
      const url = pathToFileURL(file).href;
      const requests: string[] = [];
      const problems: string[] = [];
      const dialogs: string[] = [];
      page.on('request', (r) => {
        if (r.url() !== url) requests.push(r.url());
      });
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(url, { waitUntil: 'load' });
      return { page, requests, problems, dialogs, close: () => page.close() };
    }

    /** Data marks (not axes, legends or titles) in each panel's chart. */
    const dataMarks = (page: Page) =>
      page.evaluate((ids) => {
        const out: Record<string, number> = {};
        for (const id of ids) {
          const svg = document.querySelector(`figure.chart[data-chart="${id}"] svg`);
          // Bars, points, lines and areas: vega's mark groups other than text labels and rules.
          out[id] = svg ? svg.querySelectorAll('g.role-mark:not(.mark-text):not(.mark-rule) > path').length : -1;
        }
        return out;
      }, PANELS);

    it('loads with no request, no console error, and draws every panel', async () => {
      const r = await open(join(out.real, 'report.html'), { width: 1200, height: 1500 });
      try {
        expect(r.requests).toEqual([]);
        expect(r.problems).toEqual([]);
        const marks = await dataMarks(r.page);
        for (const id of PANELS) expect(marks[id], `data marks in the ${id} chart`).toBeGreaterThan(0);
        // Each chart has a title and a text alternative.
        const named = await r.page.$$eval('figure.chart', (fs) => fs.map((f) => Boolean(f.querySelector('svg title')?.textContent && f.querySelector('figcaption')?.textContent)));
        expect(named).toEqual(PANELS.map(() => true));
        // Tables have headers and captions.
        expect(await r.page.$$eval('table', (ts) => ts.every((t) => t.querySelector('caption') && t.querySelector('thead th[scope=col]')))).toBe(true);
        // The README's picture: the generated-at line pinned, so the file only changes with the report.
        await r.page.$eval('.generated', (el, now) => (el.textContent = `Generated ${now}`), new Date(PINNED_NOW).toISOString());
        mkdirSync(resolve(ROOT, 'docs'), { recursive: true });
        await r.page.screenshot({ path: SCREENSHOT, fullPage: false });
        expect(existsSync(SCREENSHOT)).toBe(true);
      } finally {
        await r.close();
      }
    });

    it('fits a phone screen without sideways scrolling of the page', async () => {
      const r = await open(join(out.real, 'report.html'), { width: 390, height: 844 });
      try {
        const overflow = await r.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        expect(r.problems).toEqual([]);
      } finally {
        await r.close();
      }
    });

    it('--interactive turns the charts into Vega views, still with no request', async () => {
      const r = await open(join(out.interactive, 'report.html'));
      try {
        await r.page.waitForFunction((n) => document.querySelectorAll('figure.chart .svg > div svg').length === n, PANELS.length, { timeout: 30_000 });
        expect(r.requests).toEqual([]);
        expect(r.problems).toEqual([]);
        const marks = await dataMarks(r.page);
        for (const id of PANELS) expect(marks[id], `data marks in the interactive ${id} chart`).toBeGreaterThan(0);
      } finally {
        await r.close();
      }
    });

    it('shows telemetry markup as text: no element injected, no dialog', async () => {
      const r = await open(join(out.xss, 'report.html'));
      try {
        await r.page.waitForTimeout(500);
        expect(r.dialogs).toEqual([]);
        expect(r.requests).toEqual([]);
        expect(r.problems).toEqual([]);
        expect(await r.page.$$eval('script, iframe, img', (els) => els.length)).toBe(0);
        expect(await r.page.evaluate(() => [...document.querySelectorAll('*')].some((el) => [...el.attributes].some((a) => /^on/i.test(a.name))))).toBe(false);
        const text = await r.page.evaluate(() => document.body.innerText);
        for (const attack of ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '</td><img src=x onerror=alert(2)>', '<svg onload=alert(3)>']) {
          expect(text, attack).toContain(attack);
        }
      } finally {
        await r.close();
      }
    });
  });
}
