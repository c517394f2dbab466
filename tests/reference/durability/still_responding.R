# Reference values for outcomes.models.durability.still_responding, in base R.
# Run from the repository's top folder:  Rscript tests/reference/durability/still_responding.R
# Made with R 4.2.2 (Debian bookworm); prop.test(correct = FALSE) gives Wilson's interval.
# Data: the sample trial's post-baseline MADRS rows (tests/reference/trajectories/sample_madrs.csv,
# rows with a change from baseline). The responders at an anchor visit are followed to each later
# visit; a responder with no row (or no value) there is missing: a non-responder under the
# "non-responder" rule, left out of the denominator under "exclude".
d <- read.csv("tests/reference/trajectories/sample_madrs.csv")
visits <- unique(d[order(d$visit_num), c("visit", "visit_num")])
out <- list()
for (anchor in c("WEEK 1", "WEEK 2")) {
  anchor_num <- visits$visit_num[visits$visit == anchor]
  responders <- d[d$visit == anchor & d$response == 1, c("subject", "arm")]
  for (arm in c("PLACEBO", "DMT")) {
    ids <- responders$subject[responders$arm == arm]
    for (v in visits$visit[visits$visit_num > anchor_num]) {
      at <- d[d$visit == v & d$subject %in% ids & !is.na(d$response), ]
      n_still <- sum(at$response == 1)
      n_missing <- length(ids) - nrow(at)
      for (rule in c("non-responder", "exclude")) {
        n <- if (rule == "non-responder") length(ids) else nrow(at)
        # prop.test warns that its chi-square p-value may be inaccurate for small n; only the
        # interval (Wilson score) is used.
        ci <- if (n > 0) suppressWarnings(prop.test(n_still, n, correct = FALSE))$conf.int
              else c(NA, NA)
        out[[length(out) + 1]] <- data.frame(
          anchor = anchor, arm = arm, visit = v, n_anchor = length(ids), n_missing = n_missing,
          n = n, n_still = n_still, proportion = n_still / n, conf_low = ci[1],
          conf_high = ci[2], missing = rule)
      }
    }
  }
}
write.csv(do.call(rbind, out), "tests/reference/durability/sample_still_responding.csv",
          row.names = FALSE)
