import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/shared/errorCodes.js';

test('docs/errors.md lists exactly the codes of the registry, with the same kind and meaning', async () => {
  const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `(ERR_[A-Z_]+)` \| (user|system) \| (.+) \|$/gm)].map(
    ([, code, kind, summary]) => ({ code, kind, summary }),
  );
  const registry = Object.entries(ERROR_CODES).map(([code, { kind, summary }]) => ({ code, kind, summary }));
  assert.deepEqual(rows, registry);
});
