# Three-arm reference: beeca's trial02_cdisc (AVAL ~ TRTPN + SEX), Ye covariance of the three
# marginal risks and each arm's contrasts with arm 1, beeca 0.2.0 (github:openpharma/beeca @
# 4b72c14afc83ffc36eafa3c94b98ebc3d116fcbc). Run from this folder: Rscript trial02.R
suppressPackageStartupMessages(library(beeca))
options(digits = 15)
d <- as.data.frame(trial02_cdisc)[, c("USUBJID", "AVAL", "TRTPN", "SEX")]
for (v in names(d)) attributes(d[[v]]) <- NULL
write.csv(d, "trial02.csv", row.names = FALSE, na = "")
d$TRTPN <- factor(d$TRTPN)
fit <- glm(AVAL ~ TRTPN + SEX, family = "binomial", data = d)
out <- list()
for (ref in levels(d$TRTPN)[1]) {
  for (contrast in c("diff", "rr", "or")) {
    m <- get_marginal_effect(fit, trt = "TRTPN", method = "Ye", contrast = contrast,
                             reference = ref)
    ard <- as.data.frame(m$marginal_results)
    out[[contrast]] <- ard
  }
}
v <- m$robust_varcov
write.csv(data.frame(row = rep(rownames(v), ncol(v)), col = rep(colnames(v), each = nrow(v)),
                     value = as.vector(v)), "trial02_varcov.csv", row.names = FALSE)
res <- do.call(rbind, out)
write.csv(res[, c("TRTVAL", "STAT", "STATVAL")], "trial02_marginal.csv", row.names = FALSE)
print(res)
print(v)
print(sessionInfo())
