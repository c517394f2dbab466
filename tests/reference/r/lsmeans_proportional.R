## LS means with proportional weights (emmeans weights = "proportional", SAS LSMEANS / OM):
## the cells are averaged over the factors not asked for with the frequencies of their level
## combinations in the data used. Polished gls fits, emmeans' analytic Satterthwaite df.
## Run from the repository's top folder:  Rscript tests/reference/r/lsmeans_proportional.R
## Writes lsmeans_proportional.csv: case, spec, the spec's factors, emmean, SE, df.
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())

prop <- function(case, fit, data, spec) {
  emm <- emmeans(fit, spec, weights = "proportional", mode = "satterthwaite", data = data)
  es <- as.data.frame(summary(emm))
  keep <- setdiff(names(es), c("lower.CL", "upper.CL"))
  es <- es[, keep]
  cbind(case = case, spec = paste(deparse(spec), collapse = ""), es)
}

## fev_cs: FEV1 ~ ARMCD * AVISIT + RACE + SEX, averaged over AVISIT, RACE and SEX (three
## factors, unbalanced) for ~ ARMCD and ~ RACE, over RACE and SEX for ~ ARMCD | AVISIT, over
## RACE alone for ~ ARMCD * AVISIT * SEX.
fev <- fev_data()
fit_fev <- fit_gls(FEV1 ~ ARMCD * AVISIT + RACE + SEX, data_name = "fev",
                   subject = "USUBJID", visit = "AVISIT", cov = "cs", method = "REML")

## Only a homogeneous covariance (no varIdent) is a reference here: emmeans' .wgt. for gls are
## sums of weights(fit), which with varIdent are the variance weights, not counts (seen with
## sim_two_arm_6v_csh: 27.9 to 60 for visits of 92 to 120 observations).
out <- list(
  prop("fev_cs", fit_fev, fev, ~ ARMCD),
  prop("fev_cs", fit_fev, fev, ~ ARMCD | AVISIT),
  prop("fev_cs", fit_fev, fev, ~ RACE),
  prop("fev_cs", fit_fev, fev, ~ ARMCD * AVISIT * SEX)
)
cols <- unique(unlist(lapply(out, names)))
out <- lapply(out, function(d) { for (c in setdiff(cols, names(d))) d[[c]] <- NA; d[, cols] })
write_ref(do.call(rbind, out), "lsmeans_proportional.csv")
cat("emmeans", as.character(packageVersion("emmeans")), "\n")
print(do.call(rbind, out))
