/**
 * The ACS authentication flags shared by `identity …` and `token issue|revoke`.
 * Only commander is imported here; the values are resolved in src/identity/auth.ts.
 */
import { Option, type Command } from 'commander';

/** Parsed authentication flags. */
export interface AcsAuthFlags {
  connectionString?: string;
  endpoint?: string;
}

/** Add `--connection-string` and `--endpoint` (mutually exclusive) to `cmd`. */
export function addAcsAuthOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--connection-string <cs>',
        'ACS connection string (default: AZURE_COMMUNICATION_CONNECTION_STRING from the environment or .env; prefer those, argv is visible to other users)',
      ).conflicts('endpoint'),
    )
    .addOption(
      new Option(
        '--endpoint <url>',
        'https://<resource>.communication.azure.com: sign in with Entra ID (DefaultAzureCredential: az login, env, managed identity) instead of a key',
      ),
    );
}

/** Help text naming the scopes and the expiry range. */
export const SCOPE_HELP = 'token scopes: chat, voip, chat.join, chat.join.limited, voip.join (repeat or comma-separate)';
export const EXPIRES_HELP = 'token lifetime in minutes, 60 to 1440 (default 1440, 24 h)';
