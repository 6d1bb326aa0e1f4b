// The order list's "select all on this page" box ticks or clears every order box of the page.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-pick-all]");
  if (!all) return;
  for (const box of document.querySelectorAll('input[name="order"][form="bulk-form"]')) {
    box.checked = all.checked;
  }
});
