/** Flags shared by `acs create|show|keys` (commander only; resolved in src/acs/settings.ts). */
import type { Command } from 'commander';

/** Add --name, --resource-group, --subscription and --arm-endpoint. */
export function addArmOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-n, --name <name>', 'Communication Services resource name (global: becomes <name>.<region>.communication.azure.com)')
    .requiredOption('-g, --resource-group <rg>', 'resource group (must exist)')
    .option('--subscription <id>', 'subscription id (default: AZURE_SUBSCRIPTION_ID from the environment or .env)')
    .option(
      '--arm-endpoint <url>',
      'Azure Resource Manager endpoint (default: AZURE_ARM_ENDPOINT, else https://management.azure.com; sovereign clouds, e.g. https://management.chinacloudapi.cn)',
    );
}

/** Help shared by the acs verbs: how sign-in works. */
export const ARM_AUTH_HELP = `
Sign-in: DefaultAzureCredential (@azure/identity): AZURE_CLIENT_ID/AZURE_TENANT_ID/
AZURE_CLIENT_SECRET, workload or managed identity, then \`az login\`, azd, PowerShell.
Set AZURE_TOKEN_CREDENTIALS=AzureCliCredential to use only your az login.`;
