import { describe, expect, it } from 'vitest';
import type { SourceRow } from '../../lambda/domain';
import { planFile } from '../../lambda/onboarding/plan';
import { createRowValidator } from '../../lambda/users/validate-row';

async function* rowsOf(rows: SourceRow[]): AsyncGenerator<SourceRow> {
  yield* rows;
}

/** The plan of rows read the way an export whose usernames are made from the name is read. */
function planOf(rows: SourceRow[]) {
  const validate = createRowValidator({ source: { username: 'first.last' } });
  return planFile(rowsOf(rows), validate, 'create');
}

describe('the plan', () => {
  it('finds a person both brought in and suspended, whichever row comes first', async () => {
    const plan = await planOf([
      { row: 2, cells: { username: 'ann', email: 'ann@acme.io' } },
      { row: 3, cells: { email: 'ANN@acme.io', action: 'suspend' } },
      { row: 4, cells: { username: 'bob', action: 'suspend' } },
      { row: 5, cells: { username: 'bob', email: 'bob@acme.io', action: 'upsert' } },
    ]);

    expect(Object.fromEntries(plan.conflicts)).toEqual({
      2: { otherRow: 3, otherAction: 'suspend' },
      3: { otherRow: 2, otherAction: 'create' },
      4: { otherRow: 5, otherAction: 'upsert' },
      5: { otherRow: 4, otherAction: 'suspend' },
    });
    expect(plan.suspensions).toBe(2);
  });

  it('does not take a username made from a row as the person a leaver names', async () => {
    // Row 2's username is made (ann.lee) and may yet become ann.lee.7: not who row 3 suspends.
    const plan = await planOf([
      { row: 2, cells: { firstname: 'Ann', lastname: 'Lee', email: 'ann@acme.io', employeeIdentifier: '7' } },
      { row: 3, cells: { username: 'ann.lee', action: 'suspend' } },
    ]);

    expect(plan.conflicts.size).toBe(0);
  });

  it('brings in first the people other rows name as manager, by username, email or employee id, before or after them', async () => {
    const plan = await planOf([
      { row: 2, cells: { username: 'dev', email: 'dev@acme.io', manager: 'margaret' } },
      { row: 3, cells: { username: 'margaret', email: 'margaret@acme.io', employeeIdentifier: 'E9' } },
      { row: 4, cells: { username: 'lu', email: 'lu@acme.io', manager: 'MARGARET@acme.io' } },
      { row: 5, cells: { username: 'kim', email: 'kim@acme.io', managerEmployeeIdentifier: 'e9' } },
      { row: 6, cells: { username: 'sam', email: 'sam@acme.io', manager: 'lu' } },
    ]);

    expect([...plan.managerRows].sort()).toEqual([3, 4]);
    expect(plan.peopleByKey.get('username:margaret')).toBe(3);
    expect(plan.peopleByKey.get('email:margaret@acme.io')).toBe(3);
    expect(plan.peopleByKey.get('employeeIdentifier:e9')).toBe(3);
  });
});
