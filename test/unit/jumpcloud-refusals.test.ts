import { describe, expect, it } from 'vitest';
import { refusalMessage } from '../../lambda/jumpcloud/refusals';

const PASSWORD = 'Tr0ub&dor "3" <x> y/z';
const API_KEY = 'jca_refusals_test_key_0123456789';

/** Every six-character piece of the text, lower-cased: none may survive in a safe message. */
function pieces(text: string): string[] {
  const lower = text.toLowerCase();
  return Array.from({ length: Math.max(1, lower.length - 5) }, (_, i) => lower.slice(i, i + 6));
}

function refusedEchoing(echo: string): string {
  return refusalMessage(
    {
      status: 400,
      body: { message: `password "${echo}" is too weak: must be 20 characters long` },
      text: '',
    },
    [PASSWORD, API_KEY],
  );
}

describe('refusal messages never carry the password, however JumpCloud echoes it', () => {
  it.each([
    ['as sent', PASSWORD],
    ['JSON-escaped', JSON.stringify(PASSWORD).slice(1, -1)],
    ['lower-cased', PASSWORD.toLowerCase()],
    ['upper-cased', PASSWORD.toUpperCase()],
    [
      'HTML-escaped',
      PASSWORD.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
    ],
    [
      'HTML-escaped with numeric entities',
      PASSWORD.replace(/&/g, '&#38;').replace(/"/g, '&#34;').replace(/</g, '&#60;').replace(/>/g, '&#62;'),
    ],
    ['URL-encoded', encodeURIComponent(PASSWORD)],
    ['form-encoded', encodeURIComponent(PASSWORD).replace(/%20/g, '+')],
    ['truncated to its first 8 characters', PASSWORD.slice(0, 8)],
    ['truncated to its first 6 characters', PASSWORD.slice(0, 6)],
    [
      'JSON-escaped the way Go does (\\u0026, \\u003c)',
      JSON.stringify(PASSWORD)
        .slice(1, -1)
        .replace(/&/g, '\\u0026')
        .replace(/</g, '\\u003c')
        .replace(/>/g, '\\u003e'),
    ],
  ])('cuts it out %s, keeping the field and the rule', (_form, echo) => {
    const message = refusedEchoing(echo);

    for (const piece of pieces(echo)) expect(message.toLowerCase()).not.toContain(piece);
    expect(message).toContain('[redacted]');
    expect(message).toContain('password');
    expect(message).toContain('is too weak: must be 20 characters long');
  });

  it('cuts out the API key lower-cased and URL-encoded too', () => {
    const message = refusalMessage(
      {
        status: 400,
        body: { message: `key ${API_KEY.toUpperCase()} or ${encodeURIComponent(API_KEY)} not allowed` },
        text: '',
      },
      [undefined, API_KEY],
    );

    expect(message.toLowerCase()).not.toContain(API_KEY.slice(0, 6).toLowerCase());
    expect(message).toContain('not allowed');
  });

  it('cuts the password out of the raw text of a non-JSON error page', () => {
    const page = `<html><body>Bad password ${PASSWORD.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</body></html>`;

    const message = refusalMessage({ status: 400, body: undefined, text: page }, [PASSWORD]);

    expect(message.toLowerCase()).not.toContain('tr0ub');
    expect(message).toContain('Bad password');
  });

  it('leaves a message that does not echo the secret as JumpCloud said it', () => {
    const message = refusalMessage(
      { status: 400, body: { message: 'email is not a valid email address' }, text: '' },
      [PASSWORD, API_KEY],
    );

    expect(message).toBe('JumpCloud refused (400): email is not a valid email address');
  });
});
