/**
 * Turns the bridge's upstream settings into an {@link UpstreamFactory} and the description
 * `/api/health` shows. Entra ID (`@azure/identity`) is loaded only when an `aoai` upstream
 * has no API key, and only when the first call needs a token.
 */
import { echoUpstream } from './echo-upstream.js';
import { realtimeUrl, type RealtimeProtocol, type SessionSettings } from './realtime-protocol.js';
import { realtimeUpstreamFactory, type Backoff } from './realtime-upstream.js';
import type { UpstreamFactory } from './upstream.js';

/** Entra ID scope for Azure OpenAI. */
export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** Where calls go. */
export type UpstreamSettings =
  | { kind: 'echo' }
  | {
      kind: 'aoai';
      /** `AZURE_OPENAI_ENDPOINT`, https:// or wss:// (http/ws for local fakes). */
      endpoint: string;
      /** `AZURE_OPENAI_DEPLOYMENT`. */
      deployment: string;
      protocol: RealtimeProtocol;
      /** `AZURE_OPENAI_API_KEY`; without it, an Entra ID bearer token. */
      apiKey?: string;
      session: SessionSettings;
      /** Entra ID token source (default: `DefaultAzureCredential` from `@azure/identity`). */
      getToken?: () => Promise<string>;
      backoff?: Partial<Backoff>;
      /** Ping interval toward the model (ms, default 30 000). */
      pingIntervalMs?: number;
      /** Cap on caller audio queued toward the model (bytes, default 256 KiB). */
      maxQueuedBytes?: number;
    };

/** The upstream as `/api/health` shows it: never a secret. */
export interface UpstreamDescription {
  kind: 'echo' | 'aoai';
  endpointHost?: string;
  deployment?: string;
  protocol?: RealtimeProtocol;
  /** How the bridge authenticates to Azure OpenAI. */
  credentials?: 'api-key' | 'entra-id';
}

/**
 * Build the factory for `settings`.
 * @throws UsageError `VOICECTL_AOAI_ENDPOINT` for an endpoint that is not an https/wss URL.
 */
export function createUpstream(settings: UpstreamSettings): { factory: UpstreamFactory; description: UpstreamDescription } {
  if (settings.kind === 'echo') return { factory: echoUpstream, description: { kind: 'echo' } };
  const url = realtimeUrl(settings.endpoint, settings.deployment, settings.protocol);
  const apiKey = settings.apiKey;
  const getToken = settings.getToken ?? entraToken();
  const factory = realtimeUpstreamFactory({
    url,
    protocol: settings.protocol,
    session: settings.session,
    authHeaders: apiKey ? () => Promise.resolve({ 'api-key': apiKey }) : async () => ({ Authorization: `Bearer ${await getToken()}` }),
    ...(settings.backoff ? { backoff: settings.backoff } : {}),
    ...(settings.pingIntervalMs !== undefined ? { pingIntervalMs: settings.pingIntervalMs } : {}),
    ...(settings.maxQueuedBytes !== undefined ? { maxQueuedBytes: settings.maxQueuedBytes } : {}),
  });
  return {
    factory,
    description: {
      kind: 'aoai',
      endpointHost: new URL(url).host,
      deployment: settings.deployment,
      protocol: settings.protocol,
      credentials: apiKey ? 'api-key' : 'entra-id',
    },
  };
}

/** An Entra ID access token: the bearer value and its expiry (ms since the epoch). */
export interface AccessToken {
  token: string;
  expiresOnTimestamp: number;
}

/**
 * Wrap a token getter: the token is reused until 2 minutes before it expires (some
 * credentials, like the Azure CLI one, spawn a process per `getToken`), and concurrent
 * calls share one request. A null token is an error naming the fix.
 */
export function cachedTokenSource(getToken: () => Promise<AccessToken | null>): () => Promise<string> {
  let cached: AccessToken | undefined;
  let inflight: Promise<AccessToken> | undefined;
  return async () => {
    if (cached && cached.expiresOnTimestamp - Date.now() > 120_000) return cached.token;
    inflight ??= getToken()
      .then((token) => {
        if (!token) throw new Error('no Entra ID token (sign in with `az login`, or set AZURE_OPENAI_API_KEY)');
        return token;
      })
      .finally(() => {
        inflight = undefined;
      });
    cached = await inflight;
    return cached.token;
  };
}

/** {@link cachedTokenSource} on `DefaultAzureCredential` (`@azure/identity`, imported on first use). */
function entraToken(): () => Promise<string> {
  let credential: Promise<{ getToken(scope: string): Promise<AccessToken | null> }> | undefined;
  return cachedTokenSource(async () => {
    credential ??= import('@azure/identity').then((m) => new m.DefaultAzureCredential());
    return (await credential).getToken(COGNITIVE_SERVICES_SCOPE);
  });
}
