import { runInNewContext } from 'node:vm';
import { DASHBOARD_HTML } from './dashboard.page';
import { RESOURCE_CARDS_SCRIPT } from './dashboard.resources';
import type { ResourceView } from './monitoring.types';

/** The page's pure card functions, run as the browser runs them (plain script text). */
const cards = runInNewContext(
  `${RESOURCE_CARDS_SCRIPT}; ({ extraResources: extraResources, resourceCardRows: resourceCardRows })`,
) as {
  extraResources(resources: Record<string, ResourceView>): string[];
  resourceCardRows(view: ResourceView): Array<[string, string]>;
};

const view = (over: Partial<ResourceView> = {}): ResourceView => ({
  state: 'ready',
  required: false,
  operations: 1234,
  errors: 2,
  figures: {},
  ...over,
});

describe('dashboard generic resource cards', () => {
  it('gives a card to every resource but the five v14 shows with cards of their own', () => {
    const resources = Object.fromEntries(
      ['database', 'redis', 'http', 'cache', 'models', 'storage', 'queue'].map((n) => [n, view()]),
    );
    expect(cards.extraResources(resources)).toEqual(['queue', 'storage']);
    expect(cards.extraResources({})).toEqual([]);
  });

  it('shows state, required, operations, errors and each figure', () => {
    const rows = cards.resourceCardRows(
      view({
        figures: {
          files: 3,
          used_bytes: 1048576,
          usage_percent: 0.1,
          mode: 'x',
          list: ['a', 'b'],
          none: null,
        },
      }),
    );
    expect(rows).toEqual([
      ['state', 'ready'],
      ['required', 'no'],
      ['operations', '1,234'],
      ['errors', '2'],
      ['files', '3'],
      ['used bytes', '1,048,576'],
      ['usage percent', '0.1'],
      ['mode', 'x'],
      ['list', 'a, b'],
      ['none', '–'],
    ]);
  });

  it('shows a pool when the resource has one', () => {
    const rows = cards.resourceCardRows(
      view({
        required: true,
        pool: { connections: { in_use: 3, idle: 1 }, max: 10, pending: 0, alertable: true },
      }),
    );
    expect(rows).toContainEqual(['required', 'yes']);
    expect(rows).toContainEqual(['pool in use / max', '3 / 10']);
    expect(rows).toContainEqual(['pool waiting', '0']);
  });

  it('is inlined in the page, which draws the cards on each stats poll', () => {
    expect(DASHBOARD_HTML).toContain('function renderResourceCards(');
    expect(DASHBOARD_HTML).toContain(
      "renderResourceCards(document.querySelector('main'), $('checks-card'), s.resources);",
    );
    // Still one inline script and no outside source: the page's nonce covers it.
    expect(DASHBOARD_HTML.match(/<script/g)).toHaveLength(1);
    expect(DASHBOARD_HTML).not.toMatch(/<script[^>]+src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});
