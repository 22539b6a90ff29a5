/**
 * The bodies this project sends JumpCloud, exactly as the Swagger specs allow them
 * (JumpCloud.SDK.V1.json: definitions.systemuserputpost, systemuserput; JumpCloud.SDK.V2.json:
 * UserGroupPost, GraphOperation (UserGroup-Member)). The simulator validates every request with
 * them. The client sends only the fields they define, by name (api-types.ts; a test keeps the
 * names and these schemas equal), so the function does not build them.
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
