/**
 * The registry of every environment variable voicectl reads.
 *
 * One entry per variable, with the group it belongs to (used by `voicectl scaffold env`
 * to write a commented `.env`), whether it is a secret (its value is then registered
 * with the redaction helper and never printed), and what it means.
 *
 * Names reuse what users already have in the setups voicectl replaces (the ACS + Azure
 * OpenAI call-center samples, ast-streamer / ARI apps, Twilio Functions).
 */

/** The groups of the registry, in the order `.env` lists them. */
export type EnvGroup = 'acs' | 'aoai' | 'asterisk' | 'twilio' | 'azure' | 'voicectl';

/** One registered environment variable. */
export interface EnvVarSpec {
  /** What it is, one line (also the comment above it in a scaffolded `.env`). */
  description: string;
  group: EnvGroup;
  /** A secret: masked in every log, error and `--verbose` line. */
  secret?: boolean;
  /** Example value for the scaffolded `.env` placeholder. */
  example?: string;
}

/** Every environment variable voicectl reads. Add new ones here, nowhere else. */
export const ENV_VARS = {
  // --- Azure Communication Services -------------------------------------------------
  /** ACS connection string `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64>`. */
  AZURE_COMMUNICATION_CONNECTION_STRING: {
    group: 'acs',
    secret: true,
    description: 'ACS connection string (portal: Communication Services > Keys)',
    example: 'endpoint=https://<resource>.communication.azure.com/;accesskey=<key>',
  },
  /** Public https origin ACS reaches for callbacks and the media WebSocket, e.g. a tunnel URL. */
  CALLBACK_URI_HOST: {
    group: 'acs',
    description: 'Public https:// origin of the bridge (a tunnel URL), no path',
    example: 'https://<name>.trycloudflare.com',
  },
  /** The ACS resource's immutable id, used to validate the JWT ACS puts on callbacks and media sockets. */
  ACS_RESOURCE_ID: {
    group: 'acs',
    description: 'Immutable resource id of the ACS resource (voicectl acs show), enables JWT checks',
    example: '00000000-0000-0000-0000-000000000000',
  },
  // --- Azure OpenAI Realtime ---------------------------------------------------------
  /** Azure OpenAI resource endpoint, `https://<resource>.openai.azure.com` (or `wss://`), no path. */
  AZURE_OPENAI_ENDPOINT: {
    group: 'aoai',
    description: 'Azure OpenAI endpoint, https://<resource>.openai.azure.com (no path)',
    example: 'https://<resource>.openai.azure.com',
  },
  /** Deployment name of the realtime model (e.g. `gpt-realtime`). */
  AZURE_OPENAI_DEPLOYMENT: {
    group: 'aoai',
    description: 'Realtime model deployment name',
    example: 'gpt-realtime',
  },
  /** Azure OpenAI API key; without it, Entra ID (DefaultAzureCredential) is used. */
  AZURE_OPENAI_API_KEY: {
    group: 'aoai',
    secret: true,
    description: 'Azure OpenAI API key (leave unset to use Entra ID)',
    example: '<key>',
  },
  /** Realtime voice, e.g. `alloy`, `shimmer`, `verse`. */
  AOAI_VOICE: { group: 'aoai', description: 'Realtime voice (alloy, shimmer, verse, ...)', example: 'alloy' },
  /** System instructions for the Realtime session. */
  AOAI_INSTRUCTIONS: {
    group: 'aoai',
    description: 'System instructions for the Realtime session',
    example: 'You are a helpful phone assistant. Answer briefly.',
  },
  /** Path to a file holding the instructions (used when AOAI_INSTRUCTIONS is unset). */
  AOAI_INSTRUCTIONS_FILE: {
    group: 'aoai',
    description: 'File with the instructions (instead of AOAI_INSTRUCTIONS)',
    example: './instructions.txt',
  },
  // --- Asterisk ARI --------------------------------------------------------------------
  /** Host of the Asterisk HTTP server that serves ARI. */
  ASTERISK_HOST: { group: 'asterisk', description: 'Asterisk host (http.conf bindaddr)', example: '127.0.0.1' },
  /** Port of the Asterisk HTTP server (http.conf `bindport`, default 8088). */
  ASTERISK_ARI_PORT: { group: 'asterisk', description: 'Asterisk HTTP port (http.conf bindport)', example: '8088' },
  /** ARI user (a section of ari.conf). */
  ASTERISK_ARI_USERNAME: { group: 'asterisk', description: 'ARI user (ari.conf section)', example: 'voicectl' },
  /** ARI password. */
  ASTERISK_ARI_PASSWORD: {
    group: 'asterisk',
    secret: true,
    description: 'ARI password',
    example: '<password>',
  },
  /** Stasis application name. */
  ASTERISK_APP_NAME: { group: 'asterisk', description: 'Stasis application name', example: 'voicectl' },
  // --- Twilio --------------------------------------------------------------------------
  /** Twilio account SID (AC…). */
  TWILIO_ACCOUNT_SID: { group: 'twilio', description: 'Twilio account SID (AC...)', example: 'AC...' },
  /** Twilio API key SID (SK…). */
  TWILIO_API_KEY: { group: 'twilio', description: 'Twilio API key SID (SK...)', example: 'SK...' },
  /** Twilio API key secret. */
  TWILIO_API_SECRET: { group: 'twilio', secret: true, description: 'Twilio API key secret', example: '<secret>' },
  /** Twilio auth token: signs Twilio's webhooks and Media Streams upgrades; also REST credentials with the account SID. */
  TWILIO_AUTH_TOKEN: {
    group: 'twilio',
    secret: true,
    description: 'Twilio auth token (Console > Account info): checks X-Twilio-Signature; enables /twilio/voice on the bridge',
    example: '<auth token>',
  },
  /** The Twilio number calls come in on and go out from (E.164), checked by `voicectl doctor`. */
  TWILIO_PHONE_NUMBER: { group: 'twilio', description: 'Your Twilio phone number in E.164 (+1...)', example: '+15005550006' },
  /** Public https origin Twilio reaches the bridge on; overrides CALLBACK_URI_HOST for Twilio. */
  TWILIO_PUBLIC_HOST: {
    group: 'twilio',
    description: 'Public https:// origin of the bridge for Twilio (default: CALLBACK_URI_HOST)',
    example: 'https://<name>.trycloudflare.com',
  },
  /** Optional `<Say>` greeting played before the call is connected to the model. */
  TWILIO_GREETING: { group: 'twilio', description: 'Optional greeting Twilio says before connecting the call', example: 'Connecting you now.' },
  /** Test seam: base URL that replaces https://api.twilio.com for REST calls (a local fake). */
  TWILIO_API_BASE_URL: {
    group: 'twilio',
    description: 'Test seam: send Twilio REST requests here instead of https://api.twilio.com (local fakes only)',
    example: 'http://127.0.0.1:8099',
  },
  // --- Azure Resource Manager ------------------------------------------------------------
  /** Subscription for `voicectl acs create/show/keys`. */
  AZURE_SUBSCRIPTION_ID: {
    group: 'azure',
    description: 'Azure subscription id for voicectl acs',
    example: '00000000-0000-0000-0000-000000000000',
  },
  /** ARM endpoint for every ARM-using command (acs, route-calls, doctor); `--arm-endpoint` overrides it for one run. */
  AZURE_ARM_ENDPOINT: {
    group: 'azure',
    description: 'Azure Resource Manager endpoint (default https://management.azure.com; sovereign clouds)',
    example: 'https://management.azure.com',
  },
  // --- voicectl itself -------------------------------------------------------------------
  /** Shared secret the bridge requires on the media WebSocket (`?token=` or `Authorization: Bearer`). */
  VOICECTL_MEDIA_TOKEN: {
    group: 'voicectl',
    secret: true,
    description: 'Secret required on the bridge media WebSocket (?token= or Bearer)',
    example: '<random>',
  },
  /** On SIGTERM, how long the bridge lets active calls run on (seconds, default 30). */
  VOICECTL_DRAIN_TIMEOUT: {
    group: 'voicectl',
    description: 'Seconds the bridge lets active calls run on after SIGTERM before closing them (default 30)',
    example: '30',
  },
  /** The Event Grid webhook `?code=` secret of the bridge; derived from the ACS access key when unset. */
  VOICECTL_WEBHOOK_SECRET: {
    group: 'voicectl',
    secret: true,
    description: 'Secret ?code= of the bridge\'s Event Grid webhook (default: derived from the ACS key)',
    example: '<random>',
  },
  /** JWKS URL for validating ACS callback / media JWTs (default the published ACS Call Automation keys). */
  VOICECTL_ACS_JWKS_URL: {
    group: 'voicectl',
    description: 'JWKS URL for ACS callback JWTs (default https://acscallautomation.communication.azure.com/calling/keys)',
    example: 'https://acscallautomation.communication.azure.com/calling/keys',
  },
  /**
   * Redis 6+ URL (`redis://[:password@]host:6379[/db]` or `rediss://` for TLS) where bridge replicas share
   * the Call Automation state (call records, callback events, long-polls). Unset: one process, in memory.
   * Secret because the URL may carry the Redis password.
   */
  VOICECTL_REDIS_URL: {
    group: 'voicectl',
    secret: true,
    description: 'Redis URL shared by bridge replicas for call state (unset: in memory, one process)',
    example: 'redis://redis:6379',
  },
  /** ngrok agent authtoken; `voicectl tunnel up --provider ngrok` hands it to ngrok through its environment, never argv. */
  NGROK_AUTHTOKEN: {
    group: 'voicectl',
    secret: true,
    description: 'ngrok authtoken for voicectl tunnel up --provider ngrok (dashboard.ngrok.com)',
    example: '<authtoken>',
  },
  /** Set to any value to never prompt (same as `--no-input`). */
  VOICECTL_NO_PROMPT: { group: 'voicectl', description: 'Never prompt (same as --no-input)', example: '1' },
  /** Set to disable colour (https://no-color.org). */
  NO_COLOR: { group: 'voicectl', description: 'Disable colour' },
  /** Set by CI systems; voicectl never prompts when it is set. */
  CI: { group: 'voicectl', description: 'Set by CI systems: never prompt' },
} as const satisfies Record<string, EnvVarSpec>;

/** The name of a registered environment variable. */
export type EnvVarName = keyof typeof ENV_VARS;

/** Names of the variables marked secret. */
export const SECRET_ENV_VARS: readonly EnvVarName[] = (Object.keys(ENV_VARS) as EnvVarName[]).filter(
  (name) => (ENV_VARS[name] as EnvVarSpec).secret === true,
);

/** Human titles of the groups, for scaffolded files and help. */
export const ENV_GROUP_TITLES: Record<EnvGroup, string> = {
  acs: 'Azure Communication Services',
  aoai: 'Azure OpenAI Realtime',
  asterisk: 'Asterisk ARI',
  twilio: 'Twilio Voice',
  azure: 'Azure Resource Manager',
  voicectl: 'voicectl',
};
