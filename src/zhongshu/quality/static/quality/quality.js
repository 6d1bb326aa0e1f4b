// Shows pass/fail next to each reading while the inspector types (the server decides again).
(function () {
  function judge(input) {
    var cell = input.closest("tr") && input.closest("tr").querySelector("[data-verdict]");
    if (!cell) return;
    var text = input.value.trim().replace(",", ".");
    var verdict = "";
    if (input.hasAttribute("data-attribute")) {
      verdict = text === "ok" ? "ok" : text === "ng" ? "ng" : "";
    } else if (text !== "" && !isNaN(Number(text))) {
      var v = Number(text);
      var low = Number(input.getAttribute("data-low"));
      var high = Number(input.getAttribute("data-high"));
      verdict = v >= low && v <= high ? "ok" : "ng";
    }
    cell.className = "qc-verdict " + verdict;
    cell.textContent = verdict === "ok" ? "✓ OK" : verdict === "ng" ? "✗ NG" : "";
  }
  document.addEventListener("input", function (e) {
    if (e.target.closest && e.target.closest("[data-qc-form]")) judge(e.target);
  });
  document.addEventListener("change", function (e) {
    if (e.target.closest && e.target.closest("[data-qc-form]")) judge(e.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-qc-form] input[data-low], [data-qc-form] select[data-attribute]").forEach(judge);
  });
})();
