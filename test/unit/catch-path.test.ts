import { describe, expect, it } from 'vitest';
import { catchFileName, describeRawPath, parseCatchPath } from '../../src/catch/path.js';

const ID = '7bace96a-b33e-4d19-ae72-e1ba25886472';

describe('parseCatchPath', () => {
  it.each([
    [`/left/${ID}`, 'left', ID],
    [`/right/${ID}`, 'right', ID],
    [`/mix/${ID}`, 'mix', ID],
    [`/mix/${ID.toUpperCase()}`, 'mix', ID],
    [`/left/${ID}?codec=slin`, 'left', ID],
  ])('accepts %s', (url, leg, id) => {
    expect(parseCatchPath(url)).toEqual({ ok: true, leg, id });
  });

  it.each([
    ['/'],
    [''],
    ['/healthz'],
    [`/LEFT/${ID}`],
    [`//left/${ID}`],
    [`/left`],
    [`/center/${ID}`],
    [`/x/../left/${ID}`],
    [`/%6ceft/${ID}`],
    [`left/${ID}`],
    [`http://host/left/${ID}`],
  ])('refuses %s with 404', (url) => {
    expect(parseCatchPath(url)).toEqual({
      ok: false,
      status: 404,
      reason: 'not a catch path: use /left/{id}, /right/{id} or /mix/{id}',
    });
  });

  it.each([
    ['/left/../../etc/passwd'],
    ['/left/%2e%2e/%2e%2e/etc/passwd'],
    ['/left/..%2f..%2fetc%2fpasswd'],
    ['/left/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd'],
    ['/left/..\\..\\etc\\passwd'],
    [`/left/${ID}/../../../etc/passwd`],
    [`/left/${ID}/`],
    [`/left/${ID}.wav`],
    [`/left/${ID}%00`],
    [`/left/${ID}\u0000`],
    [`/left/${ID}\n`],
    [`/left/ ${ID}`],
    [`/left/${ID.slice(0, -1)}`],
    [`/left/${ID.replaceAll('-', '')}`],
    [`/left/${ID.replace('7', 'g')}`],
    ['/left/'],
  ])('refuses %j with 400', (url) => {
    expect(parseCatchPath(url)).toEqual({
      ok: false,
      status: 400,
      reason: "the id after /left/ must be one UUID (the call's AID)",
    });
  });

  it('refuses an undefined target', () => {
    expect(parseCatchPath(undefined)).toMatchObject({ ok: false, status: 404 });
  });
});

describe('catchFileName / describeRawPath', () => {
  it('names files <id>-<leg>.<ext>', () => {
    expect(catchFileName({ id: ID, leg: 'mix' }, 'wav')).toBe(`${ID}-mix.wav`);
    expect(catchFileName({ id: ID, leg: 'left' }, 'raw')).toBe(`${ID}-left.raw`);
  });
  it('quotes control characters and shortens long paths', () => {
    expect(describeRawPath('/a\nb')).toBe('"/a\\nb"');
    const long = describeRawPath(`/${'x'.repeat(500)}`);
    expect(long.length).toBe(120 + 3); // quotes + ellipsis
    expect(long.endsWith('…"')).toBe(true);
  });
});
