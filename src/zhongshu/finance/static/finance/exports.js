// An export link follows its list's filter form: when the filters change without a page load
// (htmx swaps only the table), the link is rebuilt from the form's current values on click.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-export-form]");
  if (!link) return;
  var form = document.getElementById(link.getAttribute("data-export-form"));
  if (!form) return;
  var params = new URLSearchParams();
  new FormData(form).forEach(function (value, key) {
    if (value !== "") params.append(key, value);
  });
  link.href = link.href.split("?")[0] + "?" + params.toString();
});
