/* Civic Pulse index of reports: sort and search, no libraries, no network.
   Inlined into reports/<year>/index.html by civicpulse_report.report.index_page.
   Without JavaScript the page is still a complete, ordered table of links. */
(function () {
  "use strict";

  var table = document.getElementById("la-index");
  if (!table || !table.tHead || !table.tBodies.length) {
    return;
  }
  var tbody = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  /* LA rows only (an empty index has a single "no reports" row, not an LA). */
  var rows = Array.prototype.slice.call(tbody.rows).filter(function (row) {
    return row.hasAttribute("data-search");
  });
  var total = rows.length;
  var collator = new Intl.Collator("en-GB", { sensitivity: "base", numeric: true });

  /* Lower case, accents dropped: "ynys mon" finds "Ynys Môn". */
  function fold(text) {
    var s = String(text).toLowerCase();
    if (s.normalize) {
      s = s.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    }
    return s.replace(/\s+/g, " ").trim();
  }

  /* ---- sorting ---------------------------------------------------------- */

  function sortKey(row, col, numeric) {
    var cell = row.cells[col];
    if (!cell) {
      return null;
    }
    var raw = cell.getAttribute("data-sort-value");
    if (raw === null) {
      raw = cell.textContent;
    }
    raw = raw.trim();
    if (raw === "") {
      return null;
    }
    if (numeric) {
      var n = Number(raw);
      return isFinite(n) ? n : null;
    }
    return raw;
  }

  function sortBy(col, direction) {
    var numeric = headers[col].getAttribute("data-sort-type") === "number";
    var sign = direction === "descending" ? -1 : 1;
    var keyed = rows.map(function (row, position) {
      return { row: row, key: sortKey(row, col, numeric), position: position };
    });
    keyed.sort(function (a, b) {
      /* Blanks (suppressed, failed, not classified) always go last. */
      if (a.key === null || b.key === null) {
        if (a.key === b.key) {
          return a.position - b.position;
        }
        return a.key === null ? 1 : -1;
      }
      var c = numeric ? a.key - b.key : collator.compare(a.key, b.key);
      /* Stable: equal keys keep their current order, so sorts compose. */
      return c === 0 ? a.position - b.position : sign * c;
    });
    var fragment = document.createDocumentFragment();
    rows = keyed.map(function (k) {
      fragment.appendChild(k.row);
      return k.row;
    });
    tbody.appendChild(fragment);
    headers.forEach(function (th, i) {
      if (i === col) {
        th.setAttribute("aria-sort", direction);
      } else {
        th.removeAttribute("aria-sort");
      }
    });
  }

  headers.forEach(function (th, col) {
    var button = th.querySelector("button");
    if (!button) {
      return;
    }
    button.addEventListener("click", function () {
      var next = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      sortBy(col, next);
    });
  });

  /* ---- searching -------------------------------------------------------- */

  var search = document.getElementById("la-search");
  var status = document.getElementById("la-search-status");
  var controls = document.getElementById("la-search-controls");
  var announce = null;

  function shownText(shown) {
    return shown + " of " + total + (total === 1 ? " LA shown" : " LAs shown");
  }

  function filter() {
    var query = fold(search.value);
    var shown = 0;
    rows.forEach(function (row) {
      var match = query === "" || fold(row.getAttribute("data-search") || "").indexOf(query) !== -1;
      row.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    /* Announce once typing pauses, not on every key. */
    if (announce) {
      window.clearTimeout(announce);
    }
    announce = window.setTimeout(function () {
      status.textContent = shownText(shown);
    }, 350);
    checkOverflow();
  }

  if (search && status) {
    search.addEventListener("input", filter);
    search.addEventListener("search", filter);
    if (controls) {
      controls.hidden = false;
    }
    if (search.value) {
      filter();
    }
  }

  /* ---- scroll cue: shown only while the table is wider than its box ----- */

  var region = document.getElementById("la-index-region");
  var cue = document.getElementById("la-index-scroll-cue");

  function checkOverflow() {
    if (region && cue) {
      cue.hidden = region.scrollWidth <= region.clientWidth + 1;
    }
  }

  checkOverflow();
  window.addEventListener("resize", checkOverflow);
})();
