/**
 * docs/BENCHMARKS.md is a header plus numbered `## N. Title` sections. A run that measures only
 * some sections (`npm run bench -- probing`) replaces those and keeps the others' text as the
 * last run wrote it; each section carries its own "_Measured …_" line, so kept ones stay honest.
 */

export const SECTIONS = [
  { id: 'propagation', title: 'Propagation latency', needsEtcd: true },
  { id: 'snapshot', title: 'Snapshot at scale', needsEtcd: true },
  { id: 'probing', title: 'Active probing', needsEtcd: false },
  { id: 'ingest', title: 'Ingest throughput', needsEtcd: true },
  { id: 'history', title: 'Failure history at 1,000,000 events', needsEtcd: false },
  { id: 'demo', title: 'Demo start-up', needsEtcd: false },
  { id: 'topology', title: 'Topology map in Chromium', needsEtcd: true },
  { id: 'series', title: 'Persisted latency series at 10,000 series', needsEtcd: false },
  { id: 'replicas', title: 'Replicas: probing divided', needsEtcd: true },
  { id: 'otlp', title: 'OpenTelemetry intake', needsEtcd: true },
  { id: 'probe-day', title: 'Probe history: a day at 10,000 instances', needsEtcd: false },
  { id: 'scale', title: 'Large fleet: 100,000 instances, 100 viewers', needsEtcd: true },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];

const HEADING = /^## \d+\. (.+)$/;
const PROVENANCE = /^_Measured /;

export interface Provenance {
  date: string;
  command: string;
  revision: string;
  loadAverage: string;
  seconds: number;
}

export function provenanceLine(p: Provenance): string {
  return `_Measured ${p.date} by \`${p.command}\`; code: ${p.revision}; load average at its start ${p.loadAverage}; ${p.seconds.toFixed(0)} s._`;
}

/** Section names from the command line; none means all. Unknown names are an error that lists the known. */
export function selectSections(args: readonly string[]): SectionId[] {
  const known = SECTIONS.map((section) => section.id);
  const unknown = args.filter((arg) => !known.includes(arg as SectionId));
  if (unknown.length > 0) throw new Error(`unknown benchmark section(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return args.length === 0 ? known : known.filter((id) => args.includes(id));
}

/** The header (everything before the first section) and each section's body by title. */
export function splitReport(text: string): { header: string; bodies: Map<string, string> } {
  const bodies = new Map<string, string>();
  const header: string[] = [];
  let current: { title: string; lines: string[] } | undefined;
  const close = (): void => {
    if (current) bodies.set(current.title, current.lines.join('\n').trim());
  };
  for (const line of text.split('\n')) {
    const heading = HEADING.exec(line);
    if (heading?.[1]) {
      close();
      current = { title: heading[1].trim(), lines: [] };
    } else if (current) current.lines.push(line);
    else header.push(line);
  }
  close();
  return { header: header.join('\n'), bodies };
}

/** Reports written before sections carried their own line had one date for the whole run, in the header. */
function legacyProvenance(header: string): string | undefined {
  const run = /^- Date: (.+?); code: (.+)$/m.exec(header);
  if (!run) return undefined;
  const load = /^- Load average when the run started \(1\/5\/15 min\): (\S+ \/ \S+ \/ \S+)/m.exec(header)?.[1];
  return `_Measured ${run[1]} by \`npm run bench\`; code: ${run[2]}${load ? `; load average at its start ${load}` : ''}._`;
}

/** The whole report: fresh bodies (with their provenance line first) replace earlier ones, in section order. */
export function mergeReport(previous: string | undefined, header: string, fresh: ReadonlyMap<SectionId, string>): string {
  const earlier = previous ? splitReport(previous) : undefined;
  const legacy = earlier ? legacyProvenance(earlier.header) : undefined;
  const parts = [header.trimEnd(), ''];
  SECTIONS.forEach((section, i) => {
    const kept = earlier?.bodies.get(section.title);
    let body = fresh.get(section.id) ?? kept ?? `_Not measured yet: run \`npm run bench -- ${section.id}\`._`;
    if (!fresh.has(section.id) && kept && !PROVENANCE.test(kept) && legacy) body = `${legacy}\n\n${kept}`;
    parts.push(`## ${i + 1}. ${section.title}`, '', body.trim(), '');
  });
  return parts.join('\n');
}
