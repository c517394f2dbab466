# Reference values for outcomes.lmm: linear mixed models fitted in R with lme4 (through lmerTest).
#
# Run from the repository's top folder:
#     Rscript tests/reference/trajectories/lmm.R
#
# Made with R 4.2.2 Patched (2022-11-10 r83330), lme4 1.1.31, lmerTest 3.1.3, pbkrtest 0.5.2,
# Matrix 1.5.3 (Debian packages); see versions.txt.
#
# Inputs:  tests/reference/trajectories/sample_madrs.csv (written by make_data.py beside this file)
#          tests/datasets/fev_data.csv (rows with NA FEV1 dropped)
# Outputs (beside this file):
#   lmm_<name>_fixed.csv   fixed effects: estimate, lme4 SE (vcov), Satterthwaite df/t/p and
#                          Kenward-Roger df / adjusted SE / t / p (lmerTest summary, ddf = ...)
#   lmm_<name>_random.csv  as.data.frame(VarCorr(fit)): grp, var1, var2, vcov, sdcor
#   lmm_fit.csv            one row per model: logLik, REML criterion or deviance, sizes, warnings,
#                          and how far the default fit is from a tight-tolerance bobyqa refit
# Default lmer control (optimizer "nloptwrap" in lme4 1.1.31) for every model.
# Numbers are written by write.csv, i.e. 15 significant digits.

suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(pbkrtest)
})

out_dir <- file.path("tests", "reference", "trajectories")

sample <- read.csv(file.path(out_dir, "sample_madrs.csv"),
                   colClasses = c(site = "character"), stringsAsFactors = FALSE)
sample$arm <- factor(sample$arm, levels = c("PLACEBO", "DMT"))
sample$subject <- factor(sample$subject)
sample <- sample[order(sample$subject, sample$visit_num), ]

fev <- read.csv(file.path("tests", "datasets", "fev_data.csv"), stringsAsFactors = FALSE)
fev <- fev[!is.na(fev$FEV1), ]
fev$ARMCD <- factor(fev$ARMCD, levels = c("PBO", "TRT"))
fev$USUBJID <- factor(fev$USUBJID)

models <- list(
  sample_ri        = list(formula = chg ~ base + arm * weeks + (1 | subject),
                          data = sample, REML = TRUE),
  sample_rs        = list(formula = chg ~ base + arm * weeks + (1 + weeks | subject),
                          data = sample, REML = TRUE),
  sample_rs_ml     = list(formula = chg ~ base + arm * weeks + (1 + weeks | subject),
                          data = sample, REML = FALSE),
  sample_piecewise = list(formula = chg ~ base + arm * (weeks + weeks_after_dose_2) + (1 | subject),
                          data = sample, REML = TRUE),
  fev_rs           = list(formula = FEV1 ~ FEV1_BL + ARMCD * VISITN + (1 + VISITN | USUBJID),
                          data = fev, REML = TRUE)
)

# Fit while keeping every warning and message R raises, so they can be written down.
fit_logged <- function(spec) {
  logged <- character(0)
  fit <- withCallingHandlers(
    lmerTest::lmer(spec$formula, data = spec$data, REML = spec$REML),
    warning = function(w) {
      logged <<- c(logged, paste("warning:", conditionMessage(w)))
      invokeRestart("muffleWarning")
    },
    message = function(m) {
      logged <<- c(logged, paste("message:", trimws(conditionMessage(m))))
      invokeRestart("muffleMessage")
    }
  )
  list(fit = fit, logged = logged)
}

fit_rows <- list()
for (name in names(models)) {
  spec <- models[[name]]
  res <- fit_logged(spec)
  fit <- res$fit
  stopifnot(inherits(fit, "lmerModLmerTest"))

  est <- fixef(fit)
  se <- sqrt(diag(as.matrix(vcov(fit))))
  sat <- coef(summary(fit, ddf = "Satterthwaite"))
  # Kenward-Roger needs a REML fit: lmerTest stops with an error for ML fits, and the KR
  # columns are then left NA (the error text goes into lmm_fit.csv).
  kr_log <- character(0)
  kr <- tryCatch(
    withCallingHandlers(
      coef(summary(fit, ddf = "Kenward-Roger")),
      warning = function(w) {
        kr_log <<- c(kr_log, paste("warning (KR summary):", conditionMessage(w)))
        invokeRestart("muffleWarning")
      }
    ),
    error = function(e) {
      kr_log <<- c(kr_log, paste("error (KR summary, KR columns left NA):", conditionMessage(e)))
      m <- matrix(NA_real_, length(est), 5, dimnames = list(names(est),
        c("Estimate", "Std. Error", "df", "t value", "Pr(>|t|)")))
      m
    }
  )
  stopifnot(identical(rownames(sat), names(est)), identical(rownames(kr), names(est)))

  fixed <- data.frame(
    term = names(est),
    estimate = unname(est),
    std_error = unname(se),
    df_satterthwaite = sat[, "df"],
    t = sat[, "t value"],
    p_satterthwaite = sat[, "Pr(>|t|)"],
    df_kr = kr[, "df"],
    std_error_kr = kr[, "Std. Error"],
    t_kr = kr[, "t value"],
    p_kr = kr[, "Pr(>|t|)"],
    row.names = NULL, stringsAsFactors = FALSE
  )
  write.csv(fixed, file.path(out_dir, sprintf("lmm_%s_fixed.csv", name)), row.names = FALSE)

  vc <- as.data.frame(VarCorr(fit))
  random <- data.frame(grp = vc$grp, var1 = vc$var1, var2 = vc$var2,
                       vcov = vc$vcov, sdcor = vc$sdcor, stringsAsFactors = FALSE)
  write.csv(random, file.path(out_dir, sprintf("lmm_%s_random.csv", name)), row.names = FALSE)

  # Check on how far the default optimizer stopped from the optimum: refit (lme4::lmer, not
  # written out) with bobyqa and a very small final trust-region radius, and record the
  # differences in lmm_fit.csv.  The reference values above are from the default fit.
  tight <- suppressMessages(suppressWarnings(lme4::lmer(
    spec$formula, data = spec$data, REML = spec$REML,
    control = lmerControl(optimizer = "bobyqa",
                          optCtrl = list(rhobeg = 2e-4, rhoend = 1e-12, maxfun = 1e5)))))
  tight_vc <- as.data.frame(VarCorr(tight))

  conv <- fit@optinfo$conv
  lme4_msgs <- conv$lme4$messages
  opt_msgs <- fit@optinfo$warnings
  fit_msgs <- unique(c(res$logged,
                       if (length(lme4_msgs)) paste("lme4:", unlist(lme4_msgs)),
                       if (length(opt_msgs)) paste("optimizer:", unlist(opt_msgs))))
  all_msgs <- c(fit_msgs, kr_log)
  ll <- logLik(fit)
  fit_rows[[name]] <- data.frame(
    name = name,
    REML = isREML(fit),
    logLik = as.numeric(ll),
    logLik_df = attr(ll, "df"),
    criterion = if (isREML(fit)) "REML criterion" else "deviance",
    criterion_value = if (isREML(fit)) REMLcrit(fit) else deviance(fit),
    n_obs = nobs(fit),
    n_groups = unname(ngrps(fit)),
    optimizer = fit@optinfo$optimizer,
    optimizer_code = conv$opt,
    singular = isSingular(fit),
    converged = conv$opt == 0 && length(lme4_msgs) == 0 && length(res$logged) == 0,
    messages = if (length(fit_msgs)) paste(fit_msgs, collapse = " | ") else "",
    kr_note = if (length(kr_log)) paste(kr_log, collapse = " | ") else "",
    tight_logLik = as.numeric(logLik(tight)),
    tight_max_abs_diff_estimate_over_se = max(abs(est - fixef(tight)) / se),
    tight_max_rel_diff_std_error = max(abs(se / sqrt(diag(as.matrix(vcov(tight)))) - 1)),
    tight_max_rel_diff_vcov = max(abs(vc$vcov / tight_vc$vcov - 1)),
    stringsAsFactors = FALSE
  )

  cat(sprintf("== %s: %s, REML = %s ==\n", name, deparse(spec$formula), spec$REML))
  print(summary(fit, ddf = "Satterthwaite"))
  if (length(all_msgs)) cat("Logged:", all_msgs, sep = "\n  ")
  cat("\n")
}

write.csv(do.call(rbind, fit_rows), file.path(out_dir, "lmm_fit.csv"), row.names = FALSE)
