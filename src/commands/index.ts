/**
 * The flat command table. Each entry names a top-level command, gives its one-line
 * summary for `voicectl --help`, and loads its factory `(ctx) => Command` on demand.
 *
 * Only the command a run actually invokes is imported (see `createProgram`); the others
 * appear in the root help as name + summary. So `voicectl --help` loads this file and
 * commander, nothing else, and `voicectl bridge` never loads the ACS identity commands.
 * Command files import only commander and types at load time and `await import()` their
 * domain modules inside the action.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';

/** A command factory. */
export type CommandFactory = (ctx: CommandContext) => Command;

/** One top-level command. */
export interface CommandEntry {
  /** The command name, as typed (must equal the factory's `Command#name()`). */
  name: string;
  /** One line for the root help. */
  summary: string;
  /** Import the command's file and return its factory. */
  load(): Promise<CommandFactory>;
}

/** Every top-level command, in help order. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'bridge',
    summary: 'relay ACS media streaming to Azure OpenAI Realtime, many calls at once',
    load: async () => (await import('./bridge.js')).bridgeCommand,
  },
  {
    name: 'call',
    summary: 'place an ACS call that streams its media to the bridge, and follow it',
    load: async () => (await import('./call.js')).callCommand,
  },
  {
    name: 'doctor',
    summary: 'check the whole setup in one command: env, tools, ACS, Azure OpenAI, public URL, Asterisk',
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
  {
    name: 'ws-probe',
    summary: 'prove a wss:// URL upgrades and stays open, hop by hop, with the fix for the hop that fails',
    load: async () => (await import('./ws-probe.js')).wsProbeCommand,
  },
  {
    name: 'tunnel',
    summary: 'expose the bridge through cloudflared, devtunnel or ngrok, and probe it',
    load: async () => (await import('./tunnel/index.js')).tunnelCommand,
  },
  {
    name: 'scaffold',
    summary: 'write a commented .env, Asterisk ari.conf / http.conf and a Stasis dialplan',
    load: async () => (await import('./scaffold.js')).scaffoldCommand,
  },
  {
    name: 'identity',
    summary: 'create and delete ACS users',
    load: async () => (await import('./identity/index.js')).identityCommand,
  },
  {
    name: 'token',
    summary: 'issue and revoke ACS access tokens; mint Twilio Voice access tokens',
    load: async () => (await import('./token/index.js')).tokenCommand,
  },
  {
    name: 'acs',
    summary: 'create the ACS resource, show it, put its keys into .env',
    load: async () => (await import('./acs/index.js')).acsCommand,
  },
  {
    name: 'twilio',
    summary: 'point Twilio phone numbers at the bridge\'s /twilio/voice webhook',
    load: async () => (await import('./twilio/index.js')).twilioCommand,
  },
  {
    name: 'ari',
    summary: 'Asterisk ARI: check the setup step by step, call control, watch events',
    load: async () => (await import('./ari/index.js')).ariCommand,
  },
  {
    name: 'catch',
    summary: 'receive an ast-streamer relay: one WAV file per call leg',
    load: async () => (await import('./catch.js')).catchCommand,
  },
];

/** Global options that take a value (their value is never a command name). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--env-file', '--dotenv']);

/**
 * The top-level command a run invokes, from its argv (without node and script):
 * the first word that is not an option or an option's value, or the word after `help`.
 * @returns the command's entry, or `undefined` (root help, version, or an unknown word).
 */
export function invokedCommand(argv: readonly string[]): CommandEntry | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-') || arg === 'help') continue;
    return COMMANDS.find((c) => c.name === arg);
  }
  return undefined;
}
