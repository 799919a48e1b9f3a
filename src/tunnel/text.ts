/**
 * Text helpers shared by the providers' output parsers: ANSI stripping, URL extraction,
 * and the URLs reported once a tunnel is ready.
 */
import type { TunnelUrls } from './types.js';

// CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks, titles).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** The line without ANSI escape sequences, carriage returns and trailing whitespace. */
export function cleanLine(line: string): string {
  return line.replace(ANSI, '').replace(/\r/g, '').trimEnd();
}

/**
 * Every `https://…` URL in a line, in order, without trailing punctuation (`,` `.` `)`).
 * @example httpsUrls('Connect via browser: https://a.ms:8000, https://a-8000.ms') → ['https://a.ms:8000', 'https://a-8000.ms']
 */
export function httpsUrls(line: string): string[] {
  const found = line.match(/https:\/\/[^\s,"'<>|]+/g) ?? [];
  return found.map((u) => u.replace(/[.,;:)\]]+$/, ''));
}

/**
 * The origin (`https://host[:port]`) of a URL, or undefined when it does not parse.
 * A trailing slash or path is dropped: CALLBACK_URI_HOST is an origin.
 */
export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/**
 * The URLs of a ready tunnel.
 * @param publicUrl the public origin, e.g. `https://abc.trycloudflare.com`.
 * @param probePath the media WebSocket path, e.g. `/ws/media`.
 * @returns `{publicUrl, wssUrl: "wss://abc.trycloudflare.com/ws/media", callbackUriHost}`.
 */
export function tunnelUrls(publicUrl: string, probePath: string): TunnelUrls {
  const origin = originOf(publicUrl) ?? publicUrl.replace(/\/+$/, '');
  const path = probePath.startsWith('/') ? probePath : `/${probePath}`;
  const wssUrl = `${origin.replace(/^https:/, 'wss:').replace(/^http:/, 'ws:')}${path}`;
  return { publicUrl: origin, wssUrl, callbackUriHost: origin };
}
