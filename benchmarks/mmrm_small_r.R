# Benchmark: R mmrm on the small trial of benchmarks/mmrm_small.py (run by it, in the same run).
#
# Model: CHG ~ BASE + ARM * VISIT + us(VISIT | SUBJECT), REML, ARM reference "PLACEBO"; then the
# treatment difference at every visit with emmeans (as R mmrm's documentation does). Satterthwaite
# and Kenward-Roger df (mmrm's method =). One warm-up fit, then REPEAT timed fits in this process;
# prints one line per method: RESULT, method, median seconds, min seconds, the last visit's
# estimate and SE (to check it is the same model as ours), and the versions.
#
#   Rscript benchmarks/mmrm_small_r.R FILE.csv [REPEAT]

suppressPackageStartupMessages({
  library(mmrm)
  library(emmeans)
})

args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
repeats <- if (length(args) >= 2) as.integer(args[2]) else 20L
d$SUBJECT <- factor(d$SUBJECT)
d$ARM <- relevel(factor(d$ARM), ref = "PLACEBO")
visits <- unique(d$VISIT)
d$VISIT <- factor(d$VISIT, levels = visits[order(as.integer(sub("^V", "", visits)))])

one <- function(method) {
  fit <- mmrm(CHG ~ BASE + ARM * VISIT + us(VISIT | SUBJECT), data = d, method = method)
  as.data.frame(contrast(emmeans(fit, ~ ARM | VISIT), "revpairwise"))
}

for (method in c("Satterthwaite", "Kenward-Roger")) {
  out <- one(method)
  seconds <- vapply(seq_len(repeats), function(i) {
    system.time(out <<- one(method))[["elapsed"]]
  }, numeric(1))
  last <- out[out$VISIT == tail(levels(d$VISIT), 1), ]
  cat(sprintf(
    "RESULT\t%s\t%.4f\t%.4f\t%.6f\t%.6f\t%s, mmrm %s, emmeans %s\n",
    method, median(seconds), min(seconds), last$estimate, last$SE,
    R.version.string, packageVersion("mmrm"), packageVersion("emmeans")
  ))
}
