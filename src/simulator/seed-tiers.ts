import { createRandom } from './random.js';
import type { SimStore } from './store.js';
import type { TierRecord } from './model.js';

/**
 * SLA tiers for the seeded API instances: about half get one to three (Bronze, Silver, Gold at
 * rising request rates), the rest none, as in a real platform where tiers are opt-in. Drawn from
 * a stream of their own, so adding tiers left every other seeded record (ids included) as it was.
 */
const LADDER = [
  { name: 'Bronze', maximumRequests: 10 },
  { name: 'Silver', maximumRequests: 100 },
  { name: 'Gold', maximumRequests: 1_000 },
] as const;

export function seedTiers(store: SimStore, seed: string): void {
  const random = createRandom(`${seed}:tiers`);
  for (const api of store.apis.values()) {
    if (!random.chance(0.5)) continue;
    const count = random.int(1, LADDER.length);
    for (const step of LADDER.slice(0, count)) {
      const tier: TierRecord = {
        id: 2_400_000 + store.tiers.length,
        apiId: api.id,
        name: `${step.name} Tier`,
        description: random.chance(0.5) ? `${step.name} SLA: ${step.maximumRequests} requests a minute` : null,
        status: 'ACTIVE',
        autoApprove: step.name === 'Bronze',
        limits: [{ visible: true, maximumRequests: step.maximumRequests, timePeriodInMilliseconds: 60_000 }],
        createdDate: api.createdDate,
      };
      store.tiers.push(tier);
    }
  }
}
