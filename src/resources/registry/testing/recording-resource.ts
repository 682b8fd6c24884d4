import { ManagedResourceBase, ResourceHealth } from '../managed-resource';
import { ResourceType } from '../resource-state';

/**
 * A resource for registry specs: writes `open:<name>` and `close:<name>` to a shared list, so
 * the order across resources can be read, and fails to open while `down` is set.
 */
export class RecordingResource extends ManagedResourceBase {
  down = false;
  constructor(
    name: string,
    type: ResourceType,
    private readonly events: string[],
    options: { required?: boolean; dependsOn?: string[] } = {},
  ) {
    super(name, type, { required: options.required ?? true, dependsOn: options.dependsOn });
  }
  observe() {
    return { operations: 0, errors: 0, figures: {} };
  }
  stats() {
    return {};
  }
  protected async doInit() {
    this.events.push(`open:${this.name}`);
    if (this.down) throw new Error('unreachable');
  }
  protected async doShutdown() {
    this.events.push(`close:${this.name}`);
  }
  protected async probe(): Promise<ResourceHealth> {
    return { status: 'healthy' };
  }
}
