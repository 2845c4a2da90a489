// On every page: signing out forgets the copies of unsaved evidence this browser
// kept (assessment.js), so the next person at a shared computer can't read them.
// The sign-out answer also sends Clear-Site-Data; this covers browsers without it.
(function () {
  "use strict";
  const signOut = document.querySelector("form[data-sign-out]");
  if (!signOut) return;
  signOut.addEventListener("submit", () => {
    try {
      for (const key of Object.keys(localStorage)) {
        if (key.startsWith("ladder:")) localStorage.removeItem(key);
      }
    } catch (e) {
      /* storage disabled: nothing was kept */
    }
  });
})();
