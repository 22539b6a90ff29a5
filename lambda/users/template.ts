/**
 * The users CSV as documentation: the template `jc-onboard template` writes, and the table of
 * supported columns. Derived from lambda/csv/columns.ts, so the template cannot drift from what
 * the reader accepts.
 */
import { COLUMN_SPECS } from '../csv/columns';

const ATTRIBUTE_PAIR_COLUMNS = [
  {
    header: 'attribute1_name',
    field: 'attributes[].name',
    description:
      'custom attribute name: letters and digits only, under 32 characters; pairs attribute2_name, ' +
      'attribute3_name... may follow. A column headed "attribute:<Name>" also sets attribute <Name>',
    aliases: ['Attribute1_name', 'Attribute 1 Name'],
    example: 'BadgeNumber',
  },
  {
    header: 'attribute1_value',
    field: 'attributes[].value',
    description:
      'value of the custom attribute named in attribute1_name; at most 1024 characters; empty = not set',
    aliases: ['Attribute1_value', 'Attribute 1 Value'],
    example: '1234',
  },
] as const;

/** JumpCloud's template names groups one per column; any number may follow. */
const TEMPLATE_GROUP_COLUMN = {
  header: 'group1',
  field: 'user group membership (v2), by group name',
  description: "one group name per column, as JumpCloud's template writes them; group2, group3... may follow",
  aliases: ['Group1', 'Group 1'],
  example: '',
} as const;

/** Human documentation of supported columns: header, JumpCloud field, accepted values, aliases. */
export const SUPPORTED_COLUMNS: readonly {
  header: string;
  field: string;
  description: string;
  aliases: readonly string[];
}[] = [
  ...COLUMN_SPECS.map((spec) => ({
    header: spec.header,
    field: spec.jumpcloudField,
    description: spec.description,
    aliases: spec.aliases,
  })),
  ...ATTRIBUTE_PAIR_COLUMNS.map(({ example: _example, ...column }) => column),
  (({ example: _example, ...column }) => column)(TEMPLATE_GROUP_COLUMN),
];

/** Every supported column header (our canonical header spelling), for `jc-onboard template`. */
export const TEMPLATE_COLUMNS: readonly string[] = SUPPORTED_COLUMNS.map((column) => column.header);

/** One example row, in the order of TEMPLATE_COLUMNS. No password: one must never sit in an example. */
export const TEMPLATE_EXAMPLE_ROW: readonly string[] = [
  ...COLUMN_SPECS.map((spec) => spec.example),
  ...ATTRIBUTE_PAIR_COLUMNS.map((column) => column.example),
  TEMPLATE_GROUP_COLUMN.example,
];

/**
 * The README's table of columns (between its `columns:start` and `columns:end` markers), made from
 * the same list: `npm run docs:columns` writes it, and a test fails when the two disagree.
 */
export function columnsMarkdownTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '| column | also accepted | what it does | example |',
    '|---|---|---|---|',
    ...SUPPORTED_COLUMNS.map((column, index) => {
      const aliases = column.aliases.map((alias) => `\`${alias}\``).join(', ');
      const example = TEMPLATE_EXAMPLE_ROW[index] ?? '';
      const what = `${column.description} (JumpCloud: ${column.field})`;
      return `| \`${column.header}\` | ${cell(aliases)} | ${cell(what)} | ${example ? `\`${cell(example)}\`` : ''} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
