## Semi-variograms of R mmrm's residuals (mmrm_residuals.csv: fev_data, FEV1 ~ ARMCD * AVISIT +
## RACE + SEX + us(AVISIT | USUBJID), written by mmrm_predict.R), by nlme's Variogram.default
## applied to each subject's residuals with the distance in visits (VIS1..VIS4 -> 1..4), the
## pairs then averaged by distance (n_pairs of each). R 4.2.2, nlme 3.1.162.
## Run from the repository's top folder:  Rscript tests/reference/r/mmrm_variogram.R
suppressPackageStartupMessages(library(nlme))
here <- "tests/reference/r"
res <- read.csv(file.path(here, "mmrm_residuals.csv"))
res$visit <- as.integer(sub("VIS", "", res$AVISIT))
out <- NULL
for (type in c("pearson", "normalized")) {
  pairs <- do.call(rbind, lapply(split(res, res$USUBJID), function(s) {
    if (nrow(s) < 2) return(NULL)
    Variogram(s[[paste0("resid_", type)]], dist(s$visit))
  }))
  agg <- aggregate(variog ~ dist, data = pairs, FUN = mean)
  agg$n_pairs <- aggregate(variog ~ dist, data = pairs, FUN = length)$variog
  out <- rbind(out, data.frame(type = type, lag = agg$dist, semivariance = agg$variog,
                               n_pairs = agg$n_pairs))
}
write.csv(out, file.path(here, "mmrm_variogram.csv"), row.names = FALSE)
print(format(out, digits = 15))
cat(sprintf("R %s, nlme %s\n", getRversion(), packageVersion("nlme")))
