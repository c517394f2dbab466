## Kenward-Roger with the expected information, as pbkrtest computes it: the reference for
## outcomes' information="expected" (the default of outcomes.lmm, an option of outcomes.mmrm).
## fev_data, FEV1 ~ ARMCD * AVISIT + RACE + SEX with a random intercept per subject by REML
## (lme4), which is the MMRM with compound symmetry when the intra-class correlation is > 0.
## Run from the repository's top folder:  Rscript tests/reference/r/kr_information.R
## Writes kr_information.csv: term, estimate, std_error_kr (sqrt diag of vcovAdj), df_kr
## (get_Lb_ddf for the unit contrast of each coefficient).
suppressPackageStartupMessages({
  library(lme4)
  library(pbkrtest)
})
a <- commandArgs(trailingOnly = FALSE)
f <- sub("^--file=", "", a[grep("^--file=", a)])
HERE <- if (length(f) == 1L) dirname(normalizePath(f)) else getwd()

d <- read.csv(file.path(HERE, "..", "..", "datasets", "fev_data.csv"))
d <- d[!is.na(d$FEV1), ]
d$AVISIT <- factor(d$AVISIT, levels = c("VIS1", "VIS2", "VIS3", "VIS4"))
d$ARMCD <- factor(d$ARMCD, levels = c("PBO", "TRT"))
d$RACE <- factor(d$RACE)
d$SEX <- factor(d$SEX)
fit <- lmer(FEV1 ~ ARMCD * AVISIT + RACE + SEX + (1 | USUBJID), data = d, REML = TRUE,
            control = lmerControl(optimizer = "bobyqa",
                                  optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))
va <- as.matrix(vcovAdj(fit))
p <- length(fixef(fit))
df <- vapply(seq_len(p), function(j) {
  L <- matrix(0, 1, p); L[1, j] <- 1
  get_Lb_ddf(fit, L)
}, numeric(1))
out <- data.frame(term = names(fixef(fit)), estimate = unname(fixef(fit)),
                  std_error_kr = sqrt(diag(va)), df_kr = df)
utils::write.csv(out, file.path(HERE, "kr_information.csv"), row.names = FALSE)
cat("R", R.version$major, R.version$minor, "| lme4", as.character(packageVersion("lme4")),
    "| pbkrtest", as.character(packageVersion("pbkrtest")), "\n")
print(as.data.frame(VarCorr(fit)))
print(out)
