/**
 * The root commander program: global flags, help topics, and the command table from
 * `src/commands/index.ts`. Parsing never exits the process (`exitOverride`), so tests
 * can run `main(argv)` in-process.
 */
import { Command, Option } from 'commander';
import { COMMANDS, invokedCommand } from '../commands/index.js';
import { createContext, type CommandContext, type GlobalOptions } from './context.js';
import type { Io } from './io.js';
import { voicectlVersion } from './version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    the operation ran and failed, or a check found a problem
  2    usage or configuration error (bad or missing flag or env value, unreadable file)
  130  interrupted

Configuration: flag > environment > env file (--env-file, default ./.env) > default.
Run \`voicectl scaffold env\` to write a commented .env with every variable voicectl reads.`;

/**
 * Build the program for one run of `argv`. Only the invoked command's definition is
 * loaded; every other command is a name + summary stub for the root help and for
 * "did you mean" suggestions.
 */
export async function createProgram(io: Io, argv: readonly string[]): Promise<{ program: Command; ctx: CommandContext }> {
  const program = new Command('voicectl');
  const ctx = createContext(io, () => program.opts<GlobalOptions>());

  program
    .description('Telephony setup, probing and diagnostics for phone calls wired to realtime speech AI.')
    .version(voicectlVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--env-file <path>', 'read settings from this env file (default ./.env when present)'))
    .addOption(new Option('--dotenv <path>', 'same as --env-file (a spelling Node 20 does not intercept)').hideHelp())
    .option('--verbose', 'more detail on stderr (secrets stay masked)')
    .option('--no-input', 'never prompt; fail with exit 2 when a value is missing')
    .addHelpText('after', EXIT_CODES_HELP)
    .showSuggestionAfterError(true)
    .hook('preAction', (root) => {
      const o = root.opts<GlobalOptions & { dotenv?: string; input?: boolean }>();
      if (o.dotenv && !o.envFile) root.setOptionValue('envFile', o.dotenv);
      // commander stores --no-input as input=false
      root.setOptionValue('noInput', o.input === false);
    });

  const invoked = invokedCommand(argv);
  for (const entry of COMMANDS) {
    const command = entry === invoked ? (await entry.load())(ctx) : new Command(entry.name);
    program.addCommand(command.summary(entry.summary));
  }
  applyEverywhere(program, io);
  return { program, ctx };
}

/** exitOverride and output routing on every (sub)command: addCommand does not inherit them. */
function applyEverywhere(cmd: Command, io: Io): void {
  cmd.exitOverride();
  cmd.configureOutput({
    writeOut: (s) => void io.stdout.write(s),
    writeErr: (s) => void io.stderr.write(s),
    // errors are rendered once, by runCli, in the output contract's shape
    outputError: () => {},
  });
  for (const sub of cmd.commands) applyEverywhere(sub, io);
}
