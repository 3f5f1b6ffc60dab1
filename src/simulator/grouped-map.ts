/**
 * A Map that also files each value under a group key derived from it (its org id, its
 * environment id), so "the users of org X" is one lookup rather than a scan of all 10,000 users
 * on every request. It is still a plain Map to everything else: records put in with `set` (the
 * seed, the routes, tests that plant a record) land in their group without anyone asking.
 *
 * The group key must not change while the value is in the map: it is read on `set` and
 * `delete` only. Every key used here (a user's or a team's org, an environment's org, an API
 * instance's environment, an org's parent) is immutable in the simulator.
 *
 * A group keeps the map's insertion order, so it lists its values in the same order a filter
 * over the whole map would.
 */
export class GroupedMap<K, V, G> extends Map<K, V> {
  private readonly groups = new Map<G, Map<K, V>>();

  constructor(private readonly groupOf: (value: V) => G) {
    super();
  }

  override set(key: K, value: V): this {
    const group = this.groupOf(value);
    const previous = super.get(key);
    if (previous !== undefined && this.groupOf(previous) !== group) this.groups.get(this.groupOf(previous))?.delete(key);
    super.set(key, value);
    let members = this.groups.get(group);
    if (!members) {
      members = new Map();
      this.groups.set(group, members);
    }
    members.set(key, value);
    return this;
  }

  override delete(key: K): boolean {
    const previous = super.get(key);
    if (previous !== undefined) this.groups.get(this.groupOf(previous))?.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.groups.clear();
    super.clear();
  }

  /** The values filed under one group key, in insertion order; a fresh array the caller may sort. */
  inGroup(group: G): V[] {
    const members = this.groups.get(group);
    return members ? [...members.values()] : [];
  }
}
