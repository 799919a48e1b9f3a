/**
 * Shared shapes of `voicectl tunnel up`: the providers, what a provider's output line
 * means, and the failures voicectl recognises in a tool's output.
 */

/** The tunnel tools voicectl drives, in the order they are looked for on PATH. */
export const PROVIDERS = ['cloudflared', 'devtunnel', 'ngrok'] as const;

/** One of {@link PROVIDERS}. */
export type ProviderName = (typeof PROVIDERS)[number];

/** How loud a tool's output line is: errors and warnings reach stderr, the rest only with `--verbose`. */
export type LineLevel = 'error' | 'warn' | 'info';

/**
 * A failure recognised in a tool's output, explained.
 * `fatal` failures end the wait for the URL at once (the tool is about to exit, or never
 * will succeed); the others are remembered and reported if the tool exits or the wait
 * times out (e.g. cloudflared retrying a blocked QUIC dial).
 */
export interface TunnelFailure {
  /** Stable code, e.g. `VOICECTL_TUNNEL_RATE_LIMITED`. */
  code: string;
  /** What happened, one sentence. */
  message: string;
  /** The fix, one sentence. */
  hint: string;
  fatal: boolean;
  /** Exit code voicectl uses: 2 for a setup problem the user must fix first (login, authtoken), else 1. */
  exitCode: 1 | 2;
}

/** What one output line of a tool told us. Produced by the providers' pure line parsers. */
export interface LineInfo {
  /** The line without ANSI colour codes and trailing whitespace. */
  text: string;
  level: LineLevel;
  /** A public https URL announced on this line (origin only, no trailing slash). */
  url?: string;
  /** The tunnel is connected and serving (e.g. cloudflared's "Registered tunnel connection"). */
  ready?: boolean;
  /** A recognised failure. */
  failure?: TunnelFailure;
  /** ngrok: the local agent API address (`host:port`) from the "starting web service" line. */
  agentApi?: string;
}

/** The URLs of a ready tunnel, as reported in the `tunnel.ready` event. */
export interface TunnelUrls {
  /** `https://<public host>` (origin, no path). */
  publicUrl: string;
  /** `wss://<public host><probe path>`: the media WebSocket URL ACS would open. */
  wssUrl: string;
  /** The value for `CALLBACK_URI_HOST` (same as publicUrl). */
  callbackUriHost: string;
}
