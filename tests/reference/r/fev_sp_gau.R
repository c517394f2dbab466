## Case fev_sp_gau: fev_data, spatial Gaussian covariance over VISITN by REML:
## nlme::gls with corGaus(form = ~ VISITN | USUBJID) (no nugget), correlation exp(-(d / range)^2),
## polished as every case (common.R::polish_gls). The reference for outcomes' sp_gau.
## Run from the repository's top folder:  Rscript tests/reference/r/fev_sp_gau.R
## Writes fev_sp_gau_coef.csv (term, estimate, std_error) and fev_sp_gau_fit.csv
## (minus2loglik, variance, range).
local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  source(file.path(if (length(f) == 1L) dirname(normalizePath(f)) else getwd(), "common.R"))
}, envir = globalenv())

fev <- fev_data()
fit0 <- gls(FEV1 ~ ARMCD * AVISIT + RACE + SEX, data = fev,
            correlation = corGaus(form = ~ VISITN | USUBJID, nugget = FALSE),
            method = "REML", control = gls_ctrl)
fit <- polish_gls(fit0, fev)
tt <- summary(fit)$tTable
write_ref(data.frame(term = rownames(tt), estimate = tt[, "Value"], std_error = tt[, "Std.Error"]),
          "fev_sp_gau_coef.csv")
range <- coef(fit$modelStruct$corStruct, unconstrained = FALSE)[["range"]]
write_ref(data.frame(minus2loglik = -2 * as.numeric(fit$logLik), variance = fit$sigma^2,
                     range = range,
                     max_abs_grad_final = attr(fit, "polish")$max_abs_grad_final),
          "fev_sp_gau_fit.csv")
print(read.csv(out_path("fev_sp_gau_fit.csv")))
