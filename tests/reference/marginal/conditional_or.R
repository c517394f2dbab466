# Conditional odds ratio of trtp 1 vs 0 from R's glm on trial01 (model m3: aval ~ trtp + bl_cov +
# region, region a 5-level factor), with its Wald 95% interval (confint.default) and p value.
# R 4.2.2, stats only. Run from this folder: Rscript conditional_or.R
d <- read.csv("trial01.csv", colClasses = c(trtp = "character", region = "character"))
d <- d[d$in_m1 == 1, ]
fit <- glm(aval ~ trtp + bl_cov + region, family = binomial, data = d,
           control = glm.control(epsilon = 1e-14, maxit = 100))
ci <- exp(confint.default(fit)["trtp1", ])
out <- data.frame(model = "m3", odds_ratio = exp(coef(fit)[["trtp1"]]), or_conf_low = ci[[1]],
                  or_conf_high = ci[[2]], or_p_value = summary(fit)$coefficients["trtp1", 4])
write.csv(out, "conditional_or.csv", row.names = FALSE)
print(format(out, digits = 15))
