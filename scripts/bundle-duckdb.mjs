// Build step (after tsc): @duckdb/node-api's 181 CommonJS files as one file,
// dist/vendor/duckdb-node-api-<version>.cjs, which src/model/duckdb.ts loads with V8's code cache
// (src/code-cache.ts). Requiring the package file by file costs every command ~60 ms more: each file
// is looked up, read and compiled on its own, and CommonJS modules get no code cache on Node 20.
// The files are copied as they are; each runs in its own function with CommonJS's `exports`,
// `require` and `module`, once, on first require (cycles see the partial exports, as in Node).
// `require` of a relative path answers from the bundle, anything else (@duckdb/node-bindings, os)
// from the loader (loadBundle's `deps`).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const pkgDir = dirname(require.resolve('@duckdb/node-api/package.json'));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const main = (pkg.main ?? 'index.js').replace(/^\.\//, '');

const files = [];
(function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') walk(p);
    else if (e.isFile() && e.name.endsWith('.js')) files.push(relative(pkgDir, p).split(sep).join('/'));
  }
})(pkgDir);
files.sort();
if (!files.includes(main)) throw new Error(`bundle-duckdb: ${pkg.name}'s main ${main} is not among its files`);

let out = `// ${pkg.name} ${pkg.version} (${pkg.license}), ${files.length} files as one: written by scripts/bundle-duckdb.mjs.\n`;
out += "'use strict';\nconst defs = {\n";
for (const f of files) {
  const text = readFileSync(join(pkgDir, f), 'utf8').replace(/^\/\/# sourceMappingURL=.*$/gm, '');
  out += `${JSON.stringify(f)}: function (exports, require, module) {\n${text}\n},\n`;
}
out += `};
const loaded = {};
function load(id) {
  if (loaded[id]) return loaded[id].exports;
  const module = (loaded[id] = { exports: {} });
  const dir = id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : '';
  defs[id].call(module.exports, module.exports, (r) => requireFrom(dir, r), module);
  return module.exports;
}
function requireFrom(dir, r) {
  if (!r.startsWith('./') && !r.startsWith('../')) return require(r);
  const parts = dir ? dir.split('/') : [];
  for (const p of r.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  const id = parts.join('/');
  for (const f of [id, id + '.js', id + '/index.js']) if (Object.prototype.hasOwnProperty.call(defs, f)) return load(f);
  throw new Error(${JSON.stringify(pkg.name)} + ' bundle: cannot find ' + r + ' from ' + (dir || '.'));
}
module.exports = load(${JSON.stringify(main)});
`;

const dir = join(root, 'dist', 'vendor');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `duckdb-node-api-${pkg.version}.cjs`), out);
