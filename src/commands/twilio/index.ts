/** `voicectl twilio`: point Twilio phone numbers at the bridge. */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { twilioNumberConfigureCommand, twilioNumberListCommand } from './number.js';

/** The `twilio` namespace (`twilio number list|configure`). */
export function twilioCommand(ctx: CommandContext): Command {
  const number = new Command('number')
    .description('List your Twilio numbers; point one at the bridge\'s /twilio/voice webhook')
    .addCommand(twilioNumberListCommand(ctx))
    .addCommand(twilioNumberConfigureCommand(ctx));
  return new Command('twilio').description('Twilio set-up: point phone numbers at the bridge').addCommand(number);
}
