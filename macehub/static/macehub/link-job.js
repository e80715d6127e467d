// A background job's page while the job runs (a list linking job, people/link_job.html;
// long work asked for from a page, governance/requested_job.html;
// a partner file's import, referrals/partner_import_job.html): asks the page's
// own address for the job's progress (?progress, JSON) every two seconds, shows the stage
// and how far along it is, and reloads the page once the job has ended (to show its pairs
// or why it failed). Without it the page offers a link to check again.
const panel = document.querySelector("[data-link-job]");

if (panel) {
  const stage = panel.querySelector("[data-link-job-stage]");
  const bar = panel.querySelector("progress");
  const address = new URL(window.location.href);
  address.searchParams.set("progress", "1");

  const follow = async () => {
    try {
      const response = await fetch(address, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        if (job.finished) {
          window.location.reload();
          return;
        }
        if (stage.textContent !== job.stage) {
          stage.textContent = job.stage;
        }
        bar.value = job.progress;
        bar.textContent = `${job.progress}%`;
      }
    } catch {
      // The next try will tell.
    }
    window.setTimeout(follow, 2000);
  };
  window.setTimeout(follow, 2000);
}
