// Filter the lists of a cycle page by county and grade, and search by name or 统一社会信用代码.
// An enhancement only: without JavaScript the form stays hidden and every list is shown in full.
(function () {
  "use strict";
  var form = document.getElementById("filter");
  if (!form) { return; }
  var county = document.getElementById("f-county");
  var grade = document.getElementById("f-grade");
  var query = document.getElementById("f-q");
  var status = document.getElementById("f-status");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.institution"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.county"));

  function gradeOf(row) {
    var cell = row.querySelector('[data-label="信用风险等级"]');
    var match = cell && /grade-([A-Z])/.exec(cell.className);
    return match ? match[1] : "none";
  }

  function apply() {
    var c = county.value;
    var g = grade.value;
    var q = query.value.trim().toUpperCase();
    var shown = 0;
    rows.forEach(function (row) {
      var table = row.closest("table");
      var name = (row.querySelector("th") || {}).textContent || "";
      var code = row.getAttribute("data-institution-id") || "";
      var ok = (!c || (table && table.getAttribute("data-county") === c)) &&
        (!g || gradeOf(row) === g) &&
        (!q || code.toUpperCase().indexOf(q) !== -1 || name.toUpperCase().indexOf(q) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    sections.forEach(function (section) {
      var visible = section.querySelectorAll("tr.institution:not([hidden])").length;
      var filtering = c || g || q;
      section.hidden = filtering ? visible === 0 : false;
    });
    status.textContent = (c || g || q) ? "符合条件的机构：" + shown + "家" : "共" + rows.length + "家";
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  [county, grade].forEach(function (el) { el.addEventListener("change", apply); });
  query.addEventListener("input", apply);
  apply();
}());
