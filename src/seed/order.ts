/**
 * Dependency order for seeding: a table comes after every table it points at (foreign keys the seed
 * sets, and `ref` lookups). Ties keep the order in which tables first appear in the seed, so the
 * result is predictable. A cycle is an error that names it.
 */
import { ConfigError } from '../core/errors.js';

/**
 * Sort nodes (in first-appearance order) so that each comes after its dependencies.
 * `dependsOn.get(a)` holds the nodes a must follow; self-dependencies are ignored.
 */
export function orderByDependencies(
  nodes: readonly string[],
  dependsOn: ReadonlyMap<string, ReadonlySet<string>>,
  describe: (node: string) => string = (node) => node,
): string[] {
  const done = new Set<string>();
  const ordered: string[] = [];
  const remaining = [...nodes];
  const depsOf = (n: string) => [...(dependsOn.get(n) ?? [])].filter((d) => d !== n && nodes.includes(d));
  while (remaining.length) {
    const index = remaining.findIndex((n) => depsOf(n).every((d) => done.has(d)));
    if (index < 0) {
      const cycle = findCycle(remaining, depsOf);
      throw new ConfigError(
        `The seed's tables depend on each other in a cycle: ${cycle.map(describe).join(' → ')}`,
        [],
        'Seeding inserts parents before children. Leave one foreign-key column of the cycle out of this seed (set it in a later, separate seed run), or make it nullable and fill it afterwards.',
      );
    }
    const [node] = remaining.splice(index, 1);
    done.add(node!);
    ordered.push(node!);
  }
  return ordered;
}

/** A cycle among nodes that cannot be ordered, as a closed path a → b → … → a. */
function findCycle(nodes: readonly string[], depsOf: (n: string) => string[]): string[] {
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visited = new Set<string>();
  const visit = (n: string): string[] | null => {
    stack.push(n);
    onStack.add(n);
    for (const d of depsOf(n)) {
      if (onStack.has(d)) return [...stack.slice(stack.indexOf(d)), d];
      if (!visited.has(d) && nodes.includes(d)) {
        const found = visit(d);
        if (found) return found;
      }
    }
    stack.pop();
    onStack.delete(n);
    visited.add(n);
    return null;
  };
  for (const n of nodes) {
    const found = visited.has(n) ? null : visit(n);
    if (found) return found;
  }
  return [...nodes];
}
