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

/* Redline pages: inline or side by side, changes only or all. The page holds the changes
   with the blocks around them; without JavaScript each fold links to its place in the
   full version. */
(function () {
  "use strict";
  var controls = document.querySelector("[data-redline-controls]");
  if (!controls) return;
  var views = document.querySelectorAll(".redline-view");
  var inline = document.querySelector(".redline-view[data-view=inline]");
  var side = document.querySelector(".redline-view[data-view=side]");
  var state = { view: "inline", scope: "changes" };

  /* ---- The side-by-side view, built from the inline one the first time it is shown ----
     The page does not carry the text twice (on a big site that was over half of every
     redline page). One row per block of the inline view, in its order; each side shows
     its own version of the block with only its own changes marked, as the redline engine's
     render_side_by_side does: the old side is the inline block without its insertions,
     the new side without its deletions. Where the old block was framed differently (another
     kind or heading level, another list or number, two paragraphs since merged) the inline
     block says how in data-old-* attributes. */
  var OPS = ["equal", "insert", "delete", "replace", "move"];

  function opOf(block) {
    for (var i = 0; i < OPS.length; i++) {
      if (block.classList.contains("redline-" + OPS[i])) return OPS[i];
    }
    return "equal";
  }

  function kindOf(block) {
    var match = /(?:^|\s)redline-kind-(\S+)/.exec(block.className);
    return match ? match[1] : "";
  }

  // Where a block sits in the inline view: its list (tag, depth, number) or table part.
  function frameOf(block) {
    var parent = block.parentNode, frame = { kind: kindOf(block) };
    if (block.tagName === "LI") {
      var depth = /redline-depth-(\d+)/.exec(parent.className);
      frame.list = parent.tagName.toLowerCase();
      frame.depth = depth ? depth[1] : "0";
      frame.value = block.getAttribute("value");
    } else if (block.tagName === "TR") {
      frame.section = parent.tagName.toLowerCase();
    }
    return frame;
  }

  // The old block's frame: the new one's, but for what the data-old-* attributes say.
  function oldFrameOf(block, frame) {
    var data = block.dataset, old = {};
    Object.keys(frame).forEach(function (key) { old[key] = frame[key]; });
    if (data.oldKind) {
      old.kind = data.oldKind;
      if (old.kind !== "list_item") delete old.list;
    }
    if (data.oldLevel) old.level = data.oldLevel;
    if (data.oldList) {
      old.list = data.oldList.split(" ")[0];
      old.depth = data.oldList.split(" ")[1];
      old.value = null;
    }
    if (data.oldNumber) old.value = data.oldNumber;
    return old;
  }

  // A copy of the block's own content: without the lists of the items nested under a list
  // item (rows of their own) and the markers of folded blocks. Ids stay with the inline
  // view (anchors land there, and the side view had none of its headings' ids); links
  // to the other end of a move go to its row.
  function contentOf(block) {
    var box = document.createElement("div");
    block.childNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.matches(".redline-list")) return;
      box.appendChild(node.cloneNode(true));
    });
    box.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    box.querySelectorAll("a.redline-move-link").forEach(function (link) {
      link.setAttribute("href", link.getAttribute("href") + "-side");
    });
    return box;
  }

  function removeAll(box, selector) {
    box.querySelectorAll(selector).forEach(function (el) { el.remove(); });
  }

  function moveChildren(from, to) {
    while (from.firstChild) to.appendChild(from.firstChild);
    return to;
  }

  // The words of a block in another kind's element (a paragraph that became a list item, a
  // heading given another level), taken out of its lone paragraph, heading or quote.
  function reshape(box, to) {
    var inner = box;
    for (;;) {
      var parts = Array.prototype.filter.call(inner.childNodes, function (node) {
        return node.nodeType === 1 || node.textContent.trim();
      });
      if (parts.length !== 1 || !/^(P|H[1-6]|BLOCKQUOTE)$/.test(parts[0].tagName || "")) break;
      inner = parts[0];
    }
    var words = document.createDocumentFragment();
    moveChildren(inner, words);
    box.textContent = "";
    if (to.kind === "list_item") { box.appendChild(words); return; }
    var element = document.createElement(to.kind === "heading" ? "h" + to.level : "p");
    element.appendChild(words);
    if (to.kind === "blockquote") {
      var quote = document.createElement("blockquote");
      quote.appendChild(element);
      element = quote;
    }
    box.appendChild(element);
  }

  // A paragraph split in two was one paragraph before.
  function joinParagraphs(box) {
    var paragraphs = box.querySelectorAll(":scope > p");
    for (var i = 1; i < paragraphs.length; i++) {
      paragraphs[0].appendChild(document.createTextNode(" "));
      moveChildren(paragraphs[i], paragraphs[0]);
      paragraphs[i].remove();
    }
  }

  // Two paragraphs merged into one were two before: break it again after the first one's
  // text (`count` characters, not counting spaces or screen-reader labels). A label that
  // closes a change ("]") stays with it; marks left empty by the break go.
  function breakParagraph(box, count) {
    var paragraph = box.querySelector(":scope > p");
    if (!paragraph || !(count > 0)) return;
    var walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
    var seen = 0, end = null, node;
    while ((node = walker.nextNode())) {
      var label = node.parentNode.closest(".redline-sr, .redline-note");
      if (end) {
        if ((label && node.data.trim() === "]") || (!label && !node.data.trim())) {
          end = { node: node, offset: node.data.length };
          continue;
        }
        break;
      }
      if (label) continue;
      for (var i = 0; i < node.data.length && !end; i++) {
        if (/\S/.test(node.data[i]) && ++seen === count) end = { node: node, offset: i + 1 };
      }
    }
    if (!end) return;
    var range = document.createRange();
    range.setStart(paragraph, 0);
    range.setEnd(end.node, end.offset);
    var first = document.createElement("p");
    first.appendChild(range.extractContents());
    paragraph.parentNode.insertBefore(first, paragraph);
    [first, paragraph].forEach(function (p) {
      p.querySelectorAll("ins, del, .redline-sr").forEach(function (el) {
        if (!el.textContent) el.remove();
      });
    });
  }

  // The inline view writes some spaces as one side alone does not (render_side_by_side):
  // a space before a change that only one version has goes inside the change there, and a
  // space only one version has between unchanged words is marked; on one side alone such a
  // space is outside the change, unmarked. And there a change that ends a link or emphasis
  // takes the space written after the link's end, as it does when the change goes on.
  function textOf(mark) {
    var walker = document.createTreeWalker(mark, NodeFilter.SHOW_TEXT, function (node) {
      return node.parentNode.closest(".redline-sr") ? NodeFilter.FILTER_REJECT
        : NodeFilter.FILTER_ACCEPT;
    });
    return walker.nextNode();
  }

  function nextToMark(mark, node, last) {
    while (node && node.nodeType === 1 && !node.matches("ins.redline-ins, del.redline-del")) {
      node = last ? node.lastChild : node.firstChild;
    }
    return !!node && node.nodeType === 1 && node.tagName === mark.tagName;
  }

  // Elements a change does not take a space out of: blocks, whose spaces are not text.
  var BLOCK = /^(P|H[1-6]|LI|TD|TH|TR|BLOCKQUOTE|PRE|DIV|DD|DT|UL|OL|TABLE)$/;

  function sideSpaces(box) {
    box.querySelectorAll("ins.redline-ins, del.redline-del").forEach(function (mark) {
      if (mark.classList.contains("redline-ws")) {
        if (!nextToMark(mark, mark.previousSibling, true) &&
            !nextToMark(mark, mark.nextSibling, false)) {
          mark.replaceWith(mark.textContent);
        }
        return;
      }
      var text = textOf(mark), space = text && /^\s+/.exec(text.data);
      if (space) {
        text.data = text.data.slice(space[0].length);
        mark.before(space[0]);
      }
      var end = mark;  // the link or emphasis the change ends, if any
      while (!end.nextSibling && end.parentNode !== box && !BLOCK.test(end.parentNode.tagName)) {
        end = end.parentNode;
      }
      var after = end !== mark && end.nextSibling;
      space = after && after.nodeType === 3 && /^\s+/.exec(after.data);
      if (space) {
        var marked = document.createElement(mark.tagName.toLowerCase());
        marked.className = mark.className + " redline-ws";
        marked.textContent = space[0];
        after.data = after.data.slice(space[0].length);
        after.before(marked);
      }
    });
  }

  // The cell's content in its frame: a list item in its own list, a row in its own table.
  function framed(box, frame) {
    if (frame.list) {
      var list = document.createElement(frame.list), item = document.createElement("li");
      list.className = "redline-list redline-depth-" + frame.depth;
      if (frame.list === "ol" && frame.value) item.setAttribute("value", frame.value);
      list.appendChild(moveChildren(box, item));
      return list;
    }
    if (frame.section) {
      var table = document.createElement("table"), part = document.createElement(frame.section);
      table.className = "redline-table";
      part.appendChild(moveChildren(box, document.createElement("tr")));
      table.appendChild(part);
      return table;
    }
    return moveChildren(box, document.createDocumentFragment());
  }

  function sideRow(block) {
    var op = opOf(block), frame = frameOf(block), old = null, now = null, box;
    // Inserted, deleted and moved blocks are one side's only, as the inline view shows them
    // (a block without text keeps its "[inserted block]" label for screen readers).
    if (op === "delete" || block.classList.contains("redline-moved-from")) {
      old = framed(contentOf(block), frame);
    } else if (op === "insert" || op === "move") {
      now = framed(contentOf(block), frame);
    } else {
      var oldFrame = oldFrameOf(block, frame);
      box = contentOf(block);
      removeAll(box, "ins.redline-ins");
      sideSpaces(box);
      if (oldFrame.kind !== frame.kind || oldFrame.level) reshape(box, oldFrame);
      if (block.classList.contains("redline-split")) joinParagraphs(box);
      if (block.dataset.oldBreak) breakParagraph(box, Number(block.dataset.oldBreak));
      old = framed(box, oldFrame);
      box = contentOf(block);
      removeAll(box, "del.redline-del");
      sideSpaces(box);
      now = framed(box, frame);
    }
    var row = document.createElement("tr");
    row.id = block.id + "-side";
    row.className = "redline-row redline-" + op + " redline-kind-" + frame.kind;
    [["redline-old", old], ["redline-new", now]].forEach(function (side) {
      var cell = document.createElement("td");
      cell.className = side[0];
      if (side[1]) cell.appendChild(side[1]);
      row.appendChild(cell);
    });
    return row;
  }

  // One row per block of the inline view, and one per fold (a link to the full version).
  function buildSide() {
    var template = side && side.querySelector("template[data-redline-side]");
    if (!template) return;
    var built = side.querySelector("table");
    if (built && built.dataset.filled === String(filled)) return;  // up to date
    if (built) built.remove();
    var table = document.importNode(template.content, true);
    var rows = table.querySelector("tbody");
    inline.querySelectorAll(".redline-block, .redline-fold").forEach(function (block) {
      if (block.matches(".redline-fold")) {
        var row = document.createElement("tr"), cell = document.createElement("td");
        row.className = block.className + " redline-fold-row";
        cell.colSpan = 2;
        cell.appendChild(block.firstElementChild.cloneNode(true));
        row.appendChild(cell);
        rows.appendChild(row);
        return;
      }
      var sideBlock = sideRow(block);
      if (block.matches(".redline-fetched")) sideBlock.classList.add("redline-fetched");
      rows.appendChild(sideBlock);
    });
    table.querySelector("table").dataset.filled = String(filled);
    side.appendChild(table);
  }

  /* ---- Folds: the page holds the changes; "Show all" fetches the rest ----
     Each fold names its blocks on the new version's page (site/redline folds): units
     start-stop of section k, of `total` units, the units being a section's top-level
     elements. A fold is filled only where the fetched page has exactly the sections and
     units it names; elsewhere its link to the full version stays. */
  var box = inline.querySelector(".redline-inline[data-full-text]");
  var status = document.querySelector("[data-redline-status]");
  var filled = false, loading = null;

  function say(text) { if (status) status.textContent = text; }

  function unitsOf(section) {
    return Array.prototype.filter.call(section.children, function (el) {
      return !el.matches(".policy-section__changed");
    });
  }

  // Links and images in the fetched text are relative to the version's page.
  function rebased(el, base) {
    el.removeAttribute("id");
    el.querySelectorAll("[id]").forEach(function (node) { node.removeAttribute("id"); });
    [el].concat(Array.prototype.slice.call(el.querySelectorAll("[href], [src]")))
      .forEach(function (node) {
        ["href", "src"].forEach(function (name) {
          var value = node.getAttribute(name);
          if (value && value.charAt(0) !== "#") node.setAttribute(name, new URL(value, base).href);
        });
      });
    return el;
  }

  function fill(doc, base) {
    var sections = doc.querySelectorAll(".policy-text > section.policy-section");
    var missing = 0;
    box.querySelectorAll(".redline-fold").forEach(function (fold) {
      var units = [];
      var placed = sections.length === Number(box.dataset.sections) &&
        fold.dataset.fill.split(" ").every(function (span) {
          var m = /^(\d+):(\d+)-(\d+)\/(\d+)$/.exec(span);
          var section = m && sections[Number(m[1])];
          var all = section ? unitsOf(section) : [];
          if (!m || all.length !== Number(m[4])) return false;
          units = units.concat(all.slice(Number(m[2]), Number(m[3])));
          return true;
        });
      if (!placed) { missing++; return; }
      units.forEach(function (unit) {
        var block = document.createElement("div");
        block.className = "redline-block redline-equal redline-kind-fetched redline-fetched";
        block.appendChild(rebased(document.importNode(unit, true), base));
        fold.parentNode.insertBefore(block, fold);
      });
      fold.classList.add("redline-filled");
    });
    filled = true;
    return missing;
  }

  // The unchanged text, fetched once from the version's page.
  function load() {
    if (!box || filled) return Promise.resolve();
    if (loading) return loading;
    var base = new URL(box.dataset.fullText, window.location.href).href;
    say("Loading the unchanged text…");
    loading = fetch(base).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      var missing = fill(new DOMParser().parseFromString(html, "text/html"), base);
      say(missing ? "Some unchanged text could not be placed: its links lead to the full version."
        : "Showing the whole text.");
    }).catch(function () {
      loading = null;
      say("The unchanged text could not be loaded: each fold links to it in the full version.");
    });
    return loading;
  }

  function apply() {
    if (state.view === "side") buildSide();
    views.forEach(function (view) {
      view.hidden = view.dataset.view !== state.view;
      view.dataset.scope = state.scope;
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
    if (state.scope === "all") load().then(apply);
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
