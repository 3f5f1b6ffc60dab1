import { ApiStatus, ApiTechnology, EnvironmentType, MembershipType, SpecificationFormat, TeamType } from '../src/graph/enums.js';

/** GraphQL enum names mapped to the strings Anypoint uses (the enums' values). */
export const enumResolvers = { EnvironmentType, TeamType, MembershipType, ApiStatus, ApiTechnology, SpecificationFormat };
