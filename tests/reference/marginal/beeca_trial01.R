# Reference values for covariate-adjusted marginal treatment effects (binary
# outcome, logistic working model, g-computation) on beeca's trial01 data.
# beeca 0.2.0, github:openpharma/beeca @ 4b72c14afc83ffc36eafa3c94b98ebc3d116fcbc
# Run from this folder: Rscript beeca_trial01.R (writes the CSVs beside it)
suppressPackageStartupMessages({
  library(beeca)
  library(sandwich)
  library(numDeriv)
})
out <- "."
options(digits = 15)

# ---------------------------------------------------------------- data ----
raw <- as.data.frame(beeca::trial01)          # 268 rows
for (v in names(raw)) attributes(raw[[v]]) <- NULL
# region factor from the 4 indicators (all zero -> region "1")
reg <- ifelse(raw$region_2 == 1, "2", ifelse(raw$region_3 == 1, "3",
       ifelse(raw$region_4 == 1, "4", ifelse(raw$region_5 == 1, "5", "1"))))
stopifnot(all(rowSums(raw[, paste0("region_", 2:5)]) <= 1))

csv <- data.frame(
  usubjid  = raw$usubjid,
  aval     = raw$aval,                      # 0/1, one NA (usubjid 1)
  trtp     = as.character(raw$trtp),        # "0" (reference) / "1"
  bl_cov   = raw$bl_cov,
  bl_cov_c = raw$bl_cov_c,                  # 0/1, one NA (usubjid 2)
  region   = reg,
  in_m1    = as.integer(!is.na(raw$aval)),                       # models m1, m3
  in_m2    = as.integer(!is.na(raw$aval) & !is.na(raw$bl_cov_c)) # model m2
)
# bl_cov_c2 = cut(bl_cov, 4) computed on the outcome-complete rows, exactly as in
# beeca's tests/testthat/test-estimate_varcov.R (4 equal-width intervals; labels are text)
csv$bl_cov_c2 <- NA_character_
csv$bl_cov_c2[csv$in_m1 == 1] <- as.character(cut(csv$bl_cov[csv$in_m1 == 1], 4))
write.csv(csv, file.path(out, "trial01.csv"), row.names = FALSE, na = "")

# analysis sets: beeca's tests/vignette drop rows with missing outcome first
d1 <- transform(csv[csv$in_m1 == 1, ], trtp = factor(trtp, levels = c("0", "1")),
                region = factor(region),
                bl_cov_c2 = factor(bl_cov_c2, levels = levels(cut(bl_cov, 4))))
d2 <- transform(csv[csv$in_m2 == 1, ], trtp = factor(trtp, levels = c("0", "1")),
                bl_cov_c = factor(bl_cov_c))

models <- list(
  m1 = list(formula = aval ~ trtp + bl_cov,            data = d1, strata = NULL),
  m2 = list(formula = aval ~ trtp + bl_cov + bl_cov_c, data = d2, strata = "bl_cov_c"),
  m3 = list(formula = aval ~ trtp + bl_cov + region,   data = d1, strata = NULL),
  m4 = list(formula = aval ~ trtp + bl_cov + bl_cov_c2, data = d1, strata = "bl_cov_c2")
)
# method label -> beeca arguments
methods <- list(
  "Ye"             = list(method = "Ye", type = "HC0",         mod = FALSE, strata = FALSE),
  "Ye_mod"         = list(method = "Ye", type = "HC0",         mod = TRUE,  strata = FALSE),
  "Ye_strata"      = list(method = "Ye", type = "HC0",         mod = FALSE, strata = TRUE),
  "Ge_HC0"         = list(method = "Ge", type = "HC0",         mod = FALSE, strata = FALSE),
  "Ge_model_based" = list(method = "Ge", type = "model-based", mod = FALSE, strata = FALSE)
)
contrasts <- c("diff", "rr", "or", "logrr", "logor")

res_c <- list(); res_r <- list(); res_v <- list()
fits <- list()
for (mn in names(models)) {
  m <- models[[mn]]
  fit <- glm(m$formula, family = binomial, data = m$data)
  fits[[mn]] <- fit
  for (me in names(methods)) {
    a <- methods[[me]]
    if (a$strata && is.null(m$strata)) next
    st <- if (a$strata) m$strata else NULL
    for (ct in contrasts) {
      r <- suppressWarnings(get_marginal_effect(fit, trt = "trtp", strata = st, method = a$method,
                               type = a$type, contrast = ct, reference = "0", mod = a$mod))
      res_c[[length(res_c) + 1]] <- data.frame(
        model = mn, formula = deparse(m$formula), n = nobs(fit),
        strata = if (is.null(st)) "" else st,
        method = me, contrast = ct, arm = "1", reference = "0",
        estimate = unname(r$marginal_est), std_error = unname(r$marginal_se))
    }
    V <- r$robust_varcov
    res_r[[length(res_r) + 1]] <- data.frame(
      model = mn, formula = deparse(m$formula), n = nobs(fit),
      strata = if (is.null(st)) "" else st, method = me,
      arm = names(r$counterfactual.means),
      n_arm = as.vector(table(m$data$trtp)),
      n_events = as.vector(tapply(m$data$aval, m$data$trtp, sum)),
      risk = unname(r$counterfactual.means), risk_se = sqrt(diag(V)))
    res_v[[length(res_v) + 1]] <- data.frame(
      model = mn, method = me, var_0 = V["0", "0"], var_1 = V["1", "1"],
      cov_01 = V["0", "1"])
  }
}
res_c <- do.call(rbind, res_c); res_r <- do.call(rbind, res_r); res_v <- do.call(rbind, res_v)
write.csv(res_c, file.path(out, "trial01_marginal.csv"), row.names = FALSE)
write.csv(res_r, file.path(out, "trial01_risks.csv"), row.names = FALSE)
write.csv(res_v, file.path(out, "trial01_varcov.csv"), row.names = FALSE)

# ------------------------------------------- independent re-implementation
# (base R + sandwich + numDeriv), used to cross-check beeca
hand <- function(fit, trt = "trtp", method, type = "HC0", mod = FALSE) {
  d <- fit$model; lv <- levels(d[[trt]]); n <- nrow(d); y <- fit$y
  Xk <- lapply(lv, function(k) { dk <- d; dk[[trt]] <- factor(k, levels = lv)
                                 model.matrix(formula(fit), dk) })
  mu <- function(b) sapply(Xk, function(X) mean(plogis(X %*% b)))
  P <- sapply(Xk, function(X) plogis(X %*% coef(fit)))   # n x K predictions
  if (method == "Ge") {
    Vb <- if (type == "model-based") vcov(fit) else sandwich::vcovHC(fit, type = type)
    J <- numDeriv::jacobian(mu, coef(fit))
    V <- J %*% Vb %*% t(J)
  } else {
    pi <- as.vector(prop.table(table(d[[trt]]))); K <- length(lv); V <- matrix(0, K, K)
    for (k in 1:K) {
      ik <- d[[trt]] == lv[k]
      if (mod) {
        V[k, k] <- var(y[ik] - P[ik, k]) / pi[k] + 2 * cov(y[ik], P[ik, k]) - var(P[, k])
      } else { # RobinCar-style: var(y-pred) decomposed with var(pred) over ALL subjects
        V[k, k] <- (var(y[ik]) - 2 * cov(y[ik], P[ik, k]) + var(P[, k])) / pi[k] +
          2 * cov(y[ik], P[ik, k]) - var(P[, k])
      }
      for (l in setdiff(1:K, k)) {
        il <- d[[trt]] == lv[l]
        V[k, l] <- cov(y[ik], P[ik, l]) + cov(y[il], P[il, k]) - cov(P[, k], P[, l])
      }
    }
    V <- V / n
  }
  list(mu = mu(coef(fit)), V = V)
}
cfun <- list(diff = function(p) p[2] - p[1], rr = function(p) p[2] / p[1],
             or = function(p) (p[2] / (1 - p[2])) / (p[1] / (1 - p[1])),
             logrr = function(p) log(p[2] / p[1]),
             logor = function(p) qlogis(p[2]) - qlogis(p[1]))
chk <- list()
for (mn in names(models)) for (me in c("Ye", "Ye_mod", "Ge_HC0", "Ge_model_based")) {
  a <- methods[[me]]
  h <- hand(fits[[mn]], method = a$method, type = a$type, mod = a$mod)
  for (ct in contrasts) {
    g <- numDeriv::grad(cfun[[ct]], h$mu)
    b <- res_c[res_c$model == mn & res_c$method == me & res_c$contrast == ct, ]
    chk[[length(chk) + 1]] <- data.frame(model = mn, method = me, contrast = ct,
      est_hand = cfun[[ct]](h$mu), se_hand = sqrt(drop(t(g) %*% h$V %*% g)),
      est_beeca = b$estimate, se_beeca = b$std_error)
  }
}
chk <- do.call(rbind, chk)
chk$abs_diff_est <- abs(chk$est_hand - chk$est_beeca)
chk$rel_diff_se <- abs(chk$se_hand / chk$se_beeca - 1)
write.csv(chk, file.path(out, "crosscheck_hand_vs_beeca.csv"), row.names = FALSE)
cat("\nHand re-implementation vs beeca: max |est diff| =", max(chk$abs_diff_est),
    " max rel SE diff =", max(chk$rel_diff_se), "\n")

# -------------------------------- comparison with values stored in beeca ----
sel <- function(mn, me, ct, col) res_c[res_c$model == mn & res_c$method == me &
                                         res_c$contrast == ct, col]
rk <- function(mn, me, arm, col) res_r[res_r$model == mn & res_r$method == me &
                                         res_r$arm == arm, col]
ge <- as.data.frame(beeca::ge_macro_trial01); mg <- as.data.frame(beeca::margins_trial01)
Vm1ye <- res_v[res_v$model == "m1" & res_v$method == "Ye", ]

# test-file values that need other fits
data01 <- d1
fitS <- glm(aval ~ trtp + bl_cov + bl_cov_c2, family = "binomial",
            data = transform(data01, bl_cov_c2 = cut(bl_cov, 4)))
VS <- suppressWarnings(get_marginal_effect(fitS, trt = "trtp", strata = "bl_cov_c2",
        method = "Ye", reference = "0"))$robust_varcov
fit150 <- glm(aval ~ trtp + bl_cov, family = "binomial", data = data01[1:150, ])
V150 <- get_marginal_effect(fit150, trt = "trtp", method = "Ye", mod = TRUE,
                            reference = "0")$robust_varcov
h150 <- hand(fit150, method = "Ye", mod = TRUE)$V
gr <- c(-1, 1)

agree <- data.frame(
  quantity = c(
    "m1 Ge model-based: risk diff (1-0)", "m1 Ge model-based: SE risk diff",
    "m1 Ge model-based: risk arm 1 (pt)", "m1 Ge model-based: risk arm 0 (pC)",
    "m1 Ge model-based: 95% CI lower", "m1 Ge model-based: 95% CI upper",
    "m1 Ge model-based: risk diff (1-0)", "m1 Ge model-based: SE risk diff",
    "m1 Ge model-based: 95% CI lower", "m1 Ge model-based: 95% CI upper",
    "m1 Ye: Var(risk diff)",
    "Ye strata=cut(bl_cov,4), model aval~trtp+bl_cov+bl_cov_c2: Var(diff)",
    "Ye mod=TRUE, data01[1:150,]: Var(diff)"),
  source = c(rep("data/ge_macro_trial01.rda (SAS Ge et al. 2011 macro)", 6),
             rep("data/margins_trial01.rda (SAS %Margins macro)", 4),
             rep("tests/testthat/test-estimate_varcov.R (RobinCar fallback constant)", 2),
             "tests/testthat/test-estimate_varcov.R (Ye-mod constant)"),
  stored = c(ge$diff, ge$se, ge$pt, ge$pC, ge$lower, ge$upper,
             mg$Estimate, mg$StdErr, mg$Lower, mg$Upper,
             0.003706813, 0.003664811, 0.006669802),
  beeca = c(sel("m1", "Ge_model_based", "diff", "estimate"),
            sel("m1", "Ge_model_based", "diff", "std_error"),
            rk("m1", "Ge_model_based", "1", "risk"), rk("m1", "Ge_model_based", "0", "risk"),
            sel("m1", "Ge_model_based", "diff", "estimate") - qnorm(.975) * sel("m1", "Ge_model_based", "diff", "std_error"),
            sel("m1", "Ge_model_based", "diff", "estimate") + qnorm(.975) * sel("m1", "Ge_model_based", "diff", "std_error"),
            sel("m1", "Ge_model_based", "diff", "estimate"),
            sel("m1", "Ge_model_based", "diff", "std_error"),
            sel("m1", "Ge_model_based", "diff", "estimate") - qnorm(.975) * sel("m1", "Ge_model_based", "diff", "std_error"),
            sel("m1", "Ge_model_based", "diff", "estimate") + qnorm(.975) * sel("m1", "Ge_model_based", "diff", "std_error"),
            Vm1ye$var_0 + Vm1ye$var_1 - 2 * Vm1ye$cov_01,
            drop(t(gr) %*% VS %*% gr), drop(t(gr) %*% V150 %*% gr))
)
agree$hand <- c(rep(NA, 10),
                { h <- hand(fits$m1, method = "Ye")$V; drop(t(gr) %*% h %*% gr) },
                NA, drop(t(gr) %*% h150 %*% gr))
# 3-arm constants from the same test file (trial02_cdisc, AVAL ~ TRTPN + SEX)
d3 <- transform(as.data.frame(beeca::trial02_cdisc), TRTPN = as.factor(TRTPN))
f3 <- glm(AVAL ~ TRTPN + SEX, family = "binomial", data = d3)
V3a <- get_marginal_effect(f3, trt = "TRTPN", method = "Ye", reference = "1")$robust_varcov
V3s <- get_marginal_effect(f3, trt = "TRTPN", method = "Ye", strata = "SEX", reference = "1")$robust_varcov
S3a <- matrix(c(2.652272364e-03, 2.576978801e-06, -5.244417729e-07,
                2.576978801e-06, 2.303420439e-03,  1.053457633e-05,
               -5.244417729e-07, 1.053457633e-05,  2.379076091e-03), 3, 3)
S3s <- matrix(c(2.622886513e-03, -7.797320489e-06, -4.923527008e-06,
               -7.797320489e-06,  2.288915038e-03,  1.360521021e-05,
               -4.923527008e-06,  1.360521021e-05,  2.376256827e-03), 3, 3)
i3 <- which.max(abs(V3a - S3a)); j3 <- which.max(abs(V3s - S3s))
agree <- rbind(agree, data.frame(
  quantity = c("trial02_cdisc 3-arm Ye varcov (largest-abs-diff element)",
               "trial02_cdisc 3-arm Ye strata=SEX varcov (largest-abs-diff element)"),
  source = "tests/testthat/test-estimate_varcov.R (RobinCar fallback constant)",
  stored = c(S3a[i3], S3s[j3]), beeca = c(V3a[i3], V3s[j3]),
  hand = c(drop(hand(f3, trt = "TRTPN", method = "Ye")$V)[i3], NA)))
agree$abs_diff <- abs(agree$beeca - agree$stored)
agree$rel_diff <- abs(agree$beeca / agree$stored - 1)
write.csv(agree, file.path(out, "agreement_with_stored.csv"), row.names = FALSE)

cat("\nSAS Ge macro (ge_macro_trial01):\n"); print(ge, digits = 15)
cat("\nSAS %Margins (margins_trial01):\n"); print(mg[, c("Estimate", "StdErr", "Lower", "Upper")], digits = 15)
cat("\nAgreement table:\n"); print(agree, digits = 12, right = FALSE)
cat("\nMarginal contrasts (m1):\n"); print(res_c[res_c$model == "m1", -(2:4)], digits = 12)
cat("\n"); print(sessionInfo())
