/**
 * The one username rule, shared by the validator and the JumpCloud simulator so that a name
 * `validate` accepts is one `run` can create.
 *
 * JumpCloud's notes say a username starts with a letter and holds no spaces and no "@" (API
 * notes, "Create a user"); they do not say which letters. Device logins on macOS, Linux and
 * Windows handle plain ASCII names reliably, so the rule picked here is the narrow one: an ASCII
 * letter first, then ASCII letters, digits, ".", "-" and "_". `李雷` and `josé.núñez` are refused
 * before anything is sent, with this rule in the message.
 */
export const USERNAME_PATTERN = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** The rule in words, for messages and the template's column description. */
export const USERNAME_RULE = 'may hold only letters A-Z, digits, ".", "-" and "_", and starts with a letter';

/** Longer usernames break device logins on Mac and Linux (API notes: 30 there, 20 on Windows). */
export const MAX_USERNAME_LENGTH = 30;

/** What is wrong with a username, by the rule above, in words that never repeat the name; undefined when it is fine. */
export function usernameProblem(username: string): string | undefined {
  if (/\s/u.test(username)) return 'contains a space';
  if (username.includes('@')) return 'contains "@" (the address belongs in email)';
  if (!/^[A-Za-z]/.test(username)) return 'must start with a letter A-Z';
  if (!USERNAME_PATTERN.test(username)) return USERNAME_RULE;
  if (username.length > MAX_USERNAME_LENGTH) {
    return `is longer than ${MAX_USERNAME_LENGTH} characters (logins break on Mac and Linux)`;
  }
  return undefined;
}
