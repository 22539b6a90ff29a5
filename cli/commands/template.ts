/** `jc-onboard template`: a CSV with every supported column and one example row, or the column list. */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { UTF8_BOM } from '../../lambda/results/results-file';
import { SUPPORTED_COLUMNS, TEMPLATE_COLUMNS, TEMPLATE_EXAMPLE_ROW } from '../../lambda/users/template';
import { EXIT_OK, UsageError } from '../exit-codes';

export interface TemplateOptions {
  out?: string;
  force?: boolean;
  columns?: boolean;
}

export async function templateCommand(options: TemplateOptions): Promise<number> {
  if (options.columns) {
    process.stdout.write(columnList());
    return EXIT_OK;
  }
  const csv = stringify([[...TEMPLATE_COLUMNS], [...TEMPLATE_EXAMPLE_ROW]], { record_delimiter: 'windows' });
  if (options.out === undefined) {
    process.stdout.write(csv);
    return EXIT_OK;
  }
  const target = path.resolve(options.out);
  try {
    const handle = await open(target, options.force ? 'w' : 'wx');
    // The BOM makes Excel read the file as UTF-8, so names with accents survive a round trip.
    await handle.writeFile(UTF8_BOM + csv);
    await handle.close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new UsageError(
        `${JSON.stringify(target)} already exists: choose another --out, or add --force to replace it`,
      );
    }
    throw new UsageError(
      `cannot write ${JSON.stringify(target)} (${code ?? 'unknown error'}): choose another --out`,
    );
  }
  process.stderr.write(
    `Wrote ${target}: ${TEMPLATE_COLUMNS.length} columns and one example row.\n` +
      'Fill in one person per row; only username and email are required. Remove the example row:\n' +
      'its example.com address is refused by validate and run (unless --allow-example), so it is never created.\n',
  );
  return EXIT_OK;
}

function columnList(): string {
  const blocks = SUPPORTED_COLUMNS.map((column) => {
    const aliases = column.aliases.length > 0 ? `\n    also: ${column.aliases.join(', ')}` : '';
    return `${column.header}  (JumpCloud: ${column.field})\n    ${column.description}${aliases}`;
  });
  return `Columns the users CSV may have (header spelling is free: case, spaces, _ and - are ignored):\n\n${blocks.join('\n')}\n`;
}
