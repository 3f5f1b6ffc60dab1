/** The GraphQL name of an enum's Anypoint value (src/graph/enums.ts), or the value itself when it has none. */
export function enumName(values: Record<string, string>, value: string): string {
  for (const [name, internal] of Object.entries(values)) if (internal === value) return name;
  return value;
}
