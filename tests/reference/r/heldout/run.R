## Held-out R mmrm references for outcomes' MMRM. Run from this folder: Rscript run.R
## Needs heldout_A.csv, heldout_D.csv from simulate.R. Writes out/<case>_*.csv and sessionInfo.txt.
suppressPackageStartupMessages({ library(mmrm); library(emmeans) })
OUT <- "out"; dir.create(OUT, showWarnings = FALSE)
emm_options(lmer.df = "satterthwaite")  # irrelevant for mmrm; emmeans uses mmrm's df_md
wr <- function(df, name) write.csv(df, file.path(OUT, name), row.names = FALSE)

A <- read.csv("heldout_A.csv")
A$ARM <- factor(A$ARM, c("PLACEBO", "LOW", "HIGH"))
A$VISIT <- factor(A$VISIT, paste0("V", 1:8))
A$USUBJID <- factor(A$USUBJID)
A <- A[!is.na(A$CHG), ]
D <- read.csv("heldout_D.csv")
D$ARM <- factor(D$ARM, c("PLACEBO", "ACTIVE"))
D$REGION <- factor(D$REGION, c("EU", "AMER", "ASIA"))
D$VISIT <- factor(D$VISIT, c("W1", "W2", "W4", "W6", "W8", "W12"))
D$USUBJID <- factor(D$USUBJID)
D <- D[!is.na(D$CHG), ]

## Polishing optimiser: L-BFGS-B then BFGS (mmrm's defaults, tight), then Newton steps on TMB's
## exact gradient with a finite-difference Jacobian of it, until max|grad| < 1e-9.
polish_opt <- function(par, fn, gr, ...) {
  o <- tryCatch(stats::optim(par, fn, gr, method = "L-BFGS-B",
                              control = list(maxit = 5000, factr = 1e3)),
                error = function(e) { r <- stats::nlminb(par, fn, gr); list(par = r$par) })
  o <- stats::optim(o$par, fn, gr, method = "BFGS", control = list(maxit = 5000, reltol = 1e-14))
  p <- o$par
  for (it in 1:50) {
    g <- gr(p)
    if (max(abs(g)) < 1e-9) break
    H <- stats::optimHess(p, fn, gr)
    step <- solve(H, as.vector(g))
    a <- 1
    while (a > 1e-4 && !(is.finite(fn(p - a * step)) && fn(p - a * step) <= fn(p) + 1e-12)) a <- a / 2
    p <- p - a * step
  }
  list(par = p, objective = fn(p), convergence = 0L,
       message = sprintf("polished: max|grad| %.2e after %d Newton steps", max(abs(gr(p))), it - 1))
}

## Type III L matrices in SAS's basis (each level minus the first, Kronecker over the term's
## factors; covariate slopes as unit rows), built from emmeans' linfct so LS-mean weights are
## emmeans' (equal over other factors, covariates at their observation means).
type3_L <- function(fit, dat) {
  labs <- attr(terms(fit$formula_parts$model_formula), "term.labels")
  out <- list()
  for (lab in labs) {
    vars <- strsplit(lab, ":")[[1]]
    if (all(vapply(vars, function(v) is.factor(dat[[v]]), TRUE))) {
      emm <- emmeans(fit, specs = vars)
      X <- emm@linfct
      C <- 1
      for (v in vars) {               # first factor varies fastest in emmeans' grid
        k <- nlevels(dat[[v]])
        C <- kronecker(cbind(-1, diag(k - 1)), C)
      }
      L <- C %*% X
    } else {
      stopifnot(length(vars) == 1)
      L <- matrix(0, 1, length(coef(fit))); L[1, which(names(coef(fit)) == lab)] <- 1
    }
    colnames(L) <- names(coef(fit))
    out[[lab]] <- L
  }
  out
}

run_case <- function(case, formula, dat, reml = TRUE, method = "Satterthwaite",
                     vcov = NULL, weights = NULL, specs = c("ARM", "VISIT")) {
  args <- list(formula = as.formula(formula), data = dat, reml = reml, method = method,
               optimizer_fun = polish_opt)
  if (!is.null(vcov)) args$vcov <- vcov
  if (!is.null(weights)) args$weights <- dat[[weights]]
  t0 <- proc.time()[["elapsed"]]
  fit <- do.call(mmrm, args)
  secs <- proc.time()[["elapsed"]] - t0
  grad <- max(abs(fit$tmb_object$gr(fit$theta_est)))
  s <- summary(fit)$coefficients
  wr(data.frame(term = rownames(s), estimate = s[, "Estimate"], std_error = s[, "Std. Error"],
                df = s[, "df"], t = s[, "t value"], p = s[, "Pr(>|t|)"]),
     paste0(case, "_coef.csv"))
  wr(data.frame(loglik = as.numeric(logLik(fit)), aic = AIC(fit), bic = BIC(fit),
                n_obs = component(fit, "n_obs"), n_subjects = component(fit, "n_subjects"),
                n_theta = length(fit$theta_est), max_abs_grad = grad,
                converged = component(fit, "convergence") == 0, seconds = secs,
                message = paste(fit$opt_details$message, collapse = " ")),
     paste0(case, "_fit.csv"))
  vc <- VarCorr(fit)
  if (!is.list(vc)) vc <- list(all = vc)
  cv <- do.call(rbind, lapply(names(vc), function(g) {
    m <- vc[[g]]
    data.frame(group = g, row = rep(rownames(m), ncol(m)), col = rep(colnames(m), each = nrow(m)),
               value = as.vector(m))
  }))
  wr(cv, paste0(case, "_cov.csv"))
  emm <- emmeans(fit, specs = specs)
  e <- as.data.frame(summary(emm))
  wr(e[, c(specs, "emmean", "SE", "df")], paste0(case, "_emmeans.csv"))
  con <- contrast(emmeans(fit, as.formula(paste("~", specs[1], "|", specs[2]))),
                  method = "revpairwise", adjust = "none")
  cdf <- as.data.frame(summary(con))
  wr(cdf[, c("contrast", specs[2], "estimate", "SE", "df")], paste0(case, "_contrasts.csv"))
  Ls <- type3_L(fit, dat)
  t3 <- do.call(rbind, lapply(names(Ls), function(n) {
    r <- df_md(fit, Ls[[n]])
    data.frame(term = n, num_df = r$num_df, den_df = r$denom_df, f_value = r$f_stat,
               p_value = r$p_val)
  }))
  wr(t3, paste0(case, "_type3.csv"))
  Lall <- do.call(rbind, lapply(names(Ls), function(n) data.frame(term = n, Ls[[n]], check.names = FALSE)))
  wr(Lall, paste0(case, "_L.csv"))
  ## joint_tests (emmeans' own basis; df2 rounded by emmeans) for the record
  t1 <- proc.time()[["elapsed"]]
  if (!grepl("Kenward", method)) {   # joint_tests is slow; for the record only
    jt <- as.data.frame(joint_tests(fit))
    wr(jt, paste0(case, "_joint_tests.csv"))
  }
  cat(case, "post-fit seconds", proc.time()[["elapsed"]] - t0 - secs, " joint_tests", proc.time()[["elapsed"]] - t1, "\n")
  cat(sprintf("%-22s logLik %.6f  grad %.2e  %.1fs\n", case, as.numeric(logLik(fit)), grad, secs))
  invisible(fit)
}

FA <- "CHG ~ BASE + ARM * VISIT + %s(VISIT | %sUSUBJID)"
fa <- function(s, g = "") sprintf(FA, s, g)
FD <- "CHG ~ BASE + REGION + ARM * VISIT + %s(VISIT | USUBJID)"
cases <- list(
  a_us_sat   = list(fa("us"), A),
  a_us_kr    = list(fa("us"), A, method = "Kenward-Roger", vcov = "Kenward-Roger"),
  a_us_krlin = list(fa("us"), A, method = "Kenward-Roger", vcov = "Kenward-Roger-Linear"),
  a_us_cr0   = list(fa("us"), A, vcov = "Empirical"),
  a_us_cr2   = list(fa("us"), A, vcov = "Empirical-Bias-Reduced"),
  a_us_cr3   = list(fa("us"), A, vcov = "Empirical-Jackknife"),
  b_us_grp   = list(fa("us", "ARM / "), A),
  b_toeph    = list(fa("toeph"), A),
  b_adh      = list(fa("adh"), A),
  b_toeph_grp = list(fa("toeph", "ARM / "), A),
  b_adh_grp  = list(fa("adh", "ARM / "), A),
  b_toeph_kr = list(fa("toeph"), A, method = "Kenward-Roger", vcov = "Kenward-Roger"),
  b_toeph_krlin = list(fa("toeph"), A, method = "Kenward-Roger", vcov = "Kenward-Roger-Linear"),
  c_us_wt    = list(fa("us"), A, weights = "WT"),
  c_us_ml    = list(fa("us"), A, reml = FALSE),
  c_us_wt_ml = list(fa("us"), A, reml = FALSE, weights = "WT"),
  d_csh_bw   = list(sprintf(FD, "csh"), D, method = "Between-Within", vcov = "Asymptotic"),
  d_csh_sat  = list(sprintf(FD, "csh"), D),
  d_us_sat   = list(sprintf(FD, "us"), D),
  d_csh_kr   = list(sprintf(FD, "csh"), D, method = "Kenward-Roger", vcov = "Kenward-Roger"),
  d_csh_krlin = list(sprintf(FD, "csh"), D, method = "Kenward-Roger", vcov = "Kenward-Roger-Linear")
)
only <- commandArgs(trailingOnly = TRUE)
for (nm in names(cases)) {
  if (length(only) && !(nm %in% only)) next
  cs <- cases[[nm]]
  a <- list(case = nm, formula = cs[[1]], dat = cs[[2]])
  extra <- cs[-(1:2)]
  res <- tryCatch(do.call(run_case, c(a, extra)),
                  error = function(e) { cat(nm, "R ERROR:", conditionMessage(e), "\n"); NULL })
}
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")
