/**
 * `voicectl tunnel`: expose the local bridge to the internet (ACS must reach the callback
 * URL and the media WebSocket). Subcommands live in their own files.
 */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { tunnelUpCommand } from './up.js';

/** Build `voicectl tunnel`. */
export function tunnelCommand(ctx: CommandContext): Command {
  return new Command('tunnel')
    .summary('expose the bridge through cloudflared, devtunnel or ngrok and prove the public wss works')
    .description(
      'Expose the local bridge through a tunnel tool (cloudflared, devtunnel or ngrok), write CALLBACK_URI_HOST, and probe the public wss:// URL the way ACS will open it.',
    )
    .addCommand(tunnelUpCommand(ctx));
}
