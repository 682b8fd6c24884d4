import { V14_RESOURCES } from './monitoring.v14';

/**
 * The dashboard's generic resource cards, as script text the page inlines (so the page stays
 * self-contained and its nonce covers it). Every entry of the stats field `resources` whose
 * name has no card of its own (any but v14's five) gets one small card: its state, whether it
 * is required, operations, errors, its pool if it has one, and each of its figures. A resource
 * added later appears with no edit here.
 *
 * Two pure functions (`extraResources`, `resourceCardRows`: specs run them) and one that
 * draws (`renderResourceCards`); everything is set with textContent, never as HTML.
 */
export const RESOURCE_CARDS_SCRIPT = `
  var SHOWN_RESOURCES = ${JSON.stringify(V14_RESOURCES)};

  function extraResources(resources) {
    return Object.keys(resources || {}).filter(function (name) {
      return SHOWN_RESOURCES.indexOf(name) < 0;
    }).sort();
  }

  function figureText(value) {
    if (value === null || value === undefined) return '–';
    if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
    if (typeof value === 'number') return value.toLocaleString('en-US');
    return String(value);
  }

  function resourceCardRows(view) {
    var rows = [
      ['state', view.state],
      ['required', view.required ? 'yes' : 'no'],
      ['operations', figureText(view.operations)],
      ['errors', figureText(view.errors)]
    ];
    var pool = view.pool;
    if (pool) {
      var used = pool.connections && typeof pool.connections.in_use === 'number'
        ? pool.connections.in_use + ' / ' : '';
      rows.push(['pool in use / max', used + figureText(pool.max)]);
      if (typeof pool.pending === 'number') rows.push(['pool waiting', figureText(pool.pending)]);
    }
    Object.keys(view.figures || {}).forEach(function (key) {
      rows.push([key.replace(/_/g, ' '), figureText(view.figures[key])]);
    });
    return rows;
  }

  function renderResourceCards(main, before, resources) {
    var names = extraResources(resources);
    Array.prototype.slice.call(main.querySelectorAll('[data-resource]')).forEach(function (card) {
      if (names.indexOf(card.getAttribute('data-resource')) < 0) main.removeChild(card);
    });
    names.forEach(function (name) {
      var id = 'resource-card-' + name;
      var card = document.getElementById(id);
      if (!card) {
        card = document.createElement('section');
        card.id = id;
        card.className = 'card';
        card.setAttribute('data-resource', name);
        main.insertBefore(card, before);
      }
      while (card.firstChild) card.removeChild(card.firstChild);
      var title = document.createElement('h2');
      title.textContent = name;
      card.appendChild(title);
      var view = resources[name];
      var percent = view.pool && typeof view.pool.usage_percent === 'number'
        ? view.pool.usage_percent : view.figures && view.figures.usage_percent;
      resourceCardRows(view).forEach(function (row) {
        var div = document.createElement('div');
        div.className = 'row';
        var label = document.createElement('span');
        label.textContent = row[0];
        var value = document.createElement('span');
        value.textContent = row[1];
        value.className = row[0] === 'state' ? 'badge ' + (view.state === 'error' ? 'unhealthy' : view.state === 'ready' || view.state === 'busy' ? 'healthy' : 'disabled') : 'num';
        div.appendChild(label);
        div.appendChild(value);
        card.appendChild(div);
      });
      if (typeof percent === 'number') {
        var track = document.createElement('div');
        track.className = 'bar';
        var fill = document.createElement('div');
        fill.style.width = Math.max(0, Math.min(100, percent)) + '%';
        if (percent > 90) fill.className = 'hot';
        track.appendChild(fill);
        card.appendChild(track);
      }
    });
  }
`;
