/**
 * JumpCloud shapes this project reads, written from the Swagger specs
 * (JumpCloud.SDK.V1.json: definitions.systemuserreturn, systemuserslist, Error;
 * JumpCloud.SDK.V2.json: UserGroup, GraphConnection), and the fields of the bodies it sends. Only
 * what we use is typed; everything else JumpCloud returns passes through untouched.
 *
 * The schemas of the bodies themselves (systemuserputpost, systemuserput, UserGroupPost,
 * GraphOperation) are in api-requests.ts: the simulator validates with them, while the client
 * only picks fields by name, so the function does not build them when it starts.
 */
import * as z from 'zod';

/** Every top-level field `definitions.systemuserputpost` defines (systemUserPostSchema's fields, in its order). */
export const SYSTEM_USER_POST_FIELDS: ReadonlySet<string> = new Set([
  'username',
  'email',
  'account_locked',
  'activated',
  'addresses',
  'allow_public_key',
  'alternateEmail',
  'attributes',
  'company',
  'costCenter',
  'delegatedAuthority',
  'department',
  'description',
  'disableDeviceMaxLoginAttempts',
  'displayname',
  'employeeIdentifier',
  'employeeType',
  'enable_managed_uid',
  'enable_user_portal_multifactor',
  'external_dn',
  'external_password_expiration_date',
  'external_source_type',
  'externally_managed',
  'firstname',
  'jobTitle',
  'lastname',
  'ldap_binding_user',
  'location',
  'managedAppleId',
  'manager',
  'mfa',
  'middlename',
  'password',
  'password_never_expires',
  'passwordless_sudo',
  'phoneNumbers',
  'public_key',
  'recoveryEmail',
  'relationships',
  'restrictedFields',
  'samba_service_user',
  'state',
  'sudo',
  'suspended',
  'unix_guid',
  'unix_uid',
]);

/** Create fields a PUT must never carry: JumpCloud refuses them on an existing user. */
export const SYSTEM_USER_PUT_FORBIDDEN_FIELDS: ReadonlySet<string> = new Set([
  'activated',
  'passwordless_sudo',
  'recoveryEmail',
]);

/** Every top-level field `definitions.systemuserput` defines: the create fields but those, and `ssh_keys`. */
export const SYSTEM_USER_PUT_FIELDS: ReadonlySet<string> = new Set([
  ...[...SYSTEM_USER_POST_FIELDS].filter((field) => !SYSTEM_USER_PUT_FORBIDDEN_FIELDS.has(field)),
  'ssh_keys',
]);

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
