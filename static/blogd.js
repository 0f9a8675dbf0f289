// blogd: asks before a form marked data-confirm is sent (the delete buttons).
// A static file rather than inline script, so the Content-Security-Policy can forbid inline code.
document.addEventListener('submit', function (event) {
  var form = event.target;
  var question = form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
