/* spinesite Infobutton page (/infobutton/): answers an HL7 Infobutton URL-based request on a
   static host. The request is in the page's address, e.g.
     ?mainSearchCriteria.v.c=M48.061&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&informationRecipient.languageCode.c=es
   One page about the code: opened (in the requested language when the site has it). Several:
   listed. None: a search box. knowledgeResponseType=application/json or text/xml: the static
   answer in that format (/codes/<system>/<CODE>.json or .xml, /<lang>/codes/... in a language;
   application/xml and application/atom+xml also get the Atom answer).
   The codes and their pages are in the page itself (data-index): no request to anyone. */
(function () {
  "use strict";
  var root = document.getElementById("infobutton");
  if (!root) {
    return;
  }
  var index = JSON.parse(root.getAttribute("data-index") || "{}");
  var base = root.getAttribute("data-base") || "/";
  var params = new URLSearchParams(window.location.search);
  var written = (params.get("mainSearchCriteria.v.c") || "").replace(/\s+/g, "");
  var oid = (params.get("mainSearchCriteria.v.cs") || "").trim();
  var lang = (params.get("informationRecipient.languageCode.c") || params.get("patientPerson.languageCode.c") || "").trim().toLowerCase();
  var type = (params.get("knowledgeResponseType") || "").trim().toLowerCase();
  var status = root.querySelector(".infobutton-status");
  var list = root.querySelector(".infobutton-results");
  var form = root.querySelector(".infobutton-search");

  function href(path) {
    return base + path.replace(/^\//, "");
  }
  function message(name, code) {
    return (root.getAttribute("data-msg-" + name) || "").replace("{code}", code);
  }
  function say(text) {
    status.textContent = text;
    status.hidden = false;
  }
  function published(system, value) {  /* as content/codes.py normalise() writes it */
    if (system === "snomed-ct") {
      return value;
    }
    var code = value.toUpperCase();
    return code.indexOf(".") < 0 && code.length > 3 ? code.slice(0, 3) + "." + code.slice(3) : code;
  }
  function siteLanguage() {  /* the site's language for the request: "" is the default */
    if (!lang) {
      return "";
    }
    var primary = lang.split("-")[0];
    var exact = (index.languages || []).filter(function (l) { return l === lang; });
    var near = (index.languages || []).filter(function (l) { return l.split("-")[0] === primary; });
    return exact[0] || near[0] || "";
  }

  if (!written) {
    say(message("missing", ""));
    return;
  }
  var systems = Object.keys(index.oids || {}).filter(function (s) { return !oid || index.oids[s] === oid; });
  var found = null;
  systems.forEach(function (system) {
    var code = published(system, written);
    if (!found && index.codes[system + " " + code]) {
      found = { system: system, code: code, pages: index.codes[system + " " + code] };
    }
  });
  if (!found) {
    say(message("none", written));
    form.hidden = false;
    form.querySelector("input").value = written;
    return;
  }
  var language = siteLanguage();
  var formats = { "application/json": "json", "text/xml": "xml", "application/xml": "xml", "application/atom+xml": "xml" };
  if (formats[type]) {
    var ext = formats[type];
    window.location.replace(href((language ? language + "/" : "") + "codes/" + found.system + "/" + found.code + "." + ext));
    return;
  }
  var choices = found.pages.map(function (page) {
    var version = language ? page.versions[language] : null;
    return version ? { title: version.title, url: version.url, lang: language } : { title: page.title, url: page.url, lang: "" };
  });
  if (choices.length === 1) {
    say(message("opening", found.code));
    window.location.replace(href(choices[0].url));
    return;
  }
  say(message("several", found.code));
  choices.forEach(function (choice) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = href(choice.url);
    link.textContent = choice.title;
    if (choice.lang) {
      link.hreflang = choice.lang;
      link.lang = choice.lang;
    }
    item.appendChild(link);
    list.appendChild(item);
  });
  list.hidden = false;
}());
