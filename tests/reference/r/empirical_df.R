## Empirical (sandwich) covariances CR0, CR2 and CR3 of MMRM fixed effects, with the
## Satterthwaite df of each sandwich (Bell & McCaffrey 2002), from clubSandwich on polished
## nlme::gls fits: the independent reference for outcomes' vcov="empirical*".
## Run from the repository's top folder:  Rscript tests/reference/r/empirical_df.R
## Writes empirical_df_<case>.csv: one row per case x type x quantity (a coefficient or a
## contrast), columns case, type, quantity, estimate, std_error, df.
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())
suppressPackageStartupMessages(library(clubSandwich))

## clubSandwich on a gls fit: the working model is the fitted covariance, so the CR2
## adjustment and the df's target are the model's own (as R mmrm's Empirical-* methods).
## type CR0: A_i = I; CR2: (I - H_ii)^-1/2; CR3: (I - H_ii)^-1, no (n-1)/n factor.
sandwich_rows <- function(case, fit, d, subject, contrasts) {
  out <- list()
  for (type in c("CR0", "CR2", "CR3")) {
    V <- vcovCR(fit, cluster = d[[subject]], type = type)
    ct <- coef_test(fit, vcov = V, test = "Satterthwaite")
    out[[length(out) + 1]] <- data.frame(
      case = case, type = type, quantity = rownames(ct) %||% names(coef(fit)),
      estimate = ct$beta, std_error = ct$SE, df = ct$df_Satt)
    if (!is.null(contrasts)) {
      lc <- linear_contrast(fit, vcov = V, contrasts = contrasts, test = "Satterthwaite")
      out[[length(out) + 1]] <- data.frame(
        case = case, type = type, quantity = rownames(contrasts),
        estimate = lc$Est, std_error = lc$SE, df = lc$df)
    }
  }
  do.call(rbind, out)
}
`%||%` <- function(a, b) if (is.null(a)) b else a

## The same three sandwiches computed directly from R mmrm's documented formulas (vignettes
## coef_vcov.Rmd and satterthwaite.Rmd of openpharma/mmrm): whiten each subject by L_i, the
## Cholesky factor of Sigma_i^-1 (X~_i = L_i'X_i), H_ii = X~_i (X~'X~)^-1 X~_i', A_i = I,
## (I - H_ii)^-1/2 (symmetric root) or (I - H_ii)^-1; df = (sum lambda)^2 / sum lambda^2 over
## the eigenvalues of G = [g_i'g_j], g_i = (I - H)_i' A_i X~_i (X~'X~)^-1 c (dense, no shortcut).
## clubSandwich's CR2 takes another square root (A_i = D_i'(D_i (Sigma_i - X_i M X_i') D_i')^-1/2
## D_i with D_i = chol(Sigma_i)), unbiased too but not the same matrix: R mmrm's own tests
## compare its CR2 with clubSandwich's to 1e-3 only.
direct_rows <- function(case, fit, d, subject, contrasts) {
  X <- model.matrix(eval(fit$call$model), data = d)
  y <- d[[all.vars(fit$call$model)[1]]]
  ids <- levels(d[[subject]])
  rows <- split(seq_len(nrow(d)), d[[subject]])[ids]
  Xt <- X; rt <- y - c(X %*% coef(fit))
  for (id in ids) {
    S <- unclass(getVarCov(fit, individual = id))
    S <- matrix(as.numeric(S), nrow(S))
    L <- t(chol(solve(S)))                      # lower, L L' = Sigma^-1
    r <- rows[[id]]
    Xt[r, ] <- t(L) %*% X[r, , drop = FALSE]
    rt[r] <- c(t(L) %*% rt[r])
  }
  K <- solve(crossprod(Xt))
  H <- Xt %*% K %*% t(Xt)
  IH <- diag(nrow(Xt)) - H
  L_all <- rbind(diag(ncol(X)), contrasts)
  rownames(L_all) <- c(colnames(X), rownames(contrasts))
  out <- list()
  for (type in c("CR0", "CR2", "CR3")) {
    A <- lapply(rows, function(r) {
      if (type == "CR0") return(diag(length(r)))
      e <- eigen(IH[r, r, drop = FALSE], symmetric = TRUE)
      pw <- if (type == "CR2") -0.5 else -1
      e$vectors %*% diag(e$values^pw, length(r)) %*% t(e$vectors)
    })
    U <- t(vapply(seq_along(rows), function(i) {
      r <- rows[[i]]
      c(t(Xt[r, , drop = FALSE]) %*% A[[i]] %*% rt[r])
    }, numeric(ncol(X))))
    V <- K %*% crossprod(U) %*% K
    for (k in seq_len(nrow(L_all))) {
      cvec <- L_all[k, ]
      B <- matrix(0, nrow(Xt), length(rows))
      for (i in seq_along(rows)) {
        r <- rows[[i]]
        B[r, i] <- A[[i]] %*% Xt[r, , drop = FALSE] %*% K %*% cvec
      }
      g <- IH %*% B
      lam <- eigen(crossprod(g), symmetric = TRUE, only.values = TRUE)$values
      out[[length(out) + 1]] <- data.frame(
        case = case, type = paste0(type, "-mmrm-formula"), quantity = rownames(L_all)[k],
        estimate = sum(cvec * coef(fit)), std_error = sqrt(c(cvec %*% V %*% cvec)),
        df = sum(lam)^2 / sum(lam^2))
    }
  }
  do.call(rbind, out)
}

## the arm difference at each visit: ARM<lev> + ARM<lev>:VISIT<v> (treatment coding)
arm_by_visit <- function(fit, arm_term, visit_levels, visit = "VISIT") {
  cf <- names(coef(fit))
  rows <- lapply(visit_levels, function(v) {
    r <- setNames(numeric(length(cf)), cf)
    r[arm_term] <- 1
    inter <- c(paste0(visit, v, ":", arm_term), paste0(arm_term, ":", visit, v))
    inter <- inter[inter %in% cf]
    if (length(inter)) r[inter] <- 1
    r
  })
  m <- do.call(rbind, rows)
  rownames(m) <- paste(arm_term, visit_levels, sep = "@")
  m
}

## Case 1: three arms, eight visits, dropout and intermittent gaps, unstructured.
raw <- read.csv(file.path(HERE, "sim_three_arm.csv"))
s3 <- prep_data(raw, response = "CHG", subject = "USUBJID", visit = "VISIT",
                visit_levels = sprintf("V%d", 1:8),
                factors = list(ARM = c("PLACEBO", "LOW", "HIGH")), covariates = "BASE")
fit3 <- fit_gls(CHG ~ BASE * VISIT + ARM * VISIT, data_name = "s3",
                subject = "USUBJID", visit = "VISIT", cov = "un", method = "REML")
l3 <- rbind(arm_by_visit(fit3, "ARMLOW", sprintf("V%d", 1:8)),
            arm_by_visit(fit3, "ARMHIGH", sprintf("V%d", 1:8)))
r3 <- rbind(sandwich_rows("sim_three_arm_un", fit3, s3, "USUBJID", l3),
            direct_rows("sim_three_arm_un", fit3, s3, "USUBJID", l3))

## Case 2: two arms, six visits, heterogeneous compound symmetry.
raw6 <- read.csv(file.path(HERE, "sim_two_arm_6v.csv"))
s6 <- prep_data(raw6, response = "CHG", subject = "USUBJID", visit = "VISIT",
                visit_levels = c("WEEK1", "WEEK2", "WEEK4", "WEEK6", "WEEK8", "WEEK12"),
                factors = list(ARM = c("PLACEBO", "ACTIVE")), covariates = "BASE")
fit6 <- fit_gls(CHG ~ BASE + ARM * VISIT, data_name = "s6",
                subject = "USUBJID", visit = "VISIT", cov = "csh", method = "REML")
l6 <- arm_by_visit(fit6, "ARMACTIVE", c("WEEK1", "WEEK2", "WEEK4", "WEEK6", "WEEK8", "WEEK12"))
r6 <- rbind(sandwich_rows("sim_two_arm_6v_csh", fit6, s6, "USUBJID", l6),
            direct_rows("sim_two_arm_6v_csh", fit6, s6, "USUBJID", l6))

res <- rbind(r3, r6)
write_ref(res, "empirical_df.csv")
cat("R", R.version$major, R.version$minor, "| nlme", as.character(packageVersion("nlme")),
    "| clubSandwich", as.character(packageVersion("clubSandwich")), "\n")
cat("max |gradient| after polish:", attr(fit3, "polish")$max_abs_grad_final,
    attr(fit6, "polish")$max_abs_grad_final, "\n")
print(head(res, 12))
