import { readFileSync } from 'node:fs';
import { fromPackageRoot } from '../package-root.js';
import { createRandom, pickDistinct, type Random } from './random.js';
import { seedAccess } from './seed-access.js';
import { seedTiers } from './seed-tiers.js';
import { SimStore } from './store.js';
import type {
  ApiTechnology,
  AssetType,
  EnvironmentRecord,
  EnvironmentType,
  MembershipType,
  OrgRecord,
  TeamRecord,
  UserRecord,
} from './model.js';

export type PresetName = 'demo' | 'large' | 'empty';

export const PRESETS: readonly PresetName[] = ['demo', 'large', 'empty'];

/** Scopes the simulator's connected apps can hold; each route names the one it needs. */
export const ALL_SCOPES = [
  'read:organization',
  'edit:organization',
  'read:users',
  'edit:users',
  'read:teams',
  'edit:teams',
  'read:roles',
  'read:api_manager',
  'read:exchange',
  'read:audit_logs',
] as const;
export type Scope = (typeof ALL_SCOPES)[number];

/** Every seeded user can log in with this password (password grant), so sessions can be tested. */
export const DEMO_USER_PASSWORD = 'Demo-Password-1';

export interface SeedOptions {
  seed: string | number;
  preset: PresetName;
  /** What last logins are relative to (default: the start of today, UTC), so stale users are stale on any day. */
  now?: number;
}

const startOfToday = () => Math.floor(Date.now() / 86_400_000) * 86_400_000;

export interface SeededPlatform {
  store: SimStore;
  /** The demo connected app: all scopes, client_credentials and password grants. */
  demoApp: { clientId: string; clientSecret: string; orgId: string };
  /** A second app in the same org that may only read the organization, to exercise 403s. */
  limitedApp: { clientId: string; clientSecret: string };
}

const FIRST_NAMES = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam',
  'Maya', 'Nikhil', 'Olga', 'Pablo', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe'];
const LAST_NAMES = ['Adams', 'Baker', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen',
  'Kowalski', 'Lopez', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quispe', 'Rossi', 'Silva', 'Tanaka', 'Usman',
  'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang'];
const API_NOUNS = ['orders', 'payments', 'customers', 'inventory', 'shipping', 'invoices', 'catalog', 'pricing',
  'accounts', 'loyalty', 'returns', 'refunds', 'stores', 'suppliers', 'employees', 'claims', 'quotes', 'ledger',
  'tickets', 'notifications', 'identity', 'documents', 'reports', 'forecasts'];
const TEAM_WORDS = ['Developers', 'Operations', 'Security', 'Support', 'Architecture', 'Integration', 'Data',
  'QA', 'Release', 'Analytics', 'Mobile', 'Partners'];

/** Anchors seeded timestamps so the same seed gives the same dates on any day. */
const EPOCH = Date.parse('2023-01-02T09:00:00.000Z');
const DAY_MS = 86_400_000;

function timestamp(random: Random, maxDays = 600): string {
  return new Date(EPOCH + random.int(0, maxDays) * DAY_MS + random.int(0, DAY_MS - 1)).toISOString();
}

interface OrgPlan {
  name: string;
  parent: number | null;
}

interface PresetShape {
  orgs: OrgPlan[];
  /** Environment sets cycled per org; the first org always gets the first set. */
  environmentSets: Array<Array<[string, EnvironmentType]>>;
  usersPerOrg: (orgIndex: number) => number;
  teamsPerOrg: (orgIndex: number) => string[];
  membersPerTeam: [number, number];
  assetsPerOrg: (orgIndex: number) => number;
}

const THREE_ENVS: Array<[string, EnvironmentType]> = [['Design', 'design'], ['Sandbox', 'sandbox'], ['Production', 'production']];

function demoShape(): PresetShape {
  const acmeTeams = ['Platform Admins', 'Developers', 'Payments Developers', 'Retail Developers', 'Retail EU Developers',
    'Operations', 'Site Reliability', 'Support', 'Security', 'Auditors', 'Contractors'];
  return {
    orgs: [
      { name: 'Acme', parent: null },
      { name: 'Acme Payments', parent: 0 },
      { name: 'Acme Retail', parent: 0 },
      { name: 'Acme Retail EU', parent: 2 },
      { name: 'Acme Platform', parent: 0 },
    ],
    environmentSets: [THREE_ENVS],
    usersPerOrg: (i) => (i === 0 ? 40 : 5),
    teamsPerOrg: (i) => (i === 0 ? acmeTeams : []),
    membersPerTeam: [3, 7],
    assetsPerOrg: (i) => (i === 0 ? 8 : 3),
  };
}

function largeShape(): PresetShape {
  const orgs: OrgPlan[] = [{ name: 'Acme', parent: null }];
  // 50 business groups: 10 divisions under the root, 40 units under the divisions.
  for (let d = 0; d < 10; d += 1) orgs.push({ name: `Acme Division ${d + 1}`, parent: 0 });
  for (let u = 0; u < 40; u += 1) orgs.push({ name: `Acme Unit ${u + 1}`, parent: 1 + (u % 10) });
  const teamNames = (count: number): string[] =>
    Array.from({ length: count }, (_, i) => `${TEAM_WORDS[i % TEAM_WORDS.length]} ${Math.floor(i / TEAM_WORDS.length) + 1}`);
  return {
    orgs,
    environmentSets: [
      [...THREE_ENVS, ['QA', 'sandbox'], ['Staging', 'sandbox']],
      [...THREE_ENVS, ['QA', 'sandbox']],
    ],
    // 51 orgs: 2,000 users in the root and 160 in each group = 10,000.
    usersPerOrg: (i) => (i === 0 ? 2_000 : 160),
    // 51 root teams + 1,949 others = 2,000 teams.
    teamsPerOrg: (i) => teamNames(i === 0 ? 99 : 37),
    membersPerTeam: [0, 10],
    // 2,500 assets deployed twice each = 5,000 API instances.
    assetsPerOrg: (i) => (i === 0 ? 50 : 49),
  };
}

/**
 * A clean organization for trying an identity provider (SCIM) integration: only what every org
 * has from its first day (the root org, its owner, its root team, three environments), so every
 * user and team afterwards is one the integration created.
 */
function emptyShape(): PresetShape {
  return {
    orgs: [{ name: 'Acme', parent: null }],
    environmentSets: [THREE_ENVS],
    usersPerOrg: () => 1,
    teamsPerOrg: () => [],
    membersPerTeam: [0, 0],
    assetsPerOrg: () => 0,
  };
}

const SHAPES: Record<PresetName, () => PresetShape> = { demo: demoShape, large: largeShape, empty: emptyShape };

function loadRoles(store: SimStore): void {
  // From the source tree (src/simulator/data), which the compiled build (dist/) does not copy.
  const path = fromPackageRoot('src', 'simulator', 'data', 'anypoint-platform-roleIds.json');
  const entries = JSON.parse(readFileSync(path, 'utf8')) as Array<{ Category: string; Permission: string; RoleId: string }>;
  for (const entry of entries) {
    store.roles.set(entry.RoleId, {
      role_id: entry.RoleId,
      name: entry.Permission,
      description: `${entry.Category}: ${entry.Permission}`,
      internal: false,
      org_id: null,
      namespaces: [entry.Category.toLowerCase().replace(/\s+/g, '_')],
      shareable: true,
    });
  }
}

/** Builds the same platform for the same seed and preset, every time. */
export function seedPlatform(options: SeedOptions): SeededPlatform {
  const random = createRandom(`${options.preset}:${options.seed}`);
  const store = new SimStore(random);
  const makeShape = SHAPES[options.preset] as (() => PresetShape) | undefined;
  // A JavaScript caller can pass any string; a typo must not quietly seed some other preset.
  if (!makeShape) throw new Error(`Unknown simulator preset "${options.preset}"; expected one of ${PRESETS.join(', ')}`);
  const shape = makeShape();
  loadRoles(store);

  const orgs: OrgRecord[] = [];
  for (const plan of shape.orgs) {
    const createdAt = timestamp(random, 30);
    const org: OrgRecord = {
      id: random.uuid(),
      name: plan.name,
      parentId: plan.parent === null ? null : orgs[plan.parent]!.id,
      ownerId: '',
      clientId: random.hex(32),
      domain: plan.parent === null ? 'acme' : null,
      createdAt,
      updatedAt: createdAt,
      sessionTimeout: 60,
      mfaRequired: 'no',
      entitlements: { createSubOrgs: true, createEnvironments: true, globalDeployment: plan.parent === null },
      subscription: { category: 'Customer', type: 'Platinum', expiration: '2027-12-31T00:00:00.000Z' },
      deletedAt: null,
    };
    orgs.push(org);
    store.orgs.set(org.id, org);
  }
  store.rootOrgId = orgs[0]!.id;

  const envsByOrg = new Map<string, EnvironmentRecord[]>();
  orgs.forEach((org, i) => {
    const set = shape.environmentSets[i % shape.environmentSets.length]!;
    const envs = set.map(([name, type]) => ({
      id: random.uuid(),
      name,
      organizationId: org.id,
      isProduction: type === 'production',
      type,
      clientId: random.hex(32),
      arcNamespace: null,
    }));
    envs.forEach((env) => store.environments.set(env.id, env));
    envsByOrg.set(org.id, envs);
  });

  const usersByOrg = new Map<string, UserRecord[]>();
  let userSerial = 0;
  orgs.forEach((org, i) => {
    const users: UserRecord[] = [];
    const count = shape.usersPerOrg(i);
    for (let n = 0; n < count; n += 1) {
      userSerial += 1;
      const firstName = random.pick(FIRST_NAMES);
      const lastName = random.pick(LAST_NAMES);
      const username = i === 0 && n === 0 ? 'acme_admin' : `${firstName}_${lastName}${userSerial}`.toLowerCase();
      const createdAt = timestamp(random);
      const user: UserRecord = {
        id: random.uuid(),
        username,
        firstName: i === 0 && n === 0 ? 'Acme' : firstName,
        lastName: i === 0 && n === 0 ? 'Admin' : lastName,
        email: `${username}@acme.example`,
        phoneNumber: random.chance(0.6) ? `+1-555-${String(random.int(0, 9999)).padStart(4, '0')}` : null,
        organizationId: org.id,
        // The first user of each org owns it and stays enabled; about one in ten of the rest is disabled.
        enabled: n === 0 || !random.chance(0.1),
        deleted: false,
        type: n > 0 && random.chance(0.04) ? 'proxy' : 'host',
        idprovider_id: 'mulesoft',
        createdAt,
        updatedAt: createdAt,
        lastLogin: random.chance(0.8) ? new Date(Date.parse(createdAt) + random.int(1, 90) * DAY_MS).toISOString() : null,
        password: DEMO_USER_PASSWORD,
      };
      users.push(user);
      store.users.set(user.id, user);
      store.usernamesEverUsed.add(user.username);
    }
    org.ownerId = users[0]?.id ?? '';
    usersByOrg.set(org.id, users);
  });

  orgs.forEach((org, i) => {
    const rootTeam = addTeam(store, random, org.id, org.name, null);
    const teams: TeamRecord[] = [rootTeam];
    for (const name of shape.teamsPerOrg(i)) {
      // Attach each team under the root or an earlier team, so the tree is a few levels deep.
      const parent = teams.length < 3 || random.chance(0.5) ? rootTeam : random.pick(teams);
      teams.push(addTeam(store, random, org.id, name, parent.team_id));
    }
    const users = usersByOrg.get(org.id)!;
    for (const team of teams) {
      const isRoot = team === rootTeam;
      const picked = isRoot ? users : pickDistinct(random, users, random.int(...shape.membersPerTeam));
      picked.forEach((user, index) => {
        const membership: MembershipType = !isRoot && index === 0 ? 'maintainer' : 'member';
        addMember(store, team.team_id, user.id, membership, !isRoot && random.chance(0.15));
      });
    }
    const envs = envsByOrg.get(org.id)!;
    for (const team of teams.slice(1, 4)) {
      const role = random.pick([...store.roles.values()]);
      const env = random.pick(envs);
      store.teamRoles.push({ teamId: team.team_id, role_id: role.role_id, context_params: { org: org.id, envId: env.id } });
    }
  });

  orgs.forEach((org, i) => {
    const envs = envsByOrg.get(org.id)!;
    const users = usersByOrg.get(org.id)!;
    const count = shape.assetsPerOrg(i);
    for (let n = 0; n < count; n += 1) {
      const noun = API_NOUNS[(i * 7 + n) % API_NOUNS.length]!;
      const assetId = `${noun}-api${n >= API_NOUNS.length || i > 0 ? `-${i}-${n}` : ''}`;
      const major = random.int(1, 3);
      const version = `${major}.${random.int(0, 4)}.${random.int(0, 9)}`;
      const type: AssetType = random.chance(0.8) ? 'rest-api' : 'http-api';
      const specFormat = type === 'rest-api' ? (random.chance(0.5) ? 'oas' : 'raml') : null;
      const name = `${noun[0]!.toUpperCase()}${noun.slice(1)} API${i > 0 ? ` (${org.name})` : ''}`;
      const createdAt = timestamp(random);
      const asset = {
        groupId: org.id,
        assetId,
        version,
        name,
        description: `Manages ${noun} for ${org.name}.`,
        organizationId: org.id,
        type,
        status: random.chance(0.9) ? ('published' as const) : ('deprecated' as const),
        isPublic: random.chance(0.2),
        labels: random.chance(0.5) ? [noun, 'acme'] : [],
        categories: random.chance(0.5) ? [{ key: 'domain', displayName: 'Domain', value: [noun] }] : [],
        specFormat,
        mainFile: specFormat === 'oas' ? `${noun}.yaml` : specFormat === 'raml' ? `${noun}.raml` : null,
        createdById: random.pick(users).id,
        createdAt,
        updatedAt: createdAt,
      } satisfies import('./model.js').ExchangeAssetRecord;
      store.assets.set(store.assetKey(asset.groupId, asset.assetId, asset.version), asset);
      // Deploy each asset to two environments of its org (sandbox and production where they exist).
      const targets = [envs.find((e) => e.type === 'sandbox') ?? envs[0]!, envs.find((e) => e.type === 'production') ?? envs[0]!];
      targets.forEach((env, k) => {
        const technology: ApiTechnology = random.pick(['mule4', 'mule4', 'mule4', 'flexGateway', 'mule3'] as const);
        const status = random.chance(0.85) ? 'active' : random.chance(0.5) ? 'inactive' : 'unregistered';
        const created = timestamp(random);
        const id = store.nextApiId;
        store.nextApiId += 1 + random.int(0, 40);
        store.apis.set(id, {
          id,
          organizationId: org.id,
          environmentId: env.id,
          groupId: asset.groupId,
          assetId: asset.assetId,
          assetVersion: asset.version,
          productVersion: `v${major}`,
          instanceLabel: random.chance(0.5) ? `${noun}-${env.name.toLowerCase()}` : null,
          technology,
          status,
          endpointUri: `https://${noun}-${env.name.toLowerCase()}.acme.example/api`,
          deprecated: asset.status === 'deprecated',
          isPublic: asset.isPublic,
          pinned: k === 1 && random.chance(0.2),
          lastActiveDate: status === 'active' ? timestamp(random, 700) : null,
          description: random.chance(0.5) ? asset.description : null,
          tags: random.chance(0.3) ? [env.type] : [],
          createdDate: created,
          updatedDate: created,
        });
        if (random.chance(0.6)) {
          store.policies.push({
            id: 900_000 + store.policies.length,
            apiId: id,
            policyTemplateId: String(random.int(300_000, 399_999)),
            assetId: random.pick(['rate-limiting', 'client-id-enforcement', 'jwt-validation', 'cors']),
            assetVersion: '1.3.2',
            order: 1,
            disabled: false,
            configurationData: {},
          });
        }
        for (let c = random.int(0, 2); c > 0; c -= 1) {
          store.contracts.push({
            id: 700_000 + store.contracts.length,
            apiId: id,
            status: random.chance(0.8) ? 'APPROVED' : 'PENDING',
            applicationId: random.int(1_000_000, 1_999_999),
            applicationName: `${random.pick(API_NOUNS)}-client`,
            clientId: random.hex(32),
            tierId: null,
            approvedDate: created,
            createdDate: created,
          });
        }
      });
    }
  });

  const rootOrg = orgs[0]!;
  const demoApp = {
    client_id: random.hex(32),
    client_secret: random.hex(32),
    client_name: 'anypoint-graph demo',
    org_id: rootOrg.id,
    owner_user_id: rootOrg.ownerId,
    grant_types: ['client_credentials', 'password'],
    scopes: [...ALL_SCOPES],
    enabled: true,
    audience: 'internal',
  };
  const limitedApp = {
    ...demoApp,
    client_id: random.hex(32),
    client_secret: random.hex(32),
    client_name: 'organization reader',
    grant_types: ['client_credentials'],
    scopes: ['read:organization'],
  };
  store.apps.set(demoApp.client_id, demoApp);
  store.apps.set(limitedApp.client_id, limitedApp);
  store.fileSecret = random.hex(32);
  seedTiers(store, `${options.preset}:${options.seed}`);
  seedAccess(store, createRandom(`${options.preset}:${options.seed}:access`), options.now ?? startOfToday());

  return {
    store,
    demoApp: { clientId: demoApp.client_id, clientSecret: demoApp.client_secret, orgId: rootOrg.id },
    limitedApp: { clientId: limitedApp.client_id, clientSecret: limitedApp.client_secret },
  };
}

function addTeam(store: SimStore, random: Random, orgId: string, name: string, parentId: string | null): TeamRecord {
  const createdAt = timestamp(random);
  const team: TeamRecord = {
    team_id: random.uuid(),
    team_name: name,
    team_type: 'internal',
    org_id: orgId,
    parentId,
    created_at: createdAt,
    updated_at: createdAt,
  };
  store.teams.set(team.team_id, team);
  return team;
}

function addMember(store: SimStore, teamId: string, userId: string, type: MembershipType, external: boolean): void {
  const at = new Date(EPOCH).toISOString();
  store.membersOf(teamId).set(userId, {
    teamId,
    userId,
    membership_type: type,
    is_assigned_via_external_groups: external,
    created_at: at,
    updated_at: at,
  });
}
