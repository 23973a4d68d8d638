import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes (`w`) or appends (`a`) data and fsyncs it before resolving: what "durable before acknowledged" needs.
 * The parent folder is created if missing.
 */
export async function writeAndSync(file: string, data: string | Buffer, flag: 'w' | 'a'): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, flag);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
