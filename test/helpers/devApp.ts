import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { DevSession, type DevSessionOptions } from '../../src/dev/devSession.js';
import type { Clock } from '../../src/shared/clock.js';
import { cleanup } from './cleanup.js';
import { type AppFiles, configFile, tempApp } from './tempApp.js';

/** Test credentials: the endpoint accepts any key in dev. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIATEST', secretAccessKey: 'test-secret' };

/** An app with its own endpoint on a free port, stopped when the test ends. */
export async function startDevApp(
  t: TestContext,
  options: {
    functions: Record<string, unknown>;
    files: AppFiles;
    config?: Record<string, unknown>;
    clock?: Clock;
    /** More session options (stream retry delays, TTL sweep interval). */
    session?: Partial<DevSessionOptions>;
  },
): Promise<{ dir: string; session: DevSession; endpoint: string }> {
  const dir = await tempApp(t, {
    ...options.files,
    'package.json': '{ "type": "module" }',
    'tributary.config.ts': configFile({ name: 'edge-app', ...options.config, functions: options.functions }),
  });
  // Handlers import the AWS SDK as on AWS (where the Node runtimes ship it): link the repository's packages.
  await symlink(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'));
  const session = await DevSession.start({
    appDir: dir,
    edgePort: 0,
    httpPort: 0,
    wsPort: 0,
    watch: false,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...options.session,
  });
  cleanup(t, () => session.stop());
  if (session.endpointUrl === undefined) throw new Error('the endpoint did not start');
  return { dir, session, endpoint: session.endpointUrl };
}
