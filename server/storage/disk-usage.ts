import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Total size of the regular files in a directory (not recursive), in bytes. */
export async function directorySizeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) {
    const info = await stat(join(dir, name)).catch(() => null);
    if (info?.isFile()) total += info.size;
  }
  return total;
}
