## Mixed models at the boundary of the parameter space (lme4's "boundary (singular) fit"): the
## reference for outcomes.lmm there. Simulates two data sets (base R, set.seed) and fits them by
## REML with lme4, tight bobyqa; Satterthwaite df from lmerTest, Kenward-Roger from pbkrtest
## (lmerTest's ddf = "Kenward-Roger").
##   boundary_intercept.csv: y ~ arm * time + (1 | id), no subject effect in truth: the
##     intercept variance is estimated at 0.
##   boundary_slope.csv: y ~ arm * time + (1 + time | id), intercept and slope of each subject
##     perfectly correlated in truth: the correlation is estimated at -1 or 1.
## Run from the repository's top folder:  Rscript tests/reference/r/lmm_boundary.R
## Writes lmm_boundary.csv: case, term, estimate, std_error, df_satterthwaite, df_kenward_roger,
## and lmm_boundary_fit.csv: case, logLik, isSingular, and the variance components.
suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
})
a <- commandArgs(trailingOnly = FALSE)
f <- sub("^--file=", "", a[grep("^--file=", a)])
HERE <- if (length(f) == 1L) dirname(normalizePath(f)) else getwd()

simulate <- function(seed, slope) {
  set.seed(seed)
  n <- 40; times <- 0:4
  d <- expand.grid(time = times, id = seq_len(n))
  d$arm <- ifelse(d$id %% 2 == 0, "ACTIVE", "CONTROL")
  u <- rnorm(n)
  b0 <- if (slope) 1.5 * u else rep(0, n)
  b1 <- if (slope) 0.6 * u else rep(0, n)
  d$y <- round(10 - 0.8 * d$time - 0.5 * (d$arm == "ACTIVE") * d$time +
                 b0[d$id] + b1[d$id] * d$time + rnorm(nrow(d), sd = 1.2), 4)
  d[, c("id", "arm", "time", "y")]
}

ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
cases <- list(
  boundary_intercept = list(data = simulate(20261204, FALSE), random = "(1 | id)"),
  boundary_slope = list(data = simulate(20261205, TRUE), random = "(1 + time | id)")
)
coefs <- list(); fits <- list()
for (name in names(cases)) {
  d <- cases[[name]]$data
  write.csv(d, file.path(HERE, paste0(name, ".csv")), row.names = FALSE)
  d$arm <- factor(d$arm, levels = c("CONTROL", "ACTIVE"))
  form <- as.formula(paste("y ~ arm * time +", cases[[name]]$random))
  fit <- lmerTest::lmer(form, data = d, REML = TRUE, control = ctrl)
  sat <- summary(fit, ddf = "Satterthwaite")$coefficients
  kr <- summary(fit, ddf = "Kenward-Roger")$coefficients
  coefs[[name]] <- data.frame(case = name, term = rownames(sat), estimate = sat[, "Estimate"],
                              std_error = sat[, "Std. Error"], df_satterthwaite = sat[, "df"],
                              std_error_kr = kr[, "Std. Error"], df_kenward_roger = kr[, "df"])
  vc <- as.data.frame(VarCorr(fit))
  fits[[name]] <- data.frame(case = name, logLik = as.numeric(logLik(fit)),
                             isSingular = isSingular(fit),
                             component = paste(vc$grp, vc$var1, vc$var2, sep = ":"),
                             vcov = vc$vcov, sdcor = vc$sdcor)
}
utils::write.csv(do.call(rbind, coefs), file.path(HERE, "lmm_boundary.csv"), row.names = FALSE)
utils::write.csv(do.call(rbind, fits), file.path(HERE, "lmm_boundary_fit.csv"), row.names = FALSE)
cat("R", R.version$major, R.version$minor, "| lme4", as.character(packageVersion("lme4")),
    "| lmerTest", as.character(packageVersion("lmerTest")),
    "| pbkrtest", as.character(packageVersion("pbkrtest")), "\n")
print(do.call(rbind, fits)); print(do.call(rbind, coefs))
