/**
 * `config.json`, served beside the page: where the API is and how people sign in. The CDK
 * construct (lib/hr-page.ts) writes it at deploy time; `npm start` serves a local one.
 */
export type PageConfig = {
  /** Base URL of the page's API (no trailing slash); '' means the page's own origin. */
  readonly apiUrl: string;
  readonly signIn: LocalSignIn | CognitoSignIn;
};

/** `npm start`: sign-in is stood in; everyone is this one person, in the onboarding group. */
export type LocalSignIn = { readonly kind: 'local'; readonly name: string };

/** Cognito's hosted sign-in (OAuth 2 authorization code with PKCE). */
export type CognitoSignIn = {
  readonly kind: 'cognito';
  /** `https://<prefix>.auth.<region>.amazoncognito.com` */
  readonly domainUrl: string;
  readonly clientId: string;
  /** Send people straight to this identity provider (JumpCloud) instead of Cognito's chooser. */
  readonly identityProvider?: string;
};
