import { describe, expect, it } from 'vitest';
import { callerOf } from '../../lambda/web-api/handler';
import { handleWebRequest, type WebApiDependencies } from '../../lambda/web-api/routes';
import { type DropStore, type Presigner, uploadKey } from '../../lambda/web-api/web-files';
import { checkHeader } from '../../web/header-check';

const PREFIXES = { incoming: 'incoming/', outcomes: 'outcomes/', state: 'state/' };
const NOW = new Date('2026-12-02T10:15:00.123Z');

/** A store and presigner that record what they were asked to sign: the link is the key itself. */
function dependencies(): WebApiDependencies & { signed: string[] } {
  const signed: string[] = [];
  const store: DropStore = { list: async () => [], readText: async () => undefined };
  const presigner: Presigner = {
    uploadUrl: async (key) => {
      signed.push(`PUT ${key}`);
      return `signed:${key}`;
    },
    downloadUrl: async (key) => {
      signed.push(`GET ${key}`);
      return `signed:${key}`;
    },
  };
  return { store, presigner, prefixes: PREFIXES, allowedGroup: 'hr-onboarding', now: () => NOW, signed };
}

const member = { id: 'a1b2c3', groups: ['hr-onboarding'] };
const request = (
  method: string,
  path: string,
  extra: { query?: Record<string, string>; body?: unknown } = {},
) => ({
  method,
  path,
  query: extra.query ?? {},
  body: extra.body,
  caller: member,
});

describe('upload keys', () => {
  it('put an upload under the uploader’s own web folder, named by time and a safe file name', () => {
    // Act
    const onboard = uploadKey(PREFIXES, { id: 'a1b2c3' }, 'C:\\HR\\New hires (Dec).CSV', false, NOW);
    const check = uploadKey(PREFIXES, { id: 'a1b2c3' }, 'new hires.csv', true, NOW);

    // Assess
    expect(onboard).toBe('incoming/web/a1b2c3/20261202T101500123Z-New-hires-Dec-.csv');
    expect(check).toBe('incoming/dry-run/web/a1b2c3/20261202T101500123Z-new-hires.csv');
  });

  it('refuses a file that is not a .csv, and a sign-in id that could leave the folder', () => {
    expect(() => uploadKey(PREFIXES, { id: 'a1b2c3' }, 'people.xlsx', false, NOW)).toThrow(/must be a \.csv/);
    expect(() => uploadKey(PREFIXES, { id: '../other' }, 'people.csv', false, NOW)).toThrow(
      /no usable user id/,
    );
  });
});

describe('the page API', () => {
  it('presigns an upload for a group member, "check first" going to the dry-run folder', async () => {
    // Prepare
    const deps = dependencies();

    // Act
    const answer = await handleWebRequest(
      deps,
      request('POST', '/api/uploads', { body: { fileName: 'hires.csv', checkFirst: true } }),
    );

    // Assess
    expect(answer).toEqual({
      status: 200,
      body: {
        key: 'incoming/dry-run/web/a1b2c3/20261202T101500123Z-hires.csv',
        uploadUrl: 'signed:incoming/dry-run/web/a1b2c3/20261202T101500123Z-hires.csv',
        contentType: 'text/csv',
      },
    });
  });

  it('refuses a signed-in person outside the group, signing nothing', async () => {
    // Prepare
    const deps = dependencies();

    // Act
    const answer = await handleWebRequest(deps, {
      ...request('POST', '/api/uploads', { body: { fileName: 'hires.csv' } }),
      caller: { id: 'a1b2c3', groups: ['engineering'] },
    });

    // Assess
    expect(answer).toEqual({
      status: 403,
      body: { message: 'you are signed in, but not in the "hr-onboarding" group: ask IT to add you' },
    });
    expect(deps.signed).toEqual([]);
  });

  it('signs a download of the caller’s own results only', async () => {
    // Prepare
    const deps = dependencies();
    const own = 'outcomes/web/a1b2c3/20261202T101500123Z-hires.20261202-101501.abc.csv';
    const refused = [
      'outcomes/web/someone-else/20261202T101500123Z-hires.20261202-101501.abc.csv',
      'outcomes/web/a1b2c3/../someone-else/x.csv',
      'outcomes/web/a1b2c3-x/y.csv',
      'outcomes/users.20261202-101501.abc.csv',
      'incoming/web/a1b2c3/20261202T101500123Z-hires.csv',
      'outcomes/web/a1b2c3/20261202T101500123Z-hires.20261202-101501.abc.summary.json',
    ];

    // Act
    const allowed = await handleWebRequest(deps, request('GET', '/api/download', { query: { key: own } }));
    const answers = await Promise.all(
      refused.map((key) => handleWebRequest(deps, request('GET', '/api/download', { query: { key } }))),
    );

    // Assess
    expect(allowed).toEqual({ status: 200, body: { downloadUrl: `signed:${own}` } });
    expect(answers.map((a) => a.status)).toEqual(refused.map(() => 403));
    expect(deps.signed).toEqual([`GET ${own}`]);
  });

  it('shows a file’s progress only to the person who dropped it', async () => {
    // Act
    const answer = await handleWebRequest(
      dependencies(),
      request('GET', '/api/file', { query: { key: 'incoming/web/someone-else/20261202T101500123Z-x.csv' } }),
    );

    // Assess
    expect(answer).toEqual({ status: 403, body: { message: 'that file is not one of yours' } });
  });
});

describe('the caller, from the JWT authorizer’s claims', () => {
  it('reads Cognito groups as HTTP API passes them (text "[a b]") or as a list', () => {
    expect(callerOf({ sub: 'a1b2c3', 'cognito:groups': '[hr-onboarding it-admins]' })).toEqual({
      id: 'a1b2c3',
      groups: ['hr-onboarding', 'it-admins'],
    });
    expect(callerOf({ sub: 'a1b2c3', 'cognito:groups': ['hr-onboarding'] }).groups).toEqual([
      'hr-onboarding',
    ]);
    expect(callerOf({ sub: 'a1b2c3' }).groups).toEqual([]);
  });
});

describe('the header check in the browser', () => {
  it('accepts the spellings the engine accepts and counts the people, not blank lines', () => {
    expect(
      checkHeader('\uFEFFUser Name,E-mail Address\r\njdoe,j@example.com\r\n\r\nasmith,a@example.com\r\n'),
    ).toEqual({ ok: true, rows: 2 });
  });

  it('reads semicolon files and an Excel "sep=;" line as the function does', () => {
    expect(checkHeader('Username;E-Mail\r\njdoe;j@example.com\r\n')).toEqual({ ok: true, rows: 1 });
    expect(checkHeader('sep=;\r\nUsername;E-Mail\r\njdoe;j@example.com\r\n')).toEqual({ ok: true, rows: 1 });
  });

  it('names the missing column in plain words and never quotes a cell', () => {
    const check = checkHeader('username,firstname\r\nsecret-person,Jane\r\n');
    expect(check).toEqual({
      ok: false,
      problem: 'This file cannot be used: missing required column "email".',
    });
    expect(checkHeader('jdoe,jane@example.com\r\n')).toEqual({
      ok: false,
      problem:
        'The first line of this file holds data, not column names. Add a first line such as username,email.',
    });
  });
});
