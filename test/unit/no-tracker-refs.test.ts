/**
 * Comments say what the code does and why; a reader of the repository has no issue tracker,
 * so no source or test file may point at one (an issue number, or what "the issue" asked).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// built from parts, so this file does not match itself
const TRACKER_REF = new RegExp(['[Ii]ssue [0-9]+', 'the issue (asks|says)'].join('|'));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : files(p);
    return [p];
  });
}

describe('comments never cite the tracker', () => {
  it('no line in src/ or test/ names an issue number or "the issue"', () => {
    const hits = ['src', 'test']
      .flatMap((d) => files(path.join(ROOT, d)))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .flatMap((line, i) => (TRACKER_REF.test(line) ? [`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(hits).toEqual([]);
  });
});
