import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { sendAsciiText } from '../../src/bridge/ws-text.js';

let wss: WebSocketServer | undefined;
afterEach(() => wss?.close());

describe('sendAsciiText', () => {
  it('arrives as a text message with exactly the text, from a client (masked) and from a server', async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const port = (wss.address() as { port: number }).port;
    const text = `{"type":"input_audio_buffer.append","audio":"${Buffer.alloc(960, 7).toString('base64')}"}`;
    const atServer = new Promise<[Buffer, boolean]>((resolve) =>
      wss!.on('connection', (peer) => {
        peer.once('message', (data, isBinary) => {
          resolve([data as Buffer, isBinary]);
          sendAsciiText(peer, '{"kind":"AudioData","audioData":{"data":"AAAA"}}');
        });
      }),
    );
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    await once(client, 'open');
    const atClient = once(client, 'message') as Promise<[Buffer, boolean]>;
    sendAsciiText(client, text);
    const [up, upBinary] = await atServer;
    expect(upBinary).toBe(false);
    expect(up.toString()).toBe(text);
    const [down, downBinary] = await atClient;
    expect(downBinary).toBe(false);
    expect(down.toString()).toBe('{"kind":"AudioData","audioData":{"data":"AAAA"}}');
    client.close();
  });
});
