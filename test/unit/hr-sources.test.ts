/**
 * What an HR export's rows become beyond their columns: usernames made from the row (the same on
 * every read of the file), days in each system's format, leavers by HR status or end date against
 * an injected "today", and mapping files refused with their line.
 */
import { describe, expect, it } from 'vitest';
import type { SourceRow } from '../../lambda/domain';
import { deriveUsername, readDay } from '../../lambda/sources/derive';
import { readMappingFile } from '../../lambda/sources/mapping-file';
import { createRowValidator } from '../../lambda/users/validate-row';

const TODAY = new Date('2026-12-02T09:00:00Z');
const row = (n: number, cells: Record<string, string>): SourceRow => ({ row: n, cells });

describe('made usernames', () => {
  it('come from the email or the name, as ASCII a username may hold', () => {
    expect(deriveUsername('email', { email: 'Zoë.O’Brien+hr@example.com' })).toBe('zoe.obrien');
    expect(deriveUsername('first.last', { firstname: 'José María', lastname: 'Núñez' })).toBe(
      'josemaria.nunez',
    );
    expect(deriveUsername('flast', { firstname: 'Margaret', lastname: 'Ross' })).toBe('mross');
    expect(deriveUsername('email', { email: '1234@example.com' })).toBeUndefined();
  });

  it('take the employee id when an earlier row made the same, and are the same on every read', () => {
    // Prepare
    const rows = [
      row(2, { firstname: 'John', lastname: 'Smith', email: 'js1@example.com', employeeIdentifier: 'E-17' }),
      row(3, { firstname: 'John', lastname: 'Smith', email: 'js2@example.com', employeeIdentifier: 'E-42' }),
      row(4, { firstname: 'John', lastname: 'Smith', email: 'js3@example.com' }),
    ];
    const read = () => {
      const validate = createRowValidator({ now: () => TODAY, source: { username: 'first.last' } });
      return rows.map((r) => validate(r));
    };

    // Act
    const first = read();
    const second = read();

    // Assess
    expect(first.map((r) => (r.ok ? r.user.username : r.message))).toEqual([
      'john.smith',
      'john.smith.e42',
      "username: made from the first and last name, it is the same as row 2's, and the row has no employee id to tell them apart; add a username column",
    ]);
    expect(second).toEqual(first);
  });
});

describe('leavers', () => {
  const validate = (cells: Record<string, string>, dateFormat?: 'DD/MM/YYYY') =>
    createRowValidator({
      now: () => TODAY,
      source: { username: 'email', ...(dateFormat ? { dateFormat } : {}) },
    })(row(2, { email: 'ann@example.com', ...cells }));

  it('are rows whose end date is before today, not on it', () => {
    expect(validate({ endDate: '2026-12-01' })).toMatchObject({
      ok: true,
      action: 'suspend',
      leaver: 'endDate has passed',
    });
    expect(validate({ endDate: '2026-12-02' })).toMatchObject({ ok: true });
    expect(validate({ endDate: '2026-12-02' })).not.toHaveProperty('action');
    expect(validate({ endDate: '01/12/2026' }, 'DD/MM/YYYY')).toMatchObject({ action: 'suspend' });
  });

  it('are rows whose HR status says so; an action cell wins; a bad date is the row’s problem', () => {
    expect(validate({ employmentStatus: ' TERMINATED ' })).toMatchObject({ action: 'suspend' });
    expect(validate({ employmentStatus: 'On Leave' })).not.toHaveProperty('action');
    expect(validate({ employmentStatus: 'Terminated', action: 'upsert' })).toMatchObject({
      action: 'upsert',
    });
    expect(validate({ endDate: '31/02/2026' }, 'DD/MM/YYYY')).toMatchObject({
      ok: false,
      message: 'endDate: is not a day written DD/MM/YYYY',
    });
  });

  it('read each system’s date format, and an ISO day with a zone', () => {
    expect(readDay('11/30/2026', 'MM/DD/YYYY')).toBe('2026-11-30');
    expect(readDay('30.11.2026', 'DD.MM.YYYY')).toBe('2026-11-30');
    expect(readDay('2026-11-30-08:00')).toBe('2026-11-30');
    expect(readDay('2026-11-30T17:00:00Z')).toBe('2026-11-30');
    expect(readDay('30/11/2026')).toBeUndefined();
  });

  it('read one-digit days and months, and refuse days that do not exist', () => {
    expect(readDay('1/2/2026', 'DD/MM/YYYY')).toBe('2026-02-01');
    expect(readDay('29.02.2024', 'DD.MM.YYYY')).toBe('2024-02-29');
    expect(readDay('02/29/2000', 'MM/DD/YYYY')).toBe('2000-02-29');
    for (const day of ['29.02.2023', '29.02.1900', '31.04.2026', '00.01.2026', '01.13.2026', '01.01.0000'])
      expect(readDay(day, 'DD.MM.YYYY')).toBeUndefined();
    expect(readDay('2026-11-30', 'DD/MM/YYYY')).toBeUndefined();
    expect(readDay('30/11/2026 ', 'DD/MM/YYYY')).toBe('2026-11-30');
    expect(readDay('30/11/20261', 'DD/MM/YYYY')).toBeUndefined();
  });
});

describe('mapping files', () => {
  it('are refused with the mapping’s name and the line of the problem', () => {
    const problem = (text: string) => {
      try {
        readMappingFile('mappings/acme.json', text);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problem('{\n  "columns": {\n    "A": "email",\n  }\n}')).toBe(
      'mapping mappings/acme.json, line 4: not valid JSON (a name in double quotes was expected, or a comma is one too many)',
    );
    expect(problem('{\n  "colums": {}\n}')).toBe(
      'mapping mappings/acme.json, line 2: colums: is not something a mapping file can say',
    );
    expect(problem('{\n  "constants": {\n    "password": "Welcome1"\n  }\n}')).toBe(
      'mapping mappings/acme.json, line 3: constants.password: cannot be the same for every row',
    );
    expect(problem('{\n  "username": "initials"\n}')).toBe(
      'mapping mappings/acme.json, line 2: username: is not one of email, first.last, flast',
    );
  });
});
