/**
 * One caller in `voicectl bridge --ari`: the ARI resources the Stasis app creates for it and
 * their clean-up.
 *
 * Set-up, in order (Asterisk 22 `rest-api/api-docs/{channels,bridges}.json`, verified against
 * Asterisk 22.10.1): answer the caller (`POST /channels/{id}/answer`, a no-op when it is up),
 * create a `mixing` bridge and add the caller, create the externalMedia channel, then let the
 * media reach the bridge:
 * - `websocket`: chan_websocket with `connection_type=server`; the 200 answer (sent before
 *   anyone connects) carries `channelvars.MEDIA_WEBSOCKET_CONNECTION_ID`, and the bridge dials
 *   `ws://<asterisk>/media/<id>` itself ({@link StasisCallDeps.connectMedia});
 * - `audiosocket`: Asterisk opens the TCP connection to the bridge's AudioSocket listener
 *   while the POST runs and sends `data` (a fresh UUID) as the first message.
 * The externalMedia channel enters the app (its own StasisStart) once its media is connected;
 * only then can it join the bridge (`addChannel` answers 422 before), see {@link mediaEntered}.
 *
 * Tear-down ({@link end}) is idempotent and runs whatever the cause (StasisEnd of either
 * channel, the media call ending, a failed step, the bridge stopping): the bridge is destroyed
 * and both channels are hung up; a 404 (already gone) is not an error.
 */
import { randomUUID } from 'node:crypto';
import type { AriClient } from './client.js';
import type { AriChannel } from './types.js';

/** How the caller's audio reaches the bridge. */
export type AriMediaMode = 'websocket' | 'audiosocket';

/** What a call needs from the Stasis app. */
export interface StasisCallDeps {
  client: AriClient;
  app: string;
  media: AriMediaMode;
  /** Asterisk format of the externalMedia channel (`slin16`, or `slin` for AudioSocket before 20.17/21.12/22.7). */
  format: string;
  /** `host:port` Asterisk dials for AudioSocket (the bridge's listener as Asterisk reaches it). */
  audioSocket?: string;
  /**
   * Dial Asterisk's `/media/<connection id>` URL and admit the socket as a bridge call.
   * @returns the bridge's call id.
   */
  connectMedia(url: string, ids: Record<string, string>): Promise<string>;
  /** `ws://host:port[/prefix]/media/<id>` for a connection id. */
  mediaUrl(connectionId: string): string;
  onEvent(type: string, data: Record<string, unknown>): void;
  /** Called once the call has been torn down. */
  onEnded(call: StasisCall): void;
}

/** One caller channel and what voicectl created for it. */
export class StasisCall {
  readonly callerId: string;
  readonly callerNumber: string;
  readonly mediaChannelId = `voicectl-media-${randomUUID()}`;
  /** The AudioSocket UUID (audiosocket mode): the first message Asterisk sends on the TCP connection. */
  readonly uuid = randomUUID();
  bridgeId: string | undefined;
  /** The bridge's call id of the media call, once known. */
  callId: string | undefined;
  private mediaCreated = false;
  private mediaInStasis = false;
  private mediaJoined = false;
  private ended = false;
  private endedPromise: Promise<void> | undefined;

  constructor(
    caller: AriChannel,
    private readonly d: StasisCallDeps,
  ) {
    this.callerId = caller.id;
    this.callerNumber = caller.caller?.number ?? '';
  }

  /** Run the set-up; a failed step is reported as `ari.error` and tears the call down. */
  async start(): Promise<void> {
    let step = 'answer';
    try {
      await this.d.client.answer(this.callerId);
      if (this.ended) return;
      step = 'bridge';
      const bridge = await this.d.client.createBridge('mixing', `voicectl-${randomUUID()}`, `voicectl ${this.callerId}`);
      this.bridgeId = bridge.id;
      if (this.ended) return void (await this.teardown());
      await this.d.client.addToBridge(bridge.id, [this.callerId]);
      if (this.ended) return void (await this.teardown());
      step = 'externalMedia';
      const channel = await this.d.client.externalMedia(this.mediaParams());
      this.mediaCreated = true;
      if (this.ended) return void (await this.teardown());
      if (this.d.media === 'websocket') {
        const connectionId = channel.channelvars?.MEDIA_WEBSOCKET_CONNECTION_ID;
        if (!connectionId) throw new Error('the externalMedia answer has no channelvars.MEDIA_WEBSOCKET_CONNECTION_ID (is chan_websocket 20.16+/21.11+/22.6+ loaded?)');
        step = 'media';
        this.callId = await this.d.connectMedia(this.d.mediaUrl(connectionId), {
          callerChannelId: this.callerId,
          ...(this.callerNumber ? { callerNumber: this.callerNumber } : {}),
        });
        if (this.ended) return void (await this.teardown());
      }
      await this.joinMedia();
    } catch (err) {
      if (this.ended) return;
      this.d.onEvent('ari.error', { step, callerChannelId: this.callerId, message: errorText(err) });
      await this.end(`${step} failed`);
    }
  }

  /** The externalMedia channel entered the app (its StasisStart): it can join the bridge now. */
  async mediaEntered(): Promise<void> {
    this.mediaInStasis = true;
    try {
      await this.joinMedia();
    } catch (err) {
      if (this.ended) return;
      this.d.onEvent('ari.error', { step: 'addChannel', callerChannelId: this.callerId, message: errorText(err) });
      await this.end('addChannel failed');
    }
  }

  /** Tear everything down (idempotent); resolves once ARI has answered every request. */
  end(reason: string): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      this.endedPromise = this.teardown().then(() => {
        this.d.onEvent('ari.ended', {
          callerChannelId: this.callerId,
          mediaChannelId: this.mediaChannelId,
          ...(this.bridgeId ? { bridgeId: this.bridgeId } : {}),
          ...(this.callId ? { callId: this.callId } : {}),
          reason,
        });
        this.d.onEnded(this);
      });
    }
    return this.endedPromise!;
  }

  /** True once {@link end} has been called. */
  get ending(): boolean {
    return this.ended;
  }

  private async joinMedia(): Promise<void> {
    // both conditions, in either order: the POST's answer and the channel's StasisStart race
    if (this.mediaJoined || !this.mediaInStasis || !this.bridgeId || this.ended) return;
    if (this.d.media === 'websocket' && this.callId === undefined) return;
    this.mediaJoined = true;
    await this.d.client.addToBridge(this.bridgeId, [this.mediaChannelId]);
    if (this.ended) return;
    this.d.onEvent('ari.call', {
      callerChannelId: this.callerId,
      callerNumber: this.callerNumber,
      mediaChannelId: this.mediaChannelId,
      bridgeId: this.bridgeId,
      media: this.d.media,
      format: this.d.format,
      ...(this.callId ? { callId: this.callId } : {}),
      ...(this.d.media === 'audiosocket' ? { uuid: this.uuid } : {}),
    });
  }

  private mediaParams(): Parameters<AriClient['externalMedia']>[0] {
    const base = { app: this.d.app, channelId: this.mediaChannelId, format: this.d.format };
    if (this.d.media === 'websocket') {
      return { ...base, transport: 'websocket', encapsulation: 'none', connectionType: 'server' };
    }
    return { ...base, transport: 'tcp', encapsulation: 'audiosocket', externalHost: this.d.audioSocket!, data: this.uuid };
  }

  /** Destroy the bridge and hang up both channels; what is already gone is fine. */
  private async teardown(): Promise<void> {
    const c = this.d.client;
    const quiet = (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);
    const bridgeId = this.bridgeId;
    await Promise.all([
      bridgeId ? quiet(c.destroyBridge(bridgeId)) : undefined,
      quiet(c.hangup(this.callerId)),
      this.mediaCreated ? quiet(c.hangup(this.mediaChannelId)) : undefined,
    ]);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
