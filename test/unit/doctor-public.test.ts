/** The doctor's rewording of ws-probe hints: no ws-probe test flags offered as a fix. */
import { describe, expect, it } from 'vitest';
import { probeHintForDoctor } from '../../src/doctor/public.js';

describe('probeHintForDoctor', () => {
  it.each([
    [
      "The server (or a proxy in front of it) requires auth: ACS sends no custom headers, so accept the media WebSocket without auth (or with a token in the URL query). To test with credentials add --header 'Authorization: Bearer <token>'.",
      'The server (or a proxy in front of it) requires auth: ACS sends no custom headers, so accept the media WebSocket without auth (or with a token in the URL query).',
    ],
    [
      'The certificate is self-signed (or a proxy re-signs traffic): ACS needs a publicly trusted certificate. To test past it, add --insecure; for a corporate proxy CA set NODE_EXTRA_CA_CERTS=<ca.pem>.',
      'The certificate is self-signed (or a proxy re-signs traffic): ACS needs a publicly trusted certificate. For a corporate proxy CA set NODE_EXTRA_CA_CERTS=<ca.pem>.',
    ],
    [
      'Check the path: the server must upgrade WebSockets on /ws (set it with --path, e.g. --path /ws/media, and use the same path in the media streaming transport URL).',
      'Check the path: the server must upgrade WebSockets on /ws (set it with --path, e.g. --path /ws/media, and use the same path in the media streaming transport URL). (--path is a `voicectl ws-probe` option, for trying other paths.)',
    ],
    ['Start the server on that port.', 'Start the server on that port.'],
  ])('%#', (hint, expected) => {
    expect(probeHintForDoctor(hint)).toBe(expected);
  });
});
