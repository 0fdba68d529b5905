/**
 * The report's Handlebars templates (templates/*.hbs, with partials from templates/partials/),
 * each compiled once per process, at once rather than at its first render, so that a report can
 * compile them while its charts are drawn on another thread. Handlebars itself is loaded only
 * then (the summary command never needs it).
 */
import { readFileSync } from 'node:fs';
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

/** A template, compiled on first use. */
export function template(name: TemplateName): HandlebarsTemplateDelegate {
  let t = compiled.get(name);
  if (t) return t;
  const { file, partials } = TEMPLATES[name];
  const hb = (require('handlebars') as HandlebarsEnv).create();
  // A partial compiles with its template's options, as Handlebars does for one given as text.
  for (const [p, f] of Object.entries(partials)) hb.registerPartial(p, naming(f, () => compileNow(hb, read(f), optionsOf(name))));
  t = naming(file, () => compileNow(hb, read(file), optionsOf(name)));
  compiled.set(name, t);
  return t;
}
