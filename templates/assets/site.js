/* spinesite theme: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* Today's date in the reader's own time zone, as YYYY-MM-DD. */
  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  /* The overdue-review notice is built hidden unless the page was already overdue when the
     site was built. Show it when the reader's date is past the page's next review date. */
  function showOverdueNotices() {
    var now = today();
    var notices = document.querySelectorAll("[data-next-review]");
    for (var i = 0; i < notices.length; i++) {
      var due = notices[i].getAttribute("data-next-review") || "";
      if (/^\d{4}-\d{2}-\d{2}$/.test(due) && now > due) {
        notices[i].hidden = false;
      }
    }
  }

  /* "Print this handout" buttons are hidden without JavaScript, since they need it. */
  function enablePrintButtons() {
    if (typeof window.print !== "function") return;
    var buttons = document.querySelectorAll(".print-button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  }

  /* Print closed FAQ answers too: open every <details> for printing, then restore. */
  function openDetailsForPrint() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      var all = document.querySelectorAll("details:not([open])");
      for (var i = 0; i < all.length; i++) { all[i].open = true; opened.push(all[i]); }
    });
    window.addEventListener("afterprint", function () {
      while (opened.length) { opened.pop().open = false; }
    });
  }

  /* On a phone the navigation is one row that scrolls sideways: bring the current section into view. */
  function showCurrentNavItem() {
    var current = document.querySelector(".site-nav a[aria-current]");
    var list = current && current.closest("ul");
    if (!list || list.scrollWidth <= list.clientWidth) return;
    var past = current.getBoundingClientRect().right - list.getBoundingClientRect().right;
    if (past > 0) list.scrollLeft += past + 16;
  }

  function init() {
    document.documentElement.classList.add("js");
    showCurrentNavItem();
    showOverdueNotices();
    enablePrintButtons();
    openDetailsForPrint();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
