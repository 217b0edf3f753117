"""When: the long-running service (APScheduler), scheduled crawls as child processes, alert
rules, daily digests by e-mail and spike alerts."""
