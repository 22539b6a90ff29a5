/**
 * What the drop bucket must allow the page's origin to do: PUT a file through a presigned link
 * (downloads are plain navigations and need no CORS). The CDK construct and the local server
 * both apply this rule, each with its own origin.
 */
export const PAGE_CORS_RULE: { AllowedMethods: string[]; AllowedHeaders: string[]; MaxAgeSeconds: number } = {
  AllowedMethods: ['PUT'],
  AllowedHeaders: ['content-type'],
  MaxAgeSeconds: 3000,
};
