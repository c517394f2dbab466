## Case fev_ar1: mmrm's simulated COPD trial (fev_data), AR(1) (corAR1 on the visit position, homogeneous) by REML.
## Run from the repository's top folder:  Rscript tests/reference/r/fev_ar1.R
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())

fev <- fev_data()

fit <- fit_gls(FEV1 ~ ARMCD * AVISIT + RACE + SEX, data_name = "fev",
               subject = "USUBJID", visit = "AVISIT", cov = "ar1", method = "REML")
cat(attr(fit, "call_text"), "\n")
write_case("fev_ar1", fit, fev, "fev", subject = "USUBJID", visit = "AVISIT",
           arm = "ARMCD", cov_label = "AR(1) (corAR1)")
