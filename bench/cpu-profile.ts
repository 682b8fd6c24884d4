/**
 * Reads a V8 .cpuprofile (what `node --cpu-prof` writes: call-tree nodes with a callFrame and a
 * hitCount, plus `samples`, the node id of each sample) and says where the time went: functions
 * by self time, and the same samples grouped by package (node_modules/<pkg>, node:internal, the
 * app's own code, V8's pseudo-frames such as the garbage collector).
 */
import { readFileSync } from 'node:fs';
import { table } from './lib';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** The node id of each sample, and the µs since the previous one (the first: since startTime). */
  samples?: number[];
  timeDeltas?: number[];
  startTime?: number;
}

/** Which samples count: those stamped within [startUs, endUs] of V8's monotonic clock. */
export interface SampleWindow {
  startUs: number;
  endUs: number;
}

export interface SelfTime {
  name: string;
  /** How many samples landed in it, and its share of the busy (non-idle) samples, percent. */
  samples: number;
  percent: number;
}

export interface ProfileSummary {
  /** Samples in which the process was doing something (V8's `(idle)` excluded). */
  busySamples: number;
  idleSamples: number;
  functions: SelfTime[];
  groups: SelfTime[];
}

/**
 * Samples per node id: from `samples` (only those inside `window`, when given and the profile
 * has timestamps), else each node's hitCount.
 */
function samplesPerNode(profile: CpuProfile, window?: SampleWindow): Map<number, number> {
  const counts = new Map<number, number>();
  const { samples, timeDeltas, startTime } = profile;
  if (samples?.length) {
    const timed = window && timeDeltas?.length === samples.length && startTime !== undefined;
    let at = startTime ?? 0;
    samples.forEach((id, i) => {
      at += timeDeltas?.[i] ?? 0;
      if (timed && (at < window.startUs || at > window.endUs)) return;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    });
  } else {
    for (const node of profile.nodes) counts.set(node.id, node.hitCount ?? 0);
  }
  return counts;
}

/** A path relative to the working directory, without the file:// scheme. */
function shortUrl(url: string, root: string): string {
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

/** `name file:line` (1-based line), or a V8 pseudo-frame such as `(garbage collector)`. */
export function functionLabel(frame: CallFrame, root: string): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${name} ${shortUrl(frame.url, root)}:${frame.lineNumber + 1}`;
}

/** The package a frame belongs to: the innermost node_modules/<pkg>, node:internal, src, ... */
export function packageOf(frame: CallFrame, root: string): string {
  const url = shortUrl(frame.url, root);
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const marker = url.lastIndexOf('node_modules/');
  if (marker >= 0) {
    const parts = url.slice(marker + 'node_modules/'.length).split('/');
    return `node_modules/${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (url.startsWith('dist/') || url.startsWith('src/')) return 'src (the app)';
  if (url.startsWith('bench/')) return 'bench';
  return url.startsWith('/') ? 'other files' : url;
}

function ranked(totals: Map<string, number>, busy: number): SelfTime[] {
  return [...totals]
    .map(([name, samples]) => ({ name, samples, percent: (samples / busy) * 100 }))
    .sort((a, b) => b.samples - a.samples);
}

/**
 * Self time per function and per package, largest first, as shares of the busy samples; file
 * names relative to `root`.
 */
export function summarizeProfile(
  profile: CpuProfile,
  { root = process.cwd(), window }: { root?: string; window?: SampleWindow } = {},
): ProfileSummary {
  const counts = samplesPerNode(profile, window);
  const functions = new Map<string, number>();
  const groups = new Map<string, number>();
  let idleSamples = 0;
  let busySamples = 0;
  for (const node of profile.nodes) {
    const samples = counts.get(node.id) ?? 0;
    if (samples === 0) continue;
    if (node.callFrame.functionName === '(idle)' && !node.callFrame.url) {
      idleSamples += samples;
      continue;
    }
    busySamples += samples;
    const label = functionLabel(node.callFrame, root);
    functions.set(label, (functions.get(label) ?? 0) + samples);
    const group = packageOf(node.callFrame, root);
    groups.set(group, (groups.get(group) ?? 0) + samples);
  }
  return {
    busySamples,
    idleSamples,
    functions: ranked(functions, busySamples),
    groups: ranked(groups, busySamples),
  };
}

/** The summary as two tables: the top `top` functions by self time, then every package. */
export function formatProfile(summary: ProfileSummary, top = 25): string {
  const pct = (value: number) => `${value.toFixed(1)} %`;
  const busyShare = summary.busySamples / (summary.busySamples + summary.idleSamples || 1);
  return [
    `${summary.busySamples} busy samples (${pct(busyShare * 100)} of all; the rest idle); shares below are of the busy ones`,
    '',
    table(
      ['function (self time)', 'self', 'samples'],
      summary.functions.slice(0, top).map((f) => [f.name, pct(f.percent), String(f.samples)]),
    ),
    '',
    table(
      ['package', 'self', 'samples'],
      summary.groups.map((g) => [g.name, pct(g.percent), String(g.samples)]),
    ),
  ].join('\n');
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}
