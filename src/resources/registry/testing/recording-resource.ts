import { ManagedResourceBase, RESOURCE_DISABLED, ResourceHealth } from '../managed-resource';
import { ResourceState, ResourceType } from '../resource-state';
import { Gate } from './gate';

export interface RecordingResourceOptions {
  /** Default true. */
  required?: boolean;
  dependsOn?: string[];
  /** A list shared between resources, to read the order across them; its own list by default. */
  events?: string[];
  /** Also write `opened:<name>` / `closed:<name>` when a step ends, for specs that interleave steps. */
  recordEnds?: boolean;
}

/**
 * The controllable resource of the registry specs. Its backend writes `open:<name>` and
 * `close:<name>` to `events` and counts opens and closes; a spec sets what goes wrong (an open
 * or close that throws, an unconfigured backend, a gate holding a step half-way) and what the
 * probe answers, and drives the protected state moves through the public handles below.
 */
export class RecordingResource extends ManagedResourceBase {
  readonly events: string[];
  opens = 0;
  closes = 0;
  /** Thrown by every open while set: not always an Error, as a backend may throw anything. */
  openFailure?: unknown;
  /** Thrown by every close while set, after the close is counted. */
  closeFailure?: Error;
  /** Opens report the backend unconfigured (RESOURCE_DISABLED). */
  disabled = false;
  openGate?: Gate;
  closeGate?: Gate;
  /** What the probe answers once the resource is live. */
  probeAnswer: ResourceHealth = { status: 'healthy' };
  private readonly recordEnds: boolean;

  constructor(name = 'fake', type = ResourceType.CACHE, options: RecordingResourceOptions = {}) {
    super(name, type, { required: options.required ?? true, dependsOn: options.dependsOn });
    this.events = options.events ?? [];
    this.recordEnds = options.recordEnds ?? false;
  }

  /** Opens fail with `<name> unreachable` while down. */
  get down(): boolean {
    return this.openFailure !== undefined;
  }
  set down(down: boolean) {
    this.openFailure = down ? new Error(`${this.name} unreachable`) : undefined;
  }

  /** A call through the resource: refused unless usable. */
  use(): string {
    this.assertUsable();
    return 'ok';
  }
  fail(reason: string): void {
    this.markError(reason);
  }
  recover(): void {
    this.markRecovered();
  }
  saturate(busy: boolean): void {
    this.markBusy(busy);
  }
  forceMove(to: ResourceState): void {
    this.moveTo(to);
  }

  observe() {
    return { operations: 0, errors: 0, figures: {} };
  }
  /** The same field the real resources show on their status pages. */
  stats() {
    return { last_error: this.lastError ?? null };
  }

  protected async doInit() {
    this.opens += 1;
    this.events.push(`open:${this.name}`);
    try {
      await this.openGate?.promise;
      if (this.openFailure !== undefined) throw this.openFailure;
    } finally {
      if (this.recordEnds) this.events.push(`opened:${this.name}`);
    }
    if (this.disabled) return RESOURCE_DISABLED;
  }
  protected async doShutdown() {
    this.closes += 1;
    this.events.push(`close:${this.name}`);
    await this.closeGate?.promise;
    if (this.recordEnds) this.events.push(`closed:${this.name}`);
    if (this.closeFailure) throw this.closeFailure;
  }
  protected async probe(): Promise<ResourceHealth> {
    return this.probeAnswer;
  }
}
