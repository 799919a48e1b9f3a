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

/** `Bridge` from `POST /bridges` (only the fields voicectl reads). */
export interface AriBridge {
  id: string;
  technology?: string;
  bridge_type?: string;
  bridge_class?: string;
  name?: string;
  channels: string[];
  [key: string]: unknown;
}

/**
 * `Module` from `GET /asterisk/modules`: `name` is the file name (`chan_websocket.so`),
 * `status` is `Running` or `Not Running`, `support_level` core / extended / deprecated.
 * Source: Asterisk 22 `res/ari/resource_asterisk.c` (`process_module_list`).
 */
export interface AriModule {
  name: string;
  description: string;
  use_count: number;
  status: string;
  support_level: string;
}

/**
 * Parameters of `POST /channels/externalMedia` (Asterisk 22 `res/ari/resource_channels.c`):
 * websocket needs `encapsulation=none` (with `connection_type=server`, `external_host` may be
 * empty); audiosocket needs `transport=tcp`, `external_host=host:port` and `data` = the UUID.
 */
export interface ExternalMediaParams {
  app: string;
  /** Id to give the new channel (lets the app recognise its StasisStart before the answer). */
  channelId?: string;
  /** Asterisk format name: `slin16`, `slin`, `ulaw`, … */
  format: string;
  transport: 'websocket' | 'tcp' | 'udp';
  encapsulation: 'none' | 'audiosocket' | 'rtp';
  connectionType?: 'client' | 'server';
  externalHost?: string;
  data?: string;
  transportData?: string;
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
