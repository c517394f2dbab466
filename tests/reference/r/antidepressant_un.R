## Case antidepressant_un: DIA / rbmi antidepressant trial, unstructured MMRM by REML.
## Run from the repository's top folder:  Rscript tests/reference/r/antidepressant_un.R
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())

raw <- read.csv(file.path(DATA_DIR, "antidepressant_data.csv"))
ad <- prep_data(raw, response = "CHANGE", subject = "PATIENT", visit = "VISIT",
                visit_levels = c("4", "5", "6", "7"),
                factors = list(THERAPY = c("PLACEBO", "DRUG")),
                covariates = "BASVAL")

fit <- fit_gls(CHANGE ~ BASVAL * VISIT + THERAPY * VISIT, data_name = "ad",
               subject = "PATIENT", visit = "VISIT", cov = "un", method = "REML")
cat(attr(fit, "call_text"), "\n")
write_case("antidepressant_un", fit, ad, "ad", subject = "PATIENT", visit = "VISIT",
           arm = "THERAPY", cov_label = "UN (corSymm + varIdent)")
