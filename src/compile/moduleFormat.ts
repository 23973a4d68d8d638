import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

/** The module system a file runs under, decided as Node decides it. */
export type ModuleFormat = 'esm' | 'cjs';

function nearestPackageType(startDir: string): string | undefined {
  for (let dir = startDir; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
        if (parsed !== null && typeof parsed === 'object' && 'type' in parsed && typeof parsed.type === 'string') {
          return parsed.type;
        }
      } catch {
        // An unreadable package.json decides nothing; Node would fail on it later with its own error.
      }
      return undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * `.mjs`/`.mts` are ES modules and `.cjs`/`.cts` CommonJS; other files follow the nearest package.json's
 * `type` (default CommonJS) — Node's rule, and TypeScript's under `module: nodenext`.
 */
export function moduleFormatOf(file: string): ModuleFormat {
  const ext = extname(file);
  if (ext === '.mjs' || ext === '.mts') return 'esm';
  if (ext === '.cjs' || ext === '.cts') return 'cjs';
  return nearestPackageType(dirname(file)) === 'module' ? 'esm' : 'cjs';
}

/** True for files Node cannot load itself and that must be compiled first. */
export function needsCompiling(file: string): boolean {
  return ['.ts', '.mts', '.cts', '.tsx', '.jsx'].includes(extname(file));
}
