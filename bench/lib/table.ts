import { BenchResult } from './results';

const COLUMNS: Array<{ title: string; cell: (result: BenchResult) => string; alignRight?: boolean }> = [
  { title: 'scenario', cell: (r) => r.scenario },
  { title: 'metric', cell: (r) => r.metric },
  { title: 'value', cell: (r) => formatNumber(r.value), alignRight: true },
  { title: 'unit', cell: (r) => r.unit },
  { title: 'baseline', cell: (r) => formatNumber(r.baseline), alignRight: true },
  { title: 'ratio', cell: (r) => formatNumber(r.ratio), alignRight: true },
];

export function formatTable(results: BenchResult[]): string {
  const rows = results.map((result) => COLUMNS.map((column) => column.cell(result)));
  const widths = COLUMNS.map((column, index) => Math.max(column.title.length, ...rows.map((row) => row[index].length)));
  const line = (cells: string[]) => cells.map((cell, index) => pad(cell, widths[index], COLUMNS[index].alignRight)).join('  ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(COLUMNS.map((column) => column.title)), rule, ...rows.map(line)].join('\n');
}

function pad(cell: string, width: number, alignRight = false): string {
  return alignRight ? cell.padStart(width) : cell.padEnd(width);
}

function formatNumber(value: number | null): string {
  if (value === null) return '-';
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
