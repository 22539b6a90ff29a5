/**
 * Addresses that reach nobody because their domain is reserved for examples (RFC 2606 and RFC
 * 6761): example.com, example.org, example.net and anything below them, and the top-level names
 * .example, .test, .invalid and .localhost. The template's example row (jane.doe@example.com) is
 * one, so a command line run that refuses them can never create that row by mistake.
 */
const RESERVED_DOMAIN = /(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost)$/i;

export function isExampleAddress(email: string): boolean {
  const at = email.lastIndexOf('@');
  return (
    at >= 0 &&
    RESERVED_DOMAIN.test(
      email
        .slice(at + 1)
        .trim()
        .replace(/\.$/, ''),
    )
  );
}

/** The rule in words, for the row's message: names the column and the rule, never the address. */
export const EXAMPLE_ADDRESS_RULE =
  'is at a domain reserved for examples (example.com, .org, .net; RFC 2606), so it reaches nobody: ' +
  "is this the template's example row?";
