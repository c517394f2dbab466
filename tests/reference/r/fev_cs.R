## Case fev_cs: mmrm's simulated COPD trial (fev_data), compound symmetry (corCompSymm, homogeneous) by REML.
## Run from the repository's top folder:  Rscript tests/reference/r/fev_cs.R
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())

raw <- read.csv(file.path(DATA_DIR, "fev_data.csv"))
fev <- prep_data(raw, response = "FEV1", subject = "USUBJID", visit = "AVISIT",
                 visit_levels = c("VIS1", "VIS2", "VIS3", "VIS4"),
                 factors = list(ARMCD = c("PBO", "TRT"),
                                RACE = c("Asian", "Black or African American", "White"),
                                SEX = c("Female", "Male")))

fit <- fit_gls(FEV1 ~ ARMCD * AVISIT + RACE + SEX, data_name = "fev",
               subject = "USUBJID", visit = "AVISIT", cov = "cs", method = "REML")
cat(attr(fit, "call_text"), "\n")
write_case("fev_cs", fit, fev, "fev", subject = "USUBJID", visit = "AVISIT",
           arm = "ARMCD", cov_label = "CS (corCompSymm)")
