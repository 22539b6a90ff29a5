/**
 * A mapping file: how one source folder's export reads, written by the admin who wires an HR
 * system up (`mappings/<folder>.json` in the bucket, `--mapping FILE` on the command line).
 *
 * ```json
 * {
 *   "preset": "bamboohr",
 *   "columns": { "Emp Code": "employeeIdentifier", "Team": "department", "Badge": "attribute:Badge", "Notes": null,
 *                "Active?": { "field": "employmentStatus", "values": { "N": "Terminated" } } },
 *   "constants": { "state": "ACTIVATED", "groups": "All Staff", "attribute:Source": "HRIS" },
 *   "username": "first.last",
 *   "dateFormat": "DD/MM/YYYY",
 *   "leaverStatuses": ["Gone"]
 * }
 * ```
 *
 * A file that is not valid JSON, or says something this tool cannot do, is refused whole with the
 * mapping's name and the line, before anything is read from the export or sent to JumpCloud.
 */
import { findNodeAtLocation, type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import * as z from 'zod';
import { type ColumnRule, matchHeader } from '../csv/columns';
import { cellProblems } from '../users/validate-row';
import { DATE_FORMAT_NAMES, type RowRules, USERNAME_RULES } from './derive';
import { PRESET_IDS } from './presets';

export interface MappingFile extends RowRules {
  /** Where it was read from: `mappings/acme.json`, or the path given on the command line. */
  readonly name: string;
  readonly preset?: string;
  /** Header as written (lower-cased) → what it means. */
  readonly columns: ReadonlyMap<string, ColumnRule>;
}

export class MappingFileError extends Error {
  override readonly name = 'MappingFileError';
  constructor(
    readonly mapping: string,
    readonly line: number,
    problem: string,
  ) {
    super(`mapping ${mapping}, line ${line}: ${problem}`);
  }
}

/** Fields no mapping may fill for every row: one password for everyone, or one identity. */
const NOT_CONSTANT = new Set(['password', 'username', 'email', 'employeeIdentifier']);

const fieldName = z.string().transform((name, ctx) => {
  const match = matchHeader(name);
  if (match.kind === 'field') return match.field;
  ctx.addIssue(`"${name}" is not a column this tool knows (see jc-onboard template --columns)`);
  return z.NEVER;
});

/** A column read with its values translated: `{ "field": "employmentStatus", "values": { "N": "Terminated" } }`. */
const columnObject = z
  .strictObject(
    { field: fieldName, values: z.record(z.string(), z.string()).optional() },
    { error: 'is not a column name, null, or {"field": ..., "values": {...}}' },
  )
  .transform(
    ({ field, values }): ColumnRule => ({ field, ...(values ? { values: lowerKeys(values) } : {}) }),
  );

const mappingSchema = z.strictObject({
  preset: z.enum(PRESET_IDS, { error: `is not one of ${PRESET_IDS.join(', ')}` }).optional(),
  columns: z
    .record(
      z.string(),
      z.unknown().transform((target, ctx): ColumnRule => {
        if (target === null) return { ignored: 'the mapping ignores it' };
        const parsed = (typeof target === 'string' ? fieldName : columnObject).safeParse(target);
        if (parsed.success) return typeof parsed.data === 'string' ? { field: parsed.data } : parsed.data;
        for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never);
        return z.NEVER;
      }),
    )
    .optional(),
  constants: z.record(z.string(), z.string()).optional(),
  username: z.enum(USERNAME_RULES, { error: `is not one of ${USERNAME_RULES.join(', ')}` }).optional(),
  dateFormat: z
    .enum(DATE_FORMAT_NAMES, { error: `is not one of ${DATE_FORMAT_NAMES.join(', ')}` })
    .optional(),
  leaverStatuses: z.array(z.string().trim().min(1, { error: 'is empty' })).optional(),
});

/** Reads and checks a mapping file. Throws MappingFileError naming the line of the first problem. */
export function readMappingFile(name: string, text: string): MappingFile {
  const errors: ParseError[] = [];
  const tree = parseTree(text.replace(/^\uFEFF/, ''), errors, {
    disallowComments: true,
    allowTrailingComma: false,
  });
  const syntax = errors[0];
  if (syntax || !tree) {
    const offset = syntax?.offset ?? 0;
    const what = syntax ? printParseErrorCode(syntax.error) : 'EmptyFile';
    throw new MappingFileError(name, lineAt(text, offset), `not valid JSON (${jsonProblem(what)})`);
  }
  const parsed = mappingSchema.safeParse(JSON.parse(text.replace(/^\uFEFF/, '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
    const extra = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const node = nodeAt(tree, extra === undefined ? path : [...path, extra]);
    const where = [...path, ...(extra === undefined ? [] : [extra])].join('.') || 'the file';
    const message =
      issue.code === 'unrecognized_keys' ? 'is not something a mapping file can say' : issue.message;
    throw new MappingFileError(name, lineAt(text, node?.offset ?? 0), `${where}: ${message}`);
  }
  const value = parsed.data;
  const columns = new Map<string, ColumnRule>();
  for (const [header, rule] of Object.entries(value.columns ?? {}))
    columns.set(header.trim().toLowerCase(), rule);
  const constants: Record<string, string> = {};
  for (const [key, given] of Object.entries(value.constants ?? {})) {
    const line = lineAt(text, nodeAt(tree, ['constants', key])?.offset ?? 0);
    const match = matchHeader(key);
    if (match.kind !== 'field')
      throw new MappingFileError(name, line, `constants.${key}: is not a column this tool knows`);
    const field = match.field;
    if (NOT_CONSTANT.has(field))
      throw new MappingFileError(name, line, `constants.${key}: cannot be the same for every row`);
    const problem = cellProblems({ [field]: given })[0];
    if (problem) throw new MappingFileError(name, line, `constants.${problem}`);
    constants[field] = given;
  }
  return {
    name,
    ...(value.preset ? { preset: value.preset } : {}),
    columns,
    ...(Object.keys(constants).length > 0 ? { constants } : {}),
    ...(value.username ? { username: value.username } : {}),
    ...(value.dateFormat ? { dateFormat: value.dateFormat } : {}),
    ...(value.leaverStatuses ? { leaverStatuses: value.leaverStatuses } : {}),
  };
}

/** The node for a path, or the nearest one above it that exists. */
function nodeAt(tree: Node, path: (string | number)[]): Node | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = findNodeAtLocation(tree, path.slice(0, depth));
    // A property's key is where a person looks for it.
    if (node) return node.parent?.type === 'property' ? node.parent : node;
  }
  return undefined;
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split(/\r\n|\r|\n/).length;
}

function lowerKeys(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key.trim().toLowerCase(), value]));
}

/** jsonc-parser's codes in words. */
function jsonProblem(code: string): string {
  const words: Record<string, string> = {
    EmptyFile: 'the file is empty',
    CommaExpected: 'a comma is missing',
    ColonExpected: 'a colon is missing',
    PropertyNameExpected: 'a name in double quotes was expected, or a comma is one too many',
    ValueExpected: 'a value was expected, or a comma is one too many',
    CloseBraceExpected: 'a } is missing',
    CloseBracketExpected: 'a ] is missing',
    EndOfFileExpected: 'there is more after the end',
    InvalidSymbol: 'a character JSON does not allow',
    UnexpectedEndOfString: 'a string is not closed',
    InvalidCommentToken: 'comments are not allowed',
  };
  return words[code] ?? code;
}
