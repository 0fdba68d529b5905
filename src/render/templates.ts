/**
 * The report's Handlebars templates (templates/*.hbs, with partials from templates/partials/),
 * each made ready once per process, at once rather than at its first render, so that a report can
 * do it while its charts are drawn on another thread. Handlebars itself is loaded only then (the
 * summary command never needs it).
 *
 * `npm run build` precompiles them (`writePrecompiled`, into dist/templates.precompiled.json): a
 * report then needs only the Handlebars runtime and no compiling, about 80 ms less. A template
 * whose text no longer matches what was precompiled (edited since the build) is compiled here as
 * before, so the file is only ever a cache.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fromRoot } from '../paths.js';

type HandlebarsEnv = typeof import('handlebars');
type CompileOptions = Parameters<HandlebarsEnv['compile']>[1];

export const TEMPLATES = {
  html: { file: 'report.html.hbs', partials: { table: 'partials/table.html.hbs' }, options: {} },
  markdown: { file: 'report.md.hbs', partials: { table: 'partials/table.md.hbs' }, options: { noEscape: true } },
  prComment: { file: 'pr-comment.md.hbs', partials: { table: 'partials/table.md.hbs' }, options: { noEscape: true } },
  email: { file: 'report-email.html.hbs', partials: { table: 'partials/table-email.html.hbs' }, options: {} },
} as const satisfies Record<string, { file: string; partials: Record<string, string>; options: CompileOptions }>;
export type TemplateName = keyof typeof TEMPLATES;

const require = createRequire(import.meta.url);
const compiled = new Map<TemplateName, HandlebarsTemplateDelegate>();

function read(f: string): string {
  try {
    return readFileSync(fromRoot('templates', f), 'utf8');
  } catch (e) {
    throw new Error(`cannot read the template templates/${f}: ${(e as Error).message}`);
  }
}

const optionsOf = (name: TemplateName): CompileOptions => ({ strict: false, preventIndent: true, ...TEMPLATES[name].options });

/** Run `f` on template file `file`, naming the file in its error. */
function naming<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new Error(`templates/${file}: ${(e as Error).message}`);
  }
}

/**
 * What Handlebars.compile does at a template's first render (handlebars/compiler/compiler.js),
 * done at once.
 */
function compileNow(hb: HandlebarsEnv, input: string, options: CompileOptions): HandlebarsTemplateDelegate {
  const opts: Record<string, unknown> = { ...options };
  if (!('data' in opts)) opts.data = true;
  if (opts.compat) opts.useDepths = true;
  const env = hb as unknown as {
    parse(input: string, options: object): unknown;
    Compiler: new () => { compile(ast: unknown, options: object): unknown };
    JavaScriptCompiler: new () => { compile(environment: unknown, options: object, context: undefined, asObject: boolean): unknown };
  };
  const environment = new env.Compiler().compile(env.parse(input, opts), opts);
  return hb.template(new env.JavaScriptCompiler().compile(environment, opts, undefined, true) as never);
}

// ---- precompiled templates ----

const PRECOMPILED = fromRoot('dist', 'templates.precompiled.json');
interface Precompiled {
  handlebars: string;
  /** By `precompiledKey`: the SHA-1 of the template text and Handlebars' precompiled spec (JS). */
  templates: Record<string, { sha1: string; spec: string }>;
}
const precompiledKey = (file: string, options: CompileOptions) => `${file} ${JSON.stringify(options)}`;
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** A template's files, its partials first, each with the options it is compiled with (a partial: its template's). */
function unitsOf(name: TemplateName): { file: string; options: CompileOptions }[] {
  const { file, partials } = TEMPLATES[name];
  return [...Object.values(partials), file].map((f) => ({ file: f, options: optionsOf(name) }));
}

/** Precompile every template into `path` (the build does; see the top of this file). */
export function writePrecompiled(path = PRECOMPILED): void {
  const hb = require('handlebars') as HandlebarsEnv;
  const templates: Precompiled['templates'] = {};
  for (const { file, options } of (Object.keys(TEMPLATES) as TemplateName[]).flatMap(unitsOf)) {
    const text = read(file);
    templates[precompiledKey(file, options)] = { sha1: sha1(text), spec: String(naming(file, () => hb.precompile(text, options))) };
  }
  writeFileSync(path, JSON.stringify({ handlebars: hb.VERSION, templates } satisfies Precompiled) + '\n');
}

let precompiledPath: string | null = PRECOMPILED;
let precompiled: Precompiled | null | undefined;
const origins = new Map<TemplateName, 'precompiled' | 'compiled'>();

/** Read precompiled templates from `path` from now on (null: compile every template); tests. */
export function usePrecompiled(path: string | null): void {
  precompiledPath = path;
  precompiled = undefined;
  compiled.clear();
  origins.clear();
}

/** How this process made a template: from its precompiled spec, or compiled here (tests). */
export function templateOrigin(name: TemplateName): 'precompiled' | 'compiled' | undefined {
  return origins.get(name);
}

/** The precompiled specs of these files, or null when any is missing or stale. */
function precompiledSpecs(units: { file: string; options: CompileOptions }[], texts: string[], version: string): string[] | null {
  if (precompiled === undefined) {
    try {
      precompiled = precompiledPath === null ? null : (JSON.parse(readFileSync(precompiledPath, 'utf8')) as Precompiled);
    } catch {
      precompiled = null;
    }
  }
  if (!precompiled || precompiled.handlebars !== version) return null;
  const specs: string[] = [];
  for (const [i, u] of units.entries()) {
    const entry = precompiled.templates[precompiledKey(u.file, u.options)];
    if (!entry || entry.sha1 !== sha1(texts[i])) return null;
    specs.push(entry.spec);
  }
  return specs;
}

/** A template ready to render, made on first use: from its precompiled spec, else compiled. */
export function template(name: TemplateName): HandlebarsTemplateDelegate {
  let t = compiled.get(name);
  if (t) return t;
  const { partials } = TEMPLATES[name];
  const units = unitsOf(name);
  const texts = units.map((u) => read(u.file));
  const runtime = require('handlebars/runtime') as HandlebarsEnv;
  const specs = precompiledSpecs(units, texts, runtime.VERSION);
  const hb = (specs ? runtime : (require('handlebars') as HandlebarsEnv)).create();
  // A partial compiles with its template's options, as Handlebars does for one given as text.
  const make = (i: number) =>
    naming(units[i].file, () => (specs ? hb.template(new Function(`return ${specs[i]}`)()) : compileNow(hb, texts[i], units[i].options)));
  Object.keys(partials).forEach((p, i) => hb.registerPartial(p, make(i)));
  t = make(units.length - 1);
  compiled.set(name, t);
  origins.set(name, specs ? 'precompiled' : 'compiled');
  return t;
}

/** Text escaped for HTML exactly as `{{value}}` escapes it in these templates (Handlebars' escapeExpression). */
export function escapeHtml(text: string): string {
  return (require('handlebars/runtime') as HandlebarsEnv).Utils.escapeExpression(text);
}
