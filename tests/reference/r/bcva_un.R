## Case bcva_un: mmrm's simulated BCVA trial, unstructured (10 visits) MMRM by REML.
## Run from the repository's top folder:  Rscript tests/reference/r/bcva_un.R
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())

raw <- read.csv(file.path(DATA_DIR, "bcva_data.csv"))
bc <- prep_data(raw, response = "BCVA_CHG", subject = "USUBJID", visit = "AVISIT",
                visit_levels = sprintf("VIS%02d", 1:10),
                factors = list(ARMCD = c("CTL", "TRT"),
                               RACE = c("Asian", "Black", "White")),
                covariates = "BCVA_BL")

fit <- fit_gls(BCVA_CHG ~ BCVA_BL + ARMCD * AVISIT + RACE, data_name = "bc",
               subject = "USUBJID", visit = "AVISIT", cov = "un", method = "REML")
cat(attr(fit, "call_text"), "\n")
write_case("bcva_un", fit, bc, "bc", subject = "USUBJID", visit = "AVISIT",
           arm = "ARMCD", cov_label = "UN (corSymm + varIdent)")
