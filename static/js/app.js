// fundmgr's only script besides htmx. The Content-Security-Policy allows no inline script or
// event handler attribute, so behaviour is declared with data- attributes and wired up here.

// <select data-autosubmit>: choosing an option submits its form (the language switch, the as-of month).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});

// <form data-plan-budget>: the 用款计划 grid's running total against the full-year budget, updated
// as the months are typed. Amounts are summed in whole cents, so no float rounding shows; the
// server checks the plan again on save and shows the saved totals without any script.
function planCents(text) {
  var match = /^\+?(\d+)(?:\.(\d{1,2}))?$/.exec(String(text).replace(/,/g, "").trim());
  if (!match) return null;
  return parseInt(match[1], 10) * 100 + parseInt(((match[2] || "") + "00").slice(0, 2), 10);
}
function planYuan(cents) {
  var sign = cents < 0 ? "-" : "";
  var whole = String(Math.floor(Math.abs(cents) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + whole + "." + String(Math.abs(cents) % 100).padStart(2, "0");
}
document.addEventListener("input", function (event) {
  var form = event.target.form;
  if (!form || !form.matches("[data-plan-budget]") || !event.target.matches("[data-plan-month]")) return;
  var total = 0;
  form.querySelectorAll("[data-plan-month]").forEach(function (field) {
    total += field.value.trim() ? planCents(field.value) || 0 : 0;
  });
  var left = (planCents(form.getAttribute("data-plan-budget")) || 0) - total;
  form.querySelector("[data-plan-total]").textContent = planYuan(total);
  form.querySelector("[data-plan-left]").textContent = planYuan(left);
  form.querySelector("[data-plan-over]").hidden = left >= 0;
});
