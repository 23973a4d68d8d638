import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const repo = process.cwd();
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

test('the npm pack tarball installs in a fresh folder, runs, and gives tributary.config.ts its types', {
  timeout: 240_000,
}, async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'tributary-pack-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  // npm test has just built dist/; packing skips the prepare script so the tarball holds exactly that build.
  const packed = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repo });
  const [{ filename, files }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  const paths = files.map((f) => f.path);
  assert.ok(paths.includes('dist/cli/main.js') && paths.includes('dist/index.d.ts'));
  assert.ok(!paths.some((p) => p.startsWith('src/') || p.startsWith('test/')), 'only the build ships');

  const user = join(work, 'user-app');
  await exec('mkdir', ['-p', join(user, 'src')]);
  await writeFile(join(user, 'package.json'), JSON.stringify({ name: 'user-app', private: true, type: 'module' }));
  await exec('npm', ['install', '--no-audit', '--no-fund', '--save-dev', join(work, filename)], {
    cwd: user,
    timeout: 180_000,
  });

  await writeFile(
    join(user, 'tributary.config.ts'),
    `import { defineApp } from 'tributary';\nexport default defineApp({ name: 'user-app', functions: { hello: { handler: 'src/hello.handler', timeout: 5 } } });\n`,
  );
  await writeFile(
    join(user, 'src', 'hello.ts'),
    'export const handler = async (event: { name: string }) => ({ hello: event.name });\n',
  );
  await writeFile(join(user, 'event.json'), '{"name":"world"}');
  const invoked = await exec(
    join(user, 'node_modules', '.bin', 'tributary'),
    ['invoke', 'hello', '--event', 'event.json'],
    { cwd: user },
  );
  assert.deepEqual(JSON.parse(invoked.stdout), { hello: 'world' });

  // Types ship: a valid config type-checks, and a wrong setting is a type error in the user's editor.
  const tsconfig = {
    compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: true },
    files: ['tributary.config.ts'],
  };
  await writeFile(join(user, 'tsconfig.json'), JSON.stringify(tsconfig));
  await exec(process.execPath, [tsc, '-p', user]);
  await writeFile(
    join(user, 'tributary.config.ts'),
    `import { defineApp } from 'tributary';\nexport default defineApp({ name: 'user-app', functions: { hello: { handler: 'src/hello.handler', runtime: 'nodejs8.10' } } });\n`,
  );
  await assert.rejects(exec(process.execPath, [tsc, '-p', user]), (error: { stdout?: string }) => {
    assert.match(error.stdout ?? '', /nodejs8\.10/);
    return true;
  });
});
