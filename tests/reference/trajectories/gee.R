# Reference values for outcomes.gee: generalized estimating equations fitted in R with
# geepack::geeglm, plus gee::gee for two models as a second implementation.
#
# Run from the repository's top folder:
#     Rscript tests/reference/trajectories/gee.R
#
# Made with R 4.2.2 Patched (2022-11-10 r83330), geepack 1.3.9, gee 4.13.25 (Debian packages);
# see versions.txt.
#
# Inputs:  tests/reference/trajectories/sample_madrs.csv (written by make_data.py beside this file)
#          tests/datasets/fev_data.csv (rows with NA FEV1 dropped)
# Outputs (beside this file):
#   gee_<name>_coef.csv          term, estimate, std_error (robust sandwich, geepack "san.se"),
#                                std_error_naive (model-based), wald, p_value (as summary prints)
#   gee_params.csv               per model: correlation parameters (alpha ...) and scale (gamma),
#                                their std errors, sizes, convergence, iteration count
#   gee_<name>_coef_gee_pkg.csv  gee::gee fit of gauss_exch and binom_exch: estimate, naive and
#                                robust SE and z
# Numbers are written by write.csv, i.e. 15 significant digits.
#
# Things that matter when comparing with other software (see README.md):
# * geeglm needs `id` numeric or factor: with a character id geese.fit's as.numeric(id) gives NA
#   and all rows become one cluster, with only a "NAs introduced by coercion" warning.  The id used here is a factor whose levels follow
#   the (sorted) row order.
# * geeglm turns `waves` into a factor and uses its integer codes, so AR-1 lags are in ranks of
#   the distinct visit_num values present (4 5 6 8 9 10 11 12 -> 1..8: visit 6 -> 8 is lag 1).
# * corstr = "unstructured" with `waves` crashes R (segfault in geepack's C code; apparently
#   because for an incomplete cluster it indexes the cluster's own |cluster| x |cluster|
#   correlation matrix by wave number).  The unstructured models are therefore fitted with `zcor` built by
#   geepack::genZcor from the wave codes and no `waves`, which places every pair of visits on
#   its own alpha.j:k, as `waves` is meant to.
# * geepack's default control is epsilon = 1e-4 (absolute change in beta, gamma and alpha) and
#   maxit = 25.  A model that does not converge in 25 iterations is refitted with maxit = 200.
# * geepack estimates the scale for the binomial family too (scale.fix = FALSE); the extra
#   models binom_exch_scalefix and binom_ar1_scalefix fix it at 1.  geeglm cannot do that:
#   geese.fit ignores scale.value and, with scale.fix = TRUE, keeps the scale at its starting
#   value, the Pearson chi-square / N of the starting glm (1.0239 here).  These two models are
#   therefore fitted with geepack::geese(..., scale.fix = TRUE, gm = 1), with waves given as
#   the same integer codes geeglm would use (geese itself does not recode waves, so with
#   waves = visit_num it would measure AR-1 lags in visit numbers).

suppressPackageStartupMessages({
  library(geepack)
  library(gee)
})

out_dir <- file.path("tests", "reference", "trajectories")

sample <- read.csv(file.path(out_dir, "sample_madrs.csv"),
                   colClasses = c(site = "character"), stringsAsFactors = FALSE)
sample <- sample[order(sample$subject, sample$visit_num), ]
rownames(sample) <- NULL
sample$arm <- factor(sample$arm, levels = c("PLACEBO", "DMT"))
visit_levels <- unique(sample$visit[order(sample$visit_num)])
stopifnot(visit_levels[1] == "DAY 2",
          !anyDuplicated(unique(sample[, c("visit", "visit_num")])$visit))
sample$visitf <- factor(sample$visit, levels = visit_levels)
sample$cluster <- factor(sample$subject, levels = unique(sample$subject))
sample$wave <- sample$visit_num
sample$wave_code <- as.integer(factor(sample$wave))  # what geeglm makes of waves = visit_num

fev <- read.csv(file.path("tests", "datasets", "fev_data.csv"), stringsAsFactors = FALSE)
fev <- fev[!is.na(fev$FEV1), ]
fev <- fev[order(fev$USUBJID, fev$VISITN), ]
rownames(fev) <- NULL
fev$ARMCD <- factor(fev$ARMCD, levels = c("PBO", "TRT"))
fev$AVISIT <- factor(fev$AVISIT, levels = c("VIS1", "VIS2", "VIS3", "VIS4"))
fev$cluster <- factor(fev$USUBJID, levels = unique(fev$USUBJID))
fev$wave <- fev$VISITN
fev$wave_code <- as.integer(factor(fev$wave))

for (d in list(sample, fev)) {
  stopifnot(!anyDuplicated(d[, c("cluster", "wave")]),
            all(rle(as.integer(d$cluster))$lengths == as.vector(table(d$cluster))))
}

models <- list(
  gauss_ind   = list(formula = chg ~ base + arm * visitf, data = "sample", family = "gaussian",
                     corstr = "independence", waves = FALSE),
  gauss_exch  = list(formula = chg ~ base + arm * visitf, data = "sample", family = "gaussian",
                     corstr = "exchangeable", waves = FALSE),
  gauss_ar1   = list(formula = chg ~ base + arm * visitf, data = "sample", family = "gaussian",
                     corstr = "ar1", waves = TRUE),
  gauss_unstr = list(formula = chg ~ base + arm * visitf, data = "sample", family = "gaussian",
                     corstr = "unstructured", waves = TRUE),
  binom_exch  = list(formula = response ~ base + arm * weeks, data = "sample", family = "binomial",
                     corstr = "exchangeable", waves = FALSE),
  binom_ar1   = list(formula = response ~ base + arm * weeks, data = "sample", family = "binomial",
                     corstr = "ar1", waves = TRUE),
  fev_exch    = list(formula = FEV1 ~ FEV1_BL + ARMCD * AVISIT, data = "fev", family = "gaussian",
                     corstr = "exchangeable", waves = TRUE),
  # extras, not in the original list: binomial with the scale fixed at 1 (statsmodels' default)
  binom_exch_scalefix = list(formula = response ~ base + arm * weeks, data = "sample",
                             family = "binomial", corstr = "exchangeable", waves = FALSE,
                             scale.fix = TRUE),
  binom_ar1_scalefix  = list(formula = response ~ base + arm * weeks, data = "sample",
                             family = "binomial", corstr = "ar1", waves = TRUE, scale.fix = TRUE)
)

# One fit: geeglm, or geese with the scale fixed at 1 for the *_scalefix models.
fit_one <- function(spec, dat, control) {
  fam <- get(spec$family, mode = "function")
  scale_fix <- isTRUE(spec$scale.fix)
  if (scale_fix) {
    stopifnot(spec$corstr %in% c("exchangeable", "ar1"))
    if (spec$waves) {
      geese(spec$formula, family = fam(), data = dat, id = cluster, waves = wave_code,
            corstr = spec$corstr, scale.fix = TRUE, gm = 1, control = control)
    } else {
      geese(spec$formula, family = fam(), data = dat, id = cluster,
            corstr = spec$corstr, scale.fix = TRUE, gm = 1, control = control)
    }
  } else if (spec$corstr == "unstructured") {
    # genZcor with the same wave codes geeglm would make of waves = visit_num
    clusz <- as.vector(table(dat$cluster))
    zc <- genZcor(clusz, dat$wave_code, 4L)
    geeglm(spec$formula, family = fam, data = dat, id = cluster, corstr = "unstructured",
           zcor = zc, scale.fix = scale_fix, control = control)
  } else if (spec$waves) {
    geeglm(spec$formula, family = fam, data = dat, id = cluster, waves = wave,
           corstr = spec$corstr, scale.fix = scale_fix, control = control)
  } else {
    geeglm(spec$formula, family = fam, data = dat, id = cluster,
           corstr = spec$corstr, scale.fix = scale_fix, control = control)
  }
}

logged_call <- function(expr, log_env, prefix) {
  withCallingHandlers(expr,
    warning = function(w) {
      log_env$msgs <- c(log_env$msgs, paste0(prefix, "warning: ", conditionMessage(w)))
      invokeRestart("muffleWarning")
    },
    message = function(m) {
      log_env$msgs <- c(log_env$msgs, paste0(prefix, "message: ", trimws(conditionMessage(m))))
      invokeRestart("muffleMessage")
    })
}

param_rows <- list()
all_msgs <- character(0)
for (name in names(models)) {
  spec <- models[[name]]
  dat <- get(spec$data)
  log_env <- new.env()
  log_env$msgs <- character(0)

  geese_of <- function(f) if (inherits(f, "geeglm")) f$geese else f
  maxit <- 25L
  fit <- logged_call(fit_one(spec, dat, geese.control()), log_env, "")
  if (geese_of(fit)$error != 0) {
    log_env$msgs <- c(log_env$msgs, sprintf(
      "not converged with default maxit = 25 (geese error %d); refitted with maxit = 200",
      geese_of(fit)$error))
    maxit <- 200L
    fit <- logged_call(fit_one(spec, dat, geese.control(maxit = maxit)), log_env, "")
  }
  ge <- geese_of(fit)
  stopifnot(ge$error == 0)

  # geepack does not report its iteration count; it is the smallest maxit that converges.
  iterations <- NA_integer_
  for (m in seq_len(maxit)) {
    f_m <- suppressWarnings(fit_one(spec, dat, geese.control(maxit = m)))
    if (geese_of(f_m)$error == 0) { iterations <- m; break }
  }

  # How far the default stopping rule is from the solution: refit with epsilon = 1e-10.
  tight <- geese_of(suppressWarnings(
    fit_one(spec, dat, geese.control(epsilon = 1e-10, maxit = 1000))))

  s <- summary(fit)
  if (inherits(fit, "geeglm")) {
    cf <- s$coefficients
    coef_tab <- data.frame(term = rownames(cf), estimate = cf[, "Estimate"],
                           std_error = cf[, "Std.err"],
                           std_error_naive = sqrt(diag(ge$vbeta.naiv)),
                           wald = cf[, "Wald"], p_value = cf[, "Pr(>|W|)"],
                           row.names = NULL, stringsAsFactors = FALSE)
    corr_tab <- if (length(ge$alpha)) data.frame(estimate = s$corr[, "Estimate"],
                                                 std_err = s$corr[, "Std.err"],
                                                 row.names = rownames(s$corr))
    scale_tab <- data.frame(estimate = s$dispersion[, "Estimate"],
                            std_err = s$dispersion[, "Std.err"])
  } else {
    cf <- s$mean
    coef_tab <- data.frame(term = rownames(cf), estimate = cf[, "estimate"],
                           std_error = cf[, "san.se"],
                           std_error_naive = sqrt(diag(ge$vbeta.naiv)),
                           wald = cf[, "wald"], p_value = cf[, "p"],
                           row.names = NULL, stringsAsFactors = FALSE)
    corr_tab <- data.frame(estimate = s$correlation[, "estimate"],
                           std_err = s$correlation[, "san.se"],
                           row.names = rownames(s$correlation))
    scale_tab <- data.frame(estimate = unname(ge$gamma), std_err = 0)
    stopifnot(ge$gamma == 1)
  }
  stopifnot(isTRUE(all.equal(coef_tab$std_error, unname(sqrt(diag(ge$vbeta))))))
  write.csv(coef_tab, file.path(out_dir, sprintf("gee_%s_coef.csv", name)), row.names = FALSE)

  common <- data.frame(
    model = name,
    implementation = if (inherits(fit, "geeglm")) "geepack::geeglm"
                     else "geepack::geese (scale.fix = TRUE, gm = 1)",
    family = spec$family,
    corstr = spec$corstr,
    scale_fixed = isTRUE(spec$scale.fix),
    waves = if (spec$corstr == "unstructured") "zcor = genZcor(clusz, wave codes, 4)"
            else if (isTRUE(spec$scale.fix) && spec$waves) "waves = wave codes"
            else if (spec$waves) "waves = visit number" else "none",
    n_obs = nrow(dat),
    n_clusters = length(ge$clusz),
    max_cluster_size = max(ge$clusz),
    epsilon = ge$control$epsilon,
    maxit = ge$control$maxit,
    geese_error = ge$error,
    iterations = iterations,
    tight_max_abs_diff_estimate = max(abs(ge$beta - tight$beta)),
    tight_max_rel_diff_std_error = max(abs(sqrt(diag(ge$vbeta)) /
                                           sqrt(diag(tight$vbeta)) - 1)),
    tight_max_abs_diff_alpha = if (length(ge$alpha))
      max(abs(ge$alpha - tight$alpha)) else NA_real_,
    messages = paste(unique(log_env$msgs), collapse = " | "),
    stringsAsFactors = FALSE
  )
  rows <- list()
  if (!is.null(corr_tab)) {
    rows[[1]] <- data.frame(kind = "correlation", parameter = rownames(corr_tab),
                            estimate = corr_tab$estimate, std_err = corr_tab$std_err,
                            stringsAsFactors = FALSE)
  }
  rows[[length(rows) + 1]] <- data.frame(kind = "scale", parameter = "gamma",
                                         estimate = scale_tab$estimate,
                                         std_err = scale_tab$std_err, stringsAsFactors = FALSE)
  prm <- do.call(rbind, rows)
  param_rows[[name]] <- cbind(common[rep(1, nrow(prm)), c("model", "implementation")], prm,
                              common[rep(1, nrow(prm)), -(1:2)], row.names = NULL)

  cat(sprintf("== %s: %s, %s, corstr = %s ==\n", name, deparse(spec$formula), spec$family,
              spec$corstr))
  print(s)
  cat(sprintf("iterations: %d; |beta - beta(epsilon = 1e-10)| <= %.3g\n", iterations,
              common$tight_max_abs_diff_estimate))
  if (length(log_env$msgs)) cat("Logged:", unique(log_env$msgs), sep = "\n  ")
  cat("\n")
  all_msgs <- c(all_msgs, if (length(log_env$msgs)) paste0(name, ": ", unique(log_env$msgs)))
}

# Second implementation: gee::gee (Carey's Cgee), defaults tol = 0.001, maxiter = 25,
# scale estimated (scale.fix = FALSE) also for the binomial family.  Unlike geepack, gee
# divides by N - p for the scale and by (number of pairs - p) for the exchangeable alpha.
for (name in c("gauss_exch", "binom_exch")) {
  spec <- models[[name]]
  dat <- get(spec$data)
  log_env <- new.env()
  log_env$msgs <- character(0)
  fam <- get(spec$family, mode = "function")
  printed <- capture.output(
    fit <- logged_call(gee::gee(spec$formula, id = cluster, data = dat, family = fam,
                                corstr = "exchangeable"), log_env, "")
  )
  cf <- summary(fit)$coefficients
  out <- data.frame(
    term = rownames(cf),
    estimate = cf[, "Estimate"],
    std_error_naive = cf[, "Naive S.E."],
    z_naive = cf[, "Naive z"],
    std_error_robust = cf[, "Robust S.E."],
    z_robust = cf[, "Robust z"],
    row.names = NULL, stringsAsFactors = FALSE
  )
  write.csv(out, file.path(out_dir, sprintf("gee_%s_coef_gee_pkg.csv", name)), row.names = FALSE)

  # gee prints its glm starting values (captured in `printed`, not kept) and two routine
  # messages ("Beginning Cgee S-function ...", "running glm to get initial regression
  # estimate"); only other messages and warnings are recorded.
  msgs <- unique(grep("Beginning Cgee|running glm to get initial", log_env$msgs,
                      value = TRUE, invert = TRUE))
  common <- data.frame(
    model = name, implementation = "gee::gee",
    family = spec$family, corstr = "exchangeable", scale_fixed = FALSE, waves = "none",
    n_obs = nrow(dat), n_clusters = length(unique(dat$cluster)),
    max_cluster_size = max(table(dat$cluster)),
    epsilon = 0.001, maxit = 25L, geese_error = NA_integer_,
    iterations = as.integer(fit$iterations),
    tight_max_abs_diff_estimate = NA_real_, tight_max_rel_diff_std_error = NA_real_,
    tight_max_abs_diff_alpha = NA_real_,
    messages = paste(msgs, collapse = " | "),
    stringsAsFactors = FALSE
  )
  prm <- data.frame(kind = c("correlation", "scale"), parameter = c("alpha", "gamma"),
                    estimate = c(fit$working.correlation[1, 2], fit$scale),
                    std_err = NA_real_, stringsAsFactors = FALSE)
  param_rows[[paste0(name, "_gee_pkg")]] <- cbind(common[rep(1, 2), c("model", "implementation")],
                                                  prm, common[rep(1, 2), -(1:2)], row.names = NULL)
  cat(sprintf("== %s with gee::gee ==\n", name))
  print(summary(fit)$coefficients)
  cat("alpha:", fit$working.correlation[1, 2], " scale:", fit$scale,
      " iterations:", fit$iterations, "\n")
  if (length(msgs)) cat("Logged:", msgs, sep = "\n  ")
  cat("\n")
}

write.csv(do.call(rbind, param_rows), file.path(out_dir, "gee_params.csv"), row.names = FALSE)
