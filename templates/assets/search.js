/* spinesite search page: live results from the site's own Pagefind index (pagefind/).

   Progressive enhancement: without JavaScript the page shows the "Browse all pages" list and
   the search form stays hidden. Everything loads from the site's own origin; no inline
   scripts or styles (the pages' Content-Security-Policy forbids them). Result text is only
   ever inserted as text nodes and <mark> elements, never as HTML. */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var DELAY_MS = 200;
  /* Long condition pages are usually what people are looking for: weaken Pagefind's
     preference for short pages (default 0.75). */
  var RANKING = { pageLength: 0.25 };

  function normalise(text) {
    return String(text || "").toLowerCase().replace(/[\u2010-\u2015]/g, "-").replace(/\s+/g, " ").trim();
  }

  function init() {
    var root = document.getElementById("search");
    if (!root) return;
    var form = root.querySelector("form.search-box");
    var input = document.getElementById("search-query");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var more = document.getElementById("search-more");
    if (!form || !input || !status || !list || !more) return;

    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[data-filter]"));
    var labels = {};
    boxes.forEach(function (box) {
      if (box.getAttribute("data-filter") === "type") labels[box.value] = box.getAttribute("data-label") || box.value;
    });

    var bundle = root.getAttribute("data-bundle") || "/pagefind/";
    var base = root.getAttribute("data-base") || "/";
    var pageLabel = root.getAttribute("data-page-label") || "Page";
    /* The messages, in the page's language: set by the template (data-msg-*, from the theme's
       gettext catalogues), with English as the fallback. {query}, {count} and {details} are
       filled in here. */
    var text = {
      "for": message("for", "for \u201c{query}\u201d"),
      filtered: message("filtered", "with the filters you chose"),
      none: message("none", "No results{details}. Try another word, or browse all pages below."),
      one: message("one", "{count} result{details}."),
      other: message("other", "{count} results{details}."),
      error: message("error", "Search is not available right now. You can browse all pages below.")
    };
    var plurals = null;
    try {
      plurals = new Intl.PluralRules(document.documentElement.lang || undefined);
    } catch (e) {
      plurals = null; /* an unknown language code: English rules below */
    }
    var loading = null;
    var timer = null;
    var generation = 0;
    var pending = [];
    var shown = 0;

    function load() {
      if (!loading) {
        loading = import(bundle + "pagefind.js").then(function (module) {
          return Promise.resolve(module.options({ baseUrl: base, excerptLength: 24, ranking: RANKING })).then(function () {
            return module.init ? module.init() : null;
          }).then(function () {
            return module;
          });
        }).catch(function (error) {
          loading = null; /* try again next time */
          throw error;
        });
      }
      return loading;
    }

    /* Restore the query and filters from the address (?q=…&type=…&region=…). */
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    boxes.forEach(function (box) {
      box.checked = params.getAll(box.name).indexOf(box.value) !== -1;
    });

    function filters() {
      var out = {};
      boxes.forEach(function (box) {
        if (!box.checked) return;
        var key = box.getAttribute("data-filter");
        (out[key] = out[key] || { any: [] }).any.push(box.value);
      });
      return out;
    }

    function remember(query) {
      var next = new URLSearchParams();
      if (query) next.set("q", query);
      boxes.forEach(function (box) {
        if (box.checked) next.append(box.name, box.value);
      });
      var qs = next.toString();
      window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
    }

    function say(text) {
      status.textContent = text;
    }

    function clearResults() {
      while (list.firstChild) list.removeChild(list.firstChild);
      list.hidden = true;
      more.hidden = true;
      pending = [];
      shown = 0;
    }

    function message(name, fallback) {
      return root.getAttribute("data-msg-" + name) || fallback;
    }

    /* Fill {name} placeholders in one pass: text put in (the query) is never scanned again. */
    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, function (whole, key) {
        return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
      });
    }

    function countMessage(n, details) {
      var one = plurals ? plurals.select(n) === "one" : n === 1;
      return fill(one ? text.one : text.other, { count: n, details: details });
    }

    function run() {
      var query = input.value.trim();
      var chosen = filters();
      var filtered = Object.keys(chosen).length > 0;
      var mine = ++generation;
      remember(query);
      if (!query && !filtered) {
        clearResults();
        say("");
        return;
      }
      load().then(function (pf) {
        return pf.search(query || null, { filters: chosen });
      }).then(function (search) {
        if (mine !== generation || !search) return;
        clearResults();
        var n = search.results.length;
        var details = (query ? " " + fill(text["for"], { query: query }) : "") + (filtered ? " " + text.filtered : "");
        if (n === 0) {
          say(fill(text.none, { details: details }));
          return;
        }
        pending = search.results;
        return showMore(false, normalise(query)).then(function () {
          if (mine === generation) say(countMessage(n, details));
        });
      }).catch(function (error) {
        if (window.console) window.console.error("spinesite search:", error);
        if (mine !== generation) return;
        clearResults();
        say(text.error);
      });
    }

    /* Load and show the next PAGE_SIZE results; with focusFirst, move focus to the first new one.
       With exact (the normalised query), a page titled exactly that moves to the top. */
    function showMore(focusFirst, exact) {
      var mine = generation;
      var batch = pending.slice(shown, shown + PAGE_SIZE);
      return Promise.all(batch.map(function (r) { return r.data(); })).then(function (pages) {
        if (mine !== generation) return;
        if (exact) {
          pages = pages.filter(function (page) { return normalise(page.meta && page.meta.title) === exact; })
            .concat(pages.filter(function (page) { return normalise(page.meta && page.meta.title) !== exact; }));
        }
        var first = null;
        pages.forEach(function (page) {
          var item = resultItem(page);
          if (item) {
            list.appendChild(item);
            first = first || item.querySelector("a");
          }
        });
        shown += batch.length;
        list.hidden = list.childNodes.length === 0;
        more.hidden = shown >= pending.length;
        if (focusFirst && first) first.focus();
      });
    }

    function sameOriginPath(url) {
      try {
        var u = new URL(url, window.location.href);
        return u.origin === window.location.origin ? u.pathname + u.search + u.hash : null;
      } catch (e) {
        return null;
      }
    }

    function resultItem(page) {
      var href = sameOriginPath(page.url || "");
      if (!href) return null;
      var li = document.createElement("li");
      li.className = "search-result";
      var h = document.createElement("h2");
      h.className = "search-result-title";
      var a = document.createElement("a");
      a.href = href;
      a.textContent = (page.meta && page.meta.title) || href;
      h.appendChild(a);
      li.appendChild(h);
      var type = (page.filters && page.filters.type && page.filters.type[0]) || "";
      var label = document.createElement("p");
      label.className = "search-result-type" + (type ? " search-type-" + type.replace(/[^a-z-]/g, "") : "");
      label.textContent = labels[type] || type || pageLabel;
      li.appendChild(label);
      if (page.excerpt) {
        var p = document.createElement("p");
        p.className = "search-result-excerpt";
        appendExcerpt(p, page.excerpt);
        li.appendChild(p);
      }
      return li;
    }

    /* Pagefind excerpts are escaped text with <mark> around matches. Parse them in an inert
       document and copy over only text and <mark>, so no markup from the index can run. */
    function appendExcerpt(target, excerpt) {
      var doc = new DOMParser().parseFromString("<body>" + excerpt + "</body>", "text/html");
      Array.prototype.forEach.call(doc.body.childNodes, function (node) {
        if (node.nodeType === 1 && node.nodeName === "MARK") {
          var mark = document.createElement("mark");
          mark.textContent = node.textContent;
          target.appendChild(mark);
        } else {
          target.appendChild(document.createTextNode(node.textContent || ""));
        }
      });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, DELAY_MS);
    }

    input.addEventListener("input", schedule);
    boxes.forEach(function (box) {
      box.addEventListener("change", run);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      run();
    });
    more.addEventListener("click", function () {
      showMore(true);
    });
    input.addEventListener("focus", function () {
      load().catch(function () {});
    });

    form.hidden = false;
    if (input.value.trim() || Object.keys(filters()).length) {
      run();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
