## Case antidepressant_un_glmmtmb: the antidepressant_un model fitted by
## glmmTMB as a third opinion: unstructured random visit effects per patient
## with the residual variance fixed near zero (dispformula = ~0) is the MMRM.
## Run from the repository's top folder:
##   Rscript tests/reference/r/antidepressant_un_glmmtmb.R
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())
suppressPackageStartupMessages(library(glmmTMB))

raw <- read.csv(file.path(DATA_DIR, "antidepressant_data.csv"))
ad <- prep_data(raw, response = "CHANGE", subject = "PATIENT", visit = "VISIT",
                visit_levels = c("4", "5", "6", "7"),
                factors = list(THERAPY = c("PLACEBO", "DRUG")),
                covariates = "BASVAL")

form <- CHANGE ~ BASVAL * VISIT + THERAPY * VISIT + us(VISIT + 0 | PATIENT)
## 1. the call as specified (glmmTMB defaults: nlminb)
tm <- system.time(
  fit <- glmmTMB(form, dispformula = ~0, REML = TRUE, data = ad)
)
## 2. the same model with optim(BFGS), as a check of the optimiser
tm2 <- system.time(
  fit2 <- glmmTMB(form, dispformula = ~0, REML = TRUE, data = ad,
                  control = glmmTMBControl(optimizer = optim,
                                           optArgs = list(method = "BFGS")))
)
info <- function(fit, label, secs) {
  ll <- as.numeric(logLik(fit))
  data.frame(case = "antidepressant_un_glmmtmb", optimizer = label, method = "REML",
             covariance = "us(VISIT + 0 | PATIENT), dispformula = ~0",
             logLik = ll, minus2loglik = -2 * ll,
             AIC = AIC(fit), BIC = BIC(fit),
             n_obs = nobs(fit), n_subjects = nlevels(droplevels(ad$PATIENT)),
             residual_sd_fixed = sigma(fit),
             optimizer_convergence = fit$fit$convergence,
             optimizer_message = if (is.null(fit$fit$message)) "" else fit$fit$message,
             pdHess = fit$sdr$pdHess,
             max_abs_gradient = max(abs(fit$sdr$gradient.fixed)),
             seconds = round(unname(secs["elapsed"]), 3), stringsAsFactors = FALSE)
}
fi <- rbind(info(fit, "nlminb (default)", tm), info(fit2, "optim BFGS", tm2))
print(fi)

s <- summary(fit)$coefficients$cond
s2 <- summary(fit2)$coefficients$cond
write_ref(data.frame(term = rownames(s), estimate = s[, "Estimate"],
                     std_error = s[, "Std. Error"],
                     estimate_optim_bfgs = s2[rownames(s), "Estimate"],
                     std_error_optim_bfgs = s2[rownames(s), "Std. Error"]),
          "antidepressant_un_glmmtmb_coef.csv")
V <- VarCorr(fit)$cond$PATIENT
V <- matrix(as.numeric(V), nrow(V), dimnames = list(levels(ad$VISIT), levels(ad$VISIT)))
write_ref(cbind(data.frame(visit = rownames(V)), as.data.frame(V, check.names = FALSE)),
          "antidepressant_un_glmmtmb_cov.csv")
write_ref(fi, "antidepressant_un_glmmtmb_fit.csv")
