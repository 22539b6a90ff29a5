/**
 * The standard employee exports of the common HR systems, as data: which columns tell each export
 * apart, what each of its columns means in the column registry (lambda/csv/columns.ts), how it
 * writes days, and how usernames are made (these exports have none). Adding a system is adding an
 * entry here; the README's section per system is written from this table (`npm run docs:columns`).
 *
 * A column a preset does not name is read by its name, as in any file.
 */
import type { ColumnRule } from '../csv/columns';
import type { DateFormat, UsernameRule } from './derive';

export interface HrPreset {
  /** Also the drop folder that forces it: `incoming/<id>/`. */
  readonly id: string;
  readonly name: string;
  /** The export to make, in the HR system's own words, for the README. */
  readonly export: string;
  /** Headers that, all present, say a file is this system's export (compared ignoring case). */
  readonly recognisedBy: readonly string[];
  /** Headers as the system writes them, and what each means. */
  readonly columns: Readonly<Record<string, ColumnRule>>;
  readonly dateFormat: DateFormat;
  readonly username: UsernameRule;
}

const field = (name: string): ColumnRule => ({ field: name });
const ignore = (why: string): ColumnRule => ({ ignored: why });
const NO_HIRE_DATE = 'JumpCloud has no start date field (a mapping file can send it as a custom attribute)';
/** A yes/no column saying the person is active: "no" means they left. */
const ACTIVE_FLAG: Readonly<Record<string, string>> = {
  '1': 'Active',
  yes: 'Active',
  true: 'Active',
  y: 'Active',
  '0': 'Terminated',
  no: 'Terminated',
  false: 'Terminated',
  n: 'Terminated',
};
/** A yes/no column saying the person was terminated: "yes" means they left. */
const TERMINATED_FLAG: Readonly<Record<string, string>> = {
  true: 'Terminated',
  yes: 'Terminated',
  '1': 'Terminated',
  false: 'Active',
  no: 'Active',
  '0': 'Active',
};

export const HR_PRESETS: readonly HrPreset[] = [
  {
    id: 'bamboohr',
    name: 'BambooHR',
    export: 'Reports > New Report (or the "Employee List" report) with the fields below, then Export > CSV',
    recognisedBy: ['Employee #'],
    columns: {
      'Employee #': field('employeeIdentifier'),
      'First Name': field('firstname'),
      'Last Name': field('lastname'),
      'Work Email': field('email'),
      'Job Title': field('jobTitle'),
      Department: field('department'),
      Division: ignore('JumpCloud has no division field (a mapping file can send it as a custom attribute)'),
      Location: field('location'),
      // "Last, First": a name, resolved like any manager reference; the email is surer when there.
      Supervisor: { field: 'manager', whenEmpty: 'Supervisor Email' },
      'Supervisor Email': field('manager'),
      Status: field('employmentStatus'),
      'Employment Status': field('employeeType'),
      'Hire Date': ignore(NO_HIRE_DATE),
      'Termination Date': field('endDate'),
    },
    dateFormat: 'MM/DD/YYYY',
    username: 'email',
  },
  {
    id: 'workday',
    name: 'Workday',
    export: 'a custom report of workers (data source "All Workers"), exported as CSV',
    recognisedBy: ['Employee_ID', 'Business_Title'],
    columns: {
      Employee_ID: field('employeeIdentifier'),
      Legal_Name_First_Name: field('firstname'),
      First_Name: { field: 'firstname', whenEmpty: 'Legal_Name_First_Name' },
      Legal_Name_Last_Name: field('lastname'),
      Last_Name: { field: 'lastname', whenEmpty: 'Legal_Name_Last_Name' },
      Email_Address: field('email'),
      Business_Title: field('jobTitle'),
      Company: field('company'),
      Cost_Center: field('costCenter'),
      Supervisory_Organization: field('department'),
      Manager_ID: field('managerEmployeeIdentifier'),
      Location: field('location'),
      Worker_Type: field('employeeType'),
      Active: { field: 'employmentStatus', values: ACTIVE_FLAG },
      Hire_Date: ignore(NO_HIRE_DATE),
      Termination_Date: field('endDate'),
    },
    dateFormat: 'YYYY-MM-DD',
    username: 'email',
  },
  {
    id: 'hibob',
    name: 'HiBob',
    export: 'People > Export (or a People data report) with the fields below, as CSV, field ids as headers',
    recognisedBy: ['surname', 'work.title'],
    columns: {
      'work.employeeIdInCompany': field('employeeIdentifier'),
      firstName: field('firstname'),
      surname: field('lastname'),
      displayName: field('displayname'),
      email: field('email'),
      'work.title': field('jobTitle'),
      'work.department': field('department'),
      'work.site': field('location'),
      'work.reportsTo.email': field('manager'),
      'work.startDate': ignore(NO_HIRE_DATE),
      'internal.status': field('employmentStatus'),
      'internal.terminationDate': field('endDate'),
    },
    dateFormat: 'DD/MM/YYYY',
    username: 'email',
  },
  {
    id: 'personio',
    name: 'Personio',
    export: 'Employees > Export, the attributes below, as CSV',
    recognisedBy: ['first_name', 'position'],
    columns: {
      id: field('employeeIdentifier'),
      first_name: field('firstname'),
      last_name: field('lastname'),
      email: field('email'),
      position: field('jobTitle'),
      department: field('department'),
      office: field('location'),
      // A name ("Margaret Ross"), resolved like any manager reference.
      supervisor: field('manager'),
      status: field('employmentStatus'),
      employment_type: field('employeeType'),
      subcompany: field('company'),
      hire_date: ignore(NO_HIRE_DATE),
      termination_date: field('endDate'),
    },
    dateFormat: 'DD.MM.YYYY',
    username: 'email',
  },
  {
    id: 'rippling',
    name: 'Rippling',
    export: 'Reports > a custom report of employees with the fields below, Download as CSV',
    recognisedBy: ['workEmail', 'roleState'],
    columns: {
      // Rippling's own id of the person; managerId names another person by it.
      id: field('employeeIdentifier'),
      firstName: field('firstname'),
      lastName: field('lastname'),
      workEmail: field('email'),
      personalEmail: field('alternateEmail'),
      title: field('jobTitle'),
      department: field('department'),
      workLocation: field('location'),
      managerId: field('managerEmployeeIdentifier'),
      roleState: field('employmentStatus'),
      startDate: ignore(NO_HIRE_DATE),
      endDate: field('endDate'),
    },
    dateFormat: 'YYYY-MM-DD',
    username: 'email',
  },
  {
    id: 'gusto',
    name: 'Gusto',
    export: 'Reports > Employee details (custom report) with the fields below, Export CSV',
    recognisedBy: ['first_name', 'jobs.title'],
    columns: {
      employee_id: field('employeeIdentifier'),
      first_name: field('firstname'),
      last_name: field('lastname'),
      work_email: field('email'),
      // Gusto's `email` is often the personal one: used only when there is no work email.
      email: { field: 'email', whenEmpty: 'work_email' },
      department: field('department'),
      'jobs.title': field('jobTitle'),
      work_address: ignore('a one-line address JumpCloud cannot split into its parts'),
      terminated: { field: 'employmentStatus', values: TERMINATED_FLAG },
      termination_date: field('endDate'),
      start_date: ignore(NO_HIRE_DATE),
    },
    dateFormat: 'MM/DD/YYYY',
    username: 'email',
  },
];

export const PRESET_IDS = HR_PRESETS.map((preset) => preset.id) as [string, ...string[]];

export function presetById(id: string): HrPreset | undefined {
  return HR_PRESETS.find((preset) => preset.id === id.toLowerCase());
}

/** The presets whose telling columns are all in the header. */
export function presetsRecognised(headers: readonly string[]): HrPreset[] {
  const present = new Set(headers.map((header) => header.trim().toLowerCase()));
  return HR_PRESETS.filter((preset) =>
    preset.recognisedBy.every((header) => present.has(header.toLowerCase())),
  );
}

/** The preset's rule for a header as written (ignoring case and surrounding spaces). */
export function presetRule(preset: HrPreset, header: string): ColumnRule | undefined {
  const wanted = header.trim().toLowerCase();
  const key = Object.keys(preset.columns).find((name) => name.toLowerCase() === wanted);
  return key === undefined ? undefined : preset.columns[key];
}

const USERNAME_WORDS: Readonly<Record<UsernameRule, string>> = {
  email: "the email's part before @ (`margaret.ross@example.com` → `margaret.ross`)",
  'first.last': 'first and last name (`margaret.ross`)',
  flast: 'first initial and last name (`mross`)',
};

/** The README's section per HR system: the export to make, the folder, what maps where. */
export function presetsMarkdown(): string {
  return HR_PRESETS.map((preset) => {
    const rows = Object.entries(preset.columns).map(([header, rule]) => {
      const meaning = rule.field
        ? `\`${rule.field}\`${
            rule.values
              ? ` (${Object.entries(rule.values)
                  .filter(([, v]) => v === 'Terminated')
                  .map(([k]) => `\`${k}\``)
                  .join(', ')} = left)`
              : ''
          }${rule.whenEmpty ? ` where \`${rule.whenEmpty}\` is empty` : ''}`
        : `ignored: ${rule.ignored}`;
      return `| \`${header}\` | ${meaning} |`;
    });
    return [
      `### ${preset.name}`,
      '',
      `- **Export**: ${preset.export}.`,
      `- **Drop it** under \`incoming/${preset.id}/\` (or anywhere under \`incoming/\`: a header with ${preset.recognisedBy.map((h) => `\`${h}\``).join(' and ')} is recognised as ${preset.name}'s).`,
      `- **Dates** are read as ${preset.dateFormat}; **usernames** are made from ${USERNAME_WORDS[preset.username]}.`,
      '',
      '| column | read as |',
      '|---|---|',
      ...rows,
      '',
    ].join('\n');
  }).join('\n');
}
