/**
 * `jc-onboard columns FILE [--mapping F]`: how each header of an export is understood (the field,
 * and whether the HR system's preset, the mapping or the column's name said so, or why it is
 * ignored), and the first rows as they would be sent, passwords masked. Nothing is sent anywhere.
 */
import { UnreadableFileError } from '../../lambda/errors';
import { headerReport } from '../../lambda/results/summary';
import { createRowValidator } from '../../lambda/users/validate-row';
import { EXIT_OK, EXIT_ROWS_NOT_DONE, UsageError } from '../exit-codes';
import { csvOptionsFor, openCsv, readLocalMapping } from '../run-file';

export interface ColumnsOptions {
  file: string;
  mapping?: string;
  json: boolean;
}

const SAMPLE_ROWS = 3;
const MASK = '********';

export async function columnsCommand(options: ColumnsOptions): Promise<number> {
  const { file } = options;
  const mapping = options.mapping ? await readLocalMapping(options.mapping) : undefined;
  let csv: Awaited<ReturnType<typeof openCsv>>;
  try {
    csv = await openCsv(file, csvOptionsFor('create', mapping));
  } catch (error) {
    if (error instanceof UnreadableFileError)
      throw new UsageError(`${JSON.stringify(file)} cannot be read as a users CSV: ${error.message}`);
    throw error;
  }
  const validate = createRowValidator({ source: csv.source?.rowRules });
  const samples: { row: number; fields?: Record<string, string>; problem?: string }[] = [];
  for await (const row of csv.rows) {
    if (samples.length >= SAMPLE_ROWS) break;
    const checked = validate(row);
    if (!checked.ok) {
      samples.push({ row: row.row, problem: checked.message });
      continue;
    }
    const fields: Record<string, string> = {};
    for (const [field, value] of Object.entries(checked.user)) {
      if (value === undefined || value === '') continue;
      fields[field] = field === 'password' ? MASK : typeof value === 'string' ? value : JSON.stringify(value);
    }
    if (checked.usernameMade) fields.username = `${fields.username ?? ''} (made from the row)`;
    if (checked.manager) fields.manager = `${checked.manager.value} (by ${checked.manager.by})`;
    if (checked.groups.length > 0) fields.groups = checked.groups.join('; ');
    fields.action = checked.leaver ? `suspend (${checked.leaver})` : (checked.action ?? 'create');
    samples.push({ row: row.row, fields });
  }
  const source = csv.source;
  const report = {
    file,
    ...(source?.preset
      ? { preset: { id: source.preset.id, name: source.preset.name, chosenBy: source.presetChosenBy } }
      : {}),
    ...(source?.mapping ? { mapping: source.mapping.name } : {}),
    ...(source?.rowRules.username ? { usernames: source.rowRules.username } : {}),
    ...(source?.rowRules.dateFormat ? { dateFormat: source.rowRules.dateFormat } : {}),
    headers: headerReport(csv.columns),
    notices: [...csv.notices],
    ...(csv.fileProblem ? { fileProblem: csv.fileProblem } : {}),
    samples,
  };
  if (options.json || !process.stdout.isTTY) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(humanColumns(report));
  }
  return csv.fileProblem ? EXIT_ROWS_NOT_DONE : EXIT_OK;
}

const USERNAME_WORDS: Record<string, string> = {
  email: "the email's part before @",
  'first.last': 'first.last',
  flast: 'first initial and last name',
};

function humanColumns(report: {
  file: string;
  preset?: { name: string; chosenBy?: string };
  mapping?: string;
  usernames?: string;
  dateFormat?: string;
  headers: ReturnType<typeof headerReport>;
  notices: string[];
  fileProblem?: string;
  samples: { row: number; fields?: Record<string, string>; problem?: string }[];
}): string {
  const lines: string[] = [];
  const how = report.preset
    ? `a ${report.preset.name} export (chosen by its ${report.preset.chosenBy})`
    : 'by its column names (no HR system preset fits)';
  lines.push(`${report.file}: read as ${how}${report.mapping ? `, with mapping ${report.mapping}` : ''}`, '');
  const width = Math.min(32, Math.max(6, ...report.headers.map((h) => h.header.length)));
  lines.push(`${'Column'.padEnd(width)}  Read as`);
  lines.push(`${'-'.repeat(width)}  -------`);
  for (const header of report.headers) {
    const meaning = header.field
      ? `${header.field}  (${header.from})`
      : `ignored: ${header.ignored} (${header.from})`;
    lines.push(`${header.header.padEnd(width)}  ${meaning}`);
  }
  lines.push('');
  if (report.usernames)
    lines.push(`Usernames are made from ${USERNAME_WORDS[report.usernames] ?? report.usernames}.`);
  if (report.dateFormat) lines.push(`Dates are read as ${report.dateFormat}.`);
  for (const notice of report.notices) lines.push(`Note: ${notice}`);
  if (report.fileProblem) lines.push(`Problem: ${report.fileProblem}`);
  lines.push('', `The first ${report.samples.length} rows as they would be sent (passwords masked):`);
  for (const sample of report.samples) {
    if (sample.problem) {
      lines.push(`  row ${sample.row}: invalid: ${sample.problem}`);
      continue;
    }
    lines.push(`  row ${sample.row}:`);
    for (const [field, value] of Object.entries(sample.fields ?? {})) lines.push(`    ${field}: ${value}`);
  }
  return `${lines.join('\n')}\n`;
}
