import { REGISTRY_FORMATS } from './index';

/** README's "What it recognises" table, generated from the format modules (a test keeps the README equal to it). */
export function formatTable(): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const rows = REGISTRY_FORMATS.map((format) => `| ${[format.id, format.framework, format.key, format.value, format.naming].map(cell).join(' | ')} |`);
  return ['| format | written by | key | value | service and instance id |', '|---|---|---|---|---|', ...rows].join('\n');
}
