/**
 * The bridge service as `voicectl bridge` runs it: the relay server with its legs (ACS media
 * streaming, Asterisk chan_websocket, AudioSocket when asked), the ACS Call Automation routes
 * when ACS is configured, and the ARI Stasis app with `--ari`. The command only turns flags
 * into {@link BridgeServiceOptions} and prints what this returns.
 */
import type { Config } from '../config/load.js';
import type { BridgeSettings } from './settings.js';
import { startBridge, type BridgeHandle, type BridgeRoute } from './server.js';
import type { StasisBridge } from '../ari/stasis-bridge.js';
import type { StasisSettings } from '../ari/stasis-settings.js';

/** Options of {@link startBridgeService}. */
export interface BridgeServiceOptions {
  settings: BridgeSettings;
  config: Pick<Config, 'get'>;
  env: NodeJS.ProcessEnv;
  /** `--acs-resource-id` (else `ACS_RESOURCE_ID`). */
  acsResourceId?: string;
  version: string;
  onEvent(type: string, data: Record<string, unknown>): void;
  /** Human log lines (stderr); absent in `--json` mode. */
  log?: (line: string) => void;
}

/** A running service. */
export interface BridgeService {
  handle: BridgeHandle;
  /** Lines for stdout (the Event Grid endpoint, …). */
  prints: string[];
  /** Notices for stderr. */
  notices: string[];
  /** Stop everything (ARI app, long-polls, calls); resolves when closed. */
  close(): Promise<void>;
}

/** Start the service. @throws what {@link startBridge} and the Call Automation set-up throw. */
export async function startBridgeService(o: BridgeServiceOptions): Promise<BridgeService> {
  const { settings, config, onEvent } = o;
  const prints: string[] = [];
  const notices: string[] = [];
  const acsConnection = config.get('AZURE_COMMUNICATION_CONNECTION_STRING');
  const callbackHost = config.get('CALLBACK_URI_HOST');
  const acs =
    acsConnection && callbackHost
      ? await import('../calls/index.js').then(async ({ createCallAutomation }) => {
          const { tlsOptionsFromEnv } = await import('../calls/client.js');
          const acsResourceId = o.acsResourceId ?? config.get('ACS_RESOURCE_ID');
          const webhookSecret = config.get('VOICECTL_WEBHOOK_SECRET');
          const jwksUrl = config.get('VOICECTL_ACS_JWKS_URL');
          return createCallAutomation({
            connectionString: acsConnection,
            callbackHost,
            mediaPath: settings.mediaPath,
            ...(settings.mediaToken ? { mediaToken: settings.mediaToken } : {}),
            ...(webhookSecret ? { webhookSecret } : {}),
            ...(acsResourceId ? { acsResourceId } : {}),
            ...(jwksUrl ? { jwksUrl } : {}),
            clientOptions: tlsOptionsFromEnv(o.env),
            onEvent,
            ...(o.log ? { log: o.log } : {}),
          });
        })
      : undefined;
  if (!acs) {
    notices.push(
      'This bridge will not answer ACS calls itself (set AZURE_COMMUNICATION_CONNECTION_STRING and CALLBACK_URI_HOST to answer Event Grid IncomingCall and place calls with `voicectl call`); your own Call Automation app must stream media to it.',
    );
  }
  const routes: BridgeRoute[] = [...(acs?.routes ?? [])];
  // the Stasis app ends its ARI calls when their media calls end: it reads the calls' events
  let stasis: StasisBridge | undefined;
  const emit = (type: string, data: Record<string, unknown>): void => {
    onEvent(type, data);
    stasis?.callEvent(type, data);
  };
  const handle = await startBridge({
    ...settings,
    onEvent: emit,
    version: o.version,
    routes,
    ...(acs ? { healthExtras: acs.healthExtras, ...(acs.authorizeMediaUpgrade ? { authorizeMediaUpgrade: acs.authorizeMediaUpgrade } : {}) } : {}),
  });
  if (acs) {
    onEvent('acs.answering', { eventGridUrl: acs.eventGridUrl, callbackHost: acs.host, jwtValidation: Boolean(acs.authorizeMediaUpgrade) });
    prints.push(`Event Grid subscription endpoint (IncomingCall): ${acs.eventGridUrl}`);
    if (!acs.authorizeMediaUpgrade) {
      notices.push('ACS JWTs are not checked: set ACS_RESOURCE_ID (voicectl acs show) or --acs-resource-id to refuse callbacks and media sockets ACS did not sign.');
    }
  }
  if (settings.ari) {
    try {
      stasis = await startAri(settings.ari, settings, handle, onEvent);
    } catch (err) {
      acs?.close();
      await handle.close();
      throw err;
    }
  }
  return {
    handle,
    prints,
    notices,
    async close() {
      acs?.close(); // ends pending `voicectl call` long-polls
      await stasis?.close(); // hangs the ARI calls up while their media calls can still end cleanly
      await handle.close();
    },
  };
}

/** Start the Stasis app of `--ari` on the running bridge. @throws AriError when ARI refuses at start. */
async function startAri(
  ari: StasisSettings,
  settings: BridgeSettings,
  handle: BridgeHandle,
  onEvent: BridgeServiceOptions['onEvent'],
): Promise<StasisBridge> {
  const [{ AriClient }, { startStasisBridge }, { audioSocketTarget }, { connectAsteriskMedia }] = await Promise.all([
    import('../ari/client.js'),
    import('../ari/stasis-bridge.js'),
    import('../ari/stasis-settings.js'),
    import('./legs/asterisk-client.js'),
  ]);
  const client = new AriClient({ url: ari.url, user: ari.user, password: ari.password });
  return startStasisBridge({
    client,
    app: ari.app,
    media: ari.media,
    ...(ari.media === 'audiosocket' && handle.audioSocketPort !== undefined
      ? { audioSocket: audioSocketTarget(settings.audioSocket!.host, handle.audioSocketPort) }
      : {}),
    connectMedia: async (url, ids) => (await connectAsteriskMedia({ url, registry: handle.registry, ids })).info.callId,
    onEvent,
  });
}
