/** A Markdown table with right-aligned cells, readable as plain text too. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => `${'-'.repeat(width + 1)}:`).join('|')}|`, ...rows.map(line)].join('\n');
}

export type Goal = { goal: string; measured: string; pass: boolean };

export function goalsTable(goals: readonly Goal[]): string {
  return markdownTable(
    ['goal', 'measured', 'result'],
    goals.map((goal) => [goal.goal, goal.measured, goal.pass ? 'PASS' : 'MISS']),
  );
}
