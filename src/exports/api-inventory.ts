import { extname } from 'node:path';
import type { AnypointApiInstance, AnypointEnvironment, AnypointExchangeAsset, AnypointExchangeFile } from '../anypoint/types.js';
import type { Loaders } from '../loaders/index.js';
import type { OrgNode } from '../loaders/organizations.js';
import { ApiStatus, ApiTechnology } from '../graph/enums.js';
import { csvTable, type Column } from './csv.js';
import { enumName } from './enum-names.js';

/**
 * The API inventory as a file: every instance of every business group, with the fields of the
 * GraphQL `Api` an inventory scanner maps, read through the same loaders (one listing per
 * environment, Exchange assets batched per asset group, the three counts one call each), one
 * business group at a time with loaders of its own, dropped after it.
 */
export interface ApiInventoryRow {
  id: string;
  organizationId: string;
  organizationName: string;
  environmentId: string;
  environmentName: string;
  groupId: string;
  assetId: string;
  version: string;
  productVersion: string;
  instanceLabel: string | null;
  name: string | null;
  isPublic: boolean;
  description: string | null;
  /** As GraphQL names it (ACTIVE), or Anypoint's value when GraphQL has no name for it. */
  status: string;
  technology: string;
  /** The Exchange asset type (Api.apiType), e.g. rest-api. */
  type: string | null;
  endpoint: string | null;
  deprecated: boolean;
  /** OAS or RAML (Api.specification.format). */
  specFormat: string | null;
  specLink: string | null;
  /** Null when that count could not be read (the GraphQL field is null then too). */
  policyCount: number | null;
  slaTierCount: number | null;
  contractCount: number | null;
}

const SPEC_CLASSIFIERS = ['oas', 'raml'];

/** The file Api.specification answers with: the first OAS or RAML file of the asset. */
export const specFileOf = (asset: AnypointExchangeAsset | null): AnypointExchangeFile | null =>
  asset?.files?.find((f) => f.classifier && SPEC_CLASSIFIERS.includes(f.classifier)) ?? null;

const orNull = <T>(promise: Promise<T>): Promise<T | null> => promise.catch(() => null);

export interface OrgApis {
  org: OrgNode;
  environments: AnypointEnvironment[];
  apis: AnypointApiInstance[];
}

/** One business group's instances, in the order Query.apis lists them (environment by environment). */
export async function orgApis(loaders: Loaders, org: OrgNode): Promise<OrgApis> {
  const environments = await loaders.orgs.environmentsOf(org.id);
  const lists = await Promise.all(environments.map((e) => loaders.apis.apisOfEnv(org.id, e.id)));
  return { org, environments, apis: lists.flatMap((l) => l.apis) };
}

export const assetOf = (loaders: Loaders, api: AnypointApiInstance) =>
  orNull(loaders.apis.exchangeAsset.load({ groupId: api.groupId, assetId: api.assetId, version: api.assetVersion }));

export async function inventoryRows(loaders: Loaders, { org, environments, apis }: OrgApis): Promise<ApiInventoryRow[]> {
  const envNames = new Map(environments.map((e) => [e.id, e.name]));
  return Promise.all(
    apis.map(async (api) => {
      const [listedName, asset, policyCount, slaTierCount, contractCount] = await Promise.all([
        loaders.apis.assetNameOf(api),
        assetOf(loaders, api),
        orNull(loaders.apis.policyCount.load(api)),
        orNull(loaders.apis.tierCount.load(api)),
        orNull(loaders.apis.contractCount.load(api)),
      ]);
      const spec = specFileOf(asset);
      return {
        id: String(api.id),
        organizationId: api.organizationId,
        organizationName: org.name,
        environmentId: api.environmentId,
        environmentName: envNames.get(api.environmentId) ?? api.environmentId,
        groupId: api.groupId,
        assetId: api.assetId,
        version: api.assetVersion,
        productVersion: api.productVersion,
        instanceLabel: api.instanceLabel ?? null,
        name: listedName ?? asset?.name ?? null,
        isPublic: api.isPublic,
        description: api.description ?? null,
        status: enumName(ApiStatus, api.status),
        technology: enumName(ApiTechnology, api.technology),
        type: asset?.type ?? null,
        endpoint: api.endpointUri ?? null,
        deprecated: api.deprecated,
        specFormat: spec?.classifier ? spec.classifier.toUpperCase() : null,
        specLink: spec ? (spec.externalLink ?? spec.downloadURL ?? null) : null,
        policyCount,
        slaTierCount,
        contractCount,
      };
    }),
  );
}

/** The CSV's columns, in this order (docs/exports.md). */
export const API_INVENTORY_COLUMNS: readonly Column<ApiInventoryRow>[] = (
  [
    'id',
    'organizationId',
    'organizationName',
    'environmentId',
    'environmentName',
    'groupId',
    'assetId',
    'version',
    'productVersion',
    'instanceLabel',
    'name',
    'isPublic',
    'description',
    'status',
    'technology',
    'type',
    'endpoint',
    'deprecated',
    'specFormat',
    'specLink',
    'policyCount',
    'slaTierCount',
    'contractCount',
  ] as const satisfies readonly (keyof ApiInventoryRow)[]
).map((key) => ({ header: key, value: (row: ApiInventoryRow) => row[key] }));

export const apiInventoryCsv = csvTable(API_INVENTORY_COLUMNS);

/** A name for one path segment of a zip entry: no separators, no `.`/`..`, no control characters. */
export function pathSegment(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').trim().slice(0, 120);
  return cleaned === '' || /^\.+$/.test(cleaned) ? '_' : cleaned;
}

/** The extension of what specContent returns: the main file's for a zip, else the packaging's. */
export function specExtension(file: AnypointExchangeFile): string {
  const fallback = file.classifier === 'raml' ? 'raml' : 'yaml';
  if (file.packaging === 'zip') return extname(file.mainFile ?? '').slice(1).replace(/[^\w]/g, '') || fallback;
  return /^(ya?ml|json|raml)$/.test(file.packaging) ? file.packaging : fallback;
}

/** `<organization name>/<environment name>/<assetId>-<version>.<ext>`. */
export const specEntryName = (orgName: string, envName: string, api: Pick<AnypointApiInstance, 'assetId' | 'assetVersion'>, file: AnypointExchangeFile) =>
  `${pathSegment(orgName)}/${pathSegment(envName)}/${pathSegment(`${api.assetId}-${api.assetVersion}.${specExtension(file)}`)}`;
