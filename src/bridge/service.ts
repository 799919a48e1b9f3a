/**
 * The bridge service as `voicectl bridge` runs it: the relay server with its legs (ACS media
 * streaming, Asterisk chan_websocket, AudioSocket when asked, Twilio Media Streams with
 * `TWILIO_AUTH_TOKEN`), `GET /metrics`, the Twilio TwiML webhook, the ACS Call
 * Automation routes when ACS is configured (their state in Redis with `VOICECTL_REDIS_URL`). The command only turns flags
 * into {@link BridgeServiceOptions} and prints what this returns.
 */
import type { Config } from '../config/load.js';
import type { BridgeSettings } from './settings.js';
import { TWILIO_STREAM_PATH } from '../twilio/public-host.js';
import { twilioRoutes } from '../twilio/webhook.js';
import { twilioWsRoute } from './legs/twilio-route.js';
import { createBridgeMetrics } from './metrics.js';
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
  const { settings, config } = o;
  // Metrics come from the event stream and, at scrape time, the live totals: nothing per frame.
  let handle: BridgeHandle | undefined;
  const metrics = createBridgeMetrics({ stats: () => handle?.stats() });
  const onEvent = (type: string, data: Record<string, unknown>): void => {
    metrics.observe(type, data);
    o.onEvent(type, data);
  };
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
          const redisUrl = config.get('VOICECTL_REDIS_URL');
          const jwksUrl = config.get('VOICECTL_ACS_JWKS_URL');
          return createCallAutomation({
            connectionString: acsConnection,
            callbackHost,
            mediaPath: settings.mediaPath,
            ...(settings.mediaToken ? { mediaToken: settings.mediaToken } : {}),
            ...(webhookSecret ? { webhookSecret } : {}),
            ...(acsResourceId ? { acsResourceId } : {}),
            ...(jwksUrl ? { jwksUrl } : {}),
            ...(redisUrl ? { redisUrl } : {}),
            clientOptions: tlsOptionsFromEnv(o.env),
            onEvent,
            ...(o.log ? { log: o.log } : {}),
            prewarm: () => handle?.prewarm(), // the bridge starts below; IncomingCall comes later
          });
        })
      : undefined;
  if (!acs) {
    notices.push(
      'This bridge will not answer ACS calls itself (set AZURE_COMMUNICATION_CONNECTION_STRING and CALLBACK_URI_HOST to answer Event Grid IncomingCall and place calls with `voicectl call`); your own Call Automation app must stream media to it.',
    );
  }
  // Twilio: the signed TwiML webhook and the Media Streams leg, mounted only with TWILIO_AUTH_TOKEN.
  const twilio = twilioRoutes({
    authToken: config.get('TWILIO_AUTH_TOKEN'),
    publicHost: { twilioPublicHost: config.get('TWILIO_PUBLIC_HOST'), callbackUriHost: config.get('CALLBACK_URI_HOST') },
    greeting: config.get('TWILIO_GREETING'),
    prewarm: () => handle?.prewarm('g711_ulaw'), // Media Streams carry μ-law: the session is opened for it
    onEvent,
    ...(o.log ? { log: o.log } : {}),
  });
  if (twilio.notice) notices.push(twilio.notice);
  const routes: BridgeRoute[] = [metrics.route, ...(acs?.routes ?? []), ...twilio.routes];
  // the Stasis app ends its ARI calls when their media calls end: it reads the calls' events
  let stasis: StasisBridge | undefined;
  const emit = (type: string, data: Record<string, unknown>): void => {
    onEvent(type, data);
    stasis?.callEvent(type, data);
  };
  handle = await startBridge({
    ...settings,
    onEvent: emit,
    version: o.version,
    routes,
    ...(twilio.enabled ? { legs: [twilioWsRoute({ path: TWILIO_STREAM_PATH, checks: twilio, maxQueuedBytes: 512 * 1024 })] } : {}),
    ...(acs ? { healthExtras: acs.healthExtras, ...(acs.authorizeMediaUpgrade ? { authorizeMediaUpgrade: acs.authorizeMediaUpgrade } : {}) } : {}),
  });
  if (acs) {
    onEvent('acs.answering', { eventGridUrl: acs.eventGridUrl, callbackHost: acs.host, jwtValidation: Boolean(acs.authorizeMediaUpgrade) });
    prints.push(`Event Grid subscription endpoint (IncomingCall): ${acs.eventGridUrl}`);
    if (!acs.authorizeMediaUpgrade) {
      notices.push('ACS JWTs are not checked: set ACS_RESOURCE_ID (voicectl acs show) or --acs-resource-id to refuse callbacks and media sockets ACS did not sign.');
    }
  }
  const started = handle;
  if (settings.ari) {
    try {
      stasis = await startAri(settings.ari, settings, started, onEvent);
    } catch (err) {
      await Promise.all([acs?.close(), started.close()]);
      throw err;
    }
  }
  return {
    handle: started,
    prints,
    notices,
    async close() {
      await stasis?.close(); // hangs the ARI calls up while their media calls can still end cleanly
      await Promise.all([acs?.close(), started.close()]); // acs: ends pending `voicectl call` long-polls, closes Redis
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
