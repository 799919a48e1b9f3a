import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  asteriskCommands,
  renderAriFiles,
  renderDialplanFile,
  renderFreepbxAriFiles,
  type AriSettings,
  type FileContent,
} from '../../src/scaffold/asterisk.js';
import { sha512Crypt, verifySha512Crypt } from '../../src/scaffold/secrets.js';
import { dialplanSteps, parseAsteriskConf, sections, settings } from '../helpers/asterisk-conf.js';

const ARI: AriSettings = {
  user: 'voicectl',
  password: 'Xy7pLm2QaB9cD4eF6gH8jK1n',
  passwordFormat: 'plain',
  readOnly: false,
  bind: '127.0.0.1',
  port: 8088,
  allowedOrigins: '',
  pretty: false,
};

function byName(files: FileContent[], name: string): FileContent {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in ${files.map((x) => x.name).join(', ')}`);
  return f;
}

/** What Asterisk needs from ari.conf: [general] enabled, and a user section with type = user. */
function expectValidAri(conf: ReturnType<typeof parseAsteriskConf>, user: string): Record<string, string> {
  const general = sections(conf, 'general');
  expect(general).toHaveLength(1);
  const g = settings(general[0]!);
  expect(g.enabled).toBe('yes');
  expect(['yes', 'no']).toContain(g.pretty);
  expect(g).toHaveProperty('allowed_origins');
  const users = sections(conf, user);
  expect(users).toHaveLength(1);
  const u = settings(users[0]!);
  expect(u.type).toBe('user');
  expect(['yes', 'no']).toContain(u.read_only);
  expect(['plain', 'crypt']).toContain(u.password_format);
  expect(u.password).toBeTruthy();
  return u;
}

describe('ari.conf and http.conf', () => {
  it('load as Asterisk config with every key Asterisk requires', async () => {
    const files = await renderAriFiles(ARI);
    expect(files.map((f) => [f.name, f.mode])).toEqual([
      ['ari.conf', 0o640],
      ['http.conf', 0o644],
    ]);
    const u = expectValidAri(parseAsteriskConf(byName(files, 'ari.conf').text), 'voicectl');
    expect(u).toEqual({ type: 'user', read_only: 'no', password_format: 'plain', password: ARI.password });

    const http = parseAsteriskConf(byName(files, 'http.conf').text);
    expect(http.sections.map((s) => s.name)).toEqual(['general']);
    const h = settings(http.sections[0]!);
    expect(h.enabled).toBe('yes');
    expect(isIP(h.bindaddr!)).toBe(4);
    expect(h.bindport).toBe('8088');
  });

  it('carries the options: read-only, bind, port, origins, pretty', async () => {
    const files = await renderAriFiles({
      ...ARI,
      user: 'ops_ro',
      readOnly: true,
      bind: '0.0.0.0',
      port: 8090,
      allowedOrigins: 'http://127.0.0.1:8090,*',
      pretty: true,
    });
    const ari = parseAsteriskConf(byName(files, 'ari.conf').text);
    expect(settings(sections(ari, 'general')[0]!)).toEqual({
      enabled: 'yes',
      pretty: 'yes',
      allowed_origins: 'http://127.0.0.1:8090,*',
    });
    expect(expectValidAri(ari, 'ops_ro').read_only).toBe('yes');
    const h = settings(parseAsteriskConf(byName(files, 'http.conf').text).sections[0]!);
    expect(h).toEqual({ enabled: 'yes', bindaddr: '0.0.0.0', bindport: '8090' });
  });

  it('writes a crypt hash that verifies against the clear password', async () => {
    const clear = 'Xy7pLm2QaB9cD4eF6gH8jK1n';
    const files = await renderAriFiles({ ...ARI, passwordFormat: 'crypt', password: sha512Crypt(clear) });
    const u = expectValidAri(parseAsteriskConf(byName(files, 'ari.conf').text), 'voicectl');
    expect(u.password_format).toBe('crypt');
    expect(u.password).toMatch(/^\$6\$/);
    expect(u.password).not.toContain(clear);
    expect(verifySha512Crypt(clear, u.password!)).toBe(true);
  });

  it('an empty allowed_origins leaves no trailing space', async () => {
    const text = byName(await renderAriFiles(ARI), 'ari.conf').text;
    expect(text).toContain('\nallowed_origins =\n');
    expect(text).not.toMatch(/[ \t]$/m);
  });
});

describe('FreePBX split', () => {
  it('writes *_custom.conf files that load inside FreePBX generated ari.conf / http.conf', async () => {
    const files = await renderFreepbxAriFiles(ARI);
    expect(files.map((f) => [f.name, f.mode])).toEqual([
      ['ari_general_custom.conf', 0o644],
      ['ari_additional_custom.conf', 0o640],
      ['http_custom.conf', 0o644],
    ]);
    // Included files: the general ones carry settings only (they are read inside [general]).
    const general = parseAsteriskConf(byName(files, 'ari_general_custom.conf').text, { included: true });
    expect(general.sections).toEqual([]);
    expect(settings({ entries: general.preamble })).toEqual({ enabled: 'yes', pretty: 'no', allowed_origins: '' });
    expect(() => parseAsteriskConf(byName(files, 'ari_general_custom.conf').text)).toThrow(/no category context/);

    // FreePBX arimanager's ari.conf: [general] then the four #includes, in this order.
    const assembled = [
      '[general]',
      byName(files, 'ari_general_custom.conf').text,
      byName(files, 'ari_additional_custom.conf').text,
    ].join('\n');
    const u = expectValidAri(parseAsteriskConf(assembled), 'voicectl');
    expect(u.password).toBe(ARI.password);

    const httpAssembled = `[general]\n${byName(files, 'http_custom.conf').text}`;
    expect(settings(parseAsteriskConf(httpAssembled).sections[0]!)).toEqual({
      enabled: 'yes',
      bindaddr: '127.0.0.1',
      bindport: '8088',
    });
  });
});

describe('extensions_custom.conf', () => {
  it('has the context with the NoOp, Answer, Stasis, Hangup priority chain', async () => {
    const file = await renderDialplanFile({
      context: 'voicectl-inbound',
      exten: '_X.',
      appName: 'voicectl',
      appArgs: '',
    });
    expect(file).toMatchObject({ name: 'extensions_custom.conf', mode: 0o644 });
    const conf = parseAsteriskConf(file.text);
    expect(conf.sections.map((s) => s.name)).toEqual(['voicectl-inbound']);
    expect(dialplanSteps(conf.sections[0]!)).toEqual([
      { exten: '_X.', priority: 1, app: 'NoOp', data: 'voicectl inbound ${EXTEN}' },
      { exten: '_X.', priority: 2, app: 'Answer', data: '' },
      { exten: '_X.', priority: 3, app: 'Stasis', data: 'voicectl' },
      { exten: '_X.', priority: 4, app: 'Hangup', data: '' },
    ]);
  });

  it('passes app arguments to Stasis()', async () => {
    const file = await renderDialplanFile({
      context: 'from-pstn-ai',
      exten: '_0[1-9]X.',
      appName: 'denco_voiceai',
      appArgs: '${EXTEN},${CALLERID(num)}',
    });
    const steps = dialplanSteps(sections(parseAsteriskConf(file.text), 'from-pstn-ai')[0]!);
    expect(steps[0]?.exten).toBe('_0[1-9]X.');
    expect(steps.find((s) => s.app === 'Stasis')).toEqual({
      exten: '_0[1-9]X.',
      priority: 3,
      app: 'Stasis',
      data: 'denco_voiceai,${EXTEN},${CALLERID(num)}',
    });
  });
});

describe('the reader used above is strict', () => {
  it.each([
    ['[general]\nenabled yes\n', /no '=' \(equal sign\)/],
    ['enabled = yes\n', /no category context/],
    ['[general\n', /malformed category header/],
  ])('rejects %j', (text, error) => {
    expect(() => parseAsteriskConf(text)).toThrow(error);
  });

  it('rejects a dialplan chain that Asterisk would not build', () => {
    const conf = parseAsteriskConf('[c]\nsame => n,Answer()\n');
    expect(() => dialplanSteps(conf.sections[0]!)).toThrow(/same => before any exten/);
    const bad = parseAsteriskConf('[c]\nexten => _X.,1,Stasis(app,${CALLERID(num)\n');
    expect(() => dialplanSteps(bad.sections[0]!)).toThrow(/bad application|unbalanced/);
  });
});

describe('load and check commands', () => {
  it('names the exact asterisk -rx commands for what was written', () => {
    expect(asteriskCommands({ ari: true, dialplan: true }, 'voicectl-inbound')).toEqual({
      load: [
        'asterisk -rx "module reload res_ari.so"',
        'asterisk -rx "module reload http"',
        'asterisk -rx "dialplan reload"',
      ],
      check: [
        'asterisk -rx "ari show users"',
        'asterisk -rx "http show status"',
        'asterisk -rx "dialplan show voicectl-inbound"',
      ],
    });
    expect(asteriskCommands({ ari: false, dialplan: true }, 'c1')).toEqual({
      load: ['asterisk -rx "dialplan reload"'],
      check: ['asterisk -rx "dialplan show c1"'],
    });
  });
});
