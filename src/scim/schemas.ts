/**
 * The SCIM schemas this server implements (RFC 7643 §7 attribute definitions), served as they
 * are by /Schemas, and read by the filter, the projection and PATCH: one truth about what
 * Anypoint keeps. Attributes the RFC defines that Anypoint has no place for are listed too, as
 * writeOnly and never returned, so that identity providers that always send them (Okta's locale,
 * Entra's enterprise extension) are not refused, and nobody is told they are kept.
 */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDefinition[];
}

export interface ResourceSchema {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDefinition[];
}

type Options = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

const attribute = (name: string, type: AttributeType, description: string, options: Options = {}): AttributeDefinition => ({
  name,
  type,
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...options,
});

const IGNORED = 'Accepted and ignored: Anypoint has no place for it, so it is neither kept nor returned.';
const ignored = (name: string, type: AttributeType = 'string', options: Options = {}) =>
  attribute(name, type, IGNORED, { mutability: 'writeOnly', returned: 'never', ...options });

/** value/type/primary, as emails and phoneNumbers have them. */
const multiValuedParts = (what: string, types: string[]): AttributeDefinition[] => [
  attribute('value', 'string', `The ${what}.`, { required: true }),
  attribute('type', 'string', `What kind of ${what}; Anypoint keeps one, reported as "work".`, { canonicalValues: types }),
  attribute('primary', 'boolean', `Whether this is the primary ${what}; Anypoint's one is.`),
];

export const USER_RESOURCE_SCHEMA: ResourceSchema = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'An Anypoint user of the organization the SCIM endpoint serves.',
  attributes: [
    attribute(
      'userName',
      'string',
      'The Anypoint username: letters, digits and underscores, unique across the whole Anypoint Platform and never reusable, even after the user is gone. Changing it makes a new Anypoint user with the same profile and teams (the old one is deactivated); the SCIM id stays.',
      { required: true, caseExact: true, uniqueness: 'global' },
    ),
    attribute('name', 'complex', "The user's name.", {
      required: true,
      subAttributes: [
        attribute('givenName', 'string', 'Anypoint firstName.', { required: true }),
        attribute('familyName', 'string', 'Anypoint lastName.', { required: true }),
        attribute('formatted', 'string', 'givenName and familyName, space-separated.', { mutability: 'readOnly' }),
      ],
    }),
    attribute('displayName', 'string', 'givenName and familyName, space-separated; sent values are ignored (Anypoint derives it).', { mutability: 'readOnly' }),
    attribute('emails', 'complex', 'The one e-mail address of the Anypoint user: set when the user is created, never changed afterwards (a different value is refused with mutability).', {
      multiValued: true,
      required: true,
      mutability: 'immutable',
      subAttributes: multiValuedParts('e-mail address', ['work', 'home', 'other']),
    }),
    attribute('phoneNumbers', 'complex', 'Anypoint keeps one phone number: the primary one sent (else the first).', {
      multiValued: true,
      subAttributes: multiValuedParts('phone number', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    }),
    attribute('active', 'boolean', 'Anypoint enabled. false disables the user and ends all their sessions.'),
    attribute('password', 'string', 'Accepted and ignored: Anypoint e-mails new users a link to set their own password.', {
      mutability: 'writeOnly',
      returned: 'never',
    }),
    // Returned on request only: it costs a read of every linked group's members.
    attribute('groups', 'complex', 'The linked groups (Anypoint teams) the user is a member of; change them through /Groups. Returned when asked for with attributes=groups.', {
      multiValued: true,
      mutability: 'readOnly',
      returned: 'request',
      subAttributes: [
        attribute('value', 'string', 'The group id.', { mutability: 'readOnly', caseExact: true }),
        attribute('$ref', 'reference', 'The group resource.', { mutability: 'readOnly', referenceTypes: ['Group'] }),
        attribute('display', 'string', 'The group displayName.', { mutability: 'readOnly' }),
        attribute('type', 'string', 'Always "direct".', { mutability: 'readOnly', canonicalValues: ['direct'] }),
      ],
    }),
    ...['nickName', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'].map((name) => ignored(name)),
    ignored('profileUrl', 'reference'),
    ...['ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates'].map((name) => ignored(name, 'complex', { multiValued: true })),
  ],
};

export const ENTERPRISE_USER_RESOURCE_SCHEMA: ResourceSchema = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Accepted so that identity providers that always send it are not refused; Anypoint keeps none of it.',
  attributes: [
    ...['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map((name) => ignored(name)),
    ignored('manager', 'complex'),
  ],
};

export const GROUP_RESOURCE_SCHEMA: ResourceSchema = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'An Anypoint team under the root team, linked to the group it was pushed for.',
  attributes: [
    attribute('displayName', 'string', "The team's name; unique among the root team's children.", { required: true, uniqueness: 'server' }),
    attribute('members', 'complex', 'The team members; users only (Anypoint teams do not contain teams this way).', {
      multiValued: true,
      subAttributes: [
        attribute('value', 'string', 'The member user id.', { mutability: 'immutable', caseExact: true }),
        attribute('$ref', 'reference', 'The member resource.', { mutability: 'immutable', referenceTypes: ['User'] }),
        attribute('display', 'string', "The member's name as Anypoint lists team members.", { mutability: 'readOnly' }),
        attribute('type', 'string', 'Always "User"; may be left out.', { mutability: 'immutable', canonicalValues: ['User'] }),
      ],
    }),
  ],
};

/** id, externalId and meta (RFC 7643 §3.1): on every resource, in no schema of their own. */
export const COMMON_ATTRIBUTES: AttributeDefinition[] = [
  attribute('id', 'string', 'Stable for the life of the resource.', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  attribute('externalId', 'string', "The identity provider's id for the resource, kept by the gateway (Anypoint has none).", { caseExact: true }),
  attribute('meta', 'complex', 'Resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      attribute('resourceType', 'string', 'User or Group.', { mutability: 'readOnly', caseExact: true }),
      attribute('created', 'dateTime', 'When the resource was created.', { mutability: 'readOnly' }),
      attribute('lastModified', 'dateTime', 'When the resource last changed.', { mutability: 'readOnly' }),
      attribute('location', 'reference', 'The resource URL.', { mutability: 'readOnly', caseExact: true, referenceTypes: ['uri'] }),
      attribute('version', 'string', 'A weak ETag; send it as If-Match.', { mutability: 'readOnly', caseExact: true }),
    ],
  }),
];

export type ResourceTypeName = 'User' | 'Group';

export interface ResourceTypeDefinition {
  name: ResourceTypeName;
  endpoint: '/Users' | '/Groups';
  core: ResourceSchema;
  extensions: ResourceSchema[];
}

export const RESOURCE_TYPES: Record<ResourceTypeName, ResourceTypeDefinition> = {
  User: { name: 'User', endpoint: '/Users', core: USER_RESOURCE_SCHEMA, extensions: [ENTERPRISE_USER_RESOURCE_SCHEMA] },
  Group: { name: 'Group', endpoint: '/Groups', core: GROUP_RESOURCE_SCHEMA, extensions: [] },
};
