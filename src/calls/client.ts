/**
 * The Call Automation SDK (`@azure/communication-call-automation` 1.6.0, api-version 2026-03-12),
 * loaded lazily through `createRequire` (the same way as the other Azure SDKs, so one copy of the
 * Azure core is shared), and the media streaming options voicectl always sends.
 */
import { createRequire } from 'node:module';
import type * as CallAutomationSdk from '@azure/communication-call-automation';
import type { CallAutomationClient, CallAutomationClientOptions, MediaStreamingOptions } from '@azure/communication-call-automation';
import { redact } from '../core/redact.js';
import { caFromEnv } from '../core/tls.js';
import { diagnose, type Diagnosis } from './diagnose.js';

export type { CallAutomationClient, CallAutomationClientOptions };

let sdk: typeof CallAutomationSdk | undefined;

/** Load the SDK once (about 165 ms the first time). */
export function loadCallAutomationSdk(): typeof CallAutomationSdk {
  sdk ??= createRequire(import.meta.url)('@azure/communication-call-automation') as typeof CallAutomationSdk;
  return sdk;
}

/**
 * A client for `connectionString`. `clientOptions` is the seam for the endpoint's TLS trust,
 * retries and http client (tests pass `tlsOptions.ca` for a loopback fake).
 */
export function createClient(connectionString: string, clientOptions: CallAutomationClientOptions = {}): CallAutomationClient {
  const { CallAutomationClient: Client } = loadCallAutomationSdk();
  return new Client(connectionString, clientOptions);
}

/**
 * Client options honouring `NODE_EXTRA_CA_CERTS` from an injected environment (Node itself reads
 * it only at process start, so an in-process caller with its own env needs this): the system
 * roots plus that file. Empty when unset or unreadable.
 */
export function tlsOptionsFromEnv(env: Record<string, string | undefined>): CallAutomationClientOptions {
  const ca = caFromEnv(env);
  return ca ? ({ tlsOptions: { ca } } as CallAutomationClientOptions) : {};
}

/**
 * The media streaming options of every answered or placed call: websocket transport to
 * `transportUrl` (`wss://<host>/ws/media[?token=…]`), audio only, mixed channel, started at once,
 * bidirectional, 24 kHz PCM (`pcm24KMono`, the Realtime model's rate, so nothing is resampled).
 */
export function mediaStreamingOptions(transportUrl: string): MediaStreamingOptions {
  return {
    transportType: 'websocket',
    transportUrl,
    contentType: 'audio',
    audioChannelType: 'mixed',
    startMediaStreaming: true,
    enableBidirectional: true,
    audioFormat: 'pcm24KMono',
  };
}

/** What a failed SDK call tells, ready to report. */
export interface AcsRequestFailure {
  /** HTTP status, when the service answered. */
  status?: number;
  /** Service error code (`error.code`) or a network code such as `ENOTFOUND`. */
  code?: string;
  /** Redacted message. */
  message: string;
  diagnosis: Diagnosis;
}

/**
 * Describe an error thrown by the SDK: a `RestError` (matched by name, since two core copies can
 * break `instanceof`), a network error, or the plain string the SDK throws when a response lacks
 * `callConnectionId`.
 */
export function describeSdkError(err: unknown): AcsRequestFailure {
  if (typeof err === 'string') {
    return { message: redact(err), diagnosis: diagnose({ message: err }) };
  }
  const e = err as { name?: string; statusCode?: number; code?: string; message?: string };
  const message = redact(e?.message ?? String(err));
  if (e?.name === 'RestError' && typeof e.statusCode === 'number') {
    const sub = e.code !== undefined && /^\d+$/.test(e.code) ? Number(e.code) : undefined;
    return {
      status: e.statusCode,
      ...(e.code ? { code: e.code } : {}),
      message,
      diagnosis: diagnose({ code: e.statusCode, ...(sub !== undefined ? { subCode: sub } : {}), message }),
    };
  }
  if (e?.code && /^E[A-Z]+/.test(e.code)) {
    return {
      code: e.code,
      message,
      diagnosis: {
        cause: 'acs-unreachable',
        diagnosis: `The ACS endpoint could not be reached (${e.code}).`,
        fix: 'Check the endpoint in AZURE_COMMUNICATION_CONNECTION_STRING and this machine\'s network / proxy settings.',
      },
    };
  }
  return { message, diagnosis: diagnose({ message }) };
}
