/**
 * The doctor's checklist for a terminal: one block per group, one line per check
 * (✓ pass, ✗ fail, – skip), each failure followed by its fix, then a summary line.
 * Pure: returns lines, colours come from the caller.
 */
import { GROUP_SETTINGS, NOT_CONFIGURED } from './plan.js';
import { OFFLINE_GROUPS, type CheckResult, type DoctorReport } from './types.js';

/** The colour functions the checklist uses (chalk-compatible; identity for plain text). */
export interface ChecklistColors {
  green(s: string): string;
  red(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const PLAIN: ChecklistColors = { green: (s) => s, red: (s) => s, dim: (s) => s, bold: (s) => s };

/** Marks per status. */
export const MARKS = { pass: '✓', fail: '✗', skip: '–' } as const;

/** Render the report as lines (no trailing newline). */
export function renderChecklist(report: DoctorReport, colors: ChecklistColors = PLAIN): string[] {
  const width = Math.min(38, Math.max(...report.checks.map((c) => c.name.length), 4));
  const lines: string[] = [];
  let group: string | undefined;
  for (const c of report.checks) {
    if (c.group !== group) {
      group = c.group;
      lines.push(colors.bold(group));
    }
    lines.push(checkLine(c, width, colors));
    if (c.status === 'fail' && c.hint) lines.push(`      ${colors.dim('fix:')} ${c.hint}`);
  }
  lines.push('', ...summaryLines(report, colors));
  return lines;
}

function checkLine(c: CheckResult, width: number, colors: ChecklistColors): string {
  const mark = c.status === 'pass' ? colors.green(MARKS.pass) : c.status === 'fail' ? colors.red(MARKS.fail) : colors.dim(MARKS.skip);
  const time = c.status === 'skip' || c.group === 'env' ? '' : colors.dim(` (${c.ms} ms)`);
  const message = c.status === 'skip' ? colors.dim(c.message) : c.message;
  return `  ${mark} ${c.name.padEnd(width)}  ${message}${time}`;
}

/**
 * What the run says about the setup:
 * - `not_ready`: a check failed (the exit code is 1);
 * - `ready`: nothing failed and a check of a platform group passed (acs, aoai, public,
 *   asterisk: every group but env and tools), so something was proven to work;
 * - `nothing_configured`: nothing failed, and every platform check present was skipped for
 *   lack of settings (a fresh directory);
 * - `not_verified`: nothing failed, but no platform check ran (`--offline`, `--only env,tools`).
 * Only `not_ready` changes the exit code: a skip is not a failure.
 */
export type DoctorVerdict = 'ready' | 'not_ready' | 'nothing_configured' | 'not_verified';

/** The verdict of a report (see {@link DoctorVerdict}). */
export function doctorVerdict(report: DoctorReport): DoctorVerdict {
  if (!report.ok || report.checks.some((c) => c.status === 'fail')) return 'not_ready';
  const platform = report.checks.filter((c) => !OFFLINE_GROUPS.includes(c.group));
  if (platform.some((c) => c.status === 'pass')) return 'ready';
  if (platform.length > 0 && platform.every((c) => c.status === 'skip' && c.message.startsWith(NOT_CONFIGURED))) return 'nothing_configured';
  return 'not_verified';
}

/** `9 passed · 1 failed · 3 skipped`, with the verdict (see {@link doctorVerdict}). */
export function summaryLine(report: DoctorReport, colors: ChecklistColors = PLAIN): string {
  return summaryLines(report, colors)[0]!;
}

/**
 * The summary: the verdict with the counts, and, when nothing is configured, a second line
 * naming the first command to run and each platform group's variables.
 */
export function summaryLines(report: DoctorReport, colors: ChecklistColors = PLAIN): string[] {
  const n = (s: CheckResult['status']): number => report.checks.filter((c) => c.status === s).length;
  const counts = `${n('pass')} passed · ${n('fail')} failed · ${n('skip')} skipped`;
  const platforms = (Object.keys(GROUP_SETTINGS) as Array<keyof typeof GROUP_SETTINGS>);
  switch (doctorVerdict(report)) {
    case 'ready':
      return [`${colors.green('ready:')} ${counts}`];
    case 'not_ready':
      return [`${colors.red('not ready:')} ${counts}`];
    case 'nothing_configured': {
      const vars = platforms.map((g) => `${GROUP_SETTINGS[g].required.join(' and ')} (${g})`).join(' · ');
      return [
        `${colors.bold('nothing configured yet:')} ${counts}`,
        `next: run \`voicectl scaffold env\`, then fill in the variables of a group: ${vars}`,
      ];
    }
    case 'not_verified':
      return [`${colors.dim('not verified:')} ${counts} (ready needs a passing ${orList(platforms)} check)`];
  }
}

/** `a, b, c or d`. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
