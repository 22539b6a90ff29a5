/**
 * Values an HR export does not hold as JumpCloud wants them, made from what it does hold:
 * usernames (from the email or the name), days written the HR system's way, and whether a row is
 * a leaver (an HR status such as Terminated, or an end date that has passed). Each is a pure
 * function of the row and "today", so a file dropped again gives the same answer.
 */
import { usernameProblem } from '../users/username';

/** How a username is made when the export has none: the email's local part, first.last, or flast. */
export const USERNAME_RULES = ['email', 'first.last', 'flast'] as const;
export type UsernameRule = (typeof USERNAME_RULES)[number];

/**
 * How an export writes a day; the pattern that reads it. A day or month has one or two digits, a
 * year one to four (year 26 is year 26, not 2026), and the separator is the format's own.
 */
export const DATE_FORMATS = {
  'YYYY-MM-DD': /^(?<year>\d{1,4})-(?<month>\d{1,2})-(?<day>\d{1,2})$/,
  'DD/MM/YYYY': /^(?<day>\d{1,2})\/(?<month>\d{1,2})\/(?<year>\d{1,4})$/,
  'MM/DD/YYYY': /^(?<month>\d{1,2})\/(?<day>\d{1,2})\/(?<year>\d{1,4})$/,
  'DD.MM.YYYY': /^(?<day>\d{1,2})\.(?<month>\d{1,2})\.(?<year>\d{1,4})$/,
} as const;
export type DateFormat = keyof typeof DATE_FORMATS;
export const DATE_FORMAT_NAMES = Object.keys(DATE_FORMATS) as [DateFormat, ...DateFormat[]];

/** HR statuses that mean the person has left, compared ignoring case. Any other status changes nothing. */
export const LEAVER_STATUSES = ['terminated', 'inactive', 'left', 'leaver', 'former', 'separated', 'ended'];

/** How the rows of one export are read beyond their columns (from its preset or mapping file). */
export interface RowRules {
  /** Make the username this way when the row has none. */
  readonly username?: UsernameRule;
  /** How the export writes `endDate` (default YYYY-MM-DD). */
  readonly dateFormat?: DateFormat;
  /** Values every row gets where its own cell is empty (groups are added to the row's own). */
  readonly constants?: Readonly<Record<string, string>>;
  /** More HR statuses meaning the person left, beyond LEAVER_STATUSES. */
  readonly leaverStatuses?: readonly string[];
}

/** Lower-case ASCII letters and digits of a name or email part: `Zoë O'Brien` → `zoeobrien`. */
function usernamePart(text: string, keep: RegExp): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(keep, '');
}

/**
 * The username the rule makes from the row, or undefined when the cells it needs are empty or
 * hold no letter A-Z to start with.
 */
export function deriveUsername(
  rule: UsernameRule,
  cells: Readonly<Record<string, string>>,
): string | undefined {
  const first = usernamePart(cells.firstname ?? '', /[^a-z0-9]/g);
  const last = usernamePart(cells.lastname ?? '', /[^a-z0-9]/g);
  let made: string;
  if (rule === 'email') {
    // Sub-addresses (`jane+hr@`) name the same mailbox: the part before `+` is the person.
    const local = (cells.email ?? '').trim().split('@')[0]?.split('+')[0] ?? '';
    made = usernamePart(local, /[^a-z0-9._-]/g);
  } else if (rule === 'first.last') {
    made = first && last ? `${first}.${last}` : '';
  } else {
    made = first && last ? `${first.slice(0, 1)}${last}` : '';
  }
  made = made.replace(/^[^a-z]+/, '').slice(0, 30);
  return made !== '' && usernameProblem(made) === undefined ? made : undefined;
}

/**
 * The username for a person whose made username another row already has: the same with the
 * employee id, so it is the same on every drop of the file. Undefined without an employee id.
 */
export function usernameWithEmployeeId(
  base: string,
  employeeIdentifier: string | undefined,
): string | undefined {
  const id = usernamePart(employeeIdentifier ?? '', /[^a-z0-9]/g);
  if (id === '') return undefined;
  const made = `${base.slice(0, Math.max(1, 29 - id.length))}.${id}`.slice(0, 30);
  return usernameProblem(made) === undefined ? made : undefined;
}

/**
 * The day a cell names, as YYYY-MM-DD, or undefined when it is not a day in that format. An ISO
 * day may carry a time or a zone after it (Workday writes `2026-11-30-08:00`): the day is what counts.
 */
export function readDay(text: string, format: DateFormat = 'YYYY-MM-DD'): string | undefined {
  let day = text.trim();
  if (format === 'YYYY-MM-DD') {
    const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+)?(?:Z|[+-]\d{2}:?\d{2})?$/.exec(day);
    if (!iso?.[1]) return undefined;
    day = iso[1];
  }
  const parts = DATE_FORMATS[format].exec(day)?.groups;
  if (parts === undefined) return undefined;
  const [year, month, date] = [Number(parts.year), Number(parts.month), Number(parts.day)];
  // Only days that exist: no year 0, no month 13, no 31 April, 29 February in leap years only.
  if (year < 1 || month < 1 || month > 12 || date < 1 || date > daysIn(year, month)) return undefined;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month)}-${pad(date)}`;
}

/** Days in a month (1-12) of a year of the Gregorian calendar. */
function daysIn(year: number, month: number): number {
  if (month !== 2) return [4, 6, 9, 11].includes(month) ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Today as YYYY-MM-DD in UTC: an end date before it has passed. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Why the row is a leaver, in words that quote no cell, or undefined. `endDay` is the end date
 * already read as YYYY-MM-DD; `now` is asked only when there is one.
 */
export function leaverReason(
  status: string | undefined,
  endDay: string | undefined,
  now: () => Date,
  rules: RowRules,
): string | undefined {
  const said = (status ?? '').trim().toLowerCase();
  if (said !== '' && (LEAVER_STATUSES.includes(said) || leaverStatusesOf(rules).includes(said)))
    return 'employmentStatus says the person has left';
  if (endDay !== undefined && endDay < utcDay(now())) return 'endDate has passed';
  return undefined;
}

function leaverStatusesOf(rules: RowRules): string[] {
  return (rules.leaverStatuses ?? []).map((word) => word.toLowerCase());
}
