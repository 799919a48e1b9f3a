/**
 * The `env` group's shape checks: one per registered variable that is set, each saying
 * whether the value has the shape voicectl (and the service behind it) will accept.
 * Pure apart from {@link checkInstructionsFile}, which reads a file's metadata.
 *
 * Formats reused from where each value is consumed: the ACS connection string parser of
 * `identity` (src/identity/connection-string.ts), `publicHost` of the call answering
 * (src/calls/urls.ts), `realtimeUrl` of the bridge (src/bridge/realtime-protocol.ts) and
 * the Asterisk / Twilio / GUID checks of `scaffold` (src/scaffold/validate.ts). Messages
 * never repeat a secret value.
 */
import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { realtimeUrl } from '../bridge/realtime-protocol.js';
import { parseAriUrl, urlFromHostPort } from '../ari/url.js';
import { publicHost } from '../calls/urls.js';
import type { EnvVarName } from '../config/env.js';
import { isVoicectlError } from '../core/errors.js';
import { parseConnectionString } from '../identity/connection-string.js';
import { isLoopbackHost } from '../probe/url.js';
import {
  checkAriUser,
  checkGuid,
  checkName,
  checkPassword,
  checkPort,
  checkSid,
  type Check,
} from '../scaffold/validate.js';
import { fail, pass, type Outcome } from './types.js';

/**
 * Realtime voices (OpenAI Realtime API reference, `session.audio.output.voice`; the same
 * list Azure OpenAI's gpt-realtime deployments accept).
 */
export const REALTIME_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;

/** An Azure OpenAI deployment name as the portal accepts it: 1–64 of letters, digits, `.`, `_`, `-`. */
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A shape check of one variable's value. */
export type ShapeCheck = (value: string) => Outcome;

/** Turn a scaffold-style {@link Check} (reason or undefined) into a shape check. */
function fromReason(fn: Check, shown: (v: string) => string, hint: string): ShapeCheck {
  return (value) => {
    const reason = fn(value);
    return reason === undefined ? pass(shown(value)) : fail(`${reason}`, hint);
  };
}

/** A secret that must survive copy and paste: no whitespace, no quotes. */
function secretText(what: string, hint: string): ShapeCheck {
  return (value) => {
    if (/\s/.test(value)) return fail(`${what} contains whitespace (a stray space or line break from copying?)`, hint);
    if (/["']/.test(value)) return fail(`${what} contains a quote character (quoted twice in the env file?)`, hint);
    return pass(`set (${value.length} characters)`);
  };
}

/** `CALLBACK_URI_HOST`: an https origin; a loopback host passes with a note (ACS cannot reach it). */
export const checkCallbackHost: ShapeCheck = (value) => {
  try {
    const host = publicHost(value);
    const hostname = new URL(`https://${host}`).hostname;
    return pass(
      isLoopbackHost(hostname)
        ? `https://${host} (loopback: fine for a local test, but ACS needs a public host such as a tunnel)`
        : `https://${host}`,
    );
  } catch (err) {
    if (!isVoicectlError(err)) throw err;
    return fail(err.message, err.hint);
  }
};

/** `AZURE_COMMUNICATION_CONNECTION_STRING`: `endpoint=https://…/;accesskey=<base64>`. */
export const checkConnectionStringShape: ShapeCheck = (value) => {
  try {
    const cs = parseConnectionString(value, 'AZURE_COMMUNICATION_CONNECTION_STRING');
    return pass(`endpoint ${cs.host}, access key set`);
  } catch (err) {
    if (!isVoicectlError(err)) throw err;
    return fail(err.message, err.hint);
  }
};

/** `AZURE_OPENAI_ENDPOINT`: https:// or wss:// (http/ws only for a loopback test server); a path is ignored. */
export const checkAoaiEndpoint: ShapeCheck = (value) => {
  let url: URL;
  try {
    realtimeUrl(value, 'x', 'ga');
    url = new URL(value.trim());
  } catch (err) {
    if (!isVoicectlError(err)) throw err;
    return fail(err.message, err.hint);
  }
  const hint = 'Set AZURE_OPENAI_ENDPOINT to https://<resource>.openai.azure.com (portal: Azure OpenAI > Keys and Endpoint).';
  if ((url.protocol === 'http:' || url.protocol === 'ws:') && !isLoopbackHost(url.hostname)) {
    return fail(`AZURE_OPENAI_ENDPOINT uses ${url.protocol.slice(0, -1)}://: Azure OpenAI is reached over https:// only`, hint);
  }
  const extra = url.pathname !== '/' || url.search !== '' ? ` (its path ${url.pathname}${url.search} is ignored: voicectl builds the Realtime URL)` : '';
  return pass(`${url.host}${extra}`);
};

/** `AZURE_OPENAI_DEPLOYMENT`: the deployment's name (not the model's), as in the portal. */
export const checkDeployment: ShapeCheck = (value) =>
  DEPLOYMENT_NAME.test(value)
    ? pass(value)
    : fail(
        `AZURE_OPENAI_DEPLOYMENT "${value.slice(0, 80)}" is not a deployment name (1–64 letters, digits, ".", "_" or "-")`,
        'Copy the deployment name from Azure AI Foundry > Deployments (e.g. gpt-realtime), not a URL or model version.',
      );

/** `AOAI_VOICE`: one of {@link REALTIME_VOICES}. */
export const checkVoice: ShapeCheck = (value) =>
  (REALTIME_VOICES as readonly string[]).includes(value)
    ? pass(value)
    : fail(`AOAI_VOICE "${value.slice(0, 40)}" is not a Realtime voice`, `Use one of ${REALTIME_VOICES.join(', ')} (or unset it for the service default).`);

/** `ASTERISK_HOST`: a host or IP, or (as `ari` accepts) `host:port` or an http(s):// URL. */
export const checkAsteriskHost: ShapeCheck = (value) => {
  const hint = 'Set ASTERISK_HOST to the host or IP of the Asterisk HTTP server (http.conf bindaddr), or an http(s):// URL with the http.conf prefix as its path.';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value.trim())?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') return fail(`ASTERISK_HOST "${value.slice(0, 80)}" uses ${scheme}://: ARI is served over http:// or https://`, hint);
  if (scheme === undefined && value.includes('/')) return fail(`ASTERISK_HOST "${value.slice(0, 80)}" has a path without a scheme`, hint);
  try {
    parseAriUrl(urlFromHostPort(value, undefined));
    return pass(value);
  } catch (err) {
    if (!isVoicectlError(err)) throw err;
    return fail(`ASTERISK_HOST "${value.slice(0, 80)}": ${err.message}`, hint);
  }
};

/** An https:// URL (`VOICECTL_ACS_JWKS_URL`). */
function httpsUrl(what: string, hint: string): ShapeCheck {
  return (value) => {
    try {
      const url = new URL(value);
      if (url.protocol === 'https:') return pass(url.host + url.pathname);
    } catch {
      /* not a URL */
    }
    return fail(`${what} must be an https:// URL`, hint);
  };
}

const SHOW = (v: string): string => v;
const HIDE = (): string => 'set';

/** The shape check of every variable that has one (others are not checked). */
export const SHAPE_CHECKS: Partial<Record<EnvVarName, ShapeCheck>> = {
  AZURE_COMMUNICATION_CONNECTION_STRING: checkConnectionStringShape,
  CALLBACK_URI_HOST: checkCallbackHost,
  ACS_RESOURCE_ID: fromReason(checkGuid, SHOW, 'Copy the immutable resource id from `voicectl acs show` (or the portal: Communication Services > Properties).'),
  AZURE_OPENAI_ENDPOINT: checkAoaiEndpoint,
  AZURE_OPENAI_DEPLOYMENT: checkDeployment,
  AZURE_OPENAI_API_KEY: secretText('AZURE_OPENAI_API_KEY', 'Copy KEY 1 again from the portal (Azure OpenAI > Keys and Endpoint), without quotes or spaces.'),
  AOAI_VOICE: checkVoice,
  ASTERISK_HOST: checkAsteriskHost,
  ASTERISK_ARI_PORT: fromReason(checkPort, SHOW, 'Set ASTERISK_ARI_PORT to http.conf bindport (default 8088).'),
  ASTERISK_ARI_USERNAME: fromReason(checkAriUser, SHOW, 'Use the name of the ari.conf section of the ARI user.'),
  ASTERISK_ARI_PASSWORD: fromReason(checkPassword, HIDE, 'Set ASTERISK_ARI_PASSWORD to the password of the ari.conf user, as written there.'),
  ASTERISK_APP_NAME: fromReason(checkName, SHOW, 'Use the Stasis app name of the dialplan: letters, digits, "_" and "-".'),
  TWILIO_ACCOUNT_SID: fromReason(checkSid('AC'), SHOW, 'Copy the Account SID from the Twilio console (Account Info).'),
  TWILIO_API_KEY: fromReason(checkSid('SK'), SHOW, 'Copy the API key SID (SK…) from Twilio console > API keys & tokens.'),
  TWILIO_API_SECRET: secretText('TWILIO_API_SECRET', 'Copy the API key secret again (shown once when the key is created).'),
  TWILIO_AUTH_TOKEN: secretText('TWILIO_AUTH_TOKEN', 'Copy the auth token again from the Twilio console (Account Info).'),
  TWILIO_PHONE_NUMBER: fromReason(
    (v) => (/^\+[1-9]\d{6,14}$/.test(v) ? undefined : 'must be a phone number in E.164 (+ country code, digits only)'),
    SHOW,
    'Write the number as +14155550100 (see `voicectl twilio number list`).',
  ),
  TWILIO_PUBLIC_HOST: httpsUrl('TWILIO_PUBLIC_HOST', 'Set it to the public https origin of the bridge, e.g. https://<name>.trycloudflare.com (or unset it to use CALLBACK_URI_HOST).'),
  AZURE_SUBSCRIPTION_ID: fromReason(checkGuid, SHOW, 'Copy the subscription id from `az account show --query id -o tsv`.'),
  VOICECTL_MEDIA_TOKEN: secretText('VOICECTL_MEDIA_TOKEN', 'Use a random token without spaces, e.g. `openssl rand -hex 24`.'),
  VOICECTL_WEBHOOK_SECRET: secretText('VOICECTL_WEBHOOK_SECRET', 'Use a random token without spaces, e.g. `openssl rand -hex 24`.'),
  VOICECTL_ACS_JWKS_URL: httpsUrl('VOICECTL_ACS_JWKS_URL', 'Unset it to use https://acscallautomation.communication.azure.com/calling/keys.'),
  NGROK_AUTHTOKEN: secretText('NGROK_AUTHTOKEN', 'Copy the authtoken again from dashboard.ngrok.com (Your Authtoken).'),
};

/**
 * `AOAI_INSTRUCTIONS_FILE`: readable, relative to `cwd`. Ignored (and said so) when
 * `AOAI_INSTRUCTIONS` is also set, as the bridge does.
 */
export async function checkInstructionsFile(value: string, cwd: string, instructionsSet: boolean): Promise<Outcome> {
  if (instructionsSet) return pass(`${value} (not read: AOAI_INSTRUCTIONS is set and wins)`);
  const full = path.resolve(cwd, value);
  try {
    await access(full, constants.R_OK);
    return pass(full);
  } catch (err) {
    return fail(
      `AOAI_INSTRUCTIONS_FILE ${full} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'Fix the path (relative paths start at the working directory), or set AOAI_INSTRUCTIONS instead.',
    );
  }
}
