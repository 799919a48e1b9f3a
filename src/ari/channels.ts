/**
 * `voicectl ari channels`: live channels as rows (id, name, state, caller, dialplan
 * position, age). Source of the `Channel` shape: Asterisk 22 `rest-api/api-docs/channels.json`.
 */
import type { AriChannel } from './types.js';

/**
 * The channel summary of `ari channels --json` (one row) and `ari originate --json`: the
 * fields a user acts on, instead of the raw ARI Channel.
 */
export interface ChannelRow {
  id: string;
  name: string;
  state: string;
  /** `"Name" <number>`, `<number>`, `"Name"` or `''`. */
  caller: string;
  /** The connected line, same form as `caller` (`''` until the channel is bridged or answered). */
  connected: string;
  /** `context,exten,priority` plus the running application, e.g. `ctx,100,3 Stasis(app,inbound)`. */
  dialplan: string;
  /** Seconds since `creationtime` (integer, never negative); undefined when unparseable. */
  ageSeconds: number | undefined;
  creationtime: string;
}

/**
 * Parse an ARI timestamp such as `2026-11-22T01:28:45.446+0000` (offset without a colon).
 * @returns epoch ms, or undefined when unparseable.
 */
export function parseAriTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const t = Date.parse(normalised);
  return Number.isNaN(t) ? undefined : t;
}

/** Format a caller id as `"Name" <number>`. */
export function formatCaller(c: { name?: string; number?: string } | undefined): string {
  const name = c?.name ?? '';
  const number = c?.number ?? '';
  if (name && number) return `"${name}" <${number}>`;
  if (number) return `<${number}>`;
  if (name) return `"${name}"`;
  return '';
}

/** Turn channels into rows; `nowMs` is the clock (epoch ms). */
export function channelRows(channels: AriChannel[], nowMs: number): ChannelRow[] {
  return channels.map((c) => channelSummary(c, nowMs));
}

/** One channel as its summary row; `nowMs` is the clock (epoch ms) for `ageSeconds`. */
export function channelSummary(c: AriChannel, nowMs: number): ChannelRow {
  const t = parseAriTime(c.creationtime);
  const d = c.dialplan;
  const app = d?.app_name ? ` ${d.app_name}(${d.app_data ?? ''})` : '';
  return {
    id: c.id,
    name: c.name,
    state: c.state,
    caller: formatCaller(c.caller),
    connected: formatCaller(c.connected),
    dialplan: d ? `${d.context},${d.exten},${d.priority}${app}` : '',
    ageSeconds: t === undefined ? undefined : Math.max(0, Math.floor((nowMs - t) / 1000)),
    creationtime: c.creationtime,
  };
}

/** Seconds as `45s`, `3m05s`, `2h03m`. */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** Render rows as an aligned text table with a header line. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** One line for an event in `ari watch`'s human output, e.g. `StasisStart Local/100@ctx-0001;2 args=[inbound,100]`. */
export function describeEvent(e: { type: string; channel?: AriChannel; args?: string[]; [k: string]: unknown }): string {
  const parts: string[] = [e.type];
  if (e.channel) parts.push(`${e.channel.name} (${e.channel.id}) ${e.channel.state}`);
  if (e.args) parts.push(`args=[${e.args.join(',')}]`);
  if (typeof e.cause_txt === 'string') parts.push(`cause="${e.cause_txt}"`);
  const bridge = e.bridge as { id?: unknown } | undefined;
  if (typeof bridge?.id === 'string') parts.push(`bridge=${bridge.id}`);
  return parts.join(' ');
}
