## Shared helpers for the R reference scripts in tests/reference/r/.
## Every case script sources this file; it is not meant to be run alone.
## Outputs are written next to the scripts, whatever the working directory.

suppressPackageStartupMessages({
  library(nlme)
  library(emmeans)
})

## Directory of the running script (Rscript --file=...), else the working dir.
script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  if (length(f) == 1L) dirname(normalizePath(f)) else normalizePath(getwd())
}

HERE <- script_dir()
DATA_DIR <- normalizePath(file.path(HERE, "..", "..", "datasets"))

out_path <- function(name) file.path(HERE, name)

## CSV writer: numbers with 15 significant digits (write.csv default), no row
## names, "NA" for missing, only text columns quoted.
write_ref <- function(df, name) {
  df <- as.data.frame(df, stringsAsFactors = FALSE)
  for (j in seq_along(df)) if (is.factor(df[[j]])) df[[j]] <- as.character(df[[j]])
  q <- which(vapply(df, is.character, logical(1)))
  utils::write.csv(df, out_path(name), row.names = FALSE, na = "NA",
                   quote = if (length(q)) q else FALSE)
  invisible(name)
}

## Tight optimiser settings. With opt = "optim", nlme calls optim(method = "BFGS")
## with reltol = msTol and maxit = msMaxIter (one outer iteration for varIdent).
## natural = FALSE: the approximate covariance of the variance parameters
## (fit$apVar, a finite-difference Hessian) is then on the same unconstrained
## scale as coef(fit$modelStruct), which emmeans needs for its analytic
## Satterthwaite df; with natural = TRUE emmeans falls back to the slower
## "appx-satterthwaite" (refits). The df are invariant to the parametrisation.
gls_ctrl <- glsControl(opt = "optim", optimMethod = "BFGS",
                       msMaxIter = 5000L, maxIter = 500L,
                       tolerance = 1e-10, msTol = 1e-14, natural = FALSE)

## Prepare a long data set: drop rows with a missing response or covariate,
## make factors with the given levels, add the integer visit position
## visit_index (1..T), and sort by subject then visit (gls orders by subject
## internally; emmeans' analytic Satterthwaite rebuilds X from the data in the
## data's own order, so the data must already be in gls' internal order).
prep_data <- function(d, response, subject, visit, visit_levels, factors = list(),
                      covariates = character()) {
  keep <- !is.na(d[[response]])
  for (v in covariates) keep <- keep & !is.na(d[[v]])
  for (v in names(factors)) keep <- keep & !is.na(d[[v]])
  d <- d[keep, , drop = FALSE]
  d[[visit]] <- factor(as.character(d[[visit]]), levels = visit_levels)
  stopifnot(!anyNA(d[[visit]]))
  d$visit_index <- as.integer(d[[visit]])
  for (v in names(factors)) {
    d[[v]] <- factor(as.character(d[[v]]), levels = factors[[v]])
    stopifnot(!anyNA(d[[v]]))
  }
  s <- as.character(d[[subject]])
  ## subject factor levels: ids sorted (numerically when all ids are numbers,
  ## else in C-locale order), then the rows sorted by subject and visit
  ids <- unique(s)
  num <- suppressWarnings(as.numeric(ids))
  ids <- if (!anyNA(num)) ids[order(num)] else sort(ids, method = "radix")
  d[[subject]] <- factor(s, levels = ids)
  d <- d[order(as.integer(d[[subject]]), d$visit_index), , drop = FALSE]
  rownames(d) <- NULL
  stopifnot(!any(duplicated(d[, c(subject, "visit_index")])))
  d
}

## Build and fit the gls model.  `data_name` is the name of a data frame in the
## global environment: the call keeps that symbol so that emmeans can find the
## data again (it evaluates fit$call$data).
## cov: "un"   corSymm + varIdent
##      "cs"   corCompSymm (homogeneous)
##      "ar1"  corAR1 (homogeneous)
##      "csh"  corCompSymm + varIdent (heterogeneous CS)
##      "ar1h" corAR1 + varIdent (heterogeneous AR(1))
## The returned fit is the nlme fit after polish_gls() (see there); the
## untouched nlme fit is attr(fit, "nlme_fit").
## opt: nlme optimiser, "optim" (BFGS) by default; the AR(1) cases need
## "nlminb" (optim's first BFGS step throws phi to 1 and corAR1 fails with
## "Coefficient matrix not invertible").
fit_gls <- function(formula, data_name, subject, visit, cov = "un", method = "REML",
                    opt = if (cov %in% c("ar1", "ar1h")) "nlminb" else "optim") {
  ctrl <- gls_ctrl
  ctrl$opt <- opt
  assign(".gls_ctrl_case", ctrl, envir = globalenv())
  cform <- as.formula(paste("~ visit_index |", subject))
  wform <- as.formula(paste("~ 1 |", visit))
  corr <- switch(cov,
                 un = bquote(corSymm(form = .(cform))),
                 cs = bquote(corCompSymm(form = .(cform))),
                 csh = bquote(corCompSymm(form = .(cform))),
                 ar1 = bquote(corAR1(form = .(cform))),
                 ar1h = bquote(corAR1(form = .(cform))),
                 stop("unknown cov ", cov))
  wts <- if (cov %in% c("un", "csh", "ar1h")) bquote(varIdent(form = .(wform))) else NULL
  cl <- bquote(gls(model = .(formula), data = .(as.name(data_name)),
                   correlation = .(corr), weights = .(wts),
                   method = .(method), na.action = na.omit,
                   control = .gls_ctrl_case))
  if (is.null(wts)) cl$weights <- NULL
  tm <- system.time(fit0 <- eval(cl, envir = globalenv()))
  call_text <- paste(deparse(cl, width.cutoff = 500L), collapse = " ")
  tp <- system.time(fit <- polish_gls(fit0, get(data_name, envir = globalenv())))
  attr(fit, "seconds") <- unname(tm["elapsed"])
  attr(fit, "seconds_polish") <- unname(tp["elapsed"])
  attr(fit, "call_text") <- call_text
  attr(fit, "optimizer") <- if (opt == "optim") "optim BFGS" else "nlminb"
  attr(fit, "nlme_fit") <- fit0
  fit
}

## "conLin" (the linear-model bundle nlme's internals work on) for a fitted
## gls; `data` must be the complete-case data in gls' internal (subject) order,
## which prep_data() guarantees.  Same construction as emmeans:::gls_grad.
gls_conlin <- function(fit, data) {
  conLin <- fit
  class(conLin) <- class(fit$modelStruct)
  X <- model.matrix(eval(fit$call$model), data = data)
  y <- data[[all.vars(fit$call$model)[1]]]
  stopifnot(nrow(X) == fit$dims$N, length(y) == fit$dims$N,
            max(abs(fitted(fit) - X %*% coef(fit))) < 1e-6 * (1 + max(abs(y))))
  ## gls works on the rows ordered by subject; they must already be so ordered
  stopifnot(!is.unsorted(as.integer(fit$groups)))
  conLin$Xy <- cbind(X, y)
  conLin$logLik <- 0
  conLin$sigma <- 0
  conLin$fixedSigma <- FALSE
  conLin
}

## Polish an nlme gls optimum and its parameter covariance.
## nlme's optim(BFGS) runs on finite-difference gradients (step 1e-3), so its
## optimum is good to about 1e-6 only, and fit$apVar comes from nlme's
## fdHess (about 1e-3 relative error, which moves Satterthwaite df by ~0.1%).
## Here: Newton steps on nlme's own log-likelihood in its own parametrisation
## (coef(fit$modelStruct), log sigma) with numDeriv Richardson gradients and
## Hessians, then the fit's coefficients, sigma, varBeta, logLik, fitted,
## residuals and apVar are recomputed at the polished parameters with nlme's
## glsEstimate, exactly as gls() itself computes them.
polish_gls <- function(fit, data, max_newton = 10L) {
  st <- fit$modelStruct
  if (!length(coef(st))) return(fit)
  conLin <- gls_conlin(fit, data)
  dims <- fit$dims
  REML <- dims$REML
  N <- dims$N - REML * dims$p
  f <- function(par) nlme:::glsApVar.fullGlsLogLik(par, st, conLin, dims, N)
  par <- c(coef(st), lSigma = log(fit$sigma))
  par0 <- par
  ## derivatives in absolute steps around the current point (numDeriv steps
  ## are relative to |x|, far too small for parameters near 0 given the
  ## ~1e-11 rounding noise of the log-likelihood)
  grad_at <- function(x) numDeriv::grad(function(dl) f(x + dl), 0 * x,
                                        method.args = list(eps = 1e-3, d = 1e-4, r = 4))
  ## Hessian: Richardson steps 0.1 * max(|x|, 0.1) per parameter (relative
  ## steps as numDeriv's default, with a floor for parameters near 0)
  hess_at <- function(x) {
    sc <- pmax(abs(x), 0.1)
    Hs <- numDeriv::hessian(function(dl) f(x + dl * sc), 0 * x,
                            method.args = list(eps = 0.1, d = 0.1, r = 4))
    Hs / outer(sc, sc)
  }
  ## chord Newton: one Richardson Hessian at nlme's optimum, reused for the
  ## steps (the start is already within ~1e-6), then a fresh Hessian at the end
  H <- hess_at(par)
  hist <- numeric()
  gtol <- 1e-9 * max(1, abs(f(par)))
  for (it in seq_len(max_newton)) {
    g <- grad_at(par)
    hist <- c(hist, max(abs(g)))
    if (max(abs(g)) < gtol) break
    step <- -solve(H, g)
    f0 <- f(par); lam <- 1
    while (f(par + lam * step) < f0 && lam > 1e-3) lam <- lam / 2
    if (f(par + lam * step) < f0) break
    par <- par + lam * step
    if (max(abs(lam * step)) < 1e-10) break
  }
  g <- grad_at(par)
  H <- hess_at(par)
  coef(st) <- par[-length(par)]
  est <- nlme::glsEstimate(st, conLin, control = list(singular.ok = FALSE))
  p <- dims$p
  vb <- est$sigma * est$varBeta * sqrt((dims$N - REML * p) / (dims$N - p))
  vb <- crossprod(vb)
  dimnames(vb) <- dimnames(fit$varBeta)
  out <- fit
  out$modelStruct <- st
  out$coefficients <- est$beta[names(coef(fit))]
  out$varBeta <- vb[names(coef(fit)), names(coef(fit))]
  out$sigma <- est$sigma
  out$logLik <- est$logLik
  X <- conLin$Xy[, -ncol(conLin$Xy), drop = FALSE]
  fv <- c(X[, names(out$coefficients)] %*% out$coefficients)
  out$fitted[] <- fv
  out$residuals[] <- conLin$Xy[, ncol(conLin$Xy)] - fv
  A <- solve(-H)
  dimnames(A) <- list(names(par), names(par))
  attr(A, "Pars") <- par
  attr(A, "natural") <- FALSE
  out$apVar <- A
  attr(out, "polish") <- list(
    newton_iterations = length(hist) - 1L,
    max_abs_grad_nlme = hist[1],
    max_abs_grad_final = max(abs(g)),
    max_abs_par_change = max(abs(par - par0)),
    max_abs_coef_change = max(abs(out$coefficients - coef(fit))),
    logLik_nlme = as.numeric(fit$logLik),
    logLik_polished = est$logLik,
    sigma_check = abs(est$sigma - exp(par[length(par)])) / est$sigma,
    apVar_rel_diff_nlme = if (is.matrix(fit$apVar)) max(abs(A - fit$apVar)) / max(abs(A)) else NA_real_)
  stopifnot(est$logLik >= as.numeric(fit$logLik) - 1e-8)
  out
}

## Estimated visits x visits covariance for a subject observed at every visit.
visit_cov <- function(fit, d, subject, visit) {
  T <- nlevels(d[[visit]])
  cnt <- table(d[[subject]])
  full <- names(cnt)[cnt == T][1]
  if (is.na(full)) stop("no subject with all visits")
  V <- unclass(getVarCov(fit, individual = full))
  V <- matrix(as.numeric(V), T, T)
  labs <- levels(d[[visit]])
  dimnames(V) <- list(labs, labs)
  ## cross-check: reconstruct from the model structure
  sds <- rep(fit$sigma, T)
  if (!is.null(fit$modelStruct$varStruct)) {
    w <- coef(fit$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE)
    sds <- fit$sigma * w[labs]
  }
  R <- corMatrix(fit$modelStruct$corStruct)[[full]]
  V2 <- diag(sds) %*% R %*% diag(sds)
  stopifnot(max(abs(V - V2)) < 1e-8 * max(abs(V)))
  list(V = V, subject = full)
}

## Fai-Cornelius (SAS / lmerTest / mmrm style) multi-df Satterthwaite F test
## for the rows of L (linear functions of the coefficients), using the
## emmeans Satterthwaite machinery for the single-df degrees of freedom.
fc_test <- function(L, rg) {
  bhat <- rg@bhat
  V <- rg@V
  LVL <- L %*% V %*% t(L)
  est <- L %*% bhat
  q <- qr(LVL)$rank
  Fv <- as.numeric(t(est) %*% solve(LVL, est)) / q
  e <- eigen(LVL, symmetric = TRUE)
  nus <- vapply(seq_len(q), function(m) {
    k <- as.numeric(t(L) %*% e$vectors[, m])
    rg@dffun(k, rg@dfargs)
  }, numeric(1))
  E <- sum(ifelse(nus > 2, nus / (nus - 2), 0))
  df2 <- if (E > q) 2 * E / (E - q) else NA_real_
  if (q == 1) df2 <- nus[1]
  c(df1 = q, F = Fv, df2 = df2, p = pf(Fv, q, df2, lower.tail = FALSE))
}

## Direct (textbook) Gaussian log-likelihood of the model at visit covariance V,
## independent of nlme's internals: per subject V_i = V[visits_i, visits_i],
## beta = GLS estimate;  ML:   -1/2 [n log 2pi + sum log|V_i| + r'V^-1 r]
## REML: -1/2 [(n - p) log 2pi + sum log|V_i| + log|X'V^-1 X| + r'V^-1 r]
direct_loglik <- function(fit, d, subject, V) {
  X <- model.matrix(eval(fit$call$model), data = d)
  y <- d[[all.vars(fit$call$model)[1]]]
  ids <- split(seq_len(nrow(d)), d[[subject]], drop = TRUE)
  p <- ncol(X)
  XtVX <- matrix(0, p, p); XtVy <- numeric(p); ld <- 0
  Vi_inv <- vector("list", length(ids))
  for (k in seq_along(ids)) {
    i <- ids[[k]]; v <- d$visit_index[i]
    ch <- chol(V[v, v, drop = FALSE])
    ld <- ld + 2 * sum(log(diag(ch)))
    W <- chol2inv(ch); Vi_inv[[k]] <- W
    Xi <- X[i, , drop = FALSE]
    XtVX <- XtVX + crossprod(Xi, W %*% Xi)
    XtVy <- XtVy + crossprod(Xi, W %*% y[i])
  }
  b <- solve(XtVX, XtVy)
  q <- 0
  for (k in seq_along(ids)) {
    i <- ids[[k]]; r <- y[i] - X[i, , drop = FALSE] %*% b
    q <- q + sum(r * (Vi_inv[[k]] %*% r))
  }
  n <- length(y)
  if (fit$method == "REML")
    -0.5 * ((n - p) * log(2 * pi) + ld + as.numeric(determinant(XtVX)$modulus) + q)
  else -0.5 * (n * log(2 * pi) + ld + q)
}

## Emmeans objects (LS means, contrasts, joint tests) for one fit.
emm_outputs <- function(fit, data, arm, visit) {
  spec <- as.formula(paste("~", arm, "|", visit))
  emm <- emmeans(fit, spec, mode = "satterthwaite", data = data)
  es <- as.data.frame(summary(emm))
  ## every arm difference (later level - earlier level) by visit, unadjusted,
  ## with 95% CI; with the reference level first this is treatment - reference
  con <- contrast(emm, method = "revpairwise", adjust = "none")
  cs <- as.data.frame(summary(con, infer = c(TRUE, TRUE), adjust = "none"))
  jt <- joint_tests(fit, mode = "satterthwaite", data = data)
  rg <- ref_grid(fit, mode = "satterthwaite", data = data)
  list(emm = emm, es = es, cs = cs, jt = jt, rg = rg)
}

## All outputs for one case.
## arm/visit: factor names for emmeans ~ arm | visit.
write_case <- function(case, fit, d, data_name, subject, visit, arm, cov_label,
                       extra_fit = list()) {
  data <- get(data_name, envir = globalenv())
  fit0 <- attr(fit, "nlme_fit")
  ml <- fit$method == "ML"
  N <- fit$dims$N; p <- fit$dims$p
  ## For ML, nlme scales the coefficient covariance by N / (N - p); the
  ## LS means, contrasts and tests below use the usual ML covariance
  ## (X' V^-1 X)^-1 instead (as SAS PROC MIXED and mmrm do).
  fit_emm <- fit
  if (ml) fit_emm$varBeta <- fit$varBeta * (N - p) / N
  ## coefficients
  tt <- summary(fit)$tTable
  cf <- data.frame(term = rownames(tt), estimate = tt[, "Value"],
                   std_error = tt[, "Std.Error"], t_value = tt[, "t-value"])
  if (ml) cf$std_error_unscaled <- sqrt(diag(fit_emm$varBeta))[cf$term]
  cf$estimate_nlme_unpolished <- coef(fit0)[cf$term]
  cf$std_error_nlme_unpolished <- sqrt(diag(vcov(fit0)))[cf$term]
  write_ref(cf, paste0(case, "_coef.csv"))
  ## fit statistics
  ll <- as.numeric(logLik(fit))
  vc <- visit_cov(fit, d, subject, visit)
  pol <- attr(fit, "polish")
  fitdf <- data.frame(case = case, method = fit$method, covariance = cov_label,
                      logLik = ll, minus2loglik = -2 * ll,
                      AIC = AIC(fit), BIC = BIC(fit),
                      n_obs = N,
                      n_subjects = length(unique(d[[subject]])),
                      n_coef = p,
                      n_cov_params = attr(logLik(fit), "df") - p,
                      sigma = fit$sigma,
                      seconds = round(attr(fit, "seconds"), 3),
                      optimizer = attr(fit, "optimizer"),
                      logLik_direct = direct_loglik(fit, d, subject, vc$V),
                      logLik_nlme_unpolished = pol$logLik_nlme,
                      max_abs_grad_nlme_unpolished = pol$max_abs_grad_nlme,
                      max_abs_grad_polished = pol$max_abs_grad_final,
                      max_abs_coef_change_polish = pol$max_abs_coef_change,
                      apVar_rel_diff_nlme = pol$apVar_rel_diff_nlme,
                      seconds_polish = round(attr(fit, "seconds_polish"), 3),
                      stringsAsFactors = FALSE)
  for (nm in names(extra_fit)) fitdf[[nm]] <- extra_fit[[nm]]
  write_ref(fitdf, paste0(case, "_fit.csv"))
  ## covariance of the visits
  write_ref(cbind(data.frame(visit = rownames(vc$V)), as.data.frame(vc$V, check.names = FALSE)),
            paste0(case, "_cov.csv"))
  ## LS means, contrasts, joint tests: polished fit, and stock nlme fit for df
  o <- emm_outputs(fit_emm, data, arm, visit)
  o0 <- suppressMessages(emm_outputs(fit0, data, arm, visit))
  es <- o$es[, c(arm, visit, "emmean", "SE", "df", "lower.CL", "upper.CL")]
  es$df_nlme_unpolished <- o0$es$df
  write_ref(es, paste0(case, "_emmeans.csv"))
  cs <- o$cs[, c("contrast", visit, "estimate", "SE", "df", "t.ratio", "p.value",
                 "lower.CL", "upper.CL")]
  cs$df_nlme_unpolished <- o0$cs$df
  write_ref(cs, paste0(case, "_contrasts.csv"))
  ## Type III: joint_tests as printed by emmeans (df2 = smallest single-df
  ## Satterthwaite df of the orthonormalised rows, df2 rounded to 2 and F to
  ## 3 decimals by emmeans), plus the unrounded F and the Fai-Cornelius
  ## multi-df Satterthwaite df2 (SAS / lmerTest / mmrm) for the same L.
  jdf <- as.data.frame(o$jt)
  ef <- attr(o$jt, "est.fcns")
  terms <- jdf[["model term"]]
  fc <- t(vapply(terms, function(tm) fc_test(ef[[tm]], o$rg), numeric(4)))
  write_ref(data.frame(term = terms, df1 = jdf$df1, df2 = jdf$df2, F.ratio = jdf$F.ratio,
                       p.value = jdf$p.value,
                       F_unrounded = fc[, "F"], df2_fai_cornelius = fc[, "df2"],
                       p_value_fai_cornelius = fc[, "p"]),
            paste0(case, "_type3.csv"))
  cat(sprintf("%s: logLik %.8f (nlme %.8f), %d obs, %d subjects, fit %.2f s, polish %.2f s, Newton its %d, grad %.1e -> %.1e (cov from subject %s)\n",
              case, ll, pol$logLik_nlme, N, length(unique(d[[subject]])),
              attr(fit, "seconds"), attr(fit, "seconds_polish"), pol$newton_iterations,
              pol$max_abs_grad_nlme, pol$max_abs_grad_final, vc$subject))
  invisible(o)
}

## mmrm's fev_data (tests/datasets/fev_data.csv) prepared as every fev case uses it: response
## FEV1, subjects USUBJID, visits VIS1..VIS4, factors ARMCD (PBO first), RACE and SEX.
fev_data <- function() {
  prep_data(read.csv(file.path(DATA_DIR, "fev_data.csv")), response = "FEV1",
            subject = "USUBJID", visit = "AVISIT",
            visit_levels = c("VIS1", "VIS2", "VIS3", "VIS4"),
            factors = list(ARMCD = c("PBO", "TRT"),
                           RACE = c("Asian", "Black or African American", "White"),
                           SEX = c("Female", "Male")))
}
