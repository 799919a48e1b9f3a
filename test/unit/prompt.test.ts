import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { canPrompt, confirmAction, promptValue } from '../../src/cli/prompt.js';
import { UsageError } from '../../src/core/errors.js';

function io(tty: { stdin: boolean; stdout: boolean }, env: Record<string, string> = {}): Io {
  const stdin = Object.assign(new PassThrough(), { isTTY: tty.stdin });
  return {
    stdin,
    stdout: { write: () => true, isTTY: tty.stdout },
    stderr: { write: () => true, isTTY: tty.stdout },
    env,
    cwd: '/',
    onSignal: () => () => {},
  };
}

describe('canPrompt', () => {
  it.each([
    [{ stdin: true, stdout: true }, {}, {}, true],
    [{ stdin: false, stdout: true }, {}, {}, false],
    [{ stdin: true, stdout: false }, {}, {}, false],
    [{ stdin: true, stdout: true }, { CI: 'true' }, {}, false],
    [{ stdin: true, stdout: true }, { CI: '1' }, {}, false],
    [{ stdin: true, stdout: true }, { CI: 'false' }, {}, true],
    [{ stdin: true, stdout: true }, { VOICECTL_NO_PROMPT: '1' }, {}, false],
    [{ stdin: true, stdout: true }, {}, { noInput: true }, false],
  ])('tty %o env %o opts %o -> %s', (tty, env, opts, expected) => {
    expect(canPrompt(io(tty, env as Record<string, string>), opts)).toBe(expected);
  });
});

describe('promptValue without a terminal', () => {
  it('fails with exit 2 naming the flag and the env variable', async () => {
    const err = await promptValue(io({ stdin: false, stdout: false }), {
      message: 'ARI password?',
      what: 'ARI password',
      envVar: 'ASTERISK_ARI_PASSWORD',
      secret: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as UsageError).message).toBe('Missing ARI password: set ASTERISK_ARI_PASSWORD (environment or .env).');
  });
});

describe('confirmAction without a terminal', () => {
  it('requires the confirming flag', async () => {
    const err = await confirmAction(io({ stdin: true, stdout: true }, { CI: '1' }), 'Delete?', { flag: '--yes' }).catch(
      (e: unknown) => e,
    );
    expect((err as UsageError).message).toBe('--yes required when not running interactively.');
    expect((err as UsageError).exitCode).toBe(2);
  });
});

describe('promptValue on a terminal', () => {
  it('reads the answer from the command stdin and draws the prompt on its stderr', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
    let drawn = '';
    let answered = false;
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    stderr.on('data', (c: Buffer) => {
      drawn += c.toString();
      // answer once the prompt is on screen, as a person would
      if (!answered && drawn.includes('ARI user?')) {
        answered = true;
        setTimeout(() => stdin.write('asterisk\n'), 20);
      }
    });
    const stdoutWrites: string[] = [];
    const ttyIo: Io = {
      stdin,
      stdout: { write: (s: string) => stdoutWrites.push(s), isTTY: true },
      stderr: stderr as unknown as Io['stderr'],
      env: {},
      cwd: '/',
      onSignal: () => () => {},
    };
    const answer = promptValue(ttyIo, { message: 'ARI user?', what: 'ARI user', flag: '--user' });
    expect(await answer).toBe('asterisk');
    expect(drawn).toContain('ARI user?');
    expect(stdoutWrites).toEqual([]);
  });
});
