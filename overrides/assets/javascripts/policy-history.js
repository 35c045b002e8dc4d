/* Policy History: "which version was in force on a date?" on a policy's history page.
   Without JavaScript the page still lists when each version was in force. */
(function () {
  "use strict";
  // Material's search dialog has no accessible name; screen readers announce this one.
  var search = document.querySelector(".md-search[role=dialog]");
  if (search && !search.hasAttribute("aria-label")) {
    var input = search.querySelector("input");
    search.setAttribute("aria-label", (input && input.getAttribute("aria-label")) || "Search");
  }

  document.querySelectorAll("form[data-policy-lookup]").forEach(function (form) {
    var versions = JSON.parse(form.getAttribute("data-policy-lookup"));
    var base = (form.getAttribute("data-base") || ".").replace(/\/?$/, "/");
    var result = form.querySelector(".policy-lookup__result");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var day = form.elements.date.value; // YYYY-MM-DD: compares as text
      var found = null;
      versions.forEach(function (version) {
        // In commit order: the last version that had taken effect by that day.
        if (version.iso && version.iso <= day) found = version;
      });
      if (!found) {
        result.textContent = versions.length
          ? "No version was in force yet: the first took effect on " + versions[0].text + "."
          : "This policy has no versions yet.";
        return;
      }
      result.textContent = "Opening the version of " + found.text + "…";
      window.location.href = base + found.url;
    });
  });
})();

/* Redline pages: inline or side by side, changes only or all. Without JavaScript the
   inline view shows the whole text with every change marked. */
(function () {
  "use strict";
  var controls = document.querySelector("[data-redline-controls]");
  if (!controls) return;
  var views = document.querySelectorAll(".redline-view");
  var state = { view: "inline", scope: "changes" };
  var CONTEXT = 1;

  function blocksOf(view) {
    return Array.prototype.slice.call(
      view.querySelectorAll(view.dataset.view === "side" ? "tr.redline-row" : ".redline-block"));
  }

  function collapse(view) {
    var blocks = blocksOf(view);
    view.querySelectorAll(".redline-skip-js").forEach(function (el) { el.remove(); });
    view.querySelectorAll(".redline-hidden").forEach(function (el) {
      el.classList.remove("redline-hidden");  // blocks, and lists folded whole
    });
    if (state.scope !== "changes") return;
    var changed = blocks.map(function (el) { return !el.classList.contains("redline-equal"); });
    // a change keeps the heading of its section in view, so the reader knows where it is
    var heading = -1, headings = {};
    blocks.forEach(function (el, i) {
      if (el.classList.contains("redline-kind-heading")) heading = i;
      if (changed[i] && heading >= 0) headings[heading] = true;
    });
    var keep = blocks.map(function (_, i) {
      for (var d = -CONTEXT; d <= CONTEXT; d++) { if (changed[i + d]) return true; }
      return !!headings[i];
    });
    var kept = blocks.filter(function (_, i) { return keep[i]; });
    var run = [];
    function flush() {
      if (!run.length) return;
      run.forEach(function (el) { el.classList.add("redline-hidden"); });
      var first = run[0], hidden = run.slice(), count = 0;
      run.forEach(function (el) {
        count += (el.matches(".redline-block, tr") ? 1 : 0) +
          el.querySelectorAll(".redline-block").length;
      });
      var tag = first.tagName === "TR" ? "tr" : (first.tagName === "LI" ? "li" : "div");
      var marker = document.createElement(tag);
      marker.className = "redline-skip redline-skip-js";
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "… " + count + " unchanged block" + (count === 1 ? "" : "s") + " (show)";
      button.addEventListener("click", function () {
        hidden.forEach(function (el) { el.classList.remove("redline-hidden"); });
        marker.remove();
      });
      if (tag === "tr") {
        var cell = document.createElement("td");
        cell.colSpan = 2;
        cell.appendChild(button);
        marker.appendChild(cell);
      } else {
        marker.appendChild(button);
      }
      first.parentNode.insertBefore(marker, first);
      run = [];
    }
    blocks.forEach(function (el, i) {
      if (keep[i]) { flush(); return; }
      // a list none of whose items is kept folds whole (no empty bullet list is left)
      var unit = el, list = el.parentNode;
      if (el.tagName === "LI" && !kept.some(function (k) { return list.contains(k); })) unit = list;
      // nested blocks (a list item inside a hidden item) go with their parent
      if (run.length && run[run.length - 1].contains(unit)) return;
      if (run.length && run[run.length - 1].parentNode !== unit.parentNode) flush();
      run.push(unit);
    });
    flush();
  }

  function apply() {
    views.forEach(function (view) {
      view.hidden = view.dataset.view !== state.view;
      collapse(view);
    });
    controls.querySelectorAll("[data-redline-view]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.redlineView === state.view));
    });
    controls.querySelectorAll("[data-redline-scope]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.redlineScope === state.scope));
    });
  }

  controls.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.redlineView) state.view = button.dataset.redlineView;
    if (button.dataset.redlineScope) state.scope = button.dataset.redlineScope;
    apply();
  });
  controls.hidden = false;
  apply();
})();

/* History page: compare any two versions that have a redline page. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-policy-compare]").forEach(function (form) {
    var pairs = JSON.parse(form.getAttribute("data-policy-compare"));
    var base = (form.getAttribute("data-base") || ".").replace(/\/?$/, "/");
    var result = form.querySelector(".policy-compare__result");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var a = form.elements.old, b = form.elements.new;
      if (a.value === b.value) { result.textContent = "Pick two different versions."; return; }
      // Options list the versions newest first; the later option is the older version
      // (dates need not follow the order the versions were published in).
      var older = a.selectedIndex > b.selectedIndex ? a.value : b.value;
      var newer = older === a.value ? b.value : a.value;
      var url = pairs[older + "/" + newer];
      if (!url) {
        result.textContent = "There is no page for this pair: compare each version with the " +
          "one before it, or with the current version (links below).";
        return;
      }
      window.location.href = base + url;
    });
  });
})();
