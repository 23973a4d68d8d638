import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where conversion scratch files go: a memory-backed tmpfs (`/dev/shm`) when the machine has one, else `fallback`.
 * Scratch copies are never the only copy — records stay in the stream's journal until delivered — so a RAM disk
 * loses nothing and saves writing every buffer to disk twice.
 */
export function scratchDir(fallback: string, name: string): string {
  return existsSync('/dev/shm') ? join('/dev/shm', `tributary-${process.pid}-${name}`) : fallback;
}
