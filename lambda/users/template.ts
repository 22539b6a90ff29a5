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
];

/** Every supported column header (our canonical header spelling), for `jc-onboard template`. */
export const TEMPLATE_COLUMNS: readonly string[] = SUPPORTED_COLUMNS.map((column) => column.header);

/** One example row, in the order of TEMPLATE_COLUMNS. No password: one must never sit in an example. */
export const TEMPLATE_EXAMPLE_ROW: readonly string[] = [
  ...COLUMN_SPECS.map((spec) => spec.example),
  ...ATTRIBUTE_PAIR_COLUMNS.map((column) => column.example),
];
