/**
 * Which export a file is: the HR system whose folder it was dropped in (`incoming/bamboohr/`), or
 * whose columns its header has, and the folder's mapping file on top. What it decides reaches the
 * header mapping (lambda/csv/columns.ts: a rule per column) and the row checks (RowRules: made
 * usernames, dates, constants, leaver statuses), and is said in the summary and the preview.
 */
import type { ColumnRule, SourceColumns } from '../csv/columns';
import type { RowRules } from './derive';
import type { MappingFile } from './mapping-file';
import { type HrPreset, presetById, presetRule, presetsRecognised } from './presets';

export interface ExportSource extends SourceColumns {
  readonly preset?: HrPreset;
  /** How the preset was chosen. */
  readonly presetChosenBy?: 'folder' | 'header' | 'mapping';
  readonly mapping?: MappingFile;
  readonly rowRules: RowRules;
  /** Worth telling the reader: which preset, and why. */
  readonly notices: readonly string[];
}

/** What the summary says about the export (contract: PRODUCT.md additions in the README). */
export interface SourceReport {
  preset?: { id: string; name: string; chosenBy: 'folder' | 'header' | 'mapping' };
  mapping?: string;
}

export interface SourceChoice {
  /** The first folder below the incoming prefix (after dry-run/ and leavers/), if any. */
  readonly folder?: string;
  readonly mapping?: MappingFile;
}

/** Chooses, once the header is read, how the file's columns and rows are to be read. */
export function chooseSource(choice: SourceChoice): (headers: readonly string[]) => ExportSource {
  return (headers) => {
    const { mapping } = choice;
    const notices: string[] = [];
    let preset: HrPreset | undefined;
    let presetChosenBy: ExportSource['presetChosenBy'];
    const byMapping = mapping?.preset ? presetById(mapping.preset) : undefined;
    const byFolder = choice.folder ? presetById(choice.folder) : undefined;
    if (byMapping) {
      preset = byMapping;
      presetChosenBy = 'mapping';
    } else if (byFolder) {
      preset = byFolder;
      presetChosenBy = 'folder';
    } else {
      const recognised = presetsRecognised(headers);
      if (recognised.length === 1) {
        preset = recognised[0];
        presetChosenBy = 'header';
      } else if (recognised.length > 1) {
        notices.push(
          `the columns fit the exports of ${recognised.map((p) => p.name).join(' and ')}: no preset used; ` +
            `drop the file under ${recognised.map((p) => `incoming/${p.id}/`).join(' or ')} to choose`,
        );
      }
    }
    if (preset) {
      const why =
        presetChosenBy === 'header'
          ? 'recognised by its columns'
          : presetChosenBy === 'folder'
            ? `dropped in its folder`
            : `named by ${mapping?.name}`;
      notices.push(`read as a ${preset.name} export (${why})`);
    }
    if (mapping) notices.push(`columns and values as mapping ${mapping.name} says`);

    const presetLabel = preset ? `${preset.name} preset` : undefined;
    const ruleFor = (header: string): { rule: ColumnRule; from: string } | undefined => {
      const mapped = mapping?.columns.get(header.trim().toLowerCase());
      if (mapped && mapping) return { rule: mapped, from: `mapping ${mapping.name}` };
      const preset_ = preset ? presetRule(preset, header) : undefined;
      if (preset_ && presetLabel) return { rule: preset_, from: presetLabel };
      return undefined;
    };
    const username = mapping?.username ?? preset?.username;
    const dateFormat = mapping?.dateFormat ?? preset?.dateFormat;
    const rowRules: RowRules = {
      ...(username ? { username } : {}),
      ...(dateFormat ? { dateFormat } : {}),
      ...(mapping?.constants ? { constants: mapping.constants } : {}),
      ...(mapping?.leaverStatuses ? { leaverStatuses: mapping.leaverStatuses } : {}),
    };
    return {
      ruleFor,
      derivesUsername: username !== undefined,
      ...(preset ? { preset, presetChosenBy } : {}),
      ...(mapping ? { mapping } : {}),
      rowRules,
      notices,
    };
  };
}

export function sourceReport(source: ExportSource | undefined): SourceReport {
  if (!source) return {};
  return {
    ...(source.preset && source.presetChosenBy
      ? { preset: { id: source.preset.id, name: source.preset.name, chosenBy: source.presetChosenBy } }
      : {}),
    ...(source.mapping ? { mapping: source.mapping.name } : {}),
  };
}
