/**
 * The human form of a probe report: one line per phase with its timing, then the verdict
 * and the hint. Returns lines; the command prints them (colours come from the caller, so
 * they are plain when stdout is not a terminal).
 */
import type { ProbeReport, TlsPhase, UpgradePhase } from './types.js';

/** The colour functions the renderer uses (a chalk instance fits). */
export interface ReportColors {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** Where detail text starts: after name, status and timing columns. */
const INDENT = ' '.repeat(27);

const PLAIN: ReportColors = { green: (t) => t, red: (t) => t, yellow: (t) => t, dim: (t) => t, bold: (t) => t };

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

function date(iso: string): string {
  return iso.slice(0, 10);
}

function tlsDetail(t: TlsPhase): string {
  const parts: string[] = [];
  if (t.protocol) parts.push(t.protocol);
  if (t.alpn !== undefined) parts.push(`ALPN ${t.alpn === false ? 'none' : t.alpn}`);
  const c = t.certificate;
  if (c) {
    parts.push(`subject ${c.subject || '(empty)'}`);
    parts.push(c.selfSigned ? 'self-signed' : `issuer ${c.issuer}`);
    parts.push(`valid ${date(c.validFrom)} → ${date(c.validTo)}`);
    if (c.subjectAltNames.length) parts.push(`SANs ${c.subjectAltNames.join(', ')}`);
  }
  if (t.ok && t.authorizationError) parts.push(`NOT TRUSTED (${t.authorizationError}, accepted with --insecure)`);
  return parts.join(' · ');
}

function upgradeDetail(u: UpgradePhase): string {
  const parts: string[] = [];
  if (u.status !== undefined) parts.push(`${u.status}${u.statusText ? ` ${u.statusText}` : ''}`);
  const h = u.headers ?? {};
  if (h.server) parts.push(`server ${h.server}`);
  if (h.location) parts.push(`location ${h.location}`);
  if (h.contentType) parts.push(`content-type ${h.contentType}`);
  if (h.cfRay) parts.push(`cf-ray ${h.cfRay}`);
  if (h.wwwAuthenticate) parts.push(`www-authenticate ${h.wwwAuthenticate}`);
  if (h.secWebSocketProtocol) parts.push(`subprotocol ${h.secWebSocketProtocol}`);
  return parts.join(' · ');
}

/**
 * Render one report as lines of text.
 * @param colors colour functions; plain text when omitted.
 */
export function renderReport(report: ProbeReport, colors: ReportColors = PLAIN): string[] {
  const c = colors;
  const lines: string[] = [c.bold(report.target || report.url) + (report.target && report.target !== report.url ? c.dim(`  (from ${report.url})`) : '')];
  const row = (name: string, ok: boolean | 'skip', took: string, detail: string, error?: string): void => {
    const status = ok === 'skip' ? c.dim('skip') : ok ? c.green('ok  ') : c.red('FAIL');
    lines.push(`  ${name.padEnd(8)}${status}  ${took.padStart(9)}  ${detail}`.trimEnd());
    if (error) lines.push(`${INDENT}${c.red(error)}`);
  };
  const { dns, tcp, tls, upgrade, open } = report.phases;
  if (dns) {
    if (dns.skipped) row('dns', 'skip', '', `${dns.host} is an IP address`);
    else row('dns', dns.ok, ms(dns.ms), dns.addresses.join(', '), dns.ok ? undefined : dns.error);
  }
  if (tcp) {
    // failed attempts before the one that answered (a lone failed attempt is the error line)
    const tried = tcp.ok || (tcp.attempts ?? []).length > 1 ? (tcp.attempts ?? []).map((a) => `${a.address} ${a.code ?? a.error}`) : [];
    const detail = tcp.ok ? `${tcp.address}:${tcp.port}` : `port ${tcp.port}`;
    row('tcp', tcp.ok, ms(tcp.ms), tried.length ? `${detail}${c.dim(` (tried ${tried.join(', ')})`)}` : detail, tcp.ok ? undefined : tcp.error);
  }
  if (tls) row('tls', tls.ok, ms(tls.ms), tlsDetail(tls), tls.ok ? undefined : tls.error);
  if (upgrade) {
    row('upgrade', upgrade.ok, ms(upgrade.ms), upgradeDetail(upgrade), upgrade.ok || upgrade.status !== undefined ? undefined : upgrade.error);
    if (upgrade.body) lines.push(`${INDENT}${c.dim(`body: ${JSON.stringify(upgrade.body)}`)}`);
  }
  if (open) {
    const ping = open.pingMs === null ? 'no pong' : `ping ${ms(open.pingMs)}`;
    const detail = open.closed
      ? `${ping} · closed after ${ms(open.closed.afterMs)}: code ${open.closed.code}${open.closed.reason ? ` "${open.closed.reason}"` : ''}${open.closed.error ? ` (${open.closed.error})` : ''}`
      : `${ping} · held ${ms(open.heldMs)}${open.messages ? ` · ${open.messages} message(s) received` : ''}`;
    row('open', open.ok, ms(open.heldMs), detail);
  }
  const verdict = report.ok ? c.green(report.verdict) : c.red(c.bold(report.verdict));
  lines.push(`  ${'verdict'.padEnd(8)}${verdict}  ${report.message}`);
  if (report.hint) lines.push(`  ${'hint'.padEnd(8)}${c.yellow(report.hint)}`);
  return lines;
}

/** Render several reports, blank-line separated, with a summary line when there are more than one. */
export function renderReports(reports: ProbeReport[], colors: ReportColors = PLAIN): string[] {
  const lines: string[] = [];
  reports.forEach((r, i) => {
    if (i > 0) lines.push('');
    lines.push(...renderReport(r, colors));
  });
  if (reports.length > 1) {
    const ok = reports.filter((r) => r.ok).length;
    lines.push('', `${ok} of ${reports.length} URLs ok`);
  }
  return lines;
}
