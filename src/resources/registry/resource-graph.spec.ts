import { ResourceGraphError, dependencyOrder } from './resource-graph';

const node = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });
const names = (nodes: { name: string }[]) => nodes.map((n) => n.name);

describe('dependencyOrder', () => {
  it('puts every resource after what it depends on, whatever the order of registration', () => {
    const order = names(
      dependencyOrder([
        node('models', 'http'),
        node('cache', 'redis'),
        node('http'),
        node('redis'),
        node('database'),
      ]),
    );
    expect(order).toEqual(['http', 'models', 'redis', 'cache', 'database']);
  });

  it('keeps the order of registration among resources free to go', () => {
    expect(names(dependencyOrder([node('b'), node('a'), node('c')]))).toEqual(['b', 'a', 'c']);
  });

  it('follows chains: a resource waits for its dependencies’ dependencies', () => {
    expect(names(dependencyOrder([node('c', 'b'), node('b', 'a'), node('a')]))).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('refuses a dependency on a resource that is not registered, naming both', () => {
    expect(() => dependencyOrder([node('cache', 'redis'), node('http')])).toThrow(
      new ResourceGraphError(
        'resource cache depends on redis, which is not registered (registered: cache, http)',
      ),
    );
  });

  it('refuses a cycle, naming the resources caught in it', () => {
    const order = () => dependencyOrder([node('ok'), node('a', 'b'), node('b', 'a')]);
    expect(order).toThrow(ResourceGraphError);
    expect(order).toThrow('resource dependencies form a cycle among a -> b, b -> a');
  });

  it('names every unknown dependency, and every dependency of each resource in a cycle', () => {
    expect(() => dependencyOrder([node('a', 'x', 'y')])).toThrow('depends on x, y, which');
    expect(() => dependencyOrder([node('a', 'b', 'c'), node('b', 'a'), node('c')])).toThrow(
      'cycle among a -> b+c, b -> a',
    );
  });

  it('throws an error that says what it is', () => {
    const error = (() => {
      try {
        dependencyOrder([node('a', 'a')]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ResourceGraphError);
    expect((error as Error).name).toBe('ResourceGraphError');
  });

  it('refuses a resource that depends on itself', () => {
    expect(() => dependencyOrder([node('a', 'a')])).toThrow('cycle among a -> a');
  });

  it('orders nothing into nothing', () => {
    expect(dependencyOrder([])).toEqual([]);
  });
});
