/**
 * `GET /api/health`: what the bridge is doing, for people and probes. Never a secret: it
 * is built from an allow-list of fields (no keys, tokens or full URLs with queries), and
 * the one free-text field (the last upstream error) passes through `redact`.
 */
import { redact } from '../core/redact.js';
import type { UpstreamDescription } from './upstream-config.js';

/** The health document (200 `application/json`). */
export interface HealthDocument {
  /** `ok` while serving, `draining` once shutdown has begun. */
  status: 'ok' | 'draining';
  /** voicectl version. */
  version: string;
  /** Seconds since the bridge started (integer). */
  uptimeSeconds: number;
  calls: {
    active: number;
    /** Calls accepted since start. */
    total: number;
    /** Media sockets refused at `--max-calls` (closed with 1013). */
    refused: number;
    max: number;
  };
  media: { path: string; tokenRequired: boolean };
  /** Calls accepted since start, by source (acs, asterisk, twilio). */
  sources?: Record<string, number>;
  upstream: UpstreamDescription & {
    /** The last fatal upstream error (e.g. a 401 from Azure OpenAI), redacted, or null. */
    lastError: { message: string; time: string } | null;
  };
  /**
   * Voice-to-voice latency (ms from the model's end-of-speech decision to the first answer audio
   * sent to the caller) over the last 1000 turns of all calls; null figures before the first turn.
   */
  voiceToVoice?: { turns: number; p50Ms: number | null; p95Ms: number | null };
  [extra: string]: unknown;
}

/** Inputs of {@link healthDocument}. */
export interface HealthInput {
  draining: boolean;
  version: string;
  startedAt: number;
  now: number;
  active: number;
  total: number;
  refused: number;
  maxCalls: number;
  mediaPath: string;
  tokenRequired: boolean;
  upstream: UpstreamDescription;
  lastError: { message: string; time: string } | undefined;
  /** Calls accepted since start, by source. */
  sources?: Record<string, number>;
  /** Voice-to-voice latency figures (see {@link HealthDocument.voiceToVoice}). */
  voiceToVoice?: { turns: number; p50Ms: number | null; p95Ms: number | null };
  /** Extra fields (the call automation state); they cannot replace the fields above. */
  extras?: Record<string, unknown>;
}

/** Build the health document. */
export function healthDocument(h: HealthInput): HealthDocument {
  const doc: HealthDocument = {
    status: h.draining ? 'draining' : 'ok',
    version: h.version,
    uptimeSeconds: Math.floor((h.now - h.startedAt) / 1000),
    calls: { active: h.active, total: h.total, refused: h.refused, max: h.maxCalls },
    media: { path: h.mediaPath, tokenRequired: h.tokenRequired },
    ...(h.sources ? { sources: h.sources } : {}),
    upstream: {
      ...h.upstream,
      lastError: h.lastError ? { message: redact(h.lastError.message), time: h.lastError.time } : null,
    },
    ...(h.voiceToVoice ? { voiceToVoice: h.voiceToVoice } : {}),
  };
  return { ...(h.extras ?? {}), ...doc };
}
