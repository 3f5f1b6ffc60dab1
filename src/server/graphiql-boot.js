// The GraphiQL page's own script (served as /graphiql/boot.js, so the page's CSP allows no inline
// script). Its configuration is the JSON block #graphiql-config the gateway writes into the page.
(function boot() {
  'use strict';
  var config = JSON.parse(document.getElementById('graphiql-config').textContent);

  // GraphiQL keeps its tabs in localStorage, and stored tabs win over the page's. Keep them under
  // this page's edition (it changes with the examples, and in demo mode with the keys made up at
  // each start), and drop other editions', so a stale demo key is never offered again.
  var prefix = 'anypoint-graph:' + config.edition + ':';
  var local = null;
  try {
    local = window.localStorage;
    var stale = [];
    for (var i = 0; i < local.length; i++) {
      var name = local.key(i);
      if (name && name.indexOf('anypoint-graph:') === 0 && name.indexOf(prefix) !== 0) stale.push(name);
    }
    stale.forEach(function (key) { local.removeItem(key); });
  } catch (e) {
    local = null;
  }
  function ownKeys() {
    var keys = [];
    for (var i = 0; local && i < local.length; i++) {
      var name = local.key(i);
      if (name && name.indexOf(prefix) === 0) keys.push(name);
    }
    return keys;
  }
  var storage = local && {
    getItem: function (key) { return local.getItem(prefix + key); },
    setItem: function (key, value) { local.setItem(prefix + key, value); },
    removeItem: function (key) { local.removeItem(prefix + key); },
    clear: function () { ownKeys().forEach(function (key) { local.removeItem(key); }); },
    get length() { return ownKeys().length; },
  };

  // GraphiQL names the operation from its last parse of the editor, a moment after a tab switch or
  // an edit: a run within that moment sends the last tab's name with this tab's text, which the
  // gateway rightly refuses (OPERATION_RESOLUTION_FAILURE). A name the text does not define is
  // replaced by the text's only operation name, or dropped when it defines several.
  var send = GraphiQL.createFetcher({ url: config.endpoint });
  function operationNames(text) {
    var names = [];
    var pattern = /(?:^|[\s}])(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g;
    var code = text.replace(/#[^\n]*/g, '');
    for (var m = pattern.exec(code); m; m = pattern.exec(code)) names.push(m[1]);
    return names;
  }
  function fetcher(params, options) {
    if (params && params.operationName && typeof params.query === 'string') {
      var names = operationNames(params.query);
      if (names.indexOf(params.operationName) < 0) {
        params = Object.assign({}, params, { operationName: names.length === 1 ? names[0] : undefined });
      }
    }
    return send(params, options);
  }

  var props = {
    fetcher: fetcher,
    defaultTabs: config.tabs,
    shouldPersistHeaders: true,
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
  };
  if (storage) props.storage = storage;
  // GraphiQL 3.8 starts the header and variable editors from these props (or storage), not from
  // the first of defaultTabs: give it the first tab's, unless tabs were kept from an earlier visit.
  var kept = storage && storage.getItem('graphiql:tabState') !== null;
  if (!kept && config.tabs.length > 0) {
    props.defaultHeaders = config.tabs[0].headers;
    if (config.tabs[0].variables) props.variables = config.tabs[0].variables;
  }
  // Demo mode: show the Headers tab, which holds the demo key.
  if (config.demo) props.defaultEditorToolsVisibility = 'headers';
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, props));
})();
