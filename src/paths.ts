import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (the folder with package.json). Code runs from `src/` under vitest and from
 * `dist/src/` after tsc; SQL, specs, templates and prices are read from the root either way.
 */
export const PACKAGE_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('otel-agent-report: cannot find the package root (package.json) above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
})();

export function fromRoot(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

let version: string | undefined;

/** The package version (package.json), for `--version` and the reports' footers. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;
  return version;
}
