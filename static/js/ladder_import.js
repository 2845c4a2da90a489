// The import form, sent with XMLHttpRequest so that a large upload shows its progress.
// Without this script the form posts as usual and the server answers the same way:
// the dry-run report (after a redirect), or the form again with every error listed.
(function () {
  "use strict";
  if (!window.FormData || !("upload" in new XMLHttpRequest())) return;

  const megabytes = (bytes) => (bytes / 1000000).toFixed(1);

  // What the server would refuse anyway, said before minutes of uploading.
  function tooLarge(form, files) {
    const maxFiles = Number(form.dataset.maxFiles);
    const maxBytes = Number(form.dataset.maxBytes);
    const maxFileBytes = Number(form.dataset.maxFileBytes);
    if (files.length > maxFiles) {
      return `${files.length} files chosen; import at most ${maxFiles} at a time.`;
    }
    const big = files.filter((file) => file.size > maxFileBytes).map((file) => file.name);
    if (big.length) {
      return `Larger than ${megabytes(maxFileBytes)} MB, so not ladder pages: ${big.join(", ")}.`;
    }
    const total = files.reduce((sum, file) => sum + file.size, 0);
    if (total > maxBytes) {
      return `These files come to ${megabytes(total)} MB; import at most ${megabytes(maxBytes)} MB at a time.`;
    }
    return "";
  }

  // Show the answer in place of this page's main content, as if the browser had loaded it.
  function show(xhr) {
    const answer = xhr.response;
    const main = answer && answer.getElementById("main");
    if (!main) {
      window.location.assign(xhr.responseURL || window.location.href);
      return;
    }
    document.getElementById("main").replaceWith(document.adoptNode(main));
    document.title = answer.title;
    if (xhr.responseURL && xhr.responseURL !== window.location.href) {
      window.history.pushState({ ladderImport: true }, "", xhr.responseURL);
    }
    const focus = main.querySelector("#import-errors") || main;
    focus.focus();
    window.scrollTo(0, 0);
  }

  function send(form) {
    const bar = form.querySelector("[data-upload-progress]");
    const progress = bar.querySelector("progress");
    const status = form.querySelector("[data-upload-status]");
    const button = form.querySelector("button[type=submit]");
    const files = Array.from(form.querySelector("input[type=file]").files);

    status.classList.remove("is-error");
    const refusal = tooLarge(form, files);
    if (refusal) {
      status.textContent = refusal;
      status.classList.add("is-error");
      return;
    }
    const total = files.reduce((sum, file) => sum + file.size, 0);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.responseType = "document";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = Math.round((100 * event.loaded) / event.total);
    });
    xhr.upload.addEventListener("load", () => {
      progress.value = 100;
      status.textContent = "Uploaded; reading the files…";
    });
    xhr.addEventListener("load", () => show(xhr));
    xhr.addEventListener("error", () => {
      bar.hidden = true;
      button.disabled = false;
      status.textContent = "The upload didn't get through. Check your connection and try again.";
      status.classList.add("is-error");
    });
    progress.value = 0;
    bar.hidden = false;
    button.disabled = true;
    status.textContent = `Uploading ${files.length} file${files.length === 1 ? "" : "s"} (${megabytes(total)} MB)…`;
    xhr.send(new FormData(form));
  }

  // Delegated: the form may itself have come in with an answer (the form again, with errors).
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-import-form]");
    if (!form) return;
    event.preventDefault();
    send(form);
  });

  // The report was shown in place; going back or forward loads whatever the address says.
  window.addEventListener("popstate", () => window.location.reload());
})();
