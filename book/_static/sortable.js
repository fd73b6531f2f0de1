// Click a header to sort; type in the box above a table to filter its rows.
// Applies to tables inside an element with class "sortable-filterable". No network access.
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
    function refresh() {
      var needle = box.value.toLowerCase(), shown = 0;
      Array.from(body.rows).forEach(function (row) {
        var hit = row.textContent.toLowerCase().indexOf(needle) !== -1;
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
