/**
 * The doctor's checklist for a terminal: one block per group, one line per check
 * (✓ pass, ✗ fail, – skip), each failure followed by its fix, then a summary line.
 * Pure: returns lines, colours come from the caller.
 */
import type { CheckResult, DoctorReport } from './types.js';

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
  lines.push('', summaryLine(report, colors));
  return lines;
}

function checkLine(c: CheckResult, width: number, colors: ChecklistColors): string {
  const mark = c.status === 'pass' ? colors.green(MARKS.pass) : c.status === 'fail' ? colors.red(MARKS.fail) : colors.dim(MARKS.skip);
  const time = c.status === 'skip' || c.group === 'env' ? '' : colors.dim(` (${c.ms} ms)`);
  const message = c.status === 'skip' ? colors.dim(c.message) : c.message;
  return `  ${mark} ${c.name.padEnd(width)}  ${message}${time}`;
}

/** `9 passed · 1 failed · 3 skipped`, with the verdict. */
export function summaryLine(report: DoctorReport, colors: ChecklistColors = PLAIN): string {
  const n = (s: CheckResult['status']): number => report.checks.filter((c) => c.status === s).length;
  const counts = `${n('pass')} passed · ${n('fail')} failed · ${n('skip')} skipped`;
  if (report.ok && n('pass') === 0) return `${colors.dim('nothing checked:')} ${counts} (set the variables of a group, see --help)`;
  return report.ok ? `${colors.green('ready:')} ${counts}` : `${colors.red('not ready:')} ${counts}`;
}
