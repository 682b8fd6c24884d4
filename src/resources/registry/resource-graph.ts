/** A resource as the dependency graph sees it: its name and the names it depends on. */
export interface GraphNode {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

/** The declared dependencies cannot be honoured: one names no resource, or they form a cycle. */
export class ResourceGraphError extends Error {
  override readonly name = 'ResourceGraphError';
}

/**
 * Orders resources so each comes after everything it depends on: the order they open in (and
 * close in, reversed). Among resources free to go, the order of registration decides, so the
 * result is stable. Throws ResourceGraphError for an unknown dependency or a cycle, naming them.
 */
export function dependencyOrder<T extends GraphNode>(nodes: readonly T[]): T[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const node of nodes) {
    const unknown = node.dependsOn.filter((d) => !byName.has(d));
    if (unknown.length > 0) {
      throw new ResourceGraphError(
        `resource ${node.name} depends on ${unknown.join(', ')}, which is not registered (registered: ${[...byName.keys()].join(', ')})`,
      );
    }
  }
  const ordered: T[] = [];
  const placed = new Set<string>();
  while (ordered.length < nodes.length) {
    const next = nodes.find((n) => !placed.has(n.name) && n.dependsOn.every((d) => placed.has(d)));
    if (!next) {
      const left = nodes.filter((n) => !placed.has(n.name));
      throw new ResourceGraphError(
        `resource dependencies form a cycle among ${left.map((n) => `${n.name} -> ${n.dependsOn.join('+')}`).join(', ')}`,
      );
    }
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}
