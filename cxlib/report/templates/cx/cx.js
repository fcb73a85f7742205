/* cx-workbench reports: sortable and filterable tables, zoomable diagrams. Inlined once per report; no network.
   Progressive enhancement: without this script every table and diagram is complete and readable.
   Cell text is only ever read (textContent) and moved, never parsed as markup. */
(function () {
  "use strict";
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };

  function sortValue(cell) {
    var raw = cell ? cell.getAttribute("data-v") : null;
    if (raw !== null && raw !== "") {
      var number = Number(raw);
      if (!isNaN(number)) return number;
    }
    return null;
  }

  function sortTable(table, column, th) {
    var body = table.tBodies[0];
    var direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    each(th.parentNode.cells, function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", direction);
    var sign = direction === "ascending" ? 1 : -1;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var ca = a.cells[column], cb = b.cells[column];
      var va = sortValue(ca), vb = sortValue(cb);
      var ta = ca ? ca.textContent.trim() : "", tb = cb ? cb.textContent.trim() : "";
      var emptyA = va === null && ta === "", emptyB = vb === null && tb === "";
      if (emptyA !== emptyB) return emptyA ? 1 : -1; /* missing values last, either way */
      if (va !== null && vb !== null) return sign * (va - vb);
      return sign * ta.localeCompare(tb, undefined, { numeric: true, sensitivity: "base" });
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function enhanceTable(table) {
    var head = table.tHead, body = table.tBodies[0];
    if (!head || !body || table.classList.contains("cx-interactive")) return;
    var headerRow = head.rows[head.rows.length - 1];
    each(headerRow.cells, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "cx-sort";
      button.title = "Sort by this column";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, column, th); });
    });
    var total = body.rows.length;
    if (total > 5) {
      var box = document.createElement("div");
      box.className = "cx-filter";
      var input = document.createElement("input");
      input.type = "search";
      input.placeholder = "Filter rows";
      input.setAttribute("aria-label", "Filter the rows of this table");
      var count = document.createElement("span");
      count.className = "cx-count";
      count.textContent = total + " rows";
      box.appendChild(input);
      box.appendChild(count);
      var anchor = table.closest(".cx-scroll") || table;
      anchor.parentNode.insertBefore(box, anchor);
      input.addEventListener("input", function () {
        var query = input.value.trim().toLowerCase(), shown = 0;
        each(body.rows, function (row) {
          var hit = !query || row.textContent.toLowerCase().indexOf(query) !== -1;
          row.hidden = !hit;
          if (hit) shown += 1;
        });
        count.textContent = query ? shown + " of " + total + " rows" : total + " rows";
      });
    }
    table.classList.add("cx-interactive");
  }

  function enhanceZoom(figure) {
    var view = figure.querySelector(".cx-zoom-view"), image = view && view.querySelector("img");
    if (!image || figure.querySelector(".cx-zoom-bar")) return;
    var scale = 1, fitWidth = 0;
    var bar = document.createElement("div");
    bar.className = "cx-zoom-bar";
    var level = document.createElement("span");
    level.className = "cx-zoom-level";
    function apply() {
      if (scale === 1) {
        image.style.width = "";
        image.style.maxWidth = "";
      } else {
        image.style.maxWidth = "none";
        image.style.width = Math.round(fitWidth * scale) + "px";
      }
      level.textContent = Math.round(scale * 100) + "%";
    }
    function zoom(factor) {
      if (scale === 1) fitWidth = image.getBoundingClientRect().width || view.clientWidth;
      scale = factor === 0 ? 1 : Math.min(8, Math.max(1, scale * factor));
      apply();
    }
    [["\u2212", "Zoom out", 1 / 1.5], ["+", "Zoom in", 1.5], ["Fit", "Fit to the page", 0]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = spec[0];
      button.title = spec[1];
      button.setAttribute("aria-label", spec[1]);
      button.addEventListener("click", function () { zoom(spec[2]); });
      bar.appendChild(button);
    });
    bar.appendChild(level);
    figure.insertBefore(bar, view);
    apply();
    var drag = null; /* drag to pan when zoomed in */
    view.addEventListener("mousedown", function (event) {
      if (scale === 1) return;
      drag = { x: event.clientX, y: event.clientY, left: view.scrollLeft, top: view.scrollTop };
      event.preventDefault();
    });
    window.addEventListener("mousemove", function (event) {
      if (!drag) return;
      view.scrollLeft = drag.left - (event.clientX - drag.x);
      view.scrollTop = drag.top - (event.clientY - drag.y);
    });
    window.addEventListener("mouseup", function () { drag = null; });
  }

  each(document.querySelectorAll("table.cx-table"), enhanceTable);
  each(document.querySelectorAll("figure.cx-zoom"), enhanceZoom);
  document.documentElement.classList.add("cx-js");
})();
