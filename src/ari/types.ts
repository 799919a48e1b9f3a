/**
 * ARI resource and event shapes voicectl reads.
 *
 * Source: Asterisk 22 `rest-api/api-docs/{asterisk,applications,channels,events}.json`
 * (Swagger 1.1), checked against a real Asterisk 22.10.1 (see docs/ari.md).
 * Only the fields voicectl uses are typed; everything else is kept as-is.
 */

/** `CallerID`: `{name, number}`. */
export interface AriCallerId {
  name: string;
  number: string;
}

/** `DialplanCEP` plus the running application: where a channel is in the dialplan. */
export interface AriDialplan {
  context: string;
  exten: string;
  priority: number;
  app_name?: string;
  app_data?: string;
}

/** `Channel`. `creationtime` is ISO 8601 with a `+0000`-style offset. */
export interface AriChannel {
  id: string;
  name: string;
  /** `Down`, `Rsrved`, `OffHook`, `Dialing`, `Ring`, `Ringing`, `Up`, `Busy`, `Dialing Offhook`, `Pre-ring`, `Unknown`. */
  state: string;
  protocol_id?: string;
  caller: AriCallerId;
  connected: AriCallerId;
  accountcode?: string;
  dialplan: AriDialplan;
  creationtime: string;
  language?: string;
  [key: string]: unknown;
}

/** `AsteriskInfo` from `GET /asterisk/info` (only the parts voicectl reports). */
export interface AriAsteriskInfo {
  build?: Record<string, unknown>;
  system?: { version?: string; entity_id?: string };
  config?: Record<string, unknown>;
  status?: { startup_time?: string; last_reload_time?: string };
}

/** `Application` from `GET /applications/{name}`. */
export interface AriApplication {
  name: string;
  channel_ids: string[];
  bridge_ids: string[];
  endpoint_ids: string[];
  device_names: string[];
  [key: string]: unknown;
}

/**
 * A message on the events WebSocket: `{type, timestamp, application, asterisk_id, ...}`.
 * `StasisStart` adds `args: string[]` and `channel`; `StasisEnd` / `ChannelDestroyed` add `channel`.
 */
export interface AriEvent {
  type: string;
  timestamp?: string;
  application?: string;
  asterisk_id?: string;
  channel?: AriChannel;
  args?: string[];
  [key: string]: unknown;
}

/** Parameters of `POST /channels` (originate). */
export interface OriginateParams {
  /** Dial string, e.g. `PJSIP/alice` or `Local/100@voicectl-inbound`. */
  endpoint: string;
  /** Stasis app to put the answered channel into (exclusive with extension/context). */
  app?: string;
  /** Arguments for the app; they become `StasisStart.args` of that channel. */
  appArgs?: string[];
  extension?: string;
  context?: string;
  priority?: number;
  /** Caller id, e.g. `"voicectl" <100>`. */
  callerId?: string;
  /** Seconds to wait for an answer (ARI default 30). */
  timeout?: number;
  /** Id to give the (first) channel. */
  channelId?: string;
  /** Id to give the second half of a Local channel. */
  otherChannelId?: string;
}
