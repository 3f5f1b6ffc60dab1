/**
 * GraphQL enums with the Anypoint strings as their internal values (codegen enumValues point
 * here). Apollo maps SCREAMING_SNAKE names to these values through resolvers/enums.ts.
 */
export enum EnvironmentType {
  PRODUCTION = 'production',
  SANDBOX = 'sandbox',
  DESIGN = 'design',
}

export enum TeamType {
  INTERNAL = 'internal',
  SHARED = 'shared',
  PRIVATE = 'private',
  EXTERNAL = 'external',
}

export enum MembershipType {
  MEMBER = 'member',
  MAINTAINER = 'maintainer',
}

export enum ApiStatus {
  ACTIVE = 'active',
  INACTIVE = 'inactive',
  UNREGISTERED = 'unregistered',
}

export enum ApiTechnology {
  MULE4 = 'mule4',
  MULE3 = 'mule3',
  FLEX_GATEWAY = 'flexGateway',
  SERVICE_MESH = 'serviceMesh',
}

export enum SpecificationFormat {
  OAS = 'oas',
  RAML = 'raml',
}
