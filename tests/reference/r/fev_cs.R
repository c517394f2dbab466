## Case fev_cs: mmrm's simulated COPD trial (fev_data), compound symmetry (corCompSymm, homogeneous) by REML.
## Run from the repository's top folder:  Rscript tests/reference/r/fev_cs.R
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())

fev <- fev_data()

fit <- fit_gls(FEV1 ~ ARMCD * AVISIT + RACE + SEX, data_name = "fev",
               subject = "USUBJID", visit = "AVISIT", cov = "cs", method = "REML")
cat(attr(fit, "call_text"), "\n")
write_case("fev_cs", fit, fev, "fev", subject = "USUBJID", visit = "AVISIT",
           arm = "ARMCD", cov_label = "CS (corCompSymm)")
