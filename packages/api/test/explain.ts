import type { Database } from '@reelpost/db';
import { type Compilable, CompiledQuery, type Kysely } from 'kysely';

// EXPLAIN for a Kysely query: the plan as text for people, and its scans for assertions.

export interface PlanScan {
  nodeType: string;
  relation: string | null;
  index: string | null;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function scansOf(node: PlanNode, into: PlanScan[] = []): PlanScan[] {
  if (node['Relation Name'] !== undefined || node['Index Name'] !== undefined) {
    into.push({ nodeType: node['Node Type'], relation: node['Relation Name'] ?? null, index: node['Index Name'] ?? null });
  }
  for (const child of node.Plans ?? []) scansOf(child, into);
  return into;
}

export async function explain(
  db: Kysely<Database>,
  query: Compilable,
  { analyze = false }: { analyze?: boolean } = {},
): Promise<{ text: string; scans: PlanScan[] }> {
  const { sql, parameters } = query.compile();
  const options = analyze ? 'ANALYZE, BUFFERS, ' : '';
  const json = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    CompiledQuery.raw(`EXPLAIN (${options}FORMAT JSON) ${sql}`, [...parameters]),
  );
  const text = await db.executeQuery<{ 'QUERY PLAN': string }>(
    CompiledQuery.raw(`EXPLAIN (${options}COSTS OFF) ${sql}`, [...parameters]),
  );
  const root = json.rows[0]?.['QUERY PLAN'][0].Plan;
  return {
    text: text.rows.map((row) => row['QUERY PLAN']).join('\n'),
    scans: root ? scansOf(root) : [],
  };
}
