# Reference values for outcomes' paired analyses: trait change (pre/post within each arm,
# between arms by ANCOVA, acute-experience predictors / moderators) and repeated dosing (acute
# MADRS response per dosing session, TOST equivalence of dose 2's acute response to dose 1's).
#
# Input:  tests/reference/paired/sample_subjects.csv (written by make_data.py; one row per subject,
#         empty cells = missing).
# Run from the repository's top folder:  Rscript tests/reference/paired/paired.R
# Made with R 4.2.2 Patched (2022-11-10 r83330), emmeans 1.8.4.1 and effectsize 0.8.3
# (Debian bookworm r-cran-emmeans / r-cran-effectsize); the exact versions of a run are written to
# versions.txt.
#
# Every analysis uses complete cases for the variables it needs (complete pairs for the paired
# tests); see README.md. CSVs are written with write.csv's default 15 significant digits.
suppressPackageStartupMessages({
  library(emmeans)
  library(effectsize)
})

out <- "tests/reference/paired"
subjects <- read.csv(file.path(out, "sample_subjects.csv"))
subjects$arm <- factor(subjects$arm, levels = c("PLACEBO", "DMT"))
arms <- levels(subjects$arm)

# --- 1. Within-arm paired change -------------------------------------------------------------
# d_z: effectsize 0.8.3 has no rm_d()/repeated_measures_d(); cohens_d(post, pre, paired = TRUE)
# in 0.8.3 is d_z = mean(post - pre) / sd(post - pre) with a noncentral-t 95% CI (df = n - 1,
# CI of the ncp scaled by sqrt(1/n)). This is what is written. It is checked below to equal the
# one-sample cohens_d(post - pre) (mu = 0) and mean(diff) / sd(diff).
analyses <- list(
  trait = c("neo_pre", "neo_post"),
  session_1 = c("madrs_pre_1", "madrs_post_1"),
  session_2 = c("madrs_pre_2", "madrs_post_2")
)
within_rows <- list()
for (analysis in names(analyses)) {
  cols <- analyses[[analysis]]
  for (a in arms) {
    at <- subjects[subjects$arm == a & !is.na(subjects[[cols[1]]]) & !is.na(subjects[[cols[2]]]), ]
    pre <- at[[cols[1]]]
    post <- at[[cols[2]]]
    diff <- post - pre
    tt <- t.test(post, pre, paired = TRUE)
    # R's default: exact = NULL -> exact if n < 50 and no ties/zeros; else normal approximation
    # with continuity correction. Warnings (ties / zeros) are recorded, not printed.
    wt_warnings <- character(0)
    wt <- withCallingHandlers(
      wilcox.test(post, pre, paired = TRUE),
      warning = function(w) {
        wt_warnings <<- c(wt_warnings, conditionMessage(w))
        invokeRestart("muffleWarning")
      }
    )
    d <- cohens_d(post, pre, paired = TRUE, ci = 0.95)
    d1 <- cohens_d(diff, mu = 0, ci = 0.95)
    stopifnot(
      isTRUE(all.equal(d$Cohens_d, mean(diff) / sd(diff), tolerance = 1e-12)),
      isTRUE(all.equal(d$Cohens_d, d1$Cohens_d, tolerance = 1e-12)),
      isTRUE(all.equal(c(d$CI_low, d$CI_high), c(d1$CI_low, d1$CI_high), tolerance = 1e-10))
    )
    within_rows[[length(within_rows) + 1]] <- data.frame(
      analysis = analysis, arm = a, pre = cols[1], post = cols[2], n = nrow(at),
      mean_pre = mean(pre), mean_post = mean(post), mean_change = mean(diff),
      sd_change = sd(diff),
      t_statistic = unname(tt$statistic), t_df = unname(tt$parameter), t_p_value = tt$p.value,
      t_conf_low = tt$conf.int[1], t_conf_high = tt$conf.int[2],
      wilcox_V = unname(wt$statistic), wilcox_p_value = wt$p.value,
      wilcox_method = wt$method,
      wilcox_exact = !grepl("continuity correction", wt$method),
      n_zero_diff = sum(diff == 0), n_nonzero_diff = sum(diff != 0),
      has_ties = any(duplicated(abs(diff[diff != 0]))),
      wilcox_warnings = paste(wt_warnings, collapse = " | "),
      d_z = d$Cohens_d, d_z_conf_low = d$CI_low, d_z_conf_high = d$CI_high,
      d_z_method = "effectsize::cohens_d(post, pre, paired = TRUE): mean/sd of differences, noncentral-t CI",
      stringsAsFactors = FALSE
    )
  }
}
within <- do.call(rbind, within_rows)
write.csv(within, file.path(out, "within.csv"), row.names = FALSE)

# --- helpers ---------------------------------------------------------------------------------
coef_table <- function(fit, model) {
  s <- summary(fit)$coefficients
  ci <- confint(fit, level = 0.95)
  data.frame(
    model = model, term = rownames(s), n = nobs(fit),
    estimate = s[, "Estimate"], std_error = s[, "Std. Error"], statistic = s[, "t value"],
    df = df.residual(fit), p_value = s[, "Pr(>|t|)"],
    conf_low = ci[, 1], conf_high = ci[, 2],
    row.names = NULL, stringsAsFactors = FALSE
  )
}

# --- 2. Trait change between arms (ANCOVA) ---------------------------------------------------
trait <- subjects[!is.na(subjects$neo_pre) & !is.na(subjects$neo_post), ]
fit_post <- lm(neo_post ~ neo_pre + arm, data = trait)
fit_change <- lm(I(neo_post - neo_pre) ~ neo_pre + arm, data = trait)
between <- rbind(coef_table(fit_post, "post"), coef_table(fit_change, "change"))
between <- between[between$term == "armDMT", ]
stopifnot(isTRUE(all.equal(between$estimate[1], between$estimate[2], tolerance = 1e-12)))
write.csv(between, file.path(out, "trait_between.csv"), row.names = FALSE)

lsm <- function(fit, model) {
  e <- as.data.frame(summary(emmeans(fit, ~arm), level = 0.95))
  data.frame(model = model, arm = as.character(e$arm), emmean = e$emmean, SE = e$SE, df = e$df,
             lower.CL = e$lower.CL, upper.CL = e$upper.CL,
             neo_pre_at = mean(trait$neo_pre), stringsAsFactors = FALSE)
}
lsmeans <- rbind(lsm(fit_post, "post"), lsm(fit_change, "change"))
write.csv(lsmeans, file.path(out, "trait_lsmeans.csv"), row.names = FALSE)

# --- 3. Acute-experience predictors of trait change ------------------------------------------
subjects$meq_mean <- rowMeans(cbind(subjects$meq_1, subjects$meq_2), na.rm = TRUE)  # NaN if both NA
with_meq1 <- subjects[!is.na(subjects$neo_pre) & !is.na(subjects$neo_post) & !is.na(subjects$meq_1), ]
with_meqm <- subjects[!is.na(subjects$neo_pre) & !is.na(subjects$neo_post) & !is.na(subjects$meq_mean), ]
predictors <- rbind(
  coef_table(lm(I(neo_post - neo_pre) ~ neo_pre + arm + meq_1, data = with_meq1), "predictor"),
  coef_table(lm(I(neo_post - neo_pre) ~ neo_pre + arm * meq_1, data = with_meq1), "moderator"),
  coef_table(lm(I(neo_post - neo_pre) ~ neo_pre + arm + meq_mean, data = with_meqm), "predictor_mean"),
  coef_table(lm(I(neo_post - neo_pre) ~ neo_pre + arm * meq_mean, data = with_meqm), "moderator_mean"),
  coef_table(lm(I(neo_post - neo_pre) ~ neo_pre + meq_1, data = with_meq1, subset = arm == "DMT"),
             "predictor_dmt_only")
)
write.csv(predictors, file.path(out, "trait_predictors.csv"), row.names = FALSE)

# --- 4. TOST: dose 2's acute response equivalent to dose 1's ---------------------------------
madrs <- c("madrs_pre_1", "madrs_post_1", "madrs_pre_2", "madrs_post_2")
dosed <- subjects[complete.cases(subjects[, madrs]), ]
dosed$diff <- (dosed$madrs_post_2 - dosed$madrs_pre_2) - (dosed$madrs_post_1 - dosed$madrs_pre_1)
tost_rows <- list()
for (margin in c(3, 5)) {
  for (a in c(arms, "all")) {
    x <- if (a == "all") dosed$diff else dosed$diff[dosed$arm == a]
    lower <- t.test(x, mu = -margin, alternative = "greater")
    upper <- t.test(x, mu = margin, alternative = "less")
    ci90 <- t.test(x, conf.level = 0.90)$conf.int
    p_tost <- max(lower$p.value, upper$p.value)
    tost_rows[[length(tost_rows) + 1]] <- data.frame(
      arm = a, margin = margin, n = length(x), mean_diff = mean(x), sd_diff = sd(x),
      t_lower = unname(lower$statistic), p_lower = lower$p.value,
      t_upper = unname(upper$statistic), p_upper = upper$p.value, p_tost = p_tost,
      df = unname(lower$parameter), conf_low = ci90[1], conf_high = ci90[2],
      equivalent = p_tost < 0.05, stringsAsFactors = FALSE
    )
  }
}
write.csv(do.call(rbind, tost_rows), file.path(out, "tost.csv"), row.names = FALSE)

# --- 5. versions -----------------------------------------------------------------------------
writeLines(c(R.version.string,
             paste("emmeans", packageVersion("emmeans")),
             paste("effectsize", packageVersion("effectsize"))),
           file.path(out, "versions.txt"))
