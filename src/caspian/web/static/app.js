// caspian-grid dashboard: reload the new-run form for another scenario, follow a job.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const pick = document.querySelector("select[data-reload]");
  if (pick) {
    pick.addEventListener("change", () => {
      const url = new URL(window.location.href);
      url.pathname = "/jobs/new";
      url.search = "";
      url.searchParams.set("scenario", pick.value);
      window.location.assign(url.toString());
    });
  }
  const job = document.querySelector("[data-job-url]");
  if (job) {
    follow(job);
  }
});

function field(box, name) {
  return box.querySelector(`[data-field="${name}"]`);
}

async function follow(box) {
  let job;
  try {
    const response = await fetch(box.dataset.jobUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      field(box, "message").textContent = `cannot read the job (HTTP ${response.status})`;
      return;
    }
    job = await response.json();
  } catch (error) {
    window.setTimeout(() => follow(box), 2000);
    return;
  }
  field(box, "state").textContent = job.state;
  field(box, "message").textContent = job.message;
  box.className = `job state-${job.state}`;
  if (job.error) {
    field(box, "error").textContent = job.error;
    field(box, "error").hidden = false;
  }
  field(box, "restart").hidden = !job.restart_url;
  if (job.state === "done") {
    field(box, "run-link").href = job.run_url;
    field(box, "done").hidden = false;
  } else if (job.state === "queued" || job.state === "running") {
    window.setTimeout(() => follow(box), 1000);
  }
}
