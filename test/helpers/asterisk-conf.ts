/**
 * A small reader for Asterisk's config format, strict where Asterisk is
 * (main/config.c): `[category]` headers (with optional `(!)` / `(template)` suffix),
 * `key = value` and `key => value` lines, `;` comments (`\;` escapes), `#include`.
 * A non-blank line that is none of these, or a setting before any category (unless the
 * file is read as included inside one), is an error, as Asterisk refuses to load it.
 * Also interprets a dialplan context into its priority chain (`exten =>` / `same => n`).
 */

export interface ConfEntry {
  key: string;
  value: string;
  /** `=` or `=>` (object syntax, used by `exten`). */
  op: '=' | '=>';
  line: number;
}

export interface ConfSection {
  name: string;
  entries: ConfEntry[];
}

export interface ParsedConf {
  /** Settings before the first header (only allowed with `included`). */
  preamble: ConfEntry[];
  sections: ConfSection[];
  includes: string[];
}

function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === ';' && line[i - 1] !== '\\') return line.slice(0, i);
  }
  return line;
}

/**
 * Parse a config file.
 * @param options.included the text is `#include`d inside a category (FreePBX `*_custom.conf`),
 *   so settings before a header are allowed and returned as `preamble`.
 * @throws Error naming the line, for what Asterisk would refuse.
 */
export function parseAsteriskConf(text: string, options: { included?: boolean } = {}): ParsedConf {
  const out: ParsedConf = { preamble: [], sections: [], includes: [] };
  let current: ConfSection | undefined;
  text.split('\n').forEach((raw, idx) => {
    const lineNo = idx + 1;
    const line = stripComment(raw).trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#(include|tryinclude)\s+"?([^"]+)"?$/.exec(line);
      if (!m) throw new Error(`line ${lineNo}: unknown directive ${line}`);
      out.includes.push(m[2]!);
      return;
    }
    if (line.startsWith('[')) {
      const m = /^\[([^\]]+)\](\([^)]*\))?$/.exec(line);
      if (!m) throw new Error(`line ${lineNo}: malformed category header ${line}`);
      current = { name: m[1]!, entries: [] };
      out.sections.push(current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq === -1) throw new Error(`line ${lineNo}: no '=' (equal sign) in line`);
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1);
    let op: ConfEntry['op'] = '=';
    if (value.startsWith('>')) {
      op = '=>';
      value = value.slice(1);
    }
    if (key === '') throw new Error(`line ${lineNo}: empty key`);
    const entry = { key, value: value.trim().replace(/\\;/g, ';'), op, line: lineNo };
    if (current) current.entries.push(entry);
    else if (options.included) out.preamble.push(entry);
    else throw new Error(`line ${lineNo}: no category context for ${key}`);
  });
  return out;
}

/** The sections named `name`. */
export function sections(conf: ParsedConf, name: string): ConfSection[] {
  return conf.sections.filter((s) => s.name === name);
}

/** A section's settings as a map (last value wins, as for Asterisk's single-value options). */
export function settings(section: ConfSection | { entries: ConfEntry[] }): Record<string, string> {
  return Object.fromEntries(section.entries.map((e) => [e.key, e.value]));
}

/** One dialplan step. */
export interface DialplanStep {
  exten: string;
  priority: number;
  app: string;
  data: string;
}

/**
 * The priority chain of a context, as `dialplan show` lists it: `exten => X,1,App(data)`
 * starts an extension, `same => n,App(data)` continues it with the next priority.
 * @throws Error for a malformed line (bad priority, unbalanced parentheses, `same` first).
 */
export function dialplanSteps(section: ConfSection): DialplanStep[] {
  const steps: DialplanStep[] = [];
  let exten: string | undefined;
  let last = 0;
  for (const e of section.entries) {
    if (e.key !== 'exten' && e.key !== 'same') continue;
    if (e.op !== '=>') throw new Error(`line ${e.line}: ${e.key} needs =>`);
    const parts = e.value.split(',');
    let priorityText: string;
    let rest: string;
    if (e.key === 'exten') {
      exten = parts[0]!.trim();
      priorityText = parts[1]!.trim();
      rest = parts.slice(2).join(',');
    } else {
      if (exten === undefined) throw new Error(`line ${e.line}: same => before any exten =>`);
      priorityText = parts[0]!.trim();
      rest = parts.slice(1).join(',');
    }
    const priority = priorityText === 'n' ? last + 1 : Number(priorityText);
    if (!Number.isInteger(priority) || priority < 1) throw new Error(`line ${e.line}: bad priority ${priorityText}`);
    const m = /^\s*([A-Za-z0-9_]+)(?:\((.*)\))?\s*$/.exec(rest);
    if (!m) throw new Error(`line ${e.line}: bad application ${rest}`);
    const data = m[2] ?? '';
    let depth = 0;
    for (const c of data) {
      if (c === '(') depth++;
      if (c === ')' && --depth < 0) throw new Error(`line ${e.line}: unbalanced ) in ${data}`);
    }
    if (depth !== 0) throw new Error(`line ${e.line}: unbalanced ( in ${data}`);
    steps.push({ exten: exten!, priority, app: m[1]!, data });
    last = priority;
  }
  return steps;
}
