import { relative, resolve, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Logger } from '../shared/logger.js';

export interface CodeWatcherOptions {
  readonly appDir: string;
  /** Folders never watched (the data directory, build output). node_modules is always left out. */
  readonly ignore: readonly string[];
  readonly logger: Logger;
  readonly onChange: (file: string) => void;
}

/**
 * Watches an app's files and reports each change (edit, add, delete) with its absolute path. The runtime
 * decides which functions the file belongs to, so only those get fresh environments.
 *
 * @example
 * const watcher = await CodeWatcher.start({ appDir, ignore: [dataDir], logger, onChange: (f) => runtime.codeChanged(f) });
 * await watcher.close();
 */
export class CodeWatcher {
  private readonly watcher: FSWatcher;

  private constructor(watcher: FSWatcher) {
    this.watcher = watcher;
  }

  /** Starts watching; resolves once the initial scan is done, so no later change is missed. */
  static async start(options: CodeWatcherOptions): Promise<CodeWatcher> {
    const appDir = resolve(options.appDir);
    const ignored = options.ignore.map((dir) => resolve(dir));
    const isIgnored = (path: string): boolean => {
      const absolute = resolve(path);
      if (ignored.some((dir) => absolute === dir || absolute.startsWith(dir + sep))) return true;
      return relative(appDir, absolute)
        .split(sep)
        .some((part) => part === 'node_modules' || part === '.git');
    };
    // awaitWriteFinish reports a change once the file has settled. Without it chokidar drops a second change
    // to the same file within 50 ms (a throttle, not a debounce), and a quick second save would go unseen.
    const watcher = watch(appDir, {
      ignored: isIgnored,
      ignoreInitial: true,
      awaitWriteFinish: { stabilityThreshold: 20, pollInterval: 5 },
    });
    for (const event of ['add', 'change', 'unlink'] as const) {
      watcher.on(event, (path: string) => options.onChange(resolve(path)));
    }
    watcher.on('error', (error: unknown) =>
      options.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'file watcher error'),
    );
    await new Promise<void>((ready) => watcher.once('ready', ready));
    return new CodeWatcher(watcher);
  }

  async close(): Promise<void> {
    await this.watcher.close();
  }
}
