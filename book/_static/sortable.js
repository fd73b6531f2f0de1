// Click a header to sort; type in the box above a table to filter its rows.
// Applies to tables inside an element with class "sortable-filterable". No network access.
// Columns named in the element's data-filter-columns (comma-separated headers) also get a
// drop-down of their values; a row shows when it matches the box and every drop-down.
// Keyboard: headers are focusable and sort with Enter or Space; aria-sort tells screen readers
// the current order, and the row count is announced as it changes.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".sortable-filterable table").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body) return;
    var box = document.createElement("input");
    box.type = "search";
    box.placeholder = "Filter rows (e.g. discrepant, cao2023.t3, Table 4)";
    box.className = "table-filter";
    box.setAttribute("aria-label", "Filter the table's rows by any text they contain");
    table.parentNode.insertBefore(box, table);
    var count = document.createElement("span");
    count.className = "table-filter-count";
    count.setAttribute("aria-live", "polite");
    box.after(count);
    var headers = Array.from(table.tHead ? table.tHead.rows[table.tHead.rows.length - 1].cells : [])
      .map(function (th) { return th.textContent.trim(); });
    var wanted = (table.parentNode.dataset.filterColumns || "").split(",").filter(Boolean);
    var selects = wanted.map(function (name) {
      var col = headers.indexOf(name);
      if (col < 0) return null;
      var select = document.createElement("select");
      select.className = "table-filter-select";
      select.dataset.column = name;
      select.setAttribute("aria-label", "Show only rows whose " + name + " is");
      var values = Array.from(new Set(Array.from(body.rows).map(function (row) {
        return row.cells[col].textContent.trim();
      }))).sort();
      [name + ": all"].concat(values).forEach(function (v, i) {
        var option = document.createElement("option");
        option.value = i === 0 ? "" : (v || "(none)");
        option.textContent = i === 0 ? v : (v || "(none)");
        select.appendChild(option);
      });
      box.before(select);
      select.addEventListener("change", function () { refresh(); });
      return {col: col, select: select};
    }).filter(Boolean);
    function refresh() {
      var needle = box.value.toLowerCase(), shown = 0;
      Array.from(body.rows).forEach(function (row) {
        var hit = row.textContent.toLowerCase().indexOf(needle) !== -1 && selects.every(function (f) {
          return !f.select.value || (row.cells[f.col].textContent.trim() || "(none)") === f.select.value;
        });
        row.style.display = hit ? "" : "none";
        if (hit) shown += 1;
      });
      count.textContent = " " + shown + " of " + body.rows.length + " rows";
    }
    box.addEventListener("input", refresh);
    refresh();
    var heads = Array.from(table.tHead ? table.tHead.rows[table.tHead.rows.length - 1].cells : []);
    heads.forEach(
      function (th, col) {
        th.style.cursor = "pointer";
        th.title = "Sort by this column";
        th.tabIndex = 0;
        th.setAttribute("aria-sort", "none");
        th.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            th.click();
          }
        });
        th.addEventListener("click", function () {
          var asc = th.dataset.sort !== "asc";
          th.dataset.sort = asc ? "asc" : "desc";
          heads.forEach(function (other) {
            if (other !== th) { other.setAttribute("aria-sort", "none"); delete other.dataset.sort; }
          });
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          var rows = Array.from(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
            var nx = parseFloat(x), ny = parseFloat(y);
            var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
            return asc ? cmp : -cmp;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
  });
});
