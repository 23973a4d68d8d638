import { mkdir, rename, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, resolve } from 'node:path';
import { build, type Message, type Plugin } from 'esbuild';
import { newShortId } from '../shared/ids.js';
import { type ModuleFormat, moduleFormatOf, needsCompiling } from './moduleFormat.js';

/** A module ready to import, and the user source files it was made from (for hot reload). */
export interface CompiledModule {
  /** The file to import: the source itself for plain JavaScript, the bundle for TypeScript. */
  readonly file: string;
  readonly format: ModuleFormat;
  /** Absolute paths of the app's own files the module imports, itself included (not node_modules). */
  readonly sourceFiles: readonly string[];
}

/** A compile that failed; `unresolved` when an import could not be found (as opposed to a syntax error). */
export class CompileFailure extends Error {
  readonly unresolved: boolean;
  constructor(message: string, unresolved: boolean) {
    super(message);
    this.name = 'CompileFailure';
    this.unresolved = unresolved;
  }
}

const SKIP = Symbol('tributary-resolving');

/**
 * Leaves packages out of the bundle, as CDK's NodejsFunction does with `nodeModules`, but points each at
 * its absolute path so the bundle runs from any folder (the data directory may be outside the app).
 */
const externalPackagesByPath: Plugin = {
  name: 'tributary-external-packages',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === SKIP) return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const found = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: SKIP,
      });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: found.path, external: true };
    });
  },
};

function describe(messages: readonly Message[]): string {
  return messages
    .map((m) =>
      m.location ? `${resolve(m.location.file)}:${m.location.line}:${m.location.column}: ${m.text}` : m.text,
    )
    .join('\n');
}

function isBuildFailure(error: unknown): error is { errors: Message[] } {
  return error !== null && typeof error === 'object' && 'errors' in error && Array.isArray(error.errors);
}

/**
 * Compiles a module for loading without a build step. TypeScript is bundled by esbuild into `outFile`
 * (the app's own files inlined, packages left external); plain JavaScript is loaded as it is, and only
 * analysed for the files it imports.
 *
 * @example
 * const mod = await compileModule('/app/src/orders.ts', '/app/.tributary/build/orders');
 * await import(pathToFileURL(mod.file).href);
 */
export async function compileModule(entry: string, outBase: string): Promise<CompiledModule> {
  const format = moduleFormatOf(entry);
  const compile = needsCompiling(entry);
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format,
      write: false,
      metafile: true,
      sourcemap: compile ? 'inline' : false,
      logLevel: 'silent',
      plugins: [externalPackagesByPath],
      outfile: `${outBase}.${format === 'esm' ? 'mjs' : 'cjs'}`,
    });
  } catch (error) {
    if (!compile) return { file: entry, format, sourceFiles: [entry] };
    if (isBuildFailure(error)) {
      const unresolved = error.errors.some((m) => m.text.startsWith('Could not resolve'));
      throw new CompileFailure(describe(error.errors), unresolved);
    }
    throw error;
  }
  const cwd = process.cwd();
  const sourceFiles = Object.keys(result.metafile?.inputs ?? {})
    .filter((input) => !input.includes('node_modules/') && !input.includes(':'))
    .map((input) => resolve(cwd, input));
  if (!compile) return { file: entry, format, sourceFiles };
  const output = result.outputFiles?.[0];
  if (output === undefined) throw new CompileFailure(`esbuild produced no output for ${entry}`, false);
  // Written aside and renamed, so a worker starting now never reads half a file.
  await mkdir(dirname(output.path), { recursive: true });
  const temporary = `${output.path}.${newShortId(6)}.tmp`;
  await writeFile(temporary, output.contents);
  await rename(temporary, output.path);
  return { file: output.path, format, sourceFiles };
}
