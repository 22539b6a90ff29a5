/**
 * The page's HTTP API, independent of how requests arrive: the Lambda adapter (handler.ts) and
 * the local server (local/hr-page-server.ts) both turn a request into a `WebRequest` and send
 * back the `WebResponse`. The caller has signed in already (the JWT authorizer, or the local
 * stand-in); here only members of the onboarding group get through.
 */
import {
  fileDetail,
  prepareUpload,
  recentFiles,
  resultsDownload,
  type WebFilesDependencies,
  WebRequestError,
} from './web-files';

export interface Caller {
  /** Stable user id from the identity provider (Cognito `sub`). */
  readonly id: string;
  readonly groups: readonly string[];
}

export interface WebRequest {
  readonly method: string;
  /** The path below the API root, e.g. `/api/files`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** The JSON body, parsed. */
  readonly body: unknown;
  readonly caller: Caller;
}

export interface WebResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface WebApiDependencies extends WebFilesDependencies {
  /** Only members of this group may use the page (e.g. `hr-onboarding`). */
  readonly allowedGroup: string;
}

export async function handleWebRequest(deps: WebApiDependencies, request: WebRequest): Promise<WebResponse> {
  try {
    if (!request.caller.groups.includes(deps.allowedGroup)) {
      throw new WebRequestError(
        `you are signed in, but not in the "${deps.allowedGroup}" group: ask IT to add you`,
        403,
      );
    }
    const uploader = { id: request.caller.id };
    const route = `${request.method} ${request.path}`;
    switch (route) {
      case 'POST /api/uploads': {
        const body = (request.body ?? {}) as { fileName?: unknown; checkFirst?: unknown };
        if (typeof body.fileName !== 'string') throw new WebRequestError('fileName is required', 400);
        return ok(
          await prepareUpload(deps, uploader, {
            fileName: body.fileName,
            checkFirst: body.checkFirst === true,
          }),
        );
      }
      case 'GET /api/files':
        return ok({ files: await recentFiles(deps, uploader) });
      case 'GET /api/file':
        return ok(await fileDetail(deps, uploader, required(request.query, 'key')));
      case 'GET /api/download':
        return ok(await resultsDownload(deps, uploader, required(request.query, 'key')));
      default:
        throw new WebRequestError('no such page API call', 404);
    }
  } catch (error) {
    if (error instanceof WebRequestError)
      return { status: error.httpStatus, body: { message: error.message } };
    throw error;
  }
}

function required(query: WebRequest['query'], name: string): string {
  const value = query[name];
  if (value === undefined || value === '') throw new WebRequestError(`${name} is required`, 400);
  return value;
}

function ok(body: unknown): WebResponse {
  return { status: 200, body };
}
