// fundmgr's only script besides htmx. The Content-Security-Policy allows no inline script or
// event handler attribute, so behaviour is declared with data- attributes and wired up here.

// <select data-autosubmit>: choosing an option submits its form (the language switch, the as-of month).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
