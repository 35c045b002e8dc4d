/* Policy History: tell a person who accepted one version of a policy that a newer one is
   in force or announced, with a link to what changed since (docs/products.md).
   <div data-policy-consent data-manifest=".../privacy/versions.json" data-accepted="ID">
   Reads versions.json only; sets no cookie, stores nothing, loads nothing else. Raises
   "policyhistory:notice" when it shows a notice and "policyhistory:accept" when the person
   accepts, with the version to record: {policy, id, cite, effective, sha256}. */
(function () {
  "use strict";

  function day(iso) {
    var date = new Date(iso + "T00:00:00Z");
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined,
        { dateStyle: "long", timeZone: "UTC" }).format(date);
    } catch (error) {
      return iso;
    }
  }

  function node(tag, text, attributes) {
    var element = document.createElement(tag);
    if (text) element.textContent = text; // text, never markup: the manifest is data
    Object.keys(attributes || {}).forEach(function (name) {
      element.setAttribute(name, attributes[name]);
    });
    return element;
  }

  function time(iso) {
    return node("time", day(iso), { datetime: iso });
  }

  function web(url) { // only a web address becomes a link
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function raise(box, name, detail) {
    box.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail }));
  }

  function show(box, manifest) {
    var accepted = box.getAttribute("data-accepted") || "";
    var versions = manifest.versions || [];
    var byId = {};
    versions.forEach(function (version) { byId[version.id] = version; });
    var mine = byId[accepted];
    var current = byId[manifest.current];
    var next = byId[(manifest.upcoming || [])[0]];
    var newer = function (version) {
      return version && version.id !== accepted &&
        (!mine || version.effective > mine.effective);
    };
    var offered = newer(current) ? current : newer(next) ? next : null;
    if (!offered) return;
    var title = manifest.policy.title;
    var notice = node("div", "", { "class": "policy-consent", role: "note" });
    var text = node("p");
    if (offered === current) {
      text.append("Our " + title + " changed on ", time(current.effective));
    } else {
      text.append("Our " + title + " changes on ", time(next.effective));
    }
    var summary = (offered.summary || "").trim();
    text.append(summary ? ": " + summary + (/[.!?]$/.test(summary) ? "" : ".") : ".");
    notice.append(text);
    var links = node("p");
    var since = web(mine && (offered === current ? mine.urls.since : offered.urls.redline));
    links.append(node("a", since ? "See what changed since you accepted it"
      : "See its version history", { href: since || web(manifest.policy.history_url) }));
    var accept = node("button", box.getAttribute("data-accept-label") ||
      "Accept the version of " + day(offered.effective), { type: "button" });
    var detail = {
      policy: manifest.policy.slug, id: offered.id, cite: offered.cite,
      effective: offered.effective, sha256: offered.sha256
    };
    accept.addEventListener("click", function () {
      raise(box, "policyhistory:accept", detail);
      notice.remove();
    });
    links.append(" ", accept);
    notice.append(links);
    box.append(notice);
    raise(box, "policyhistory:notice", detail);
  }

  document.querySelectorAll("[data-policy-consent]").forEach(function (box) {
    box.setAttribute("aria-live", "polite");
    fetch(box.getAttribute("data-manifest"), { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error("versions.json: HTTP " + response.status);
        return response.json();
      })
      .then(function (manifest) { show(box, manifest); })
      .catch(function (error) {
        raise(box, "policyhistory:error", { message: String(error) });
      });
  });
})();
