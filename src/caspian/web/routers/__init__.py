"""One router per resource: runs, jobs, downloads, and the login session."""
