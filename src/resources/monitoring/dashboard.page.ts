import { FAVICON_DATA_URL } from '../../common/assets/favicon';
import { RESOURCE_CARDS_SCRIPT } from './dashboard.resources';

/** How often the dashboard polls, ms. */
export const DASHBOARD_POLL_MS = 2000;

/** History points the dashboard draws (the newest ones). */
export const DASHBOARD_HISTORY_POINTS = 120;

/**
 * GET /dashboard: one self-contained page (inline CSS and JS, SVG sparklines drawn by hand)
 * that polls /api/v14/resources/monitoring/{stats,health,history}. Everything it shows is set
 * with textContent, never as HTML. Resources beyond v14's five get a generic card each, drawn
 * from the stats field `resources` (dashboard.resources.ts): a new resource shows with no edit.
 * Its Content-Security-Policy (src/common/security) lets the inline script and style run by a
 * nonce given to each answer, and loads nothing from elsewhere.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Captions API v14 · resources</title>
<link rel="icon" href="${FAVICON_DATA_URL}" type="image/svg+xml">
<style>
  :root { --bg:#0f1419; --card:#182029; --fg:#e6e9ec; --dim:#8a96a3; --ok:#3fb950; --warn:#d29922; --bad:#f85149; --line:#58a6ff; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; background:var(--bg); color:var(--fg); }
  header { display:flex; align-items:center; gap:12px; padding:14px 20px; border-bottom:1px solid #253040; flex-wrap:wrap; }
  h1 { font-size:18px; margin:0; font-weight:600; }
  .badge { padding:2px 10px; border-radius:10px; font-weight:600; font-size:12px; text-transform:uppercase; background:#30363d; }
  .healthy { background:var(--ok); color:#041b0a; } .degraded { background:var(--warn); color:#231800; }
  .unhealthy, .unreachable { background:var(--bad); color:#2a0503; } .disabled { background:#30363d; color:var(--dim); }
  #updated { color:var(--dim); margin-left:auto; font-size:12px; }
  #alerts { margin:12px 20px 0; }
  .alert { background:#3b1d1d; border-left:4px solid var(--bad); padding:6px 10px; margin-bottom:6px; border-radius:4px; }
  main { display:grid; grid-template-columns:repeat(auto-fill, minmax(300px, 1fr)); gap:14px; padding:16px 20px 24px; }
  .card { background:var(--card); border-radius:8px; padding:12px 14px; }
  .card h2 { font-size:13px; margin:0 0 8px; color:var(--dim); font-weight:600; text-transform:uppercase; letter-spacing:.04em; }
  .row { display:flex; justify-content:space-between; gap:8px; padding:2px 0; }
  .row span:first-child { color:var(--dim); }
  .num { font-variant-numeric: tabular-nums; }
  .bar { height:6px; background:#253040; border-radius:3px; overflow:hidden; margin:2px 0 6px; }
  .bar div { height:100%; width:0; background:var(--line); transition:width .4s; }
  .bar div.hot { background:var(--bad); }
  svg.spark { width:100%; height:44px; display:block; margin-top:6px; }
  svg.spark polyline { fill:none; stroke:var(--line); stroke-width:1.5; vector-effect:non-scaling-stroke; }
  .caption { font-size:11px; color:var(--dim); }
  ul.plain { list-style:none; padding:0; margin:0; }
</style>
</head>
<body>
<header>
  <h1>Captions API v14 · resources</h1>
  <span id="overall" class="badge">loading</span>
  <span id="updated">waiting for the first sample…</span>
</header>
<section id="alerts"></section>
<main>
  <section class="card">
    <h2>Requests</h2>
    <div class="row"><span>total</span><span class="num" id="req-total">–</span></div>
    <div class="row"><span>per second (last interval)</span><span class="num" id="req-rate">–</span></div>
    <div class="row"><span>5xx answers</span><span class="num" id="req-5xx">–</span></div>
    <div class="row"><span>errors (all sources)</span><span class="num" id="req-errors">–</span></div>
    <div class="row"><span>in flight</span><span class="num" id="req-inflight">–</span></div>
    <svg class="spark" id="spark-req" viewBox="0 0 100 40" preserveAspectRatio="none"></svg>
    <div class="caption">requests per second</div>
  </section>
  <section class="card">
    <h2>Database pool</h2>
    <div class="row"><span>in use / open / max</span><span class="num" id="db-conn">–</span></div>
    <div class="bar"><div id="db-bar"></div></div>
    <div class="row"><span>waiting</span><span class="num" id="db-waiting">–</span></div>
    <div class="row"><span>state</span><span id="db-state">–</span></div>
    <svg class="spark" id="spark-db" viewBox="0 0 100 40" preserveAspectRatio="none"></svg>
    <div class="caption">connections in use</div>
  </section>
  <section class="card">
    <h2>HTTP pool · Redis</h2>
    <div class="row"><span>HTTP sockets active / max</span><span class="num" id="http-conn">–</span></div>
    <div class="bar"><div id="http-bar"></div></div>
    <div class="row"><span>HTTP requests</span><span class="num" id="http-req">–</span></div>
    <div class="row"><span>Redis ready / pool</span><span class="num" id="redis-conn">–</span></div>
    <div class="row"><span>Redis operations</span><span class="num" id="redis-ops">–</span></div>
    <div class="row"><span>Redis state</span><span id="redis-state">–</span></div>
  </section>
  <section class="card">
    <h2>Cache</h2>
    <div class="row"><span>entries / max</span><span class="num" id="cache-size">–</span></div>
    <div class="bar"><div id="cache-bar"></div></div>
    <div class="row"><span>hits / misses</span><span class="num" id="cache-hm">–</span></div>
    <div class="row"><span>hit rate (window)</span><span class="num" id="cache-rate">–</span></div>
    <svg class="spark" id="spark-cache" viewBox="0 0 100 40" preserveAspectRatio="none"></svg>
    <div class="caption">hit rate over time</div>
  </section>
  <section class="card">
    <h2>Models</h2>
    <div class="row"><span>memory used / limit</span><span class="num" id="model-mem">–</span></div>
    <div class="bar"><div id="model-bar"></div></div>
    <div class="row"><span>loads / evictions</span><span class="num" id="model-loads">–</span></div>
    <div class="row"><span>cached answer p95</span><span class="num" id="p95">–</span></div>
    <ul class="plain" id="model-list"></ul>
  </section>
  <section class="card">
    <h2>System</h2>
    <div class="row"><span>memory</span><span class="num" id="sys-mem">–</span></div>
    <div class="bar"><div id="mem-bar"></div></div>
    <div class="row"><span>CPU</span><span class="num" id="sys-cpu">–</span></div>
    <div class="bar"><div id="cpu-bar"></div></div>
    <div class="row"><span>disk (data folder)</span><span class="num" id="sys-disk">–</span></div>
    <div class="bar"><div id="disk-bar"></div></div>
    <svg class="spark" id="spark-sys" viewBox="0 0 100 40" preserveAspectRatio="none"></svg>
    <div class="caption">memory % (CPU % dashed)</div>
  </section>
  <section class="card" id="checks-card">
    <h2>Health checks</h2>
    <ul class="plain" id="checks"></ul>
  </section>
</main>
<script>
(function () {
  'use strict';
  var API = '/api/v14/resources/monitoring';
  var POLL_MS = ${DASHBOARD_POLL_MS};
  var POINTS = ${DASHBOARD_HISTORY_POINTS};
  var SVG = 'http://www.w3.org/2000/svg';

  function $(id) { return document.getElementById(id); }
  function set(id, value) { $(id).textContent = value; }
  function fmt(n) { return typeof n === 'number' ? n.toLocaleString('en-US') : '–'; }
  function pct(n) { return typeof n === 'number' ? n.toFixed(1) + ' %' : '–'; }
  function bar(id, percent, hotAbove) {
    var el = $(id);
    var p = Math.max(0, Math.min(100, percent || 0));
    el.style.width = p + '%';
    el.className = p > hotAbove ? 'hot' : '';
  }
  function get(path) {
    return fetch(API + path, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(path + ': ' + r.status);
      return r.json();
    });
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function spark(id, series) {
    var svg = $(id);
    clear(svg);
    var all = [];
    series.forEach(function (s) { all = all.concat(s.values); });
    if (all.length < 2) return;
    var max = Math.max.apply(null, all.concat([series[0].floor || 0]));
    if (max <= 0) max = 1;
    series.forEach(function (s) {
      var v = s.values;
      if (v.length < 2) return;
      var pts = v.map(function (y, i) {
        return (i / (v.length - 1) * 100).toFixed(2) + ',' + (40 - (y / max) * 38 - 1).toFixed(2);
      }).join(' ');
      var line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', pts);
      if (s.dashed) line.setAttribute('stroke-dasharray', '3 2');
      svg.appendChild(line);
    });
  }
  function item(list, label, value, cls) {
    var li = document.createElement('li');
    li.className = 'row';
    var a = document.createElement('span');
    a.textContent = label;
    var b = document.createElement('span');
    b.textContent = value;
    if (cls) b.className = 'badge ' + cls;
    li.appendChild(a);
    li.appendChild(b);
    list.appendChild(li);
  }

${RESOURCE_CARDS_SCRIPT}
  function renderStats(s) {
    set('req-total', fmt(s.total_requests));
    set('req-5xx', fmt(s.server_errors));
    set('req-errors', fmt(s.errors));
    set('req-inflight', fmt(s.requests_in_flight));
    var db = s.pools.database;
    set('db-conn', db.in_use + ' / ' + db.total + ' / ' + db.max);
    bar('db-bar', db.usage_percent, 90);
    set('db-waiting', fmt(db.waiting));
    set('db-state', db.state);
    var http = s.pools.http;
    set('http-conn', http.active + ' / ' + http.max);
    bar('http-bar', http.usage_percent, 90);
    set('http-req', fmt(s.http_requests));
    var redis = s.pools.redis;
    set('redis-conn', redis.ready + ' / ' + redis.pool_size);
    set('redis-ops', fmt(s.redis_operations));
    set('redis-state', redis.state);
    var c = s.cache_stats;
    set('cache-size', fmt(c.size) + ' / ' + fmt(c.max_size));
    bar('cache-bar', c.usage_percent, 95);
    set('cache-hm', fmt(c.hits) + ' / ' + fmt(c.misses));
    set('cache-rate', s.rates.cache_lookups > 0 ? (s.rates.cache_hit_rate * 100).toFixed(1) + ' % of ' + fmt(s.rates.cache_lookups) : 'no lookups');
    var m = s.models;
    set('model-mem', fmt(m.memory_used_mb) + ' / ' + fmt(m.memory_limit_mb) + ' MB');
    bar('model-bar', m.memory_limit_mb ? m.memory_used_mb / m.memory_limit_mb * 100 : 0, 90);
    set('model-loads', fmt(m.loads) + ' / ' + fmt(m.evictions));
    set('p95', s.cached_response_p95_ms.toFixed(2) + ' ms');
    var list = $('model-list');
    clear(list);
    if (m.loaded.length === 0) item(list, 'no model loaded', '');
    m.loaded.forEach(function (name) { item(list, name, 'loaded', 'healthy'); });
    var sys = s.system_metrics;
    set('sys-mem', pct(sys.memory_usage_percent) + ' of ' + fmt(sys.memory_limit_mb) + ' MB (' + sys.memory_source + ')');
    bar('mem-bar', sys.memory_usage_percent, 80);
    set('sys-cpu', pct(sys.cpu_usage_percent) + ' of ' + sys.cpu_cores + ' CPU');
    bar('cpu-bar', sys.cpu_usage_percent, 90);
    set('sys-disk', pct(sys.disk_usage_percent));
    bar('disk-bar', sys.disk_usage_percent, 90);
    var alerts = $('alerts');
    clear(alerts);
    s.alerts.forEach(function (a) {
      var div = document.createElement('div');
      div.className = 'alert';
      div.textContent = a.metric + ' is ' + a.value + ' (threshold ' + a.threshold + ') since ' + new Date(a.since).toLocaleTimeString();
      alerts.appendChild(div);
    });
    renderResourceCards(document.querySelector('main'), $('checks-card'), s.resources);
    set('updated', 'updated ' + new Date(s.collected_at).toLocaleTimeString());
  }

  function renderHealth(h) {
    var el = $('overall');
    el.textContent = h.status;
    el.className = 'badge ' + h.status;
    var list = $('checks');
    clear(list);
    Object.keys(h.health_checks).forEach(function (k) {
      item(list, k, h.health_checks[k], h.health_checks[k]);
    });
  }

  // Each poll's figures, so the sparklines fill within a minute instead of waiting for the
  // history's one point per METRICS_INTERVAL; older history points come before them.
  var live = [];
  function remember(s) {
    var at = Date.parse(s.collected_at);
    if (live.length && live[live.length - 1].at === at) return;
    live.push({
      at: at,
      total_requests: s.total_requests,
      database_in_use: s.pools.database.in_use,
      cache_hit_rate: s.rates.cache_hit_rate,
      memory_usage_percent: s.system_metrics.memory_usage_percent,
      cpu_usage_percent: s.system_metrics.cpu_usage_percent
    });
    if (live.length > POINTS) live.shift();
  }
  function series(history) {
    var since = live.length ? live[0].at : Infinity;
    return history.filter(function (x) { return x.at < since; }).concat(live).slice(-POINTS);
  }

  function renderHistory(h) {
    var p = series(h.points);
    var rate = [];
    for (var i = 1; i < p.length; i++) {
      var dt = (p[i].at - p[i - 1].at) / 1000;
      rate.push(dt > 0 ? Math.max(0, p[i].total_requests - p[i - 1].total_requests) / dt : 0);
    }
    set('req-rate', rate.length ? rate[rate.length - 1].toFixed(2) : '–');
    spark('spark-req', [{ values: rate }]);
    spark('spark-db', [{ values: p.map(function (x) { return x.database_in_use; }), floor: 1 }]);
    spark('spark-cache', [{ values: p.map(function (x) { return x.cache_hit_rate; }), floor: 1 }]);
    spark('spark-sys', [
      { values: p.map(function (x) { return x.memory_usage_percent; }), floor: 100 },
      { values: p.map(function (x) { return x.cpu_usage_percent; }), dashed: true },
    ]);
  }

  function tick() {
    Promise.all([get('/stats'), get('/health'), get('/history?limit=' + POINTS)])
      .then(function (r) { remember(r[0]); renderStats(r[0]); renderHealth(r[1]); renderHistory(r[2]); })
      .catch(function (e) {
        var el = $('overall');
        el.textContent = 'unreachable';
        el.className = 'badge unreachable';
        set('updated', String(e && e.message ? e.message : e));
      });
  }
  tick();
  setInterval(tick, POLL_MS);
})();
</script>
</body>
</html>
`;
