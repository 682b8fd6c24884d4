import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDeployFiles } from '../docker/validate';

const DOCKER = join(__dirname, '..', 'docker');

/** A copy of docker/ with one file edited, so a broken variant can be validated. */
function brokenCopy(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'captions-deploy-'));
  cpSync(DOCKER, dir, { recursive: true });
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the edit did not change ${file}`);
  writeFileSync(path, after);
  return dir;
}

/**
 * The deployment files against the real validators (kubectl kustomize, the Kubernetes schemas,
 * docker-compose, haproxy): the shipped files pass, and each kind of breakage is rejected.
 */
describe('deployment files (kustomize, Kubernetes schemas, compose, HAProxy)', () => {
  it('accepts the files as shipped', () => {
    expect(validateDeployFiles(DOCKER)).toEqual([]);
  }, 60_000);

  it.each([
    [
      'a schema violation (a port that is not a number)',
      'k8s/base/deployment.yaml',
      (t: string) => t.replace('containerPort: 3000', 'containerPort: three-thousand'),
      /base: Deployment\/captions-api: .*containerPort must be integer/,
    ],
    [
      'a missing readiness probe',
      'k8s/base/deployment.yaml',
      (t: string) => t.replace('readinessProbe:', 'readinessProbeDisabled:'),
      /Deployment\/captions-api api: no readinessProbe/,
    ],
    [
      'a grace period shorter than the shutdown sequence',
      'k8s/base/deployment.yaml',
      (t: string) =>
        t.replace('terminationGracePeriodSeconds: 50', 'terminationGracePeriodSeconds: 20'),
      /terminationGracePeriodSeconds 20 is shorter than .* \(45 s\)/,
    ],
    [
      'an overlay that breaks the HPA',
      'k8s/overlays/large/kustomization.yaml',
      (t: string) => t.replace('value: 20', 'value: twenty'),
      /overlays\/large: HorizontalPodAutoscaler\/captions-api: .*maxReplicas must be integer/,
    ],
    [
      'a kustomization that names a missing file',
      'k8s/base/kustomization.yaml',
      (t: string) => t.replace('- pdb.yaml', '- pdb-missing.yaml'),
      /base: kustomize failed/,
    ],
    [
      'an invalid compose file',
      'compose.yml',
      (t: string) => t.replace('stop_grace_period: 45s', 'stop_grace_periods: 45s'),
      /compose.yml: docker-compose rejects it/,
    ],
    [
      'an invalid HAProxy config',
      'haproxy.cfg',
      (t: string) => t.replace('balance roundrobin', 'balance sometimes'),
      /haproxy.cfg: haproxy rejects it/,
    ],
  ])(
    'rejects %s',
    (_what, file, edit, expected) => {
      const problems = validateDeployFiles(brokenCopy(file, edit));
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    },
    60_000,
  );
});
