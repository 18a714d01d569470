import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { diagramEdges } from './post-moves.js';

// docs/api.md draws the post state machine; this checks its edges are exactly the table's (post-moves.ts).

const DOC = new URL('../../../../docs/api.md', import.meta.url);

async function documentedEdges(): Promise<string[]> {
  const doc = await readFile(DOC, 'utf8');
  const section = doc.slice(doc.indexOf('### The post state machine'));
  const diagram = /```mermaid\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return diagram
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes('-->'));
}

describe('the post state diagram in docs/api.md', () => {
  it('has exactly the moves of the table, edge for edge', async () => {
    expect((await documentedEdges()).sort()).toEqual(diagramEdges().sort());
  });
});
