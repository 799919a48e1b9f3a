/**
 * The docs cannot drift from the code: every top-level command of the program has its page
 * `docs/<command>.md`, linked from the README's command table, and every `--flag` a page (or
 * the README) mentions exists in the `--help` of the command it is written for.
 *
 * Help texts are built in-process from the commander definitions in src/commands/index.ts.
 * Which command a flag belongs to is read from the line it is on: after `voicectl <command>`
 * it is that command's flag (the README and docs/performance.md quote many commands); after
 * another tool (`az`, `devtunnel`, `ngrok`, `cloudflared`, `node`, `npm`…) it is that tool's and
 * is not checked; otherwise it belongs to the page's own command (or, on a page that is not a
 * command's, to any command). A line ending in `\` passes its command on to the next line.
 * A new command needs only its page; nothing here lists the commands.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { createProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/commands/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = path.join(ROOT, 'docs');

/** Tools other than voicectl whose flags the docs quote. */
const OTHER_TOOLS = [
  'az', 'devtunnel', 'cloudflared', 'ngrok', 'node', 'npm', 'npx', 'curl', 'asterisk', 'openssl', 'git', 'kubectl', 'perf',
  'jq', 'sox', 'wscat', 'docker', 'systemctl', 'chmod', 'bench/[\\w.-]+',
];
const INVOCATION = new RegExp(`(?:^|[\\s\`'"(|$*])(voicectl|${OTHER_TOOLS.join('|')})(?=[\\s\`'"):*]|$)`, 'g');
const FLAG = /(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)/g;

const io: Io = {
  stdin: new PassThrough(),
  stdout: { write: () => true, isTTY: false },
  stderr: { write: () => true, isTTY: false },
  env: {},
  cwd: ROOT,
  onSignal: () => () => {},
};

/** Every `--flag` in the help of `cmd` and of all its subcommands. */
function helpFlags(cmd: Command): Set<string> {
  const flags = new Set<string>();
  const walk = (c: Command): void => {
    for (const m of c.helpInformation().matchAll(FLAG)) flags.add(m[1]!);
    for (const o of c.options) if (o.long) flags.add(o.long.slice(2)); // hidden options too (e.g. --dotenv)
    c.commands.forEach(walk);
  };
  walk(cmd);
  return flags;
}

let globalFlags: Set<string>;
const commandFlags = new Map<string, Set<string>>();
let anyFlags: Set<string>;

beforeAll(async () => {
  const { program, ctx } = await createProgram(io, []);
  globalFlags = new Set([...program.options].flatMap((o) => (o.long ? [o.long.slice(2)] : [])));
  for (const m of program.helpInformation().matchAll(FLAG)) globalFlags.add(m[1]!);
  for (const entry of COMMANDS) commandFlags.set(entry.name, helpFlags((await entry.load())(ctx)));
  anyFlags = new Set([...commandFlags.values()].flatMap((s) => [...s]));
});

interface Mention {
  file: string;
  line: number;
  flag: string;
  /** The command whose help must list it; undefined: any command. */
  command: string | undefined;
}

type Context = { tool: 'voicectl'; command: string | undefined } | { tool: 'other' } | undefined;

/** The tools invoked in `text`, by offset: `voicectl [--global <value>] <command>`, or another tool. */
function invocations(text: string): Array<{ at: number; context: Context }> {
  return [...text.matchAll(INVOCATION)].map((m) => {
    const at = m.index + m[0].indexOf(m[1]!);
    if (m[1] !== 'voicectl') return { at, context: { tool: 'other' } };
    const word = /^\s+(?:--[a-z-]+(?:[ =](?!-)\S+)?\s+)*([a-z][a-z-]*)/.exec(text.slice(at + 'voicectl'.length))?.[1];
    return { at, context: { tool: 'voicectl', command: word !== undefined && commandFlags.has(word) ? word : undefined } };
  });
}

/** The context of the last invocation in `text` before offset `at`, else `fallback`. */
function contextAt(text: string, at: number, fallback: Context): Context {
  return invocations(text).filter((v) => v.at < at).at(-1)?.context ?? fallback;
}

/**
 * The voicectl flags a markdown text mentions, each with the command it is written for.
 * In a fenced code block a tool applies to the rest of its line (and the next after a `\`);
 * in prose, to the rest of its `code span`; a flag anywhere else is the page's.
 * @param pageCommand the command the page documents, undefined for a general page.
 */
function mentions(file: string, text: string, pageCommand: string | undefined): Mention[] {
  const out: Mention[] = [];
  const add = (line: number, flag: string, context: Context): void => {
    if (context?.tool === 'other') return;
    const command = context?.tool === 'voicectl' && context.command !== undefined ? context.command : pageCommand;
    out.push({ file, line, flag, command });
  };
  const lines = text.split('\n');
  let fenced = false;
  let carried: Context;
  let paragraph: { start: number; lines: string[] } | undefined;
  const flush = (): void => {
    if (!paragraph) return;
    const body = paragraph.lines.join('\n');
    const spans = [...body.matchAll(/`([^`]+)`/g)].map((m) => ({ from: m.index + 1, to: m.index + m[0].length - 1, text: m[1]! }));
    for (const m of body.matchAll(FLAG)) {
      const line = paragraph.start + body.slice(0, m.index).split('\n').length - 1;
      const span = spans.find((sp) => sp.from <= m.index && m.index < sp.to);
      add(line, m[1]!, span ? contextAt(span.text, m.index - span.from, undefined) : undefined);
    }
    paragraph = undefined;
  };
  lines.forEach((line, i) => {
    if (line.trimStart().startsWith('```')) {
      flush();
      fenced = !fenced;
      carried = undefined;
      return;
    }
    if (!fenced) {
      if (line.trim() === '' || /^\s*([-*] |\||#+ |\d+\. )/.test(line)) flush(); // a blank line, a list item, a table row, a heading start anew
      if (line.trim() !== '') (paragraph ??= { start: i + 1, lines: [] }).lines.push(line);
      return;
    }
    for (const m of line.matchAll(FLAG)) add(i + 1, m[1]!, contextAt(line, m.index, carried));
    const last = invocations(line).at(-1)?.context ?? carried;
    carried = line.trimEnd().endsWith('\\') ? last : undefined;
  });
  flush();
  return out;
}

function unknownFlags(file: string, pageCommand: string | undefined): string[] {
  const text = readFileSync(file, 'utf8');
  return mentions(path.relative(ROOT, file), text, pageCommand)
    .filter((m) => {
      if (globalFlags.has(m.flag)) return false;
      const known = m.command === undefined ? anyFlags : commandFlags.get(m.command)!;
      return !known.has(m.flag);
    })
    .map((m) => `${m.file}:${m.line}: --${m.flag} is not in \`voicectl ${m.command ?? '<any command>'} --help\``);
}

describe('docs pages', () => {
  it('every top-level command has docs/<command>.md, linked from the README', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const missing = COMMANDS.flatMap(({ name }) => [
      ...(existsSync(path.join(DOCS, `${name}.md`)) ? [] : [`docs/${name}.md is missing`]),
      ...(readme.includes(`](docs/${name}.md)`) ? [] : [`README.md does not link docs/${name}.md`]),
    ]);
    expect(missing).toEqual([]);
  });

  it("every --flag a command's page mentions is in that command's --help", () => {
    const problems = COMMANDS.filter(({ name }) => existsSync(path.join(DOCS, `${name}.md`))).flatMap(({ name }) =>
      unknownFlags(path.join(DOCS, `${name}.md`), name),
    );
    expect(problems).toEqual([]);
  });

  it('every --flag the README and the other pages mention is in the --help of the command it is written for', () => {
    const commandPages = new Set(COMMANDS.map((c) => `${c.name}.md`));
    const general = readdirSync(DOCS)
      .filter((f) => f.endsWith('.md') && !commandPages.has(f))
      .map((f) => path.join(DOCS, f));
    const problems = [path.join(ROOT, 'README.md'), ...general].flatMap((f) => unknownFlags(f, undefined));
    expect(problems).toEqual([]);
  });

  it('the checker catches a flag a command does not have, and reads the command from the line', () => {
    const fake = path.join(ROOT, 'docs', 'ws-probe.md');
    const text = [
      '```sh',
      'voicectl ws-probe URL --hold 1 --frobnicate',
      'voicectl bridge --listen 8000 \\',
      '  --hold 2',
      'az login --use-device-code',
      '```',
      '',
      'Start `voicectl bridge --listen <port>`, then `--timeout` and `--nope`; `devtunnel host --allow-anonymous`.',
    ].join('\n');
    const found = mentions(fake, text, 'ws-probe');
    expect(found.map((m) => `${m.command}:${m.flag}`)).toEqual([
      'ws-probe:hold',
      'ws-probe:frobnicate',
      'bridge:listen',
      'bridge:hold',
      'bridge:listen',
      'ws-probe:timeout',
      'ws-probe:nope',
    ]);
    const bad = found.filter((m) => !commandFlags.get(m.command!)!.has(m.flag)).map((m) => `${m.command}:${m.flag}`);
    expect(bad).toEqual(['ws-probe:frobnicate', 'bridge:hold', 'ws-probe:nope']);
  });
});
