/**
 * TwiML that connects a Twilio call's media to the bridge over a bidirectional Media Stream:
 *
 * ```xml
 * <?xml version="1.0" encoding="UTF-8"?>
 * <Response><Say>greeting</Say><Connect><Stream url="wss://host/ws/twilio">
 *   <Parameter name="k" value="v"/></Stream></Connect></Response>
 * ```
 *
 * Source of the format: Twilio's TwiML `<Connect>` / `<Stream>` / `<Parameter>` and `<Say>`
 * documentation. `<Connect><Stream>` is the bidirectional form (`<Start><Stream>` only forks
 * audio and cannot play any back). The stream URL must be `wss://` and carries no query string:
 * per-call values travel as `<Parameter>`s and arrive in the `start` message's
 * `customParameters`.
 */
import { UsageError } from '../core/errors.js';

/** Inputs of {@link streamTwiml}. */
export interface StreamTwimlOptions {
  /** `wss://<public host>/ws/twilio`: no query string, no fragment. */
  streamUrl: string;
  /** `<Parameter name value>` pairs, in insertion order (e.g. the per-call stream token). */
  parameters?: Record<string, string>;
  /** Optional text for a `<Say>` before `<Connect>` (empty or blank: no `<Say>`). */
  greeting?: string;
}

/**
 * Escape text for an XML attribute value or element content: `& < > " '` become entities, and
 * characters XML 1.0 cannot carry (C0 controls other than tab, LF, CR; lone surrogates; U+FFFE/F)
 * are dropped.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * Build the TwiML document.
 * @returns the XML text (UTF-8 declaration, no trailing newline), served as `text/xml`.
 * @throws UsageError `VOICECTL_TWILIO_STREAM_URL` (exit 2) when the URL is not `wss://` or has a
 *   query string or fragment (Twilio drops the query of a stream URL, so a token put there would
 *   silently never arrive).
 */
export function streamTwiml(o: StreamTwimlOptions): string {
  let url: URL;
  try {
    url = new URL(o.streamUrl);
  } catch {
    throw streamUrlError(`not a URL: ${o.streamUrl}`);
  }
  if (url.protocol !== 'wss:') throw streamUrlError(`must be wss:// (Twilio connects Media Streams over wss only): ${o.streamUrl}`);
  if (url.search !== '' || url.hash !== '' || o.streamUrl.includes('?')) {
    throw streamUrlError(`must not carry a query string (Twilio drops it; use <Parameter>s): ${o.streamUrl}`);
  }
  const params = Object.entries(o.parameters ?? {})
    .map(([name, value]) => `<Parameter name="${escapeXml(name)}" value="${escapeXml(value)}"/>`)
    .join('');
  const greeting = o.greeting?.trim() ? `<Say>${escapeXml(o.greeting.trim())}</Say>` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<Response>${greeting}<Connect><Stream url="${escapeXml(o.streamUrl)}">${params}</Stream></Connect></Response>`
  );
}

function streamUrlError(detail: string): UsageError {
  return new UsageError(`The Media Streams URL ${detail}`, {
    code: 'VOICECTL_TWILIO_STREAM_URL',
    hint: 'Set TWILIO_PUBLIC_HOST (or CALLBACK_URI_HOST) to the bridge\'s public https origin, e.g. https://<name>.trycloudflare.com.',
  });
}
