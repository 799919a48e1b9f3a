/**
 * Deterministic fuzzing of JSON text for the fast-path equivalence tests: a seeded PRNG and a
 * mutator that flips characters, deletes runs and inserts structural snippets (quotes,
 * escapes, braces, whitespace, control characters, non-ASCII, duplicate keys).
 */

/** Deterministic PRNG (mulberry32), so every run checks the same cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mutate `text` 1–3 times: flip a character, delete a run, or insert a structural snippet (or one of `extra`). */
export function mutate(text: string, r: () => number, extra: string[] = []): string {
  const snippets = [...extra, 'é', '\u2028', '€', '"', '\\', '\\u0041', '\\/', ',', ':', '{', '}', '[', ' ', '\n', '\u0001', '\ufeff', '-', '.', 'e9', '0', '=', '+', '/', '_', 'A', '"data":"BQYHCA==",', ',"delta":"BQYHCA=="', '"silent":true,', 'null'];
  let s = text;
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.35) s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 128)) + s.slice(at + 1);
    else if (op < 0.6) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 4));
    else s = s.slice(0, at) + snippets[Math.floor(r() * snippets.length)] + s.slice(at);
  }
  return s;
}
