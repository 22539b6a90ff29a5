/// <reference lib="dom" />
/**
 * The page for HR: choose a CSV, check its header here, upload it through a presigned link,
 * then follow the run through the API until every row has a status.
 */
import type { FileDetail, FileStatus, ResultRow } from '../lambda/web-api/web-files';
import { checkHeader } from './header-check';
import type { PageConfig } from './page-config';
import { type Session, signIn } from './sign-in';

/** How often a running file's progress is asked for. */
const POLL_MS = 1_000;
const PROBLEM_STATUSES = new Set(['invalid', 'failed']);

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const ui = {
  who: $<HTMLParagraphElement>('#who'),
  signOut: $<HTMLButtonElement>('#sign-out'),
  main: $<HTMLElement>('main'),
  dropZone: $<HTMLLabelElement>('#drop-zone'),
  file: $<HTMLInputElement>('#file'),
  fileCheck: $<HTMLParagraphElement>('#file-check'),
  checkFirst: $<HTMLButtonElement>('#check-first'),
  onboard: $<HTMLButtonElement>('#onboard'),
  progress: $<HTMLParagraphElement>('#progress'),
  results: $<HTMLElement>('#results'),
  filter: $<HTMLSelectElement>('#filter'),
  download: $<HTMLButtonElement>('#download'),
  counts: $<HTMLParagraphElement>('#counts'),
  rows: $<HTMLTableSectionElement>('#rows tbody'),
  recent: $<HTMLTableSectionElement>('#recent tbody'),
  error: $<HTMLParagraphElement>('#error'),
};

let api: (path: string, init?: RequestInit) => Promise<unknown>;
let chosen: { file: File; rows: number } | undefined;
let shown: FileDetail | undefined;
let polling: ReturnType<typeof setTimeout> | undefined;

async function start(): Promise<void> {
  const config = (await (await fetch('config.json')).json()) as PageConfig;
  const session = await signIn(config);
  if (session === undefined) return; // on the way to the sign-in page
  api = apiClient(config, session);
  ui.who.textContent = `Signed in as ${session.name}`;
  ui.signOut.hidden = config.signIn.kind === 'local';
  ui.signOut.addEventListener('click', () => session.signOut());
  ui.main.hidden = false;

  ui.file.addEventListener('change', () => chooseFile(ui.file.files?.[0]));
  ui.dropZone.addEventListener('dragover', (event) => {
    event.preventDefault();
    ui.dropZone.classList.add('over');
  });
  ui.dropZone.addEventListener('dragleave', () => ui.dropZone.classList.remove('over'));
  ui.dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    ui.dropZone.classList.remove('over');
    chooseFile(event.dataTransfer?.files[0]);
  });
  ui.checkFirst.addEventListener('click', () => run(true));
  ui.onboard.addEventListener('click', () => run(false));
  ui.filter.addEventListener('change', () => shown && showRows(shown));
  ui.download.addEventListener('click', () => download());
  await refreshRecent();
}

function apiClient(config: PageConfig, session: Session) {
  return async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (session.authorization) headers.set('Authorization', session.authorization);
    if (init.body) headers.set('Content-Type', 'application/json');
    const answer = await fetch(`${config.apiUrl}${path}`, { ...init, headers });
    const body = (await answer.json().catch(() => ({}))) as { message?: string };
    if (!answer.ok) throw new Error(body.message ?? `the server answered ${answer.status}`);
    return body;
  };
}

async function chooseFile(file: File | undefined): Promise<void> {
  chosen = undefined;
  setButtons(false);
  ui.fileCheck.className = '';
  if (file === undefined) {
    ui.fileCheck.textContent = '';
    return;
  }
  const check = checkHeader(await file.text());
  if (!check.ok) {
    ui.fileCheck.className = 'problem';
    ui.fileCheck.textContent = `${file.name}: ${check.problem}`;
    return;
  }
  chosen = { file, rows: check.rows };
  ui.fileCheck.className = 'fine';
  ui.fileCheck.textContent = `${file.name}: ${plural(check.rows, 'person', 'people')}, columns look right.`;
  setButtons(true);
}

function setButtons(enabled: boolean): void {
  ui.checkFirst.disabled = !enabled;
  ui.onboard.disabled = !enabled;
}

async function run(checkFirst: boolean): Promise<void> {
  if (chosen === undefined) return;
  const { file, rows } = chosen;
  ui.error.textContent = '';
  setButtons(false);
  try {
    ui.progress.textContent = `Uploading ${file.name}…`;
    const upload = (await api('/api/uploads', {
      method: 'POST',
      body: JSON.stringify({ fileName: file.name, checkFirst }),
    })) as { key: string; uploadUrl: string; contentType: string };
    const put = await fetch(upload.uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Type': upload.contentType },
      body: file,
    });
    if (!put.ok) throw new Error(`the upload was refused (${put.status})`);
    await follow(upload.key, rows);
  } catch (error) {
    ui.error.textContent = `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    setButtons(chosen !== undefined);
  }
}

/** Asks for the file's progress until it is done or failed, showing rows as they are reported. */
async function follow(key: string, rowsTotal?: number): Promise<void> {
  if (polling !== undefined) clearTimeout(polling);
  const detail = (await api(`/api/file?key=${encodeURIComponent(key)}`)) as FileDetail;
  shown = detail;
  showProgress(detail, rowsTotal);
  showRows(detail);
  if (detail.state === 'waiting' || detail.state === 'running') {
    await new Promise<void>((resolve) => {
      polling = setTimeout(() => follow(key, rowsTotal).then(resolve, resolve), POLL_MS);
    });
  } else {
    await refreshRecent();
  }
}

function showProgress(detail: FileDetail, rowsTotal?: number): void {
  const kind = detail.checkFirst ? 'Checking' : 'Onboarding';
  const total = detail.state === 'done' || rowsTotal === undefined ? detail.rowsDone : rowsTotal;
  const text: Record<FileStatus['state'], string> = {
    waiting: `${kind} ${detail.fileName}: waiting to start…`,
    running: `${kind} ${detail.fileName}: ${detail.rowsDone} of ${total} rows done…`,
    done: `${detail.checkFirst ? 'Check' : 'Onboarding'} of ${detail.fileName} finished: ${plural(detail.rowsDone, 'row')}.`,
    failed: `${detail.fileName} could not be finished: ${detail.fileError ?? 'see the results file'}`,
  };
  ui.progress.textContent = text[detail.state];
  ui.progress.dataset.state = detail.state;
  ui.counts.textContent = detail.counts
    ? Object.entries(detail.counts)
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${status.replace('_', ' ')}: ${n}`)
        .join(' · ')
    : '';
  ui.download.disabled = detail.resultsKey === undefined;
}

function showRows(detail: FileDetail): void {
  ui.results.hidden = false;
  const problemsOnly = ui.filter.value === 'problems';
  const rows = detail.rows.filter((row) => !problemsOnly || PROBLEM_STATUSES.has(row.status));
  ui.rows.replaceChildren(...rows.map(rowLine));
}

function rowLine(row: ResultRow): HTMLTableRowElement {
  const line = document.createElement('tr');
  for (const column of ['row', 'status', 'username', 'email', 'jumpcloud_id', 'message'] as const) {
    const cell = document.createElement('td');
    cell.textContent = row[column];
    if (column === 'status') cell.className = `status-${row.status}`;
    line.append(cell);
  }
  return line;
}

async function download(): Promise<void> {
  if (shown?.resultsKey === undefined) return;
  try {
    const { downloadUrl } = (await api(`/api/download?key=${encodeURIComponent(shown.resultsKey)}`)) as {
      downloadUrl: string;
    };
    const link = document.createElement('a');
    link.href = downloadUrl;
    link.download = '';
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    ui.error.textContent = `The results could not be downloaded: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function refreshRecent(): Promise<void> {
  const { files } = (await api('/api/files')) as { files: FileStatus[] };
  ui.recent.replaceChildren(
    ...files.map((file) => {
      const line = document.createElement('tr');
      const dropped = file.uploadedAt ? new Date(file.uploadedAt).toLocaleString() : '';
      const state = file.counts
        ? `${file.state}, ${plural(file.rowsDone, 'row')}${file.counts.invalid + file.counts.failed > 0 ? `, ${file.counts.invalid + file.counts.failed} need attention` : ''}`
        : file.state;
      for (const text of [file.fileName, file.checkFirst ? 'check' : 'onboard', dropped, state]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        line.append(cell);
      }
      const open = document.createElement('button');
      open.type = 'button';
      open.textContent = 'Show rows';
      open.setAttribute('aria-label', `Show the rows of ${file.fileName} (${dropped})`);
      open.addEventListener('click', () => follow(file.key));
      const cell = document.createElement('td');
      cell.append(open);
      line.append(cell);
      return line;
    }),
  );
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

start().catch((error: unknown) => {
  ui.error.textContent = `The page could not start: ${error instanceof Error ? error.message : String(error)}`;
});
