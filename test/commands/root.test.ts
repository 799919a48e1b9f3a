import { describe, expect, it } from 'vitest';
import { COMMANDS, invokedCommand } from '../../src/commands/index.js';
import { createContext } from '../../src/cli/context.js';
import { voicectlVersion } from '../../src/cli/version.js';
import { runVoicectl, startCli } from '../helpers/run-cli.js';

describe('voicectl (root)', () => {
  it('--help lists every command and the exit codes, on stdout, exit 0', async () => {
    const r = await runVoicectl(['--help']);
    expect(r.code).toBe(0);
    for (const entry of COMMANDS) {
      expect(r.stdout).toMatch(new RegExp(`^  ${entry.name}\\b.*${entry.summary.slice(0, 20)}`, 'm'));
    }
    expect(r.stdout).toContain('130  interrupted');
    expect(r.stderr).toBe('');
  });

  it('every table entry loads a factory whose command has that name and its own help', async () => {
    const ctx = createContext(startCli(['--version']).io, () => ({}));
    for (const entry of COMMANDS) {
      const command = (await entry.load())(ctx);
      expect(command.name()).toBe(entry.name);
      expect(command.description().length).toBeGreaterThan(10);
    }
  });

  it.each([
    [['bridge', '--listen', '8000'], 'bridge'],
    [['--env-file', 'bridge', 'token', 'issue'], 'token'],
    [['--verbose', 'help', 'ari'], 'ari'],
    [['--help'], undefined],
    [['brige'], undefined],
  ])('invokedCommand(%j) is %s', (argv, expected) => {
    expect(invokedCommand(argv)?.name).toBe(expected);
  });

  it('subcommand help is complete: voicectl token --help lists its verbs', async () => {
    const r = await runVoicectl(['token', '--help']);
    expect(r.code).toBe(0);
    for (const verb of ['issue', 'revoke', 'twilio']) expect(r.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
  });

  it('--version prints the package version', async () => {
    const r = await runVoicectl(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(voicectlVersion());
    expect(voicectlVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('an unknown command is a usage error: exit 2, message and hint on stderr', async () => {
    const r = await runVoicectl(['brige']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("Error: unknown command 'brige'");
    expect(r.stderr).toContain('(Did you mean bridge?)');
    expect(r.stderr).toContain('hint: Run `voicectl --help`');
  });

  it('with --json a usage error is one JSON document on stdout, nothing else', async () => {
    const r = await runVoicectl(['brige', '--json']);
    expect(r.code).toBe(2);
    expect(r.json()).toEqual({
      ok: false,
      error: { code: 'VOICECTL_USAGE', message: expect.stringContaining("unknown command 'brige'"), hint: expect.any(String) },
    });
  });

  it('--help never loads the configuration, so a missing --env-file does not matter', async () => {
    const h = startCli(['--env-file', '/nonexistent/voicectl.env', '--help']);
    expect(await h.done).toBe(0);
  });
});
