/**
 * The report's Handlebars templates (templates/*.hbs, with partials from templates/partials/).
 * Compiling them takes the Handlebars compiler, slow to load and to warm up; so a report has a
 * chart thread precompile them while its queries run (precompileTemplates), and this thread only
 * evaluates that code with the Handlebars runtime (installTemplates). Anything else compiles a
 * template here at its first use. Both ways run the same compiler with the same options.
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

/** A template's compiled code and its partials', as Handlebars.precompile writes it. */
export type PrecompiledTemplates = Partial<Record<TemplateName, { main: string; partials: Record<string, string> }>>;

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

/** A template, compiled once per process (installed precompiled, or compiled now). */
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

/** Every template's code, by Handlebars.precompile with the options `template` compiles with. */
export function precompileTemplates(): PrecompiledTemplates {
  const hb = require('handlebars') as HandlebarsEnv;
  const out: PrecompiledTemplates = {};
  for (const name of Object.keys(TEMPLATES) as TemplateName[]) {
    const { file, partials } = TEMPLATES[name];
    out[name] = {
      main: hb.precompile(read(file), optionsOf(name)) as string,
      partials: Object.fromEntries(Object.entries(partials).map(([p, f]) => [p, hb.precompile(read(f), optionsOf(name)) as string])),
    };
  }
  return out;
}

/** Use templates precompiled elsewhere, through the Handlebars runtime alone. */
export function installTemplates(p: PrecompiledTemplates): void {
  const runtime = require('handlebars/runtime') as HandlebarsEnv;
  const spec = (code: string) => new Function(`return ${code};`)() as TemplateSpecification;
  for (const name of Object.keys(p) as TemplateName[]) {
    if (compiled.has(name)) continue;
    const hb = runtime.create();
    for (const [partial, code] of Object.entries(p[name]!.partials)) hb.registerPartial(partial, hb.template(spec(code)));
    compiled.set(name, hb.template(spec(p[name]!.main)));
  }
}
