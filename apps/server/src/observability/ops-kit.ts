import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { findProjectRoot } from '@reelpost/db';
import { parse as parseYaml } from 'yaml';

/** A PromQL expression from the operator kit, and where it is. */
export interface KitExpression {
  where: string;
  expr: string;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export const opsDir = (): string => join(findProjectRoot(), 'ops');

export function readAlertRules(): AlertRule[] {
  const file = parseYaml(readFileSync(join(opsDir(), 'prometheus', 'alerts.yml'), 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] };
  return file.groups.flatMap((group) => group.rules);
}

interface DashboardPanel {
  title: string;
  targets?: { expr: string }[];
}

export function readDashboardExpressions(): KitExpression[] {
  const dashboard = JSON.parse(readFileSync(join(opsDir(), 'grafana', 'reelpost-dashboard.json'), 'utf8')) as { panels: DashboardPanel[] };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })));
}

export interface ParsedExpression {
  /** Where the parser found no valid PromQL (empty when the expression parses). */
  errorsAt: number[];
  /** Every metric selected, with the label names its matchers use. */
  selectors: { metric: string; labels: string[] }[];
}

/** Parses PromQL with the Prometheus project's own grammar (@prometheus-io/lezer-promql, used by its web UI). */
export function parsePromQl(expr: string): ParsedExpression {
  const errorsAt: number[] = [];
  const selectors: ParsedExpression['selectors'] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errorsAt.push(node.from);
      if (node.name !== 'VectorSelector') return;
      const metric = node.node.getChild('Identifier');
      const labels = node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
      selectors.push({
        metric: metric ? expr.slice(metric.from, metric.to) : '',
        labels: labels.map((matcher) => matcher.getChild('LabelName')).filter((name) => name !== null).map((name) => expr.slice(name.from, name.to)),
      });
    },
  });
  return { errorsAt, selectors };
}
