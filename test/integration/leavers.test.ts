/**
 * Leavers from a drop, end to end through the deployed path: a file under incoming/leavers/
 * suspends its rows (state SUSPENDED, nothing else changed, nothing deleted), finds each person by
 * employee id, email or username, suspends nobody when over SUSPEND_LIMIT, can be checked first
 * under incoming/dry-run/leavers/, and is undone by `unsuspend`.
 */
import { describe, expect, it } from 'vitest';
import type { EmbeddedStack } from '../../local/embedded-stack';
import { rowsOf } from './results';
import { useEmbeddedStack } from './stack';

/** Small, so a test file can go over it. */
const SUSPEND_LIMIT = 3;
let stack: EmbeddedStack;

useEmbeddedStack({ environment: { SUSPEND_LIMIT: String(SUSPEND_LIMIT) } }, (started) => {
  stack = started;
});

function seedStaff() {
  const sim = stack.simulator;
  return {
    ada: sim.seedUser({
      username: 'ada',
      email: 'ada@example.com',
      employeeIdentifier: 'E1',
      department: 'R&D',
    }),
    bob: sim.seedUser({ username: 'bob', email: 'bob@example.com', employeeIdentifier: 'E2' }),
    cy: sim.seedUser({ username: 'cy', email: 'cy@example.com' }),
    gone: sim.seedUser({ username: 'gone', email: 'gone@example.com', state: 'SUSPENDED' }),
  };
}

const writes = () => stack.simulator.requests.filter((r) => r.method !== 'GET');

describe('a leavers file', () => {
  it('suspends people found by employee id, email and username, and says who could not be', async () => {
    // Prepare
    const staff = seedStaff();
    const text =
      // An HR export's own columns (Last Day) are ignored; any one key column finds each person.
      'Employee ID,Email,Username,Last Day\r\n' +
      'E1,,,2026-11-30\r\n' +
      ',bob@example.com,,2026-11-30\r\n' +
      ',,cy,2026-11-30\r\n' +
      ',nobody@example.com,,2026-11-30\r\n' +
      ',gone@example.com,,2026-11-30\r\n';

    // Act
    const results = await stack.drop('incoming/leavers/2026-12-01.csv', text);

    // Assess: the auditor sees who lost access, with their JumpCloud id, from which file.
    expect(
      rowsOf(results?.resultsCsv ?? '').map((r) => [r.row, r.status, r.username, r.jumpcloud_id, r.message]),
    ).toEqual([
      ['2', 'suspended', 'ada', staff.ada._id, 'suspended: access removed, nothing deleted'],
      ['3', 'suspended', 'bob', staff.bob._id, 'suspended: access removed, nothing deleted'],
      ['4', 'suspended', 'cy', staff.cy._id, 'suspended: access removed, nothing deleted'],
      ['5', 'failed', '', '', 'nobody in JumpCloud has email nobody@example.com'],
      ['6', 'exists', 'gone', staff.gone._id, 'already suspended'],
    ]);
    expect(results?.summary.counts).toMatchObject({ suspended: 3, failed: 1, exists: 1 });
    expect(results?.summary.held).toBeUndefined(); // 3 people, at the limit: not over it
    expect(results?.summary.input.key).toBe('incoming/leavers/2026-12-01.csv');
    // Only the state changed; nobody was deleted.
    expect(stack.simulator.users()).toHaveLength(4);
    expect(stack.simulator.user(staff.ada._id)).toMatchObject({
      state: 'SUSPENDED',
      department: 'R&D',
      email: 'ada@example.com',
    });
    expect(writes().map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT']);
  });

  it('suspends nobody when two people match a row, and names the clash', async () => {
    // Prepare
    stack.simulator.seedUser({ username: 'twin1', email: 'twin1@example.com', employeeIdentifier: 'E9' });
    stack.simulator.seedUser({ username: 'twin2', email: 'twin2@example.com', employeeIdentifier: 'E9' });

    // Act
    const results = await stack.drop('incoming/leavers/twins.csv', 'employeeIdentifier\r\nE9\r\n');

    // Assess
    expect(rowsOf(results?.resultsCsv ?? '')).toMatchObject([
      { status: 'failed', message: '2 people in JumpCloud have employeeIdentifier E9; nobody was changed' },
    ]);
    expect(writes()).toEqual([]);
  });

  it('is held, suspending nobody, when it would suspend more people than SUSPEND_LIMIT', async () => {
    // Prepare: four active people and one already suspended (who does not count)
    seedStaff();
    stack.simulator.seedUser({ username: 'dee', email: 'dee@example.com' });
    const text =
      'email\r\nada@example.com\r\nbob@example.com\r\ncy@example.com\r\ndee@example.com\r\ngone@example.com\r\n';

    // Act
    const results = await stack.drop('incoming/leavers/too-many.csv', text);

    // Assess
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows.map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
    expect(rows[0]?.message).toBe(
      `held: this file would suspend 4 people, more than the limit of ${SUSPEND_LIMIT} (SUSPEND_LIMIT); ` +
        'nobody was suspended. Split the file or raise the limit',
    );
    expect(results?.summary.held).toBe(true);
    expect(
      stack.simulator
        .users()
        .filter((u) => u.state === 'SUSPENDED')
        .map((u) => u.username),
    ).toEqual(['gone']);
    expect(writes()).toEqual([]);
  });

  it('can be checked first under dry-run/leavers/: would_suspend, nothing changed', async () => {
    // Prepare
    const staff = seedStaff();

    // Act
    const results = await stack.drop('incoming/dry-run/leavers/check.csv', 'username\r\nada\r\ngone\r\n');

    // Assess
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.status, r.jumpcloud_id])).toEqual([
      ['would_suspend', staff.ada._id],
      ['exists', staff.gone._id],
    ]);
    expect(results?.summary.dryRun).toBe(true);
    expect(writes()).toEqual([]);
    expect(stack.simulator.user(staff.ada._id)?.state).not.toBe('SUSPENDED');
  });

  it('is undone by unsuspend, from the same kind of drop', async () => {
    // Prepare
    const staff = seedStaff();
    await stack.drop('incoming/leavers/mistake.csv', 'username\r\nada\r\n');

    // Act
    const undone = await stack.drop(
      'incoming/leavers/mistake-undo.csv',
      'action,username\r\nunsuspend,ada\r\nunsuspend,bob\r\n',
    );

    // Assess
    expect(rowsOf(undone?.resultsCsv ?? '').map((r) => [r.status, r.message])).toEqual([
      ['updated', 'reactivated (state ACTIVATED)'],
      ['exists', 'not suspended; nothing to undo'],
    ]);
    expect(stack.simulator.user(staff.ada._id)?.state).toBe('ACTIVATED');
  });

  it('refuses a joiner and a leaver of the same person in one file, on both rows', async () => {
    // Prepare
    seedStaff();
    const text =
      'action,username,email\r\ncreate,newbie,newbie@example.com\r\nsuspend,,newbie@example.com\r\nsuspend,bob,\r\n';

    // Act
    const results = await stack.drop('incoming/mixed.csv', text);

    // Assess
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.row, r.status, r.message])).toEqual([
      ['2', 'invalid', expect.stringMatching(/the same person is suspended in row 3/)],
      ['3', 'invalid', expect.stringMatching(/the same person is also in the file to create in row 2/)],
      ['4', 'suspended', 'suspended: access removed, nothing deleted'],
    ]);
    expect(stack.simulator.users().some((u) => u.username === 'newbie')).toBe(false);
  });
});
