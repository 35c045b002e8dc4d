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
