/**
 * Validates the deployment files offline, the way CI must (no cluster, no Docker daemon):
 * - every kustomization under k8s/ is rendered with `kubectl kustomize`, and each object is
 *   checked against the Kubernetes schemas (kubernetes-models; the Prometheus operator's models
 *   for the ServiceMonitor), the Secret example too;
 * - the rules an operator relies on that no schema states (probes with explicit timeouts, a
 *   grace period that covers the app's own shutdown, non-root, a PDB and an HPA);
 * - compose.yml with `docker-compose config`, haproxy.cfg with `haproxy -c`.
 *
 * Usage: `npm run validate:deploy` (or with a folder laid out like docker/ as argument).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { RESOURCE_CLOSE_BUDGET_MS } from '../src/common/lifecycle/graceful-shutdown';

type K8sObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
};

/** Problems found in the deployment files under `dir` (empty: all valid). */
export function validateDeployFiles(dir: string): string[] {
  const problems: string[] = [];
  for (const kustomization of kustomizations(join(dir, 'k8s'))) {
    const label = kustomization.slice(dir.length + 1);
    let objects: K8sObject[];
    try {
      objects = parseYaml(run('kubectl', ['kustomize', kustomization]));
    } catch (error) {
      problems.push(`${label}: kustomize failed: ${(error as Error).message}`);
      continue;
    }
    problems.push(...objects.flatMap((o) => schemaProblems(o).map((p) => `${label}: ${p}`)));
    problems.push(...policyProblems(objects).map((p) => `${label}: ${p}`));
  }
  const secret = join(dir, 'k8s', 'base', 'secret.example.yaml');
  if (existsSync(secret)) {
    const objects = parseYaml(readFileSync(secret, 'utf8'));
    problems.push(
      ...objects.flatMap((o) => schemaProblems(o).map((p) => `secret.example.yaml: ${p}`)),
    );
  }
  problems.push(
    ...toolProblems('compose.yml', 'docker-compose', [
      '-f',
      join(dir, 'compose.yml'),
      'config',
      '-q',
    ]),
  );
  problems.push(
    ...toolProblems('haproxy.cfg', 'haproxy', ['-c', '-q', '-f', join(dir, 'haproxy.cfg')]),
  );
  return problems;
}

/** Folders holding a kustomization.yaml, base first. */
function kustomizations(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (existsSync(join(dir, 'kustomization.yaml'))) found.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
    }
  };
  walk(root);
  if (found.length === 0) throw new Error(`no kustomization.yaml under ${root}`);
  return found.sort();
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function toolProblems(label: string, command: string, args: string[]): string[] {
  try {
    run(command, args);
    return [];
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    return [
      `${label}: ${command} rejects it: ${(stderr || message).trim().split('\n').slice(-3).join(' ')}`,
    ];
  }
}

function parseYaml(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors[0].message);
      return doc.toJSON() as K8sObject;
    })
    .filter((o) => o !== null);
}

/** The model class for an object, from kubernetes-models or the Prometheus operator's. */
function modelFor(apiVersion: string, kind: string): new (data: unknown) => { validate(): void } {
  const path = apiVersion.includes('/') ? apiVersion : `v1`;
  const pkg = apiVersion.startsWith('monitoring.coreos.com/')
    ? '@kubernetes-models/prometheus-operator'
    : 'kubernetes-models';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(`${pkg}/${path}/${kind}`) as Record<string, unknown>;
  return module[kind] as new (data: unknown) => { validate(): void };
}

function schemaProblems(object: K8sObject): string[] {
  const name = `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
  if (!object.apiVersion || !object.kind) return [`${name}: apiVersion and kind are required`];
  let Model: ReturnType<typeof modelFor>;
  try {
    Model = modelFor(object.apiVersion, object.kind);
  } catch {
    return [`${name}: unknown kind ${object.apiVersion} ${object.kind}`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${name}: ${(error as Error).message}`];
  }
}

interface Probe {
  timeoutSeconds?: number;
}
interface Container {
  name: string;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  envFrom?: { configMapRef?: { name: string } }[];
  securityContext?: { allowPrivilegeEscalation?: boolean };
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean };
  containers: Container[];
}

/** What no schema says but the service's shutdown and probes depend on. */
function policyProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const deployments = of('Deployment');
  if (deployments.length === 0) problems.push('no Deployment');
  for (const kind of ['Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']) {
    if (of(kind).length === 0) problems.push(`no ${kind}`);
  }
  for (const hpa of of('HorizontalPodAutoscaler')) {
    if (((hpa.spec?.minReplicas as number | undefined) ?? 1) < 2)
      problems.push(`HorizontalPodAutoscaler/${hpa.metadata?.name}: minReplicas below 2`);
  }
  for (const deployment of deployments) {
    const pod = (deployment.spec?.template as { spec?: PodSpec } | undefined)?.spec;
    if (!pod) continue;
    const where = `Deployment/${deployment.metadata?.name}`;
    if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${where}: not runAsNonRoot`);
    for (const container of pod.containers ?? []) {
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        if (!container[probe]) problems.push(`${where} ${container.name}: no ${probe}`);
        else if (container[probe]?.timeoutSeconds === undefined)
          problems.push(`${where} ${container.name}: ${probe} without an explicit timeoutSeconds`);
      }
      const needed = shutdownSeconds(container, objects);
      const grace = pod.terminationGracePeriodSeconds ?? 30;
      if (needed !== undefined && grace < needed) {
        problems.push(
          `${where}: terminationGracePeriodSeconds ${grace} is shorter than preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS + close budget (${needed} s)`,
        );
      }
    }
  }
  return problems;
}

/** preStop sleep + the app's own hard deadline, in seconds, from the container's ConfigMap. */
function shutdownSeconds(container: Container, objects: K8sObject[]): number | undefined {
  const configName = container.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name;
  const config = objects.find(
    (o) => o.kind === 'ConfigMap' && o.metadata?.name === configName,
  )?.data;
  if (!config) return undefined;
  const command = container.lifecycle?.preStop?.exec?.command ?? [];
  const preStop = command[0] === 'sleep' ? Number(command[1] ?? 0) : 0;
  const delay = Number(config.SHUTDOWN_DELAY_MS ?? 1000);
  const grace = Number(config.SHUTDOWN_GRACE_MS ?? 10_000);
  return preStop + Math.ceil((delay + grace + RESOURCE_CLOSE_BUDGET_MS) / 1000);
}

if (require.main === module) {
  const dir = process.argv[2] ?? join(__dirname);
  const problems = validateDeployFiles(dir);
  for (const problem of problems) console.error(`invalid: ${problem}`);
  if (problems.length > 0) process.exit(1);
  process.stdout.write(`deployment files valid: ${dir}\n`);
}
