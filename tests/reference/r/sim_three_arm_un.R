## Case sim_three_arm_un: simulated three-arm trial (simulate.R), unstructured MMRM by REML.
## Run from the repository's top folder:  Rscript tests/reference/r/sim_three_arm_un.R
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())

raw <- read.csv(file.path(HERE, "sim_three_arm.csv"))
s3 <- prep_data(raw, response = "CHG", subject = "USUBJID", visit = "VISIT",
                visit_levels = sprintf("V%d", 1:8),
                factors = list(ARM = c("PLACEBO", "LOW", "HIGH")),
                covariates = "BASE")

fit <- fit_gls(CHG ~ BASE * VISIT + ARM * VISIT, data_name = "s3",
               subject = "USUBJID", visit = "VISIT", cov = "un", method = "REML")
cat(attr(fit, "call_text"), "\n")
## revpairwise with levels PLACEBO, LOW, HIGH: LOW - PLACEBO, HIGH - PLACEBO, HIGH - LOW
write_case("sim_three_arm_un", fit, s3, "s3", subject = "USUBJID", visit = "VISIT",
           arm = "ARM", cov_label = "UN (corSymm + varIdent)")
