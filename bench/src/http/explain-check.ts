import { selectTaskDetail } from '@reelpost/api';
import { explain } from '@reelpost/api/testing/explain';
import type { Database } from '@reelpost/db';
import type { Kysely } from 'kysely';
import type { Goal } from '../shared/table.js';

// The detail query must stay an index lookup per table on production-sized data: a sequential scan of the media
// table would cost in proportion to every customer's media, not this task's.

const BIG_TABLES = ['instance_tasks', 'instance_media', 'tiktok_posts'];

export interface ExplainCheck {
  plan: string;
  goal: Goal;
}

export async function checkDetailPlan(db: Kysely<Database>, taskId: string): Promise<ExplainCheck> {
  const { text, scans } = await explain(db, selectTaskDetail(db, taskId), { analyze: true });
  const seqScans = scans.filter((scan) => scan.nodeType === 'Seq Scan' && BIG_TABLES.includes(scan.relation ?? ''));
  const mediaByIndex = scans.some((scan) => scan.index === 'instance_media_task_idx');
  const indexes = [...new Set(scans.map((scan) => scan.index).filter((index) => index !== null))];
  return {
    plan: text,
    goal: {
      goal: 'detail query: index scans only, no Seq Scan on instance_media',
      measured: seqScans.length > 0 ? `Seq Scan on ${seqScans.map((scan) => scan.relation).join(', ')}` : `indexes: ${indexes.join(', ')}`,
      pass: seqScans.length === 0 && mediaByIndex,
    },
  };
}
