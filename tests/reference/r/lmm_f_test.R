## F tests of several contrasts at once in a linear mixed model: the reference for
## outcomes' LMMFit.test (Satterthwaite and Kenward-Roger).
## fev_data, FEV1 ~ ARMCD * AVISIT + RACE + SEX + (1 | USUBJID) by REML (lme4, bobyqa), as in
## kr_information.R, and a random slope model FEV1 ~ ARMCD * VISITN + RACE + (1 + VISITN | USUBJID)
## with VISITN the visit number 1..4.
## Run from the repository's top folder:  Rscript tests/reference/r/lmm_f_test.R
## Writes lmm_f_test.csv: case, test, ddf, num_df, den_df, f_value, p_value, from lmerTest's
## contest(fit, L, ddf = ...) (ddf "Kenward-Roger" through pbkrtest, expected information).
## Tests: "interaction" (the three ARMCD:AVISIT coefficients, or ARMCD:VISITN), "arm and
## interaction" (ARMCD and the interaction rows), "race" (the RACE coefficients).
suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(pbkrtest)
})
a <- commandArgs(trailingOnly = FALSE)
f <- sub("^--file=", "", a[grep("^--file=", a)])
HERE <- if (length(f) == 1L) dirname(normalizePath(f)) else getwd()

d <- read.csv(file.path(HERE, "..", "..", "datasets", "fev_data.csv"))
d <- d[!is.na(d$FEV1), ]
d$AVISIT <- factor(d$AVISIT, levels = c("VIS1", "VIS2", "VIS3", "VIS4"))
d$VISITN <- as.integer(d$AVISIT)
d$ARMCD <- factor(d$ARMCD, levels = c("PBO", "TRT"))
d$RACE <- factor(d$RACE)
d$SEX <- factor(d$SEX)
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
fits <- list(
  intercept = lmer(FEV1 ~ ARMCD * AVISIT + RACE + SEX + (1 | USUBJID), data = d, REML = TRUE,
                   control = ctrl),
  slope = lmer(FEV1 ~ ARMCD * VISITN + RACE + (1 + VISITN | USUBJID), data = d, REML = TRUE,
               control = ctrl)
)
rows_of <- function(fit, pattern) {
  terms <- names(fixef(fit))
  which <- grep(pattern, terms)
  L <- matrix(0, length(which), length(terms))
  L[cbind(seq_along(which), which)] <- 1
  L
}
tests <- list(interaction = "^ARMCDTRT:", `arm and interaction` = "^ARMCDTRT", race = "^RACE")
out <- list()
for (case in names(fits)) {
  for (test in names(tests)) {
    for (ddf in c("Satterthwaite", "Kenward-Roger")) {
      r <- contest(fits[[case]], rows_of(fits[[case]], tests[[test]]), ddf = ddf)
      out[[length(out) + 1L]] <- data.frame(
        case = case, test = test, ddf = ddf, num_df = r$NumDF, den_df = r$DenDF,
        f_value = r[["F value"]], p_value = r[["Pr(>F)"]])
    }
  }
}
out <- do.call(rbind, out)
utils::write.csv(out, file.path(HERE, "lmm_f_test.csv"), row.names = FALSE)
cat("R", R.version$major, R.version$minor, "| lme4", as.character(packageVersion("lme4")),
    "| lmerTest", as.character(packageVersion("lmerTest")),
    "| pbkrtest", as.character(packageVersion("pbkrtest")), "\n")
print(out, digits = 10)
