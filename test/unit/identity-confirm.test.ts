/** The confirm-or-cancel step of `identity delete` and `token revoke`, on and off a terminal. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/cli/context.js';
import type { Io } from '../../src/cli/io.js';
import { confirmOrCancel } from '../../src/commands/identity/confirm.js';

/** A terminal that types `answer` once `question` is drawn on stderr; `drawn()` is what it showed. */
function terminal(o: { tty: boolean; answer?: string; question?: string; noInput?: boolean }): { ctx: CommandContext; drawn: () => string } {
  const stdin = Object.assign(new PassThrough(), { isTTY: o.tty, setRawMode: () => stdin });
  const stderr = Object.assign(new PassThrough(), { isTTY: o.tty });
  let drawn = '';
  let typed = false;
  stderr.on('data', (c: Buffer) => {
    drawn += c.toString();
    if (!typed && o.answer !== undefined && o.question && drawn.includes(o.question)) {
      typed = true;
      setImmediate(() => stdin.write(`${o.answer}\n`));
    }
  });
  const io: Io = {
    stdin,
    stdout: { write: () => true, isTTY: o.tty },
    stderr: stderr as unknown as Io['stderr'],
    env: {},
    cwd: '/',
    onSignal: () => () => {},
  };
  const ctx = {
    io,
    globals: () => ({ noInput: o.noInput === true }),
    config: () => Promise.reject(new Error('not used')),
    output: () => {
      throw new Error('not used');
    },
  } as unknown as CommandContext;
  return { ctx, drawn: () => drawn };
}

describe('confirmOrCancel', () => {
  it('answering no on a terminal is a plain "Cancelled" failure with the given message (exit 1, not 130)', async () => {
    const t = terminal({ tty: true, answer: 'n', question: 'Delete ACS user?' });
    const err = await confirmOrCancel(t.ctx, undefined, 'Delete ACS user?', 'Not deleted.').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UserError', code: 'VOICECTL_CANCELLED', message: 'Cancelled: Not deleted.', exitCode: 1 });
    expect(t.drawn()).toContain('Delete ACS user?');
  });

  it('Ctrl-C at the question is an interruption (exit 130)', async () => {
    const t = terminal({ tty: true, answer: '\u0003', question: 'Delete ACS user?' });
    const err = await confirmOrCancel(t.ctx, undefined, 'Delete ACS user?', 'Not deleted.').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'CancelledError', code: 'VOICECTL_INTERRUPTED', exitCode: 130 });
  });

  it('answering yes on a terminal goes ahead', async () => {
    const t = terminal({ tty: true, answer: 'y', question: 'Revoke every token?' });
    await expect(confirmOrCancel(t.ctx, undefined, 'Revoke every token?', 'Nothing revoked.')).resolves.toBeUndefined();
    expect(t.drawn()).toContain('Revoke every token?');
  });

  it('--yes goes ahead without asking, on a terminal or not', async () => {
    for (const tty of [true, false]) {
      const t = terminal({ tty });
      await expect(confirmOrCancel(t.ctx, true, 'Delete?', 'Not deleted.')).resolves.toBeUndefined();
      expect(t.drawn()).toBe('');
    }
  });

  it.each([
    ['no terminal', { tty: false }],
    ['--no-input on a terminal', { tty: true, noInput: true }],
  ])('%s without --yes is a usage error (exit 2) naming --yes', async (_name, o) => {
    const t = terminal(o);
    const err = await confirmOrCancel(t.ctx, undefined, 'Delete?', 'Not deleted.').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'VOICECTL_CONFIRM_REQUIRED', exitCode: 2, message: '--yes required when not running interactively.' });
    expect(t.drawn()).toBe('');
  });
});
