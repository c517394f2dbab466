## R mmrm (>= 0.3.18) references for residuals / fitted / predict and for the
## g-computation marginal means of mmrm_control(emmeans_gcomp_vars = ...).
## See mmrm_predict.md for what each file holds and the formulas.
## Run from the repository's top folder:  Rscript tests/reference/r/mmrm_predict.R
## Needs the R package mmrm (>= 0.3.18, built against TMB) besides common.R's
## nlme / emmeans / numDeriv.
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())

suppressWarnings(suppressPackageStartupMessages(library(mmrm)))
stopifnot(packageVersion("mmrm") >= "0.3.18")
## TMB < 1.9.15 has no deterministic hash for its tape optimiser (hence mmrm's
## load-time warning), and the optimised tape can then differ between R
## sessions, which moved the 15th digit of an output now and then.  Switching
## the tape optimiser off (the remedy mmrm 0.3.13's NEWS names) makes every run
## bit-identical; it changes nothing else.
if (packageVersion("TMB") < "1.9.15")
  invisible(TMB::config(optimize.instantly = 0L, DLL = "mmrm"))
cat(sprintf("R %s, mmrm %s, TMB %s, emmeans %s, nlme %s; TMB optimize.instantly = %d\n",
            getRversion(), packageVersion("mmrm"), packageVersion("TMB"),
            packageVersion("emmeans"), packageVersion("nlme"),
            TMB::config(DLL = "mmrm")$optimize.instantly))

## ---------------------------------------------------------------- data
## fev: complete cases (537 rows, 197 subjects), as every fev case uses it.
## fev_all: all 800 rows of fev_data.csv (FEV1 may be NA), same factor levels,
## subjects in the same C-locale order (PT1, PT10, PT100, ...), sorted by
## subject then visit.  mmrm drops the NA-response rows itself when fitting;
## g-computation averages over every subject of the data given to mmrm
## (h_get_subject_data uses the data before NA removal), hence fev_all.
fev <- fev_data()
raw <- read.csv(file.path(DATA_DIR, "fev_data.csv"))
ids_all <- sort(unique(as.character(raw$USUBJID)), method = "radix")
fev_all <- raw
fev_all$USUBJID <- factor(as.character(raw$USUBJID), levels = ids_all)
for (v in c("AVISIT", "ARMCD", "RACE", "SEX"))
  fev_all[[v]] <- factor(as.character(raw[[v]]), levels = levels(fev[[v]]))
stopifnot(!anyNA(fev_all[, c("USUBJID", "AVISIT", "ARMCD", "RACE", "SEX", "FEV1_BL")]))
fev_all <- fev_all[order(as.integer(fev_all$USUBJID), as.integer(fev_all$AVISIT)), ]
rownames(fev_all) <- NULL
stopifnot(identical(as.character(fev_all$USUBJID[!is.na(fev_all$FEV1)]),
                    as.character(fev$USUBJID)),
          identical(as.character(fev_all$AVISIT[!is.na(fev_all$FEV1)]),
                    as.character(fev$AVISIT)))
visits <- levels(fev$AVISIT)

## ---------------------------------------------------------------- fitting
## mmrm with nlminb (uses TMB's exact Hessian), then Newton steps on TMB's
## exact gradient / Hessian of the REML criterion, then mmrm refitted from the
## polished theta so that the returned object is an ordinary mmrm fit at the
## optimum (|gradient| < 1e-8).  mmrm's default L-BFGS-B stops with
## |gradient| ~ 1e-2 here (coefficients off by ~2e-4).
tight_ctrl <- function(start = NULL, ...) {
  args <- list(optimizer = "nlminb",
               optimizer_control = list(rel.tol = 1e-14, eval.max = 1000, iter.max = 1000), ...)
  if (!is.null(start)) args$start <- start
  do.call(mmrm_control, args)
}
fit_mmrm_tight <- function(formula, data, label, ...) {
  f1 <- mmrm(formula, data = data, control = tight_ctrl(...))
  ob <- f1$tmb_object
  th <- f1$theta_est
  for (it in 1:20) {
    g <- as.numeric(ob$gr(th))
    if (max(abs(g)) < 1e-10) break
    th <- th - solve(ob$he(th), g)
  }
  f2 <- mmrm(formula, data = data, control = tight_ctrl(start = th, ...))
  g2 <- max(abs(f2$tmb_object$gr(f2$theta_est)))
  stopifnot(f2$opt_details$convergence == 0, g2 < 1e-8,
            f2$neg_log_lik <= f1$neg_log_lik + 1e-9)
  f0 <- mmrm(formula, data = data)  # stock settings, for the record only
  cat(sprintf("  %s: %d obs, -2 REML logLik %.10f, |grad| %.1e (nlminb %.1e, stock %s %.1e; stock max |beta diff| %.1e)\n",
              label, component(f2, "n_obs"), 2 * f2$neg_log_lik, g2,
              max(abs(f1$tmb_object$gr(f1$theta_est))), f0$optimizer,
              max(abs(f0$tmb_object$gr(f0$theta_est))),
              max(abs(f0$beta_est - f2$beta_est))))
  f2
}

form_A <- FEV1 ~ ARMCD * AVISIT + RACE + SEX + us(AVISIT | USUBJID)
form_B <- FEV1 ~ ARMCD * AVISIT + RACE + SEX + FEV1_BL * ARMCD + us(AVISIT | USUBJID)
cat("fitting\n")
fitA <- fit_mmrm_tight(form_A, fev_all, "model A")

## Cross-check model A against the polished nlme::gls UN fit of common.R.
glsA <- fit_gls(FEV1 ~ ARMCD * AVISIT + RACE + SEX, data_name = "fev",
                subject = "USUBJID", visit = "AVISIT", cov = "un", method = "REML")
SigmaA <- unname(fitA$cov)
dimnames(SigmaA) <- list(visits, visits)
VA_gls <- visit_cov(glsA, fev, "USUBJID", "AVISIT")$V
cat(sprintf("  gls cross-check: logLik diff %.2e, max |beta diff| %.2e, max rel |Sigma diff| %.2e\n",
            as.numeric(logLik(glsA)) + fitA$neg_log_lik,
            max(abs(coef(glsA) - fitA$beta_est[names(coef(glsA))])),
            max(abs(VA_gls - SigmaA)) / max(abs(SigmaA))))
stopifnot(abs(as.numeric(logLik(glsA)) + fitA$neg_log_lik) < 1e-6)

## ---------------------------------------------------------------- helpers
## Visit covariance of an mmrm fit (ungrouped), visits x visits.
mmrm_sigma <- function(fit) {
  S <- unname(fit$cov)
  dimnames(S) <- list(visits, visits)
  S
}
close <- function(a, b, tol, what) {
  a <- unname(c(a)); b <- unname(c(b))
  d <- max(abs(a - b), na.rm = TRUE) / max(1, max(abs(b), na.rm = TRUE))
  stopifnot(identical(is.na(a), is.na(b)))
  if (!(d < tol)) stop(sprintf("%s: relative difference %.3e >= %.1e", what, d, tol))
  cat(sprintf("  check %-58s max rel diff %.2e\n", what, d))
  invisible(d)
}

## ---------------------------------------------------------------- 1. residuals
cat("residuals\n")
ff <- fitA$tmb_data$full_frame
rows <- as.integer(row.names(ff))              # rows of fev_all, in mmrm's order
stopifnot(identical(rows, which(!is.na(fev_all$FEV1))))
res <- data.frame(USUBJID = as.character(fev_all$USUBJID[rows]),
                  AVISIT = as.character(fev_all$AVISIT[rows]),
                  FEV1 = fev_all$FEV1[rows],
                  fitted = unname(fitted(fitA)),
                  resid_response = unname(residuals(fitA, type = "response")),
                  resid_pearson = unname(residuals(fitA, type = "pearson")),
                  resid_normalized = unname(residuals(fitA, type = "normalized")),
                  stringsAsFactors = FALSE)
## dense recomputation from beta and Sigma
XA <- component(fitA, "x_matrix"); bA <- component(fitA, "beta_est")
yA <- component(fitA, "y_vector")
fit_d <- c(XA %*% bA); r_d <- yA - fit_d
vi <- as.integer(ff$AVISIT)
pear_d <- r_d / sqrt(diag(SigmaA)[vi])
norm_d <- numeric(length(r_d))
for (idx in split(seq_along(r_d), ff$USUBJID, drop = TRUE)) {
  L <- t(chol(SigmaA[vi[idx], vi[idx], drop = FALSE]))
  norm_d[idx] <- forwardsolve(L, r_d[idx])
}
close(res$fitted, fit_d, 1e-12, "fitted = X beta")
close(res$resid_response, r_d, 1e-12, "response residuals")
close(res$resid_pearson, pear_d, 1e-12, "pearson residuals")
close(res$resid_normalized, norm_d, 1e-10, "normalized residuals")
write_ref(res, "mmrm_residuals.csv")

## ---------------------------------------------------------------- 2. predict
cat("predict\n")
first10 <- ids_all[1:10]
n_obs_subj <- tapply(!is.na(fev_all$FEV1), fev_all$USUBJID, sum)
no_obs <- names(n_obs_subj)[n_obs_subj == 0]        # subjects without any FEV1
nd <- fev_all[fev_all$USUBJID %in% c(first10, no_obs), ]
nd$subject_set <- ifelse(nd$USUBJID %in% first10, "first10", "no_observed_fev1")
nd <- nd[order(nd$subject_set, as.integer(nd$USUBJID), as.integer(nd$AVISIT)), ]
rownames(nd) <- NULL
LEVEL <- 0.95
z <- qnorm(1 - (1 - LEVEL) / 2)
SEED <- 20240611L
NSIM <- c(1000L, 20000L)

pred_mmrm <- function(conditional, interval, nsim = 1000L) {
  RNGkind("Mersenne-Twister", "Inversion", "Rejection")
  set.seed(SEED)
  p <- predict(fitA, newdata = nd, se.fit = TRUE, interval = interval,
               level = LEVEL, conditional = conditional, nsim = nsim)
  stopifnot(identical(rownames(p), rownames(nd)))
  p[, c("fit", "se", "lwr", "upr")]
}

## Dense conditional / unconditional prediction at (beta, Sigma, V_beta).
## Returns fit, conf_var (variance of the mean), var (conf_var + residual
## variance, conditional on the observed visits when conditional = TRUE);
## observed rows: fit = y, variances 0 (conditional = TRUE).
pred_dense <- function(data, beta, Sigma, Vb, conditional) {
  X <- model.matrix(~ ARMCD * AVISIT + RACE + SEX, data = data)[, names(beta)]
  y <- data$FEV1
  v <- as.integer(data$AVISIT)
  fit <- c(X %*% beta)
  conf <- rowSums((X %*% Vb) * X)
  var <- conf + diag(Sigma)[v]
  if (conditional) {
    for (idx in split(seq_len(nrow(data)), droplevels(data$USUBJID))) {
      o <- idx[!is.na(y[idx])]; u <- idx[is.na(y[idx])]
      if (length(o)) { fit[o] <- y[o]; conf[o] <- 0; var[o] <- 0 }
      if (!length(u) || !length(o)) next
      Soo <- Sigma[v[o], v[o], drop = FALSE]
      Suo <- Sigma[v[u], v[o], drop = FALSE]
      Suu <- Sigma[v[u], v[u], drop = FALSE]
      A <- Suo %*% solve(Soo)                    # Sigma_uo Sigma_oo^-1
      Z <- X[u, , drop = FALSE] - A %*% X[o, , drop = FALSE]
      fit[u] <- c(Z %*% beta + A %*% y[o])
      conf[u] <- rowSums((Z %*% Vb) * Z)
      var[u] <- conf[u] + diag(Suu - A %*% t(Suo))
    }
  }
  cbind(fit = fit, conf_var = conf, var = var)
}

VbA <- component(fitA, "beta_vcov")
dense_c <- pred_dense(nd, bA, SigmaA, VbA, conditional = TRUE)
dense_u <- pred_dense(nd, bA, SigmaA, VbA, conditional = FALSE)

## Dense replay of mmrm's Monte Carlo prediction variance (same seed and draws):
## theta_s = theta_hat + z' chol(theta_vcov), z ~ N(0, I); beta_s, V_beta_s and
## Sigma_s at theta_s (TMB report); var = mean_s(var_s) + var_s(fit_s).
mc_dense <- function(nsim, conditional = TRUE) {
  RNGkind("Mersenne-Twister", "Inversion", "Rejection")
  set.seed(SEED)
  U <- chol(fitA$theta_vcov)
  fits <- vars <- matrix(NA_real_, nrow(nd), nsim)
  for (s in seq_len(nsim)) {
    th <- fitA$theta_est + c(stats::rnorm(length(fitA$theta_est)) %*% U)
    rep <- fitA$tmb_object$report(th)
    Lc <- rep$covariance_lower_chol
    S <- tcrossprod(Lc); dimnames(S) <- list(visits, visits)
    b <- setNames(c(rep$beta), names(bA))
    pd <- pred_dense(nd, b, S, rep$beta_vcov, conditional)
    fits[, s] <- pd[, "fit"]; vars[, s] <- pd[, "var"]
  }
  rowMeans(vars) + apply(fits, 1, stats::var)
}

base_cols <- data.frame(USUBJID = as.character(nd$USUBJID), AVISIT = as.character(nd$AVISIT),
                        FEV1 = nd$FEV1, observed = !is.na(nd$FEV1),
                        subject_set = nd$subject_set, stringsAsFactors = FALSE)
block <- function(conditional, interval, source, nsim, fit, se, lwr = fit - z * se,
                  upr = fit + z * se, remark = "") {
  cbind(base_cols, conditional = conditional, interval = interval, source = source,
        nsim = nsim, fit = fit, se_fit = se, lwr = lwr, upr = upr, remark = remark,
        stringsAsFactors = FALSE)
}
out <- list()
## conditional = TRUE, confidence
m <- pred_mmrm(TRUE, "confidence")
close(m[, "fit"], dense_c[, "fit"], 1e-10, "conditional fit (mmrm vs dense)")
close(m[, "se"], sqrt(dense_c[, "conf_var"]), 1e-8, "conditional confidence se")
out[[length(out) + 1]] <- block(TRUE, "confidence", "mmrm", NA, m[, "fit"], m[, "se"],
                                m[, "lwr"], m[, "upr"])
out[[length(out) + 1]] <- block(TRUE, "confidence", "dense", NA, dense_c[, "fit"],
                                sqrt(dense_c[, "conf_var"]))
## conditional = TRUE, prediction: mmrm Monte Carlo (seeded), dense plug-in
for (ns in NSIM) {
  m <- pred_mmrm(TRUE, "prediction", nsim = ns)
  close(m[, "fit"], dense_c[, "fit"], 1e-10, sprintf("conditional prediction fit, nsim %d", ns))
  if (ns == NSIM[1])
    close(m[, "se"], sqrt(mc_dense(ns)), 1e-8, sprintf("MC prediction se replayed, nsim %d", ns))
  out[[length(out) + 1]] <- block(TRUE, "prediction", "mmrm", ns, m[, "fit"], m[, "se"],
                                  m[, "lwr"], m[, "upr"],
                                  remark = "Monte Carlo over theta draws (seeded); se = sqrt(mean(var) + var(fit))")
}
out[[length(out) + 1]] <- block(TRUE, "prediction", "dense", NA, dense_c[, "fit"],
                                sqrt(dense_c[, "var"]),
                                remark = "plug-in at theta_hat: conf_var + conditional residual variance")
## conditional = FALSE, confidence
m <- pred_mmrm(FALSE, "confidence")
close(m[, "fit"], dense_u[, "fit"], 1e-10, "unconditional fit = X beta")
close(m[, "se"], dense_u[, "conf_var"], 1e-8, "unconditional 'se' column is x'V x (variance)")
close(m[, "lwr"], dense_u[, "fit"] - qnorm(1 - LEVEL / 2) * dense_u[, "conf_var"], 1e-10,
      "unconditional lwr uses qnorm(1 - level/2) * variance")
out[[length(out) + 1]] <- block(FALSE, "confidence", "mmrm", NA, m[, "fit"], m[, "se"],
                                m[, "lwr"], m[, "upr"],
                                remark = "mmrm 0.3.18 bug: se_fit is x'Vx (no sqrt), lwr/upr = fit -/+ qnorm(1 - level/2) * se_fit")
out[[length(out) + 1]] <- block(FALSE, "confidence", "dense", NA, dense_u[, "fit"],
                                sqrt(dense_u[, "conf_var"]))
## conditional = FALSE, prediction
m <- pred_mmrm(FALSE, "prediction")
mc <- pred_mmrm(TRUE, "prediction")
stopifnot(identical(m, mc))
out[[length(out) + 1]] <- block(FALSE, "prediction", "mmrm", NSIM[1], m[, "fit"], m[, "se"],
                                m[, "lwr"], m[, "upr"],
                                remark = "mmrm 0.3.18 ignores conditional = FALSE for interval = 'prediction': identical to conditional = TRUE")
out[[length(out) + 1]] <- block(FALSE, "prediction", "dense", NA, dense_u[, "fit"],
                                sqrt(dense_u[, "var"]),
                                remark = "plug-in: x'Vx + Sigma_jj")
pred <- do.call(rbind, out)
rownames(pred) <- NULL
write_ref(pred, "mmrm_predict.csv")

## ---------------------------------------------------------------- 3. g-computation
cat("g-computation\n")
gvars <- c("ARMCD", "AVISIT")
fitB <- fit_mmrm_tight(form_B, fev_all, "model B")
fitB_g <- fit_mmrm_tight(form_B, fev_all, "model B, gcomp, data with NA rows", emmeans_gcomp_vars = gvars)
fitB_gcc <- fit_mmrm_tight(form_B, fev, "model B, gcomp, complete-case data", emmeans_gcomp_vars = gvars)
stopifnot(max(abs(fitB$beta_est - fitB_g$beta_est)) < 1e-10,
          max(abs(fitB$beta_est - fitB_gcc$beta_est)) < 1e-8)

emm_tables <- function(fit, method) {
  emm <- suppressMessages(emmeans(fit, ~ ARMCD | AVISIT))
  es <- as.data.frame(summary(emm))
  con <- suppressMessages(contrast(emm, method = "revpairwise", adjust = "none"))
  cs <- as.data.frame(summary(con, infer = c(TRUE, TRUE), adjust = "none"))
  e <- data.frame(method = method, type = "emmean", AVISIT = as.character(es$AVISIT),
                  ARMCD = as.character(es$ARMCD), contrast = NA_character_,
                  estimate = es$emmean, SE = es$SE, df = es$df,
                  lower_CL = es$lower.CL, upper_CL = es$upper.CL, stringsAsFactors = FALSE)
  k <- data.frame(method = method, type = "contrast", AVISIT = as.character(cs$AVISIT),
                  ARMCD = NA_character_, contrast = as.character(cs$contrast),
                  estimate = cs$estimate, SE = cs$SE, df = cs$df,
                  lower_CL = cs$lower.CL, upper_CL = cs$upper.CL, stringsAsFactors = FALSE)
  list(tab = rbind(e, k), emm = emm, con = con)
}
plain <- emm_tables(fitB, "plain")
gc <- emm_tables(fitB_g, "gcomp")
gcc <- emm_tables(fitB_gcc, "gcomp_complete_cases")
## plain with the gcomp fit object's model-based pieces must equal plain
stopifnot(identical(plain$tab$AVISIT, gc$tab$AVISIT), identical(plain$tab$ARMCD, gc$tab$ARMCD))

## Dense g-computation: subjects = first row of each subject in the data given
## to mmrm; for visit t and arm j, x_tji = model row of subject i with
## AVISIT = t and ARMCD = j (own RACE, SEX, FEV1_BL); estimate = mean_i x_tji b;
## Var = l' V l + var_i(x_tji b) / n (sample variance, n - 1 denominator,
## divided by n); contrasts: c' Omega c with Omega = L V L' + S, S block
## diagonal over visits; df = Satterthwaite df of l under V times
## (l' V_c l / l' V l)^2.
gcomp_dense <- function(fit, data) {
  sd <- data[!duplicated(data$USUBJID), ]
  n <- nrow(sd)
  b <- component(fit, "beta_est"); V <- component(fit, "beta_vcov")
  rhs <- ~ ARMCD * AVISIT + RACE + SEX + FEV1_BL * ARMCD
  arms <- levels(data$ARMCD)
  rows <- list()
  for (t in visits) {
    Xs <- lapply(arms, function(j) {
      cf <- sd
      cf$AVISIT <- factor(t, levels = visits)
      cf$ARMCD <- factor(j, levels = arms)
      model.matrix(rhs, data = cf)[, names(b), drop = FALSE]
    })
    vhat <- sapply(Xs, function(X) c(X %*% b))
    L <- t(sapply(Xs, colMeans))
    Sv <- stats::cov(vhat) / n
    Om <- L %*% V %*% t(L) + Sv
    Om_model <- L %*% V %*% t(L)
    df_of <- function(l, var_c) mmrm::df_1d(fit, l)$df * (var_c / sum(l * (V %*% l)))^2
    for (a in seq_along(arms))
      rows[[length(rows) + 1]] <- data.frame(type = "emmean", AVISIT = t, ARMCD = arms[a],
                                             contrast = NA_character_,
                                             estimate = sum(L[a, ] * b), SE = sqrt(Om[a, a]),
                                             SE_model = sqrt(Om_model[a, a]),
                                             df = df_of(L[a, ], Om[a, a]),
                                             stringsAsFactors = FALSE)
    cv <- c(-1, 1)
    l <- c(cv %*% L)
    rows[[length(rows) + 1]] <- data.frame(type = "contrast", AVISIT = t, ARMCD = NA_character_,
                                           contrast = "TRT - PBO", estimate = sum(l * b),
                                           SE = sqrt(c(cv %*% Om %*% cv)),
                                           SE_model = sqrt(c(cv %*% Om_model %*% cv)),
                                           df = df_of(l, c(cv %*% Om %*% cv)),
                                           stringsAsFactors = FALSE)
  }
  list(tab = do.call(rbind, rows), n = n)
}
key <- function(t) paste(t$type, t$AVISIT, t$ARMCD, t$contrast)
for (case in list(list(gc, fitB_g, fev_all, "gcomp (all 200 subjects)"),
                  list(gcc, fitB_gcc, fev, "gcomp_complete_cases (197 subjects)"))) {
  dn <- gcomp_dense(case[[2]], case[[3]])
  tab <- case[[1]]$tab
  dd <- dn$tab[match(key(tab), key(dn$tab)), ]
  close(tab$estimate, dd$estimate, 1e-12, paste(case[[4]], "estimate"))
  close(tab$SE, dd$SE, 1e-10, paste(case[[4]], "SE"))
  close(tab$df, dd$df, 1e-8, paste(case[[4]], "df"))
  cat(sprintf("  %s: n = %d subjects\n", case[[4]], dn$n))
}
## plain emmeans: equal weights over RACE x SEX cells, FEV1_BL at its mean over
## the 537 analysed rows, model-based V and mmrm's Satterthwaite df
lf <- plain$emm@linfct
stopifnot(abs(mean(fev$FEV1_BL) - lf[1, "FEV1_BL"]) < 1e-12)
close(plain$tab$SE[plain$tab$type == "emmean"],
      sqrt(rowSums((lf %*% component(fitB, "beta_vcov")) * lf)), 1e-10, "plain emmeans SE = sqrt(l'Vl)")
cat(sprintf("  plain emmeans: FEV1_BL at %.15g (mean over the 537 analysed rows)\n", mean(fev$FEV1_BL)))

gtab <- rbind(plain$tab, gc$tab, gcc$tab)
gtab$n_subjects_gcomp <- ifelse(gtab$method == "plain", NA_integer_,
                                ifelse(gtab$method == "gcomp", length(ids_all),
                                       nlevels(fev$USUBJID)))
gtab$source <- "mmrm"
write_ref(gtab, "mmrm_gcomp.csv")

## ---------------------------------------------------------------- summary
cat("model A coefficients:\n"); print(bA, digits = 15)
cat("model A Sigma:\n"); print(SigmaA, digits = 15)
cat("model B coefficients:\n"); print(component(fitB, "beta_est"), digits = 15)
cat("model B Sigma:\n"); print(mmrm_sigma(fitB), digits = 15)
cat("written: mmrm_residuals.csv, mmrm_predict.csv, mmrm_gcomp.csv\n")
