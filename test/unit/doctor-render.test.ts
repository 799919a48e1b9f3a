/**
 * The doctor's terminal checklist (src/doctor/render.ts) and the `--only` parser of the
 * command (src/commands/doctor.ts).
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseGroups } from '../../src/commands/doctor.js';
import { MARKS, renderChecklist, summaryLine } from '../../src/doctor/render.js';
import type { CheckResult, DoctorReport } from '../../src/doctor/types.js';

const check = (c: Partial<CheckResult> & Pick<CheckResult, 'group' | 'name' | 'status'>): CheckResult => ({ ms: 0, message: '', ...c });

const REPORT: DoctorReport = {
  ok: false,
  checks: [
    check({ group: 'env', name: 'env file', status: 'pass', message: '/srv/voice/.env: 6 variables, mode 0600' }),
    check({ group: 'env', name: 'AOAI_VOICE', status: 'fail', message: 'AOAI_VOICE "nova" is not a Realtime voice', hint: 'Use one of alloy, ash.' }),
    check({ group: 'tools', name: 'cloudflared', status: 'pass', ms: 42, message: '2025.8.0 (/usr/local/bin/cloudflared)' }),
    check({ group: 'tools', name: 'ngrok', status: 'skip', message: 'not on PATH (ngrok tunnel for voicectl tunnel up)', hint: 'Install it if you need it: brew install ngrok.' }),
    check({ group: 'aoai', name: 'realtime session', status: 'skip', message: 'not run: fix AOAI_VOICE first (see env)' }),
    check({ group: 'public', name: 'health', status: 'fail', ms: 1234, message: 'calm-river-42.trycloudflare.com refused the connection', hint: 'Start the tunnel.' }),
    check({ group: 'public', name: 'media websocket', status: 'skip', message: 'not run: the public host did not answer (see health)' }),
  ],
};

describe('renderChecklist', () => {
  const lines = renderChecklist(REPORT);

  it('prints each group header once, in report order', () => {
    const headers = lines.filter((l) => l !== '' && !l.startsWith(' '));
    expect(headers).toEqual(['env', 'tools', 'aoai', 'public', summaryLine(REPORT)]);
  });

  it('prints one line per check with its mark, name and message', () => {
    const checkLines = lines.filter((l) => /^ {2}[✓✗–] /.test(l));
    expect(checkLines).toHaveLength(REPORT.checks.length);
    expect(checkLines[0]).toMatch(/^ {2}✓ env file +\/srv\/voice\/\.env: 6 variables, mode 0600$/);
    expect(checkLines[1]).toMatch(/^ {2}✗ AOAI_VOICE +AOAI_VOICE "nova" is not a Realtime voice$/);
    expect(checkLines[3]).toMatch(/^ {2}– ngrok +not on PATH/);
    expect(MARKS).toEqual({ pass: '✓', fail: '✗', skip: '–' });
  });

  it('shows the time of network and tool checks, not of env checks or skips', () => {
    expect(lines.find((l) => l.includes(' cloudflared '))).toMatch(/\(42 ms\)$/);
    expect(lines.find((l) => l.includes(' health '))).toMatch(/\(1234 ms\)$/);
    expect(lines.find((l) => l.includes(' env file '))).not.toContain('ms)');
    expect(lines.find((l) => l.includes(' ngrok '))).not.toContain('ms)');
  });

  it('aligns the messages in one column, after the longest name', () => {
    const column = 4 + 'realtime session'.length + 2; // "  ✓ " + padded name + two spaces
    const checkLines = lines.filter((l) => /^ {2}[✓✗–] /.test(l));
    checkLines.forEach((l, i) => {
      const message = REPORT.checks[i]!.message;
      expect(l.slice(column, column + message.length)).toBe(message);
    });
  });

  it('follows a failure with its fix line', () => {
    const voice = lines.findIndex((l) => l.includes('✗ AOAI_VOICE'));
    expect(lines[voice + 1]).toBe('      fix: Use one of alloy, ash.');
    const health = lines.findIndex((l) => l.includes('✗ health'));
    expect(lines[health + 1]).toBe('      fix: Start the tunnel.');
    expect(lines.filter((l) => l.includes('fix:'))).toHaveLength(2);
  });

  it('does not print the hint of a skip', () => {
    expect(lines.join('\n')).not.toContain('Install it if you need it');
  });

  it('ends with a blank line and the summary', () => {
    expect(lines.slice(-2)).toEqual(['', 'not ready: 2 passed · 2 failed · 3 skipped']);
  });

  it('colours marks, hints and skips through the given functions', () => {
    const tag = (t: string) => (s: string) => `<${t}>${s}</${t}>`;
    const coloured = renderChecklist(REPORT, { green: tag('g'), red: tag('r'), dim: tag('d'), bold: tag('b') });
    expect(coloured[0]).toBe('<b>env</b>');
    expect(coloured.find((l) => l.includes('env file'))).toContain('<g>✓</g>');
    expect(coloured.find((l) => l.includes('AOAI_VOICE "nova"'))).toContain('<r>✗</r>');
    expect(coloured.find((l) => l.includes(' ngrok '))).toContain('<d>–</d> ngrok');
    expect(coloured.find((l) => l.includes(' ngrok '))).toContain('<d>not on PATH');
    expect(coloured).toContain('      <d>fix:</d> Start the tunnel.');
    expect(coloured.at(-1)).toBe('<r>not ready:</r> 2 passed · 2 failed · 3 skipped');
  });
});

describe('summaryLine', () => {
  it('says ready with the counts when nothing failed and a platform check (acs, aoai, public, asterisk) passed', () => {
    const report: DoctorReport = {
      ok: true,
      checks: [
        check({ group: 'env', name: 'env file', status: 'pass' }),
        check({ group: 'tools', name: 'az', status: 'pass' }),
        check({ group: 'acs', name: 'identity round trip', status: 'pass' }),
        check({ group: 'aoai', name: 'realtime session', status: 'skip', message: 'not configured (set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT)' }),
      ],
    };
    expect(summaryLine(report)).toBe('ready: 3 passed · 0 failed · 1 skipped');
  });

  it('says not ready with the counts when a check failed', () => {
    const report: DoctorReport = {
      ok: false,
      checks: [check({ group: 'env', name: 'env file', status: 'pass' }), check({ group: 'aoai', name: 'realtime session', status: 'fail' })],
    };
    expect(summaryLine(report)).toBe('not ready: 1 passed · 1 failed · 0 skipped');
  });

  const notConfigured = (group: CheckResult['group'], name: string, vars: string): CheckResult =>
    check({ group, name, status: 'skip', message: `not configured (set ${vars})` });
  const NOTHING: DoctorReport = {
    ok: true,
    checks: [
      check({ group: 'env', name: 'env file', status: 'skip', message: 'nothing configured: no env file and no voicectl variable in the environment' }),
      check({ group: 'tools', name: 'cloudflared', status: 'pass' }),
      check({ group: 'tools', name: 'az', status: 'skip' }),
      notConfigured('acs', 'identity round trip', 'AZURE_COMMUNICATION_CONNECTION_STRING'),
      notConfigured('aoai', 'realtime session', 'AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT'),
      notConfigured('public', 'health', 'CALLBACK_URI_HOST'),
      check({ group: 'public', name: 'media websocket', status: 'skip', message: 'not configured (set CALLBACK_URI_HOST)' }),
      notConfigured('asterisk', 'ari', 'ASTERISK_ARI_USERNAME and ASTERISK_ARI_PASSWORD'),
    ],
  };

  it('with every platform group skipped for lack of settings: "nothing configured yet" and the first command, never "ready"', () => {
    expect(summaryLine(NOTHING)).toBe('nothing configured yet: 1 passed · 0 failed · 7 skipped');
    const lines = renderChecklist(NOTHING);
    expect(lines.slice(-2)).toEqual([
      'nothing configured yet: 1 passed · 0 failed · 7 skipped',
      'next: run `voicectl scaffold env`, then fill in the variables of a group: AZURE_COMMUNICATION_CONNECTION_STRING (acs) · AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT (aoai) · CALLBACK_URI_HOST (public) · ASTERISK_ARI_USERNAME and ASTERISK_ARI_PASSWORD (asterisk) · TWILIO_ACCOUNT_SID (twilio)',
    ]);
    expect(lines.join('\n')).not.toMatch(/^ready/m);
  });

  it('with env and tools only (--offline, or --only env,tools): not "ready", and says why', () => {
    const offline: DoctorReport = {
      ok: true,
      checks: [
        check({ group: 'env', name: 'env file', status: 'pass' }),
        check({ group: 'acs', name: 'identity round trip', status: 'skip', message: 'not run: --offline' }),
      ],
    };
    expect(summaryLine(offline)).toBe('not verified: 1 passed · 0 failed · 1 skipped (ready needs a passing acs, aoai, public, asterisk or twilio check)');
    expect(summaryLine({ ok: true, checks: [check({ group: 'tools', name: 'az', status: 'pass' })] })).toMatch(/^not verified: /);
  });
});

describe('parseGroups (--only)', () => {
  it('splits a comma list', () => {
    expect(parseGroups('acs,aoai')).toEqual(['acs', 'aoai']);
  });

  it('removes duplicates, keeping the first place', () => {
    expect(parseGroups('aoai,env,aoai,env')).toEqual(['aoai', 'env']);
  });

  it('trims spaces and ignores empty items', () => {
    expect(parseGroups(' env , tools ')).toEqual(['env', 'tools']);
    expect(parseGroups('env,,tools,')).toEqual(['env', 'tools']);
  });

  it.each([
    ['foo', 'unknown group "foo"'],
    ['env,foo,bar', 'unknown group "foo", "bar"'],
    ['', 'no group given'],
    [' , ', 'no group given'],
  ])('rejects %j with an InvalidArgumentError naming the valid groups', (value, why) => {
    let error: unknown;
    try {
      parseGroups(value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(`${why}; groups are env, tools, acs, aoai, public, asterisk, twilio.`);
  });
});
