/**
 * Loading and building the ACS identity SDK client (@azure/communication-identity 1.3.x).
 *
 * The SDK (and @azure/identity, for Entra ID) are loaded lazily with `createRequire`,
 * the CommonJS build, so `voicectl --help` never pays for them and every Azure SDK in the
 * process shares one copy of @azure/core-rest-pipeline.
 */
import { createRequire } from 'node:module';
import type { CommunicationIdentityClient, CommunicationIdentityClientOptions } from '@azure/communication-identity';
import type { TokenCredential } from '@azure/identity';
import type { IdentityAuth } from './auth.js';

const requireModule = createRequire(import.meta.url);

/** Retries for transient failures (503, connection reset); capped so a dead host fails in about a second. */
export const SDK_RETRY = { maxRetries: 2, retryDelayInMs: 300, maxRetryDelayInMs: 1000 } as const;

/** Default time limit for one identity command, in ms. */
export const IDENTITY_TIMEOUT_MS = 15_000;

/**
 * The seam through which callers (and tests) adjust the transport. Production code passes
 * nothing: the endpoint comes from the connection string or `--endpoint`, trust from the
 * system CAs (plus NODE_EXTRA_CA_CERTS), the credential from DefaultAzureCredential.
 */
export interface AzureClientSeam {
  /** CA certificates (PEM) to trust for this client only, instead of Node's defaults (see `caFromEnv`). */
  tlsCa?: string | string[];
  /** Entra ID credential to use instead of DefaultAzureCredential. */
  credential?: TokenCredential;
  /** Time limit per command in ms (default {@link IDENTITY_TIMEOUT_MS}). */
  timeoutMs?: number;
}

/** DefaultAzureCredential from @azure/identity, loaded on first use. */
export function defaultAzureCredential(): TokenCredential {
  const { DefaultAzureCredential } = requireModule('@azure/identity') as typeof import('@azure/identity');
  return new DefaultAzureCredential();
}

/** Build a `CommunicationIdentityClient` for `auth` (key: HMAC-signed requests; entra: Bearer). */
export function createIdentityClient(auth: IdentityAuth, seam: AzureClientSeam = {}): CommunicationIdentityClient {
  const sdk = requireModule('@azure/communication-identity') as typeof import('@azure/communication-identity');
  const options: CommunicationIdentityClientOptions = {
    retryOptions: { ...SDK_RETRY },
    ...(seam.tlsCa ? { tlsOptions: { ca: seam.tlsCa } } : {}),
  };
  if (auth.kind === 'key') {
    // A KeyCredential-shaped object: the SDK signs with HMAC-SHA256 and never sees the
    // connection string, so its parse error (which echoes the key) cannot happen.
    return new sdk.CommunicationIdentityClient(auth.endpoint, { key: auth.accessKey }, options);
  }
  return new sdk.CommunicationIdentityClient(auth.endpoint, seam.credential ?? defaultAzureCredential(), options);
}
