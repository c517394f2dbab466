# Reference values for outcomes.models.effect_sizes, from R's effectsize package.
# Run from the repository's top folder:  Rscript tests/reference/effect_sizes/effect_sizes.R
# Made with R 4.2.2 and effectsize 0.8.3 (Debian bookworm r-cran-effectsize).
library(effectsize)
out <- "tests/reference/effect_sizes"
antidep <- read.csv("tests/datasets/antidepressant_data.csv", colClasses = c(VISIT = "character"))
rows <- list()
for (v in c("4", "5", "6", "7")) {
  at <- antidep[antidep$VISIT == v, ]
  drug <- at$CHANGE[at$THERAPY == "DRUG"]
  pbo <- at$CHANGE[at$THERAPY == "PLACEBO"]
  d <- cohens_d(drug, pbo, ci = 0.95)
  g <- hedges_g(drug, pbo, ci = 0.95)
  rows[[v]] <- data.frame(VISIT = v, n = length(drug), n_reference = length(pbo),
                          cohens_d = d$Cohens_d, d_conf_low = d$CI_low, d_conf_high = d$CI_high,
                          hedges_g = g$Hedges_g, g_conf_low = g$CI_low, g_conf_high = g$CI_high)
}
write.csv(do.call(rbind, rows), file.path(out, "antidepressant_cohens_d.csv"), row.names = FALSE)
dz <- list()
for (arm in c("DRUG", "PLACEBO")) {
  x <- antidep$CHANGE[antidep$VISIT == "7" & antidep$THERAPY == arm]
  d <- cohens_d(x, mu = 0, ci = 0.95)
  dz[[arm]] <- data.frame(THERAPY = arm, n = length(x), d_z = d$Cohens_d,
                          conf_low = d$CI_low, conf_high = d$CI_high)
}
write.csv(do.call(rbind, dz), file.path(out, "antidepressant_d_z_visit7.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("effectsize", packageVersion("effectsize"))),
           file.path(out, "versions.txt"))
