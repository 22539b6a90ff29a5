/**
 * The query language of the simulated API: v1 filters (`field:$eq:value`, API notes "Look users
 * up"), v2 filters (`name:eq:value`, no `$`, API notes "Groups and associations"), sort
 * (space or comma separated, `-` for descending), `fields`, `limit` and `skip`.
 * Each filter parser answers a predicate, or a message for a bad filter.
 */

type Record_ = Record<string, unknown>;
export type Predicate = (item: Record_) => boolean;

const V1_OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte'] as const;
const V2_OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'search'] as const;

/** v1: `filter` and `filter[N]` are ANDed, `filter[or][N]` ORed. Values compare case-sensitively. */
export function parseV1Filters(query: URLSearchParams): Predicate | string {
  const all: string[] = [];
  const any: string[] = [];
  for (const [name, value] of query) {
    if (name === 'filter' || /^filter\[\d+\]$/.test(name)) all.push(value);
    else if (/^filter\[or\]\[\d+\]$/.test(name)) any.push(value);
  }
  const andTests = all.map((filter) => parseCondition(filter, V1_OPERATORS, 'field:$op:value'));
  const orTests = any.map((filter) => parseCondition(filter, V1_OPERATORS, 'field:$op:value'));
  const bad = [...andTests, ...orTests].find((test) => typeof test === 'string');
  if (typeof bad === 'string') return bad;
  const and = andTests as Predicate[];
  const or = orTests as Predicate[];
  return (item) => and.every((test) => test(item)) && (or.length === 0 || or.some((test) => test(item)));
}

/** v2: every `filter` parameter is ANDed; `search` matches part of the value, ignoring case. */
export function parseV2Filters(query: URLSearchParams): Predicate | string {
  const tests = query
    .getAll('filter')
    .map((filter) => parseCondition(filter, V2_OPERATORS, 'field:op:value'));
  const bad = tests.find((test) => typeof test === 'string');
  if (typeof bad === 'string') return bad;
  const and = tests as Predicate[];
  return (item) => and.every((test) => test(item));
}

function parseCondition(filter: string, operators: readonly string[], shape: string): Predicate | string {
  const match = /^([^:]+):([^:]*):(.*)$/s.exec(filter);
  const operator = match?.[2] ?? '';
  if (!match || !operators.includes(operator)) {
    return `Invalid filter "${filter}": expected ${shape} with op one of ${operators.join(' ')}`;
  }
  const field = match[1] ?? '';
  const value = match[3] ?? '';
  const negated = operator === '$ne' || operator === 'ne';
  return (item) => {
    const stored = readPath(item, field);
    if (stored === undefined || stored === null || typeof stored === 'object') return negated;
    const text = String(stored);
    const order = compare(text, value);
    switch (operator.replace('$', '')) {
      case 'eq':
        return text === value;
      case 'ne':
        return text !== value;
      case 'gt':
        return order > 0;
      case 'gte':
      case 'ge':
        return order >= 0;
      case 'lt':
        return order < 0;
      case 'search':
        return text.toLowerCase().includes(value.toLowerCase());
      default:
        return order <= 0;
    }
  };
}

export function readPath(item: Record_, path: string): unknown {
  let value: unknown = item;
  for (const part of path.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record_)[part] : undefined;
  }
  return value;
}

function compare(a: string, b: string): number {
  const numbers = a.trim() !== '' && b.trim() !== '' && !Number.isNaN(Number(a)) && !Number.isNaN(Number(b));
  if (numbers) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted by each key in turn; `-key` descends. v1 separates keys with spaces, v2 with commas. */
export function sortBy<T extends Record_>(items: readonly T[], sort: string | null): T[] {
  const keys = (sort ?? '').split(/[ ,]/).filter(Boolean);
  if (keys.length === 0) return [...items];
  return [...items].sort((a, b) => {
    for (const key of keys) {
      const descending = key.startsWith('-');
      const field = descending ? key.slice(1) : key;
      const order = compare(String(readPath(a, field) ?? ''), String(readPath(b, field) ?? ''));
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

/** The `fields` parameter: space separated names, or undefined for every field. */
export function fieldList(value: string | null): string[] | undefined {
  const fields = value?.split(' ').filter(Boolean);
  return fields && fields.length > 0 ? fields : undefined;
}

/** Only the named fields (and the id), for a `fields` parameter. */
export function pickFields(item: Record_, fields: readonly string[] | undefined, idField: string): Record_ {
  if (!fields) return item;
  const picked: Record_ = { [idField]: item[idField] };
  for (const field of fields) {
    if (item[field] !== undefined) picked[field] = item[field];
  }
  return picked;
}

/** `limit` and `skip` as the API takes them: whole numbers, limit at most 100. */
export function pageOf(
  query: URLSearchParams,
  defaultLimit: number,
): { limit: number; skip: number } | string {
  const limit = wholeNumber(query.get('limit'), defaultLimit);
  const skip = wholeNumber(query.get('skip'), 0);
  if (limit === undefined || limit > 100) return 'limit must be a whole number from 0 to 100';
  if (skip === undefined) return 'skip must be a whole number from 0';
  return { limit: limit === 0 ? defaultLimit : limit, skip };
}

function wholeNumber(value: string | null, fallback: number): number | undefined {
  if (value === null || value === '') return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}
