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

  var props = {
    fetcher: GraphiQL.createFetcher({ url: config.endpoint }),
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
