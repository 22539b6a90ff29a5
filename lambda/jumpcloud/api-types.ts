/**
 * JumpCloud shapes this project sends and reads, written from the Swagger specs
 * (JumpCloud.SDK.V1.json: definitions.systemuserputpost, systemuserput, systemuserreturn,
 * systemuserslist, Error; JumpCloud.SDK.V2.json: UserGroup, UserGroupPost,
 * GraphOperation (UserGroup-Member)). Only what we use is typed; everything else JumpCloud
 * returns passes through untouched.
 */
import * as z from 'zod';

const address = z.strictObject({
  type: z.string().optional(),
  streetAddress: z.string().optional(),
  extendedAddress: z.string().optional(),
  poBox: z.string().optional(),
  locality: z.string().optional(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
});

/** definitions.mfa */
const mfa = z.strictObject({
  configured: z.boolean().optional(),
  exclusion: z.boolean().optional(),
  exclusionDays: z.int().min(1).optional(),
  exclusionUntil: z.iso.datetime({ offset: true }).optional(),
});

/** definitions.restrictedField */
const restrictedField = z.strictObject({
  field: z
    .enum([
      'addresses',
      'company',
      'costCenter',
      'department',
      'description',
      'displayname',
      'email',
      'employeeIdentifier',
      'employeeType',
      'firstname',
      'jobTitle',
      'lastname',
      'location',
      'middlename',
      'password',
      'phoneNumbers',
      'sudo',
      'username',
    ])
    .optional(),
  id: z.string().max(24).optional(),
  type: z.enum(['active_directory', 'federated_identity_provider', 'scim']).optional(),
});

/**
 * The body of `POST /api/systemusers` exactly as `definitions.systemuserputpost` allows it:
 * unknown fields are rejected, `username` and `email` are the only required ones.
 * The simulator validates with it; the client sends only its fields.
 */
export const systemUserPostSchema = z.strictObject({
  username: z.string(),
  email: z.string().max(1024),
  account_locked: z.boolean().optional(),
  activated: z.boolean().optional(),
  addresses: z.array(address).optional(),
  allow_public_key: z.boolean().optional(),
  alternateEmail: z.string().optional(),
  attributes: z
    .array(z.strictObject({ name: z.string().optional(), value: z.string().max(1024).optional() }))
    .optional(),
  company: z.string().optional(),
  costCenter: z.string().optional(),
  delegatedAuthority: z
    .strictObject({ id: z.string().optional(), name: z.enum(['ActiveDirectory']).optional() })
    .nullable()
    .optional(),
  department: z.string().optional(),
  description: z.string().max(1024).optional(),
  disableDeviceMaxLoginAttempts: z.boolean().optional(),
  displayname: z.string().optional(),
  employeeIdentifier: z.string().max(256).optional(),
  employeeType: z.string().optional(),
  enable_managed_uid: z.boolean().optional(),
  enable_user_portal_multifactor: z.boolean().optional(),
  external_dn: z.string().optional(),
  external_password_expiration_date: z.iso.datetime({ offset: true }).optional(),
  external_source_type: z.string().optional(),
  externally_managed: z.boolean().optional(),
  firstname: z.string().optional(),
  jobTitle: z.string().optional(),
  lastname: z.string().optional(),
  ldap_binding_user: z.boolean().optional(),
  location: z.string().optional(),
  managedAppleId: z.string().max(1024).optional(),
  manager: z.string().optional(),
  mfa: mfa.optional(),
  middlename: z.string().optional(),
  password: z.string().optional(),
  password_never_expires: z.boolean().optional(),
  passwordless_sudo: z.boolean().optional(),
  phoneNumbers: z
    .array(z.strictObject({ number: z.string().optional(), type: z.string().optional() }))
    .optional(),
  public_key: z.string().optional(),
  recoveryEmail: z.strictObject({ address: z.string().optional() }).optional(),
  relationships: z
    .array(z.strictObject({ type: z.string().optional(), value: z.string().optional() }))
    .optional(),
  restrictedFields: z.array(restrictedField).optional(),
  samba_service_user: z.boolean().optional(),
  state: z.enum(['STAGED', 'ACTIVATED', 'SUSPENDED']).optional(),
  sudo: z.boolean().optional(),
  suspended: z.boolean().optional(),
  unix_guid: z.int().min(1).optional(),
  unix_uid: z.int().min(1).optional(),
});
export type SystemUserPost = z.infer<typeof systemUserPostSchema>;

/** Every top-level field `definitions.systemuserputpost` defines. */
export const SYSTEM_USER_POST_FIELDS: ReadonlySet<string> = new Set(Object.keys(systemUserPostSchema.shape));

/**
 * The body of `PUT /api/systemusers/{id}` exactly as `definitions.systemuserput` allows it: the
 * create body without `activated`, `passwordless_sudo` and `recoveryEmail`, plus `ssh_keys`, no
 * required field, and `state` only ACTIVATED or SUSPENDED (API notes, "Look users up").
 */
export const systemUserPutSchema = systemUserPostSchema
  .omit({ activated: true, passwordless_sudo: true, recoveryEmail: true })
  .extend({
    username: z.string().optional(),
    email: z.string().max(1024).optional(),
    ssh_keys: z.array(z.strictObject({ name: z.string(), public_key: z.string() })).optional(),
    state: z.enum(['ACTIVATED', 'SUSPENDED']).optional(),
  });
export type SystemUserPut = z.infer<typeof systemUserPutSchema>;

/** Every top-level field `definitions.systemuserput` defines. */
export const SYSTEM_USER_PUT_FIELDS: ReadonlySet<string> = new Set(Object.keys(systemUserPutSchema.shape));

/** Create fields a PUT must never carry: JumpCloud refuses them on an existing user. */
export const SYSTEM_USER_PUT_FORBIDDEN_FIELDS: ReadonlySet<string> = new Set(
  [...SYSTEM_USER_POST_FIELDS].filter((field) => !SYSTEM_USER_PUT_FIELDS.has(field)),
);

/** The part of `definitions.systemuserreturn` the client reads. The id is `_id`; some answers carry `id`. */
export const systemUserReturnSchema = z.looseObject({
  _id: z.string().optional(),
  id: z.string().optional(),
  username: z.string().optional(),
  email: z.string().optional(),
  created: z.string().optional(),
  employeeIdentifier: z.string().optional(),
  // A string, not the enum: an unexpected state must not make a created user look id-less.
  state: z.string().optional(),
});
export type SystemUserReturn = z.infer<typeof systemUserReturnSchema>;

/** `definitions.systemuserslist`: the answer of `GET /api/systemusers`. */
export const systemUsersListSchema = z.looseObject({
  totalCount: z.number().optional(),
  results: z.array(systemUserReturnSchema),
});

/**
 * `definitions.Error` (`code`, `message`, `status`), plus `details` on some 400s (the API notes:
 * `details[].fieldViolationsList[]` with `?fullValidationDetails=password`) and `error`, which
 * some JumpCloud answers use instead of `message`.
 */
export const jumpCloudErrorSchema = z.looseObject({
  code: z.number().optional(),
  message: z.string().optional(),
  status: z.string().optional(),
  error: z.string().optional(),
  details: z
    .array(
      z.looseObject({
        fieldViolationsList: z
          .array(
            z.union([
              z.string(),
              z.looseObject({
                field: z.string().optional(),
                description: z.string().optional(),
                message: z.string().optional(),
              }),
            ]),
          )
          .optional(),
      }),
    )
    .optional(),
});
export type JumpCloudError = z.infer<typeof jumpCloudErrorSchema>;

/** v2 `definitions.UserGroup`, as `GET /api/v2/usergroups` lists it (a bare array). v2 ids are `id`. */
export const userGroupSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string().optional(),
  description: z.string().optional(),
  email: z.string().optional(),
});
export const userGroupListSchema = z.array(userGroupSchema);

/** v2 `definitions.GraphConnection` list, as `GET /api/v2/usergroups/{id}/members` answers: the member is `to`. */
export const groupMembersSchema = z.array(
  z.looseObject({ to: z.looseObject({ id: z.string(), type: z.string() }) }),
);

/** v2 `definitions.UserGroupPost`: `POST /api/v2/usergroups`. Only `name` is required. */
export const userGroupPostSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  email: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  membershipMethod: z.string().optional(),
  memberSuggestionsNotify: z.boolean().optional(),
});

/** v2 `definitions.GraphOperation (UserGroup-Member)`: `POST /api/v2/usergroups/{id}/members`. */
export const userGroupMemberOperationSchema = z.strictObject({
  op: z.enum(['add', 'remove']),
  type: z.literal('user'),
  id: z.string(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});
