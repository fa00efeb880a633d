import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The commit checked out in `dir`, read from .git without running git (undefined outside a checkout). */
export function gitCommit(dir = root): string | undefined {
  let gitDir = path.join(dir, '.git');
  const pointer = read(gitDir); // a worktree or submodule: ".git" is a file naming the real one
  if (pointer?.startsWith('gitdir:')) gitDir = path.resolve(dir, pointer.slice(7).trim());
  const head = read(path.join(gitDir, 'HEAD'))?.trim();
  if (!head) return undefined;
  if (/^[0-9a-f]{40,64}$/.test(head)) return head;
  const ref = /^ref: (.+)$/.exec(head)?.[1];
  if (!ref) return undefined;
  const common = read(path.join(gitDir, 'commondir'))?.trim();
  for (const base of [gitDir, common && path.resolve(gitDir, common)].filter((b): b is string => !!b)) {
    const loose = read(path.join(base, ref))?.trim();
    if (loose) return loose;
    const packed = read(path.join(base, 'packed-refs'))?.split('\n').find((l) => l.endsWith(` ${ref}`));
    if (packed) return packed.split(' ')[0];
  }
  return undefined;
}

/** "dicom-qr-harness 0.1.0 (commit 62d44ba0993b)": package.json's name and version, and the commit when run from a checkout. */
export function versionLine(dir = root): string {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  const commit = gitCommit(dir);
  return `${pkg.name} ${pkg.version}${commit ? ` (commit ${commit.slice(0, 12)})` : ''}`;
}
