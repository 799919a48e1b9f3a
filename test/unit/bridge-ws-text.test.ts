import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { acsAudioFrameBytes } from '../../src/bridge/acs-frames.js';
import { appendAudioBytes } from '../../src/bridge/realtime-protocol.js';
import { asciiMessage, sendText } from '../../src/bridge/ws-text.js';

let wss: WebSocketServer | undefined;
afterEach(() => wss?.close());

const B64 = Buffer.from(Array.from({ length: 960 }, (_, i) => (i * 37) & 0xff)).toString('base64');

describe('hot messages as bytes', () => {
  it('appendAudioBytes and acsAudioFrameBytes are the UTF-8 bytes of the compact JSON of the message', () => {
    for (const b64 of [B64, '', 'AAEC+/==']) {
      expect(appendAudioBytes(b64).toString()).toBe(JSON.stringify({ type: 'input_audio_buffer.append', audio: b64 }));
      expect(acsAudioFrameBytes(b64).toString()).toBe(JSON.stringify({ kind: 'AudioData', audioData: { data: b64 } }));
    }
    expect(asciiMessage(Buffer.from('<'), 'abc', Buffer.from('>')).toString()).toBe('<abc>');
  });

  it('sendText arrives as a text message with exactly the bytes, from a client (masked) and from a server', async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const port = (wss.address() as { port: number }).port;
    const atServer = new Promise<[Buffer, boolean]>((resolve) =>
      wss!.on('connection', (peer) => {
        peer.once('message', (data, isBinary) => {
          resolve([data as Buffer, isBinary]);
          sendText(peer, acsAudioFrameBytes('AAAA'));
        });
      }),
    );
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    await once(client, 'open');
    const atClient = once(client, 'message') as Promise<[Buffer, boolean]>;
    sendText(client, appendAudioBytes(B64));
    const [up, upBinary] = await atServer;
    expect(upBinary).toBe(false);
    expect(up.equals(appendAudioBytes(B64))).toBe(true);
    const [down, downBinary] = await atClient;
    expect(downBinary).toBe(false);
    expect(down.toString()).toBe('{"kind":"AudioData","audioData":{"data":"AAAA"}}');
    client.close();
  });
});
