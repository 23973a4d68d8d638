import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

/** A data file of a table, with its size (for DataScannedInBytes). */
export interface TableFile {
  readonly path: string;
  readonly bytes: number;
}

/**
 * The files of a table: every regular file under its prefix, found by walking the directory without following
 * symbolic links, and only if the prefix's real path stays inside the bucket's. A link planted in the lake cannot
 * make a query read outside it. Hidden files (`.`-prefixed, the store's own) are skipped.
 */
export function tableFiles(bucketDir: string, prefix: string, extension: string): TableFile[] {
  const root = join(bucketDir, prefix);
  let realBucket: string;
  let realRoot: string;
  try {
    realBucket = realpathSync(bucketDir);
    realRoot = realpathSync(root);
  } catch {
    return [];
  }
  if (realRoot !== realBucket && !realRoot.startsWith(realBucket + sep)) return [];
  const files: TableFile[] = [];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries.sort()) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) continue;
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && (extension === '' || name.endsWith(extension))) files.push({ path, bytes: stat.size });
    }
  };
  walk(realRoot);
  return files;
}
