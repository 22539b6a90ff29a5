/**
 * JumpCloud's error answers turned into messages safe to show an HR person and keep in an audit
 * file: what JumpCloud said (the field and the rule), password rules listed, long text cut short,
 * never our request body, and never a password or the API key in any form JumpCloud may echo it.
 */
import { type JumpCloudError, jumpCloudErrorSchema } from './api-types';

/** An HTTP answer as the transport hands it over. */
export interface ErrorAnswer {
  status: number;
  body: unknown;
  text: string;
}

const MAX_MESSAGE_LENGTH = 300;
/** A secret cut short is still a secret: any echoed prefix this long (or the whole of a shorter one) is cut out. */
const MIN_ECHOED_PREFIX = 6;
const REDACTED = '[redacted]';

export function refusalMessage(answer: ErrorAnswer, secrets: readonly (string | undefined)[]): string {
  const parsed = jumpCloudErrorSchema.safeParse(answer.body);
  const error: JumpCloudError | undefined = parsed.success ? parsed.data : undefined;
  const said = errorText(answer).trim();
  const violations = (error?.details ?? [])
    .flatMap((detail) => detail.fieldViolationsList ?? [])
    .map((violation) => {
      if (typeof violation === 'string') return violation;
      const rule = violation.description ?? violation.message ?? '';
      // "Password does not meet ...: must be 8 long", not "...: password: must be 8 long".
      const named = violation.field && !said.toLowerCase().includes(violation.field.toLowerCase());
      return named ? `${violation.field}: ${rule}` : rule;
    })
    .filter((text) => text.length > 0);
  const parts = [said || `JumpCloud answered ${answer.status}`];
  if (violations.length > 0) parts.push(violations.join('; '));
  // Redact before cutting short, so the cut cannot leave a piece of a secret behind.
  return truncate(redact(`JumpCloud refused (${answer.status}): ${parts.join(': ')}`, secrets));
}

/** The message JumpCloud gave (`message`, or `error` on some answers), else the raw text. */
export function errorText(answer: ErrorAnswer): string {
  const parsed = jumpCloudErrorSchema.safeParse(answer.body);
  if (parsed.success) return parsed.data.message ?? parsed.data.error ?? '';
  const body = answer.body as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : answer.text;
}

/**
 * Every secret cut out of the text however it came back: as sent, JSON-escaped, HTML-escaped,
 * URL-encoded, lower- or upper-cased (matched ignoring case), or truncated (any prefix of
 * MIN_ECHOED_PREFIX characters or more).
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  // Collect every echo first and cut them out together: one form cutting a prefix must not
  // leave the rest of another form's longer echo behind.
  const spans: [number, number][] = [];
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of echoedForms(secret)) {
      for (const match of text.matchAll(prefixPattern(form)))
        spans.push([match.index, match.index + match[0].length]);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  let safe = '';
  let cursor = 0;
  for (const [start, end] of spans) {
    if (end <= cursor) continue;
    if (start >= cursor) safe += text.slice(cursor, start) + REDACTED;
    cursor = end;
  }
  return safe + text.slice(cursor);
}

function echoedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [
    ...new Set([
      secret,
      json,
      // Go's encoder (JumpCloud's API is Go) also escapes <, >, & and may escape / and non-ASCII.
      json.replace(/[<>&\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      json.replace(/\//g, '\\/'),
      htmlEscape(secret, { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }),
      htmlEscape(secret, { '&': '&#38;', '<': '&#60;', '>': '&#62;', '"': '&#34;', "'": '&#x27;' }),
      encodeURIComponent(secret),
      // Form encoding: space as +, and the characters encodeURIComponent leaves alone.
      encodeURIComponent(secret)
        .replace(/%20/g, '+')
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    ]),
  ];
}

function htmlEscape(text: string, entities: Record<string, string>): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/** Matches the longest prefix of `form` that is at least MIN_ECHOED_PREFIX long, ignoring case. */
function prefixPattern(form: string): RegExp {
  const chars = [...form];
  const head = Math.min(MIN_ECHOED_PREFIX, chars.length);
  let optionalTail = '';
  for (const char of chars.slice(head).reverse()) optionalTail = `(?:${escapeRegExp(char)}${optionalTail})?`;
  return new RegExp(escapeRegExp(chars.slice(0, head).join('')) + optionalTail, 'giu');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_MESSAGE_LENGTH ? oneLine : `${oneLine.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}
