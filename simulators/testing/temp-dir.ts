import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

/**
 * A fresh folder under the system's temporary directory (`qrh-<prefix>-…`), removed with its
 * content when the test that made it ends, or when the test file ends if made outside a test.
 * For node:test files and their helpers.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `qrh-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
