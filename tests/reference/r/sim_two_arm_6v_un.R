## Case sim_two_arm_6v_un: simulated two-arm 6-visit trial (simulate.R), unstructured MMRM by REML.
## Run from the repository's top folder:  Rscript tests/reference/r/sim_two_arm_6v_un.R
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())

raw <- read.csv(file.path(HERE, "sim_two_arm_6v.csv"))
## visit order is by time, not alphabetical (WEEK12 is the last visit)
s2 <- prep_data(raw, response = "CHG", subject = "USUBJID", visit = "VISIT",
                visit_levels = c("WEEK1", "WEEK2", "WEEK4", "WEEK6", "WEEK8", "WEEK12"),
                factors = list(ARM = c("PLACEBO", "ACTIVE")),
                covariates = "BASE")

fit <- fit_gls(CHG ~ BASE + ARM * VISIT, data_name = "s2",
               subject = "USUBJID", visit = "VISIT", cov = "un", method = "REML")
cat(attr(fit, "call_text"), "\n")
write_case("sim_two_arm_6v_un", fit, s2, "s2", subject = "USUBJID", visit = "VISIT",
           arm = "ARM", cov_label = "UN (corSymm + varIdent)")
