/**
 * `voicectl catch`: the receiving end of ast-streamer's relay. Records the left, right and
 * mix legs of every call into `<out>/<id>-<leg>.wav` until SIGINT / SIGTERM.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../cli/context.js';

/** Parsed `voicectl catch` options. */
export interface CatchOptions {
  listen: number;
  host: string;
  out: string;
  rate: number;
  raw?: boolean;
  json?: boolean;
}

const HELP_AFTER = `
Paths (anything else is refused at the upgrade: 404, or 400 for a bad id):
  ws://HOST:PORT/left/{id}   ws://HOST:PORT/right/{id}   ws://HOST:PORT/mix/{id}
  {id} is the call's AID, a UUID; ast-streamer fills it in (its -l/-r/-m flags).

Each binary message is raw signed 16-bit little-endian mono PCM at --rate Hz, appended to
<out>/<id>-<leg>.wav. The WAV header is kept correct while the call streams, so the file
plays at any time; a reconnection for the same id and leg appends to the same file.
Text messages are ignored (and counted). Ctrl-C finalises every open file and exits 0.

Examples:
  voicectl catch                                   # 127.0.0.1:3031, files in ./
  voicectl catch --out recordings --raw            # also keep <id>-<leg>.raw
  voicectl catch --host 0.0.0.0 --listen 3031 --json   # NDJSON events on stdout

ast-streamer settings for the defaults:
  AST_STREAMER_LEFT="ws://localhost:3031/left/{id}"
  AST_STREAMER_RIGHT="ws://localhost:3031/right/{id}"
  AST_STREAMER_MIX="ws://localhost:3031/mix/{id}"`;

/** Build `voicectl catch`. */
export function catchCommand(ctx: CommandContext): Command {
  return new Command('catch')
    .summary("record ast-streamer's left/right/mix audio relay into WAV files")
    .description(
      "Receive ast-streamer's WebSocket relay (left, right and mix legs of each call) and record one playable WAV file per call leg.",
    )
    .addOption(new Option('--listen <port>', 'TCP port to listen on (0 picks a free one)').default(3031).argParser(parsePort))
    .addOption(new Option('--host <address>', 'interface to listen on (0.0.0.0 for all)').default('127.0.0.1'))
    .addOption(new Option('--out <dir>', 'directory for the WAV files (created when missing)').default('.'))
    .addOption(new Option('--rate <hz>', 'sample rate of the relayed PCM16 audio, in Hz').default(8000).argParser(parseRate))
    .option('--raw', 'also keep the raw PCM in <id>-<leg>.raw')
    .option('--json', 'NDJSON events on stdout: catch.listening, stream.started, stream.ended, catch.stopped')
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: CatchOptions) => runCatch(ctx, opts));
}

async function runCatch(ctx: CommandContext, opts: CatchOptions): Promise<void> {
  const output = ctx.output({ json: opts.json });
  const [{ prepareOutDir }, { startCatchServer }, { describeCatchEvent }, errors] = await Promise.all([
    import('../catch/out-dir.js'),
    import('../catch/server.js'),
    import('../catch/describe.js'),
    import('../core/errors.js'),
  ]);
  const outDir = await prepareOutDir(opts.out, ctx.io.cwd);

  // first signal: a clean stop; a second one: stop waiting (the files are valid already)
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let force!: (err: Error) => void;
  const forced = new Promise<never>((_, reject) => (force = reject));
  forced.catch(() => {});
  let signals = 0;
  const removeSignal = ctx.io.onSignal(() => {
    signals += 1;
    if (signals === 1) stop();
    else {
      const { CancelledError } = errors;
      force(new CancelledError('Interrupted again: stopped without waiting for the relays to close', {
        hint: 'Every file already has a valid header up to its last write.',
      }));
    }
  });
  try {
    const server = await startCatchServer({
      host: opts.host,
      port: opts.listen,
      outDir,
      sampleRate: opts.rate,
      raw: opts.raw === true,
      onEvent: (event) => {
        const { type, ...data } = event;
        output.event(type, data);
        if (output.jsonMode) return;
        if (type === 'stream.failed' || type === 'stream.refused') output.warn(describeCatchEvent(event));
        else output.info(describeCatchEvent(event));
      },
    });
    const url = `ws://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
    output.event('catch.listening', {
      host: server.host,
      port: server.port,
      url,
      paths: ['/left/{id}', '/right/{id}', '/mix/{id}'],
      out: outDir,
      rate: opts.rate,
      raw: opts.raw === true,
    });
    output.info(`Listening on ${url}/{left|right|mix}/{id}: PCM16 mono at ${opts.rate} Hz → ${outDir}`);
    output.info('Press Ctrl-C to stop; open files are finalised.');

    await stopped;
    output.info('Stopping: closing relays and finalising files…');
    const summary = await Promise.race([server.close(), forced]);
    output.event('catch.stopped', { ...summary });
    output.info(`Stopped: ${summary.streams} stream(s), ${summary.files.length} file(s), ${summary.bytes} audio bytes.`);
  } finally {
    removeSignal();
  }
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n > 65535) {
    throw new InvalidArgumentError('expected a TCP port number 0-65535, e.g. --listen 3031.');
  }
  return n;
}

function parseRate(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1000 || n > 192000) {
    throw new InvalidArgumentError('expected a sample rate in Hz between 1000 and 192000, e.g. --rate 8000 or --rate 16000.');
  }
  return n;
}
