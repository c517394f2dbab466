# Time lme4::lmer (+ lmerTest Satterthwaite summary) and geepack::geeglm on the data sets that
# benchmarks/trajectories_speed.py --write DIR writes: the same models as outcomes.lmm/gee there.
# Run:  Rscript benchmarks/trajectories_speed_r.R DIR/trajectories_200.csv DIR/trajectories_2000.csv
suppressPackageStartupMessages({library(lmerTest); library(geepack)})
for (path in commandArgs(trailingOnly = TRUE)) {
  d <- read.csv(path)
  d$arm <- factor(d$arm, levels = c("PLACEBO", "DMT"))
  d <- d[order(d$subject, d$visit), ]
  d$subject <- factor(d$subject)
  lmm_s <- system.time(coef(summary(lmer(chg ~ base + arm * weeks + (1 + weeks | subject), d))))
  gee_s <- system.time(summary(geeglm(chg ~ base + arm * weeks, id = subject, data = d,
                                      corstr = "exchangeable")))
  cat(sprintf("| %d | %d | %.2f | %.2f |\n", nlevels(d$subject), nrow(d), lmm_s[["elapsed"]],
              gee_s[["elapsed"]]))
}
